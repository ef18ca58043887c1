// The console's page: sign-in, filters, and one panel per analytics query.
/* global echarts */
import { ApiError, get, signIn, signOut, signedIn } from "./api.js";
import {
  alertsOption, campaignsOption, categoriesOption, cohortOption, funnelOption, hotItemsOption,
  LAYERS, lifecycleOption, lifecycleTrendOption, major, rfmTrendOption, salesOption, STAGES,
} from "./charts.js";
import { t, toggleLanguage, translate } from "./i18n.js";
import { renderTable } from "./table.js";

const ANALYTICS = "/api/v1/analytics";
const USERS = "/api/v1/users";
const CATALOG = "/api/v1/catalog";
const CAMPAIGNS = "/api/v1/campaigns";
const FIRED = "flywheel.analytics.alert.fired.v1";
const RECOVERED = "flywheel.analytics.alert.recovered.v1";
const CAMPAIGNS_SHOWN = 10; // the campaigns of most GMV in the range whose ROI is ranked
const CAMPAIGNS_LISTED = 50; // the latest-starting campaigns of the range, a page
const CATEGORIES_SHOWN = 50; // categories reported on (a call each), parents first
const ALERTS_EVERY_MS = 60_000; // the alert rules are evaluated every minute
const $ = (id) => document.getElementById(id);
const percent = (share) => `${(share * 100).toFixed(1)}%`;
const rate = (share) => (share === null ? "" : percent(share));
const minutes = (seconds) => (seconds === null ? "" : (seconds / 60).toFixed(1));
const money = (value) => (value ? `${major(value)} ${value.currency}` : "");
const share = (part, whole) => (whole ? part / whole : null);

// The last answers, so a language switch redraws without asking again.
const answers = {};
let eventsCursor = null;
let campaignsCursor = null;

function chart(id, option) {
  const element = $(id);
  (echarts.getInstanceByDom(element) ?? echarts.init(element)).setOption(option, true);
}

