// Every label of the console, in English and Chinese; elements name theirs in data-i18n.
const STRINGS = {
  en: {
    title: "Flywheel ops console",
    language: "中文",
    signOut: "Sign out",
    "signIn.title": "Operator sign-in",
    "signIn.email": "Email",
    "signIn.password": "Password",
    "signIn.submit": "Sign in",
    "signIn.failed": "Sign-in failed",
    "filters.from": "From",
    "filters.to": "To (inclusive)",
    "filters.interval": "Interval",
    "filters.steps": "Funnel steps",
    "filters.apply": "Apply",
    "interval.day": "Day",
    "interval.week": "Week",
    "interval.month": "Month",
    "sales.title": "GMV and orders",
    "gmv.title": "GMV chart",
    "sales.period": "Period",
    "sales.currency": "Currency",
    "sales.gmv": "GMV",
    "sales.orders": "Orders",
    "sales.payingUsers": "Paying users",
    "sales.newBuyers": "New buyers",
    "sales.repurchaseRate": "Repurchase rate",
    "sales.aov": "Average order value",
    "sales.refunded": "Refunded",
    "funnel.title": "Funnel",
    "funnel.step": "Step",
    "funnel.people": "People",
    "funnel.fromPrevious": "From previous",
    "funnel.fromFirst": "From first",
    "funnel.medianMinutes": "Median minutes from previous",
    "cohorts.title": "Weekly cohort retention",
    "cohorts.week": "First week",
    "cohorts.buyers": "Buyers",
    "cohorts.after": "Weeks after",
    "events.title": "Recent events",
    "events.time": "Time",
    "events.type": "Type",
    "events.subject": "Subject",
    "events.source": "Source",
    "events.data": "Data",
    "events.more": "More",
    "table.csv": "Export CSV",
    "table.empty": "No data",
    "error.forbidden": "This account is not an operator.",
  },
  zh: {
    title: "Flywheel 运营控制台",
    language: "English",
    signOut: "退出登录",
    "signIn.title": "运营人员登录",
    "signIn.email": "邮箱",
    "signIn.password": "密码",
    "signIn.submit": "登录",
    "signIn.failed": "登录失败",
    "filters.from": "开始日期",
    "filters.to": "结束日期（含）",
    "filters.interval": "粒度",
    "filters.steps": "漏斗步骤",
    "filters.apply": "应用",
    "interval.day": "日",
    "interval.week": "周",
    "interval.month": "月",
    "sales.title": "GMV 与订单",
    "gmv.title": "GMV 走势",
    "sales.period": "周期",
    "sales.currency": "币种",
    "sales.gmv": "GMV",
    "sales.orders": "订单数",
    "sales.payingUsers": "付费用户",
    "sales.newBuyers": "新买家",
    "sales.repurchaseRate": "复购率",
    "sales.aov": "客单价",
    "sales.refunded": "退款",
    "funnel.title": "转化漏斗",
    "funnel.step": "步骤",
    "funnel.people": "人数",
    "funnel.fromPrevious": "上一步转化率",
    "funnel.fromFirst": "总体转化率",
    "funnel.medianMinutes": "距上一步中位时长（分钟）",
    "cohorts.title": "周留存同期群",
    "cohorts.week": "首购周",
    "cohorts.buyers": "买家数",
    "cohorts.after": "之后周数",
    "events.title": "最近事件",
    "events.time": "时间",
    "events.type": "类型",
    "events.subject": "主体",
    "events.source": "来源",
    "events.data": "数据",
    "events.more": "加载更多",
    "table.csv": "导出 CSV",
    "table.empty": "暂无数据",
    "error.forbidden": "该账号不是运营人员。",
  },
};

const KEY = "flywheel.console.language";
let language = localStorage.getItem(KEY) ?? (navigator.language.startsWith("zh") ? "zh" : "en");

export function t(key) {
  return STRINGS[language][key] ?? key;
}

export function toggleLanguage() {
  language = language === "en" ? "zh" : "en";
  localStorage.setItem(KEY, language);
  translate();
}

export function translate(root = document) {
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}
