// ECharts options of the panels, from the analytics API's answers.
import { t } from "./i18n.js";

const digits = (currency) =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits;

// Minor units (the API's money) as a number of major units, e.g. 4200 CNY -> 42.
export const major = (money) => money && money.amount / 10 ** digits(money.currency);

// GMV per currency as lines, orders (all currencies) as bars on their own axis.
export function salesOption(points) {
  const periods = [...new Set(points.map((p) => p.period))];
  const currencies = [...new Set(points.map((p) => p.gmv.currency))];
  const gmv = currencies.map((currency) => ({
    name: `${t("sales.gmv")} ${currency}`,
    type: "line",
    data: periods.map((period) => {
      const point = points.find((p) => p.period === period && p.gmv.currency === currency);
      return point ? major(point.gmv) : 0;
    }),
  }));
  const orders = {
    name: t("sales.orders"),
    type: "bar",
    yAxisIndex: 1,
    data: periods.map((period) =>
      points.filter((p) => p.period === period).reduce((sum, p) => sum + p.orders, 0)),
  };
  return {
    tooltip: { trigger: "axis" },
    legend: {},
    xAxis: { type: "category", data: periods },
    yAxis: [{ type: "value", name: t("sales.gmv") }, { type: "value", name: t("sales.orders") }],
    series: [...gmv, orders],
  };
}

export function funnelOption(steps) {
  return {
    tooltip: { trigger: "item", formatter: "{b}: {c}" },
    series: [{
      name: t("funnel.title"),
      type: "funnel",
      sort: "none",
      left: "10%",
      width: "65%",
      label: { formatter: "{b}: {c}" },
      data: steps.map((step) => ({ name: step.name, value: step.people })),
    }],
  };
}

// Cohorts down, weeks after the first across, the share retained as colour (percent).
export function cohortOption(answer) {
  const weeks = Array.from({ length: answer.weeks + 1 }, (_, week) => String(week));
  const cohorts = answer.cohorts.map((c) => c.week);
  const data = answer.cohorts.flatMap((cohort, row) =>
    cohort.rates.map((rate, week) => [week, row, Math.round(rate * 1000) / 10]));
  return {
    tooltip: { formatter: (p) => `${cohorts[p.value[1]]} +${p.value[0]}: ${p.value[2]}%` },
    grid: { left: 100 },
    xAxis: { type: "category", data: weeks, name: t("cohorts.after") },
    yAxis: { type: "category", data: cohorts, name: t("cohorts.week") },
    visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0 },
    series: [{
      name: t("cohorts.title"),
      type: "heatmap",
      data,
      label: { show: true, formatter: (p) => `${p.value[2]}%` },
    }],
  };
}

export const STAGES = ["potential", "new", "active", "high_value", "dormant", "churned"];
// The eight RFM layers in the API's order (R, F, M each high at a score of 3 or more).
export const LAYERS = [
  "important_value", "important_develop", "important_keep", "important_retain",
  "general_value", "general_develop", "general_keep", "general_retain",
];
export const ROLES = ["core", "advantage", "potential", "to_eliminate"];

// Users per lifecycle stage, in the stages' order, as a ring.
export function lifecycleOption(counts) {
  return {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { bottom: 0 },
    series: [{
      name: t("lifecycle.title"),
      type: "pie",
      radius: ["35%", "65%"],
      label: { formatter: "{b}: {c}" },
      data: STAGES.map((stage) => ({ name: t(`stage.${stage}`), value: counts[stage] ?? 0 })),
    }],
  };
}

// Users per lifecycle stage at the end of each day, stacked areas in the stages' order.
export function lifecycleTrendOption(points) {
  const days = [...new Set(points.map((p) => p.day))];
  const users = new Map(points.map((p) => [`${p.day} ${p.stage}`, p.users]));
  return {
    tooltip: { trigger: "axis" },
    legend: {},
    xAxis: { type: "category", boundaryGap: false, data: days },
    yAxis: { type: "value", name: t("lifecycle.users") },
    series: STAGES.map((stage) => ({
      name: t(`stage.${stage}`),
      type: "line",
      stack: "users",
      areaStyle: {},
      symbol: "none",
      data: days.map((day) => users.get(`${day} ${stage}`) ?? 0),
    })),
  };
}

// Users per RFM layer at the end of each day, stacked areas in the layers' order.
export function rfmTrendOption(points) {
  const days = [...new Set(points.map((p) => p.day))];
  const users = new Map(points.map((p) => [`${p.day} ${p.group}`, p.users]));
  return {
    tooltip: { trigger: "axis" },
    legend: {},
    xAxis: { type: "category", boundaryGap: false, data: days },
    yAxis: { type: "value", name: t("lifecycle.users") },
    series: LAYERS.map((layer) => ({
      name: t(`layer.${layer}`),
      type: "line",
      stack: "users",
      areaStyle: {},
      symbol: "none",
      data: days.map((day) => users.get(`${day} ${layer}`) ?? 0),
    })),
  };
}

// ROI per campaign, best first (campaigns without spend have none and are left out).
export function campaignsOption(rows) {
  const ranked = rows.filter((row) => row.roi !== null);
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 160 },
    xAxis: { type: "value", name: t("campaigns.roi") },
    yAxis: { type: "category", inverse: true, data: ranked.map((row) => row.name) },
    series: [{ name: t("campaigns.roi"), type: "bar", data: ranked.map((row) => row.roi) }],
  };
}

// GMV per category, one series per role so that the role is the bar's colour.
export function categoriesOption(rows) {
  const names = rows.map((row) => row.name);
  return {
    tooltip: { trigger: "axis" },
    legend: {},
    grid: { left: 60 },
    xAxis: { type: "category", data: names },
    yAxis: { type: "value", name: t("sales.gmv") },
    series: ROLES.map((role) => ({
      name: t(`role.${role}`),
      type: "bar",
      stack: "gmv",
      data: rows.map((row) => (row.role === role ? row.gmv : null)),
    })),
  };
}

// The candidates' scores, best first.
export function hotItemsOption(items) {
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 200 },
    xAxis: { type: "value", name: t("hot.score"), max: 1 },
    yAxis: { type: "category", inverse: true, data: items.map((i) => `${i.name} ${i.code}`) },
    series: [{ name: t("hot.score"), type: "bar", data: items.map((i) => i.score) }],
  };
}

// Each rule's firings and recoveries over time, one row per rule.
export function alertsOption(rules, changes) {
  const names = rules.map((rule) => rule.name);
  const points = (kind) => changes
    .filter((change) => change.kind === kind && names.includes(change.name))
    .map((change) => [change.at, change.name, change.value]);
  return {
    tooltip: { formatter: (p) => `${p.value[1]} ${p.seriesName} ${p.value[0]}: ${p.value[2]}` },
    legend: {},
    grid: { left: 200 },
    xAxis: { type: "time" },
    yAxis: { type: "category", data: names },
    series: ["fired", "recovered"].map((kind) => ({
      name: t(`alerts.${kind}`),
      type: "scatter",
      symbolSize: 14,
      data: points(kind),
    })),
  };
}