const PANELS = {
  // The chart reads the daily rollup; the table the full figures, from the raw events.
  gmv(answer) {
    chart("sales-chart", salesOption(answer.points));
  },
  sales(answer) {
    renderTable($("sales-table"), "sales", [
      { label: "sales.period", value: (p) => p.period },
      { label: "sales.currency", value: (p) => p.gmv.currency },
      { label: "sales.gmv", value: (p) => major(p.gmv) },
      { label: "sales.orders", value: (p) => p.orders },
      { label: "sales.payingUsers", value: (p) => p.paying_users },
      { label: "sales.newBuyers", value: (p) => p.new_buyers },
      { label: "sales.repurchaseRate", value: (p) => rate(p.repurchase_rate) },
      { label: "sales.aov", value: (p) => money(p.average_order_value) },
      { label: "sales.refunded", value: (p) => major(p.refunded) },
    ], answer.points);
  },
  funnel(answer) {
    chart("funnel-chart", funnelOption(answer.steps));
    renderTable($("funnel-table"), "funnel", [
      { label: "funnel.step", value: (s) => s.name },
      { label: "funnel.people", value: (s) => s.people },
      { label: "funnel.fromPrevious", value: (s) => percent(s.conversion_from_previous) },
      { label: "funnel.fromFirst", value: (s) => percent(s.conversion_from_first) },
      { label: "funnel.medianMinutes", value: (s) => minutes(s.median_seconds_from_previous) },
    ], answer.steps);
  },
  cohorts(answer) {
    chart("cohorts-chart", cohortOption(answer));
    const weeks = Array.from({ length: answer.weeks + 1 }, (_, week) => ({
      label: `+${week}`,
      value: (c) => percent(c.rates[week]),
    }));
    renderTable($("cohorts-table"), "cohorts", [
      { label: "cohorts.week", value: (c) => c.week },
      { label: "cohorts.buyers", value: (c) => c.buyers },
      ...weeks,
    ], answer.cohorts);
  },
  lifecycle(answer) {
    chart("lifecycle-chart", lifecycleOption(answer.counts));
    const total = STAGES.reduce((sum, stage) => sum + (answer.counts[stage] ?? 0), 0);
    renderTable($("lifecycle-table"), "lifecycle", [
      { label: "lifecycle.stage", value: (stage) => t(`stage.${stage}`) },
      { label: "lifecycle.users", value: (stage) => answer.counts[stage] ?? 0 },
      { label: "lifecycle.share", value: (stage) => rate(share(answer.counts[stage] ?? 0, total)) },
    ], STAGES);
  },
  // One row per day, a column per stage: the users in it at the day's end.
  lifecycleTrend(answer) {
    chart("lifecycle-trend-chart", lifecycleTrendOption(answer.points));
    const days = [...new Set(answer.points.map((p) => p.day))].reverse(); // newest first
    const users = new Map(answer.points.map((p) => [`${p.day} ${p.stage}`, p.users]));
    renderTable($("lifecycle-trend-table"), "lifecycle-trend", [
      { label: "lifecycleTrend.day", value: (day) => day },
      ...STAGES.map((stage) => ({
        label: `stage.${stage}`,
        value: (day) => users.get(`${day} ${stage}`) ?? 0,
      })),
    ], days);
  },
  // One row per day, a column per RFM layer: the users in it at the day's end.
  rfmTrend(answer) {
    chart("rfm-trend-chart", rfmTrendOption(answer.points));
    const days = [...new Set(answer.points.map((p) => p.day))].reverse(); // newest first
    const users = new Map(answer.points.map((p) => [`${p.day} ${p.group}`, p.users]));
    renderTable($("rfm-trend-table"), "rfm-trend", [
      { label: "rfmTrend.day", value: (day) => day },
      ...LAYERS.map((layer) => ({
        label: `layer.${layer}`,
        value: (day) => users.get(`${day} ${layer}`) ?? 0,
      })),
    ], days);
  },
  campaigns(rows) {
    chart("campaigns-chart", campaignsOption(rows));
    renderTable($("campaigns-table"), "campaigns", [
      { label: "campaigns.name", value: (c) => c.name },
      { label: "campaigns.roi", value: (c) => (c.roi === null ? "" : c.roi.toFixed(2)) },
      { label: "sales.gmv", value: (c) => money(c.gmv) },
      { label: "campaigns.spend", value: (c) => money(c.spend) },
      { label: "sales.orders", value: (c) => c.orders },
      { label: "campaigns.reach", value: (c) => c.reach },
      { label: "campaigns.claims", value: (c) => c.claims },
      { label: "campaigns.redemptions", value: (c) => c.redemptions },
    ], rows);
  },
  campaignList(rows) {
    renderTable($("campaign-list-table"), "campaign-list", [
      { label: "campaigns.name", value: (c) => c.name },
      { label: "campaignList.kind", value: (c) => t(`kind.${c.kind}`) },
      { label: "campaignList.starts", value: (c) => c.starts_at.slice(0, 16).replace("T", " ") },
      { label: "campaignList.ends", value: (c) => c.ends_at.slice(0, 16).replace("T", " ") },
      { label: "campaignList.state", value: (c) => t(`campaignState.${c.state}`) },
      { label: "sales.gmv", value: (c) => c.sales.map((s) => money(s.gmv)).join(" + ") },
      { label: "sales.orders", value: (c) => c.sales.reduce((sum, s) => sum + s.orders, 0) },
      { label: "campaigns.claims", value: (c) => c.claims },
      { label: "campaigns.spend", value: (c) => money(c.spent) },
      { label: "campaigns.roi", value: (c) => (c.roi === null ? "" : c.roi.toFixed(2)) },
    ], rows);
    $("campaign-list-more").hidden = campaignsCursor === null;
  },
  categories(rows) {
    chart("categories-chart", categoriesOption(rows));
    renderTable($("categories-table"), "categories", [
      { label: "categories.name", value: (c) => c.name },
      { label: "categories.role", value: (c) => t(`role.${c.role}`) },
      { label: "sales.currency", value: (c) => c.currency },
      { label: "sales.gmv", value: (c) => c.gmv },
      { label: "categories.share", value: (c) => rate(c.share) },
      { label: "sales.orders", value: (c) => c.orders },
      { label: "categories.refundRate", value: (c) => rate(c.refundRate) },
      { label: "categories.change", value: (c) => rate(c.change) },
      { label: "categories.suggested", value: (c) => (c.suggested ? t(`role.${c.suggested}`) : "") },
      { label: "categories.why", value: (c) => c.why },
      { label: "categories.sold", value: (c) => c.sold_30d },
      { label: "categories.listedShare", value: (c) => rate(c.listed_share) },
      { label: "categories.conversion", value: (c) => rate(c.conversion) },
      { label: "categories.cover", value: (c) => c.cover_days },
      { label: "hot.margin", value: (c) => (c.margin_bps === null ? "" : `${c.margin_bps / 100}%`) },
    ], rows);
  },
  hotItems(items) {
    chart("hot-chart", hotItemsOption(items));
    renderTable($("hot-table"), "hot-items", [
      { label: "hot.name", value: (i) => i.name },
      { label: "hot.code", value: (i) => i.code },
      { label: "hot.score", value: (i) => i.score },
      { label: "hot.sold30", value: (i) => i.figures.sold_30d },
      { label: "hot.momentum", value: (i) => i.figures.momentum },
      { label: "hot.conversion", value: (i) => percent(i.figures.conversion) },
      { label: "hot.margin", value: (i) => (i.figures.margin_bps === null ? "" : `${i.figures.margin_bps / 100}%`) },
      { label: "hot.views", value: (i) => i.figures.views },
      { label: "hot.rating", value: (i) => i.figures.rating },
      { label: "hot.available", value: (i) => i.available },
      { label: "hot.featured", value: (i) => (i.featured ? t("yes") : "") },
    ], items);
  },
  alerts(answer) {
    chart("alerts-chart", alertsOption(answer.rules, answer.changes));
    const last = (rule) => answer.changes.find((change) => change.rule_id === rule.id);
    renderTable($("alerts-table"), "alerts", [
      { label: "alerts.name", value: (r) => r.name },
      { label: "alerts.state", value: (r) => t(`alerts.${r.state}`) },
      { label: "alerts.since", value: (r) => r.state_changed_at },
      { label: "alerts.metric", value: (r) => `${r.metric} ${r.currency}` },
      { label: "alerts.condition", value: (r) => `${t(`condition.${r.condition}`)} ${r.threshold}` },
      { label: "alerts.window", value: (r) => minutes(r.window_s) },
      { label: "alerts.value", value: (r) => last(r)?.value },
    ], answer.rules);
  },
  events(items) {
    renderTable($("events-table"), "events", [
      { label: "events.time", value: (e) => e.time },
      { label: "events.type", value: (e) => e.type },
      { label: "events.subject", value: (e) => e.subject },
      { label: "events.source", value: (e) => e.source },
      { label: "events.data", value: (e) => JSON.stringify(e.data) },
    ], items);
    $("events-more").hidden = eventsCursor === null;
  },
};

