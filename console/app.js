// The console's page: sign-in, filters, and one panel per analytics query.
/* global echarts */
import { ApiError, get, signIn, signOut, signedIn } from "./api.js";
import { cohortOption, funnelOption, major, salesOption } from "./charts.js";
import { t, toggleLanguage, translate } from "./i18n.js";
import { renderTable } from "./table.js";

const ANALYTICS = "/api/v1/analytics";
const $ = (id) => document.getElementById(id);
const percent = (share) => `${(share * 100).toFixed(1)}%`;
const rate = (share) => (share === null ? "" : percent(share));
const minutes = (seconds) => (seconds === null ? "" : (seconds / 60).toFixed(1));
const money = (value) => (value ? `${major(value)} ${value.currency}` : "");

// The last answers, so a language switch redraws without asking again.
const answers = {};
let eventsCursor = null;

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

async function load() {
  const { from, end, steps, interval } = query();
  const at = (day) => `${day}T00:00:00Z`;
  const range = { from: at(from), to: at(end) };
  const requests = {
    gmv: get(`${ANALYTICS}/metrics/gmv`, { from, to: end, interval }),
    sales: get(`${ANALYTICS}/metrics/sales`, { ...range, interval }),
    funnel: get(`${ANALYTICS}/funnels`, { ...range, step: steps, window: 86400 }),
    cohorts: get(`${ANALYTICS}/cohorts`, { from, to: end, weeks: 8 }),
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