function redraw() {
  for (const [name, answer] of Object.entries(answers)) PANELS[name](answer);
}

function query() {
  const form = new FormData($("filters"));
  const from = form.get("from");
  const to = new Date(`${form.get("to")}T00:00:00Z`);
  to.setUTCDate(to.getUTCDate() + 1); // the API's ranges end before `to`
  const end = to.toISOString().slice(0, 10);
  const steps = form.get("steps").split(",").map((s) => s.trim()).filter(Boolean);
  return { from, end, steps, interval: form.get("interval") };
}

const at = (day) => `${day}T00:00:00Z`;

// Per metric group of the sales breakdown `by`, over the range: money summed per currency.
async function salesBy(by, range) {
  const answer = await get(`${ANALYTICS}/metrics/sales`, { ...range, interval: "month", by });
  const groups = new Map();
  for (const point of answer.points) {
    if (point.group === null) continue;
    const key = `${point.group} ${point.gmv.currency}`;
    const sum = groups.get(key) ?? { group: point.group, currency: point.gmv.currency, gmv: 0, orders: 0, refunded: 0 };
    sum.gmv += point.gmv.amount;
    sum.orders += point.orders;
    sum.refunded += point.refunded.amount;
    groups.set(key, sum);
  }
  return [...groups.values()];
}

// The campaigns of most GMV in the range (the sales breakdown by campaign), each with its
// performance from the campaigns service, best ROI first; none spent: last.
async function topCampaigns(range) {
  const ranked = (await salesBy("campaign", range)).sort((a, b) => b.gmv - a.gmv);
  const ids = [...new Set(ranked.map((g) => g.group))].slice(0, CAMPAIGNS_SHOWN);
  const found = await Promise.all(ids.map(async (id) => {
    try {
      const [campaign, performance] = await Promise.all([
        get(`${CAMPAIGNS}/campaigns/${id}`),
        get(`${CAMPAIGNS}/campaigns/${id}/performance`),
      ]);
      return { name: campaign.name, ...performance };
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null; // not a campaign
      throw error;
    }
  }));
  return found.filter(Boolean).sort((a, b) => (b.roi ?? -1) - (a.roi ?? -1));
}

// The campaigns on the calendar in the range, a page in one call: analytics' list from
// campaigns' events, latest start first, with the GMV it attributes, the spend as of the
// range's end (from campaigns' `budget.spend_changed`) and the ROI on it.
async function campaignList(range, cursor = null) {
  const page = await get(`${ANALYTICS}/campaigns`, { ...range, limit: CAMPAIGNS_LISTED, cursor });
  campaignsCursor = page.next_cursor;
  return page.items;
}

async function moreCampaigns() {
  const { from, end } = query();
  const more = await campaignList({ from: at(from), to: at(end) }, campaignsCursor);
  answers.campaignList = [...answers.campaignList, ...more];
  PANELS.campaignList(answers.campaignList);
}

// Every category with its role, its GMV, share of its currency's GMV, orders, refund rate
// and change against the same length of time before the range.
async function categoryHealth(from, end) {
  const days = (Date.parse(end) - Date.parse(from)) / 86_400_000;
  const before = new Date(Date.parse(from) - days * 86_400_000).toISOString().slice(0, 10);
  const [tree, now, then] = await Promise.all([
    get(`${CATALOG}/categories`),
    salesBy("category", { from: at(from), to: at(end) }),
    salesBy("category", { from: at(before), to: at(from) }),
  ]);
  // The catalog's report of each category: its 30-day figures and the role they suggest.
  const shown = tree.items.slice(0, CATEGORIES_SHOWN);
  const reports = new Map(await Promise.all(shown.map(async (category) => [
    category.id, await get(`${CATALOG}/insights/categories/${category.id}/health`),
  ])));
  const totals = new Map();
  for (const g of now) totals.set(g.currency, (totals.get(g.currency) ?? 0) + g.gmv);
  const currency = [...totals].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return shown.flatMap((category) => {
    const report = reports.get(category.id);
    const sold = now.filter((g) => g.group === category.id);
    const rows = sold.length ? sold : [{ currency, gmv: 0, orders: 0, refunded: 0 }];
    return rows.map((g) => {
      const earlier = then.find((p) => p.group === category.id && p.currency === g.currency);
      const sum = { amount: g.gmv, currency: g.currency ?? "CNY" };
      return {
        name: category.name,
        role: category.role,
        currency: g.currency,
        gmv: major(sum),
        share: share(g.gmv, totals.get(g.currency)),
        orders: g.orders,
        refundRate: share(g.refunded, g.gmv),
        change: earlier && earlier.gmv ? g.gmv / earlier.gmv - 1 : null,
        suggested: report.suggestion?.role ?? null,
        why: report.suggestion?.reason ?? "",
        ...report.figures,
      };
    });
  }).sort((a, b) => b.gmv - a.gmv);
}

// The rules, firing first, and their latest firings and recoveries (newest first).
async function liveAlerts() {
  const [rules, fired, recovered] = await Promise.all([
    get(`${ANALYTICS}/alerts/rules`, { limit: 100 }),
    get(`${ANALYTICS}/events`, { type: FIRED, limit: 100 }),
    get(`${ANALYTICS}/events`, { type: RECOVERED, limit: 100 }),
  ]);
  const change = (kind) => (e) => ({ kind, ...e.data });
  const changes = [...fired.items.map(change("fired")), ...recovered.items.map(change("recovered"))]
    .sort((a, b) => (a.at < b.at ? 1 : -1))
    .map((c) => ({ ...c, name: rules.items.find((r) => r.id === c.rule_id)?.name ?? c.name }));
  const order = (rule) => (rule.state === "firing" ? 0 : 1);
  return { rules: [...rules.items].sort((a, b) => order(a) - order(b)), changes };
}

async function load() {
  const { from, end, steps, interval } = query();
  const range = { from: at(from), to: at(end) };
  const requests = {
    gmv: get(`${ANALYTICS}/metrics/gmv`, { from, to: end, interval }),
    sales: get(`${ANALYTICS}/metrics/sales`, { ...range, interval }),
    funnel: get(`${ANALYTICS}/funnels`, { ...range, step: steps, window: 86400 }),
    cohorts: get(`${ANALYTICS}/cohorts`, { from, to: end, weeks: 8 }),
    lifecycle: get(`${USERS}/lifecycle/stages`),
    lifecycleTrend: get(`${ANALYTICS}/metrics/lifecycle`, { from, to: end }),
    rfmTrend: get(`${ANALYTICS}/metrics/rfm`, { from, to: end, by: "layer" }),
    campaigns: topCampaigns(range),
    campaignList: campaignList(range),
    categories: categoryHealth(from, end),
    hotItems: get(`${CATALOG}/insights/hot-items`, { limit: 20 }),
    alerts: liveAlerts(),
    events: get(`${ANALYTICS}/events`, { limit: 50 }),
  };
  document.body.dataset.loaded = "";
  const errors = [];
  for (const [name, request] of Object.entries(requests)) {
    try {
      const answer = await request;
      if (name === "events") eventsCursor = answer.next_cursor;
      answers[name] = name === "events" ? answer.items : answer;
      PANELS[name](answers[name]);
    } catch (error) {
      errors.push(`${t(`${name}.title`)}: ${describe(error)}`);
    }
  }
  $("load-error").textContent = errors.join(" · ");
  document.body.dataset.loaded = errors.length ? "with-errors" : "all";
}

async function moreEvents() {
  const page = await get(`${ANALYTICS}/events`, { limit: 50, cursor: eventsCursor });
  eventsCursor = page.next_cursor;
  answers.events = [...answers.events, ...page.items];
  PANELS.events(answers.events);
}

function describe(error) {
  if (error instanceof ApiError && error.status === 403) return t("error.forbidden");
  return error.message;
}

// Live alerts: asked again as often as the rules are evaluated, while signed in.
async function refreshAlerts() {
  if (!signedIn() || !("alerts" in answers)) return;
  try {
    answers.alerts = await liveAlerts();
    PANELS.alerts(answers.alerts);
  } catch {
    // the next turn tries again; the panel keeps what it showed
  }
}

function show() {
  const inside = signedIn();
  document.body.dataset.state = inside ? "signed-in" : "signed-out";
  $("dashboard").hidden = !inside;
  $("sign-out").hidden = !inside;
  if (inside) load();
}

function defaultRange() {
  const today = new Date();
  const start = new Date(today);
  start.setUTCDate(start.getUTCDate() - 27);
  const filters = $("filters");
  filters.elements.from.value = start.toISOString().slice(0, 10);
  filters.elements.to.value = today.toISOString().slice(0, 10);
}

$("sign-in").addEventListener("submit", async (submitted) => {
  submitted.preventDefault();
  const form = new FormData(submitted.target);
  $("sign-in-error").textContent = "";
  try {
    await signIn(form.get("email"), form.get("password"));
    submitted.target.reset();
    show();
  } catch (error) {
    $("sign-in-error").textContent = `${t("signIn.failed")}: ${describe(error)}`;
  }
});
$("filters").addEventListener("submit", (submitted) => {
  submitted.preventDefault();
  load();
});
$("sign-out").addEventListener("click", () => signOut());
$("events-more").addEventListener("click", () => moreEvents());
$("campaign-list-more").addEventListener("click", () => moreCampaigns());
$("language").addEventListener("click", () => {
  toggleLanguage();
  redraw();
});
window.addEventListener("console:signed-out", show);
window.addEventListener("resize", () => {
  for (const element of document.querySelectorAll(".chart")) echarts.getInstanceByDom(element)?.resize();
});

translate();
defaultRange();
show();
setInterval(refreshAlerts, ALERTS_EVERY_MS);
