"""The ops console through a gateway in front of the platform: its files served as a static
app under a self-only policy, and, in headless Chromium, an operator who signs in and sees
every chart draw the orders and behaviour seeded through the broker and the public API."""

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from chassis.clock import now
from chassis.db import Database
from chassis.events import registry
from chassis.events.envelope import CONTENT_TYPE
from chassis.ids import new_id
from chassis.testing import eventually, need_tool
from contracts.orders import Attribution
from contracts.users import RfmReason
from gateway.console import CONSOLE_CSP
from gateway.settings import GatewaySettings
from services.analytics.alerts.service import evaluate
from services.campaigns.budgets import service as budgets
from services.catalog.inventory import service as inventory
from tests.analytics.events import order_paid, paid, rescored
from tests.stack import start_gateway

STEPS = ["page_view", "product_view", "add_to_cart"]
ANALYTICS = "/api/v1/analytics"


@pytest.fixture(scope="module")
async def gateway(platform, sqlite_dir):
    settings = GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{sqlite_dir / 'console-gateway'}.db",
        upstreams={name: server.url for name, server in platform.servers.items()},
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
    )
    server = await start_gateway(settings)
    yield server
    await server.stop()


async def test_the_gateway_serves_the_console_as_static_files_under_a_self_only_policy(gateway):
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        bare = await client.get("/console")
        page = await client.get("/console/")
        script = await client.get("/console/app.js")
        charts = await client.get("/console/vendor/echarts/echarts.min.js")
        missing = await client.get("/console/nothing.js")
    assert bare.status_code in (301, 307)
    assert bare.headers["location"].endswith("/console/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONSOLE_CSP.decode()
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert script.headers["content-type"].startswith("text/javascript")
    assert charts.status_code == 200
    assert b"echarts" in charts.content[:2000]
    assert missing.status_code == 404


BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Safari/605.1.15"


async def _publish_orders(platform, *orders) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()
    try:
        for event in orders:
            await producer.send_and_wait(
                registry.get(event.type).topic,
                event.to_bytes(),
                key=event.subject.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
    finally:
        await producer.stop()


async def _collect(gateway, token: str, steps: list[str]) -> None:
    """Behaviour as a storefront reports it: through the gateway's collection API."""
    start = now() - timedelta(hours=1)
    batch = {
        "anonymous_id": f"device-{new_id().hex[-12:]}",
        "events": [
            {
                "client_event_id": name,
                "name": name,
                "client_time": (start + timedelta(minutes=i)).isoformat(),
            }
            for i, name in enumerate(steps)
        ],
    }
    # A storefront is a browser: an HTTP library's User-Agent would be flagged as a bot's.
    headers = {"Authorization": f"Bearer {token}", "User-Agent": BROWSER}
    async with httpx.AsyncClient(base_url=gateway.url, headers=headers) as client:
        response = await client.post(f"{ANALYTICS}/collect", json=batch)
    assert response.status_code == 202, response.text
    assert len(response.json()["accepted"]) == len(steps)
    assert response.json()["flagged"] == []


async def _sold_sku(platform, operators: tuple[str, str], category: str) -> str:
    """A product listed in `category` (submitted by one operator, approved by another) whose
    one SKU the order saga has sold twice (a reservation confirmed, written straight into
    the catalog's database as the saga's consumer does); its SKU id."""
    submitter, reviewer = operators
    body = {
        "name": f"龙井 {new_id().hex[-6:]}",
        "category_id": category,
        "attributes": {},
        "skus": [
            {
                "code": f"LJ-{new_id().hex[-8:]}",
                "attributes": {},
                "price": {"amount": 9900, "currency": "CNY"},
                "cost": {"amount": 4000, "currency": "CNY"},
                "stock": 50,
            }
        ],
    }
    async with (
        platform.client("catalog", submitter) as mine,
        platform.client("catalog", reviewer) as theirs,
    ):
        product = (await mine.post("/api/v1/catalog/products", json=body)).json()
        await mine.post(f"/api/v1/catalog/products/{product['id']}/submit")
        approved = await theirs.post(f"/api/v1/catalog/products/{product['id']}/approve")
    assert approved.json()["state"] == "listed", approved.text
    sku = product["skus"][0]["id"]
    db = Database(platform.database_url("catalog"), service="test")
    try:
        order_id = new_id()
        async with db.session() as session, session.begin():
            await inventory.reserve(session, order_id, [(UUID(sku), 2)], timedelta(hours=1))
        async with db.session() as session, session.begin():
            await inventory.confirm(session, order_id)
    finally:
        await db.dispose()
    return sku


async def _campaign(platform, operator: str, name: str, *, spent: int) -> str:
    """A campaign of this week with a budget, on the calendar, of which it has spent `spent`
    (a coupon's discount, charged as the checkout charges it, straight in the campaigns
    database)."""
    today = now()
    async with platform.client("campaigns", operator) as campaigns:
        planned = await campaigns.post(
            "/api/v1/campaigns/campaigns",
            json={
                "name": name,
                "kind": "holiday_sale",
                "starts_at": (today - timedelta(days=5)).isoformat(),
                "ends_at": (today + timedelta(days=5)).isoformat(),
                "budget": {"amount": 100_000, "currency": "CNY"},
            },
        )
        assert planned.status_code == 201, planned.text
        campaign = planned.json()["id"]
        scheduled = await campaigns.post(
            f"/api/v1/campaigns/campaigns/{campaign}/schedule", json={}
        )
    assert scheduled.status_code == 200, scheduled.text
    db = Database(platform.database_url("campaigns"), service="test")
    try:
        async with db.session() as session, session.begin():
            assert await budgets.charge(session, UUID(campaign), f"coupon-{new_id()}", spent)
    finally:
        await db.dispose()
    return campaign


class Seeded:
    """What the seed made that the panels should show."""

    def __init__(
        self, category: str, campaign: str, rule: str, buyers: list[str], scored: str, idle: str
    ) -> None:
        self.category, self.campaign, self.rule = category, campaign, rule
        self.buyers, self.scored, self.idle = buyers, scored, idle


async def _seed(platform, gateway, operator: str) -> Seeded:
    """Two buyers: one paid two weeks ago and again last week (a retained cohort), one paid
    two days ago for a SKU of a listed product in a core category, through a campaign that
    has spent part of its budget; the first went through every funnel step, the second
    stopped before the cart. Catalog recorded the SKU's sale (a hot-item candidate), and an
    alert rule that fires on an hour of fewer than a million orders: whatever the other tests
    sharing this analytics ordered (an hour without orders did not fire beside them). Users
    scored a customer of its own 555 two days ago (an important-value customer)."""
    (first, first_token), (second, second_token) = [await platform.customer() for _ in "ab"]
    _, reviewer = await platform.staff("operator")
    category_name, campaign_name = f"茶 {new_id().hex[-6:]}", f"双十二 {new_id().hex[-6:]}"
    today = now()
    async with platform.client("catalog", operator) as catalog:
        category = (
            await catalog.post(
                "/api/v1/catalog/categories", json={"name": category_name, "role": "core"}
            )
        ).json()["id"]
    sku = await _sold_sku(platform, (operator, reviewer), category)
    campaign = await _campaign(platform, operator, campaign_name, spent=3300)
    weaker = await _campaign(platform, operator, f"{campaign_name} B", spent=8000)
    # Spent, sold nothing: on the calendar's table, not among the campaigns ranked by ROI.
    idle = await _campaign(platform, operator, f"{campaign_name} C", spent=500)
    await _publish_orders(
        platform,
        paid(first, today - timedelta(days=15), 4200),
        paid(first, today - timedelta(days=8), 1500, 2500),
        order_paid(
            second,
            today - timedelta(days=2),
            [(sku, 9900)],
            attribution=Attribution(campaign_ids=[campaign]),
        ),
        order_paid(
            second,
            today - timedelta(days=2),
            [(sku, 7000)],
            attribution=Attribution(campaign_ids=[weaker]),
        ),
        scored := rescored(new_id(), None, "555", today - timedelta(days=2), RfmReason.FIRST_ORDER),
    )
    await _collect(gateway, first_token, STEPS)
    await _collect(gateway, second_token, STEPS[:2])
    async with platform.client("analytics", operator) as analytics:
        rule = await analytics.post(
            f"{ANALYTICS}/alerts/rules",
            json={
                "name": f"Under a million orders this hour {new_id().hex[-6:]}",
                "metric": "orders",
                "currency": "CNY",
                "window_s": 3600,
                "condition": "below",
                "threshold": 1_000_000,
            },
        )
    assert rule.status_code == 201, rule.text
    return Seeded(
        category_name, campaign_name, rule.json()["name"], [first, second], scored.subject, idle
    )


async def _stored(platform, gateway, token: str, seeded: Seeded) -> None:
    """Wait until every service holds what was seeded (consumers write in batches), then
    evaluate the alert rules once, as the schedule does, and wait for the firing."""
    start = (now() - timedelta(days=27)).date().isoformat()
    params = {"from": f"{start}T00:00:00Z", "to": (now() + timedelta(days=1)).isoformat()}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=20) as client:

        async def seen():
            sales = (await client.get(f"{ANALYTICS}/metrics/sales", params=params)).json()
            funnel = await client.get(
                f"{ANALYTICS}/funnels", params=params | {"step": STEPS, "window": 86400}
            )
            by = {
                name: (
                    await client.get(f"{ANALYTICS}/metrics/sales", params=params | {"by": name})
                ).json()["points"]
                for name in ("campaign", "category")
            }
            orders = sum(point["orders"] for point in sales["points"])
            people = [step["people"] for step in funnel.json()["steps"]]
            campaigns = {p["group"] for p in by["campaign"] if p["group"]}
            categorised = any(p["group"] for p in by["category"])
            funnelled = people[2] >= 1 and people[1] >= 2
            # The campaigns service keeps its own performance from the same order events.
            answers = [
                await client.get(f"/api/v1/campaigns/campaigns/{c}/performance") for c in campaigns
            ]
            performed = [answer.json() for answer in answers if answer.status_code == 200]
            paid_in = len(performed) >= 2 and all((p["gmv"] or {}).get("amount") for p in performed)
            # Users moved both buyers to `new` on their first order, and analytics has the moves.
            moves = [
                (
                    await client.get(
                        f"{ANALYTICS}/events",
                        params={"type": "flywheel.users.lifecycle.changed.v1", "subject": buyer},
                    )
                ).json()["items"]
                for buyer in seeded.buyers
            ]
            moved = all(moves)
            # Analytics has the scores change (the RFM chart counts it on its day).
            change = {"type": "flywheel.users.rfm.scores_changed.v1", "subject": seeded.scored}
            scored = (await client.get(f"{ANALYTICS}/events", params=change)).json()["items"]
            # Analytics lists the seeded campaigns, running (the calendar started them), with
            # what campaigns published that they spent.
            listed, cursor = {}, None
            mine = {seeded.campaign, f"{seeded.campaign} C"}
            while True:
                page = (
                    await client.get(
                        f"{ANALYTICS}/campaigns",
                        params=params | {"limit": 100, "cursor": cursor or ""},
                    )
                ).json()
                listed |= {
                    c["name"]: (c["state"], (c["spent"] or {}).get("amount"))
                    for c in page["items"]
                    if c["name"] in mine
                }
                if not (cursor := page["next_cursor"]):
                    break
            done = orders >= 4 and funnelled and len(campaigns) >= 2 and categorised and paid_in
            spent = {seeded.campaign: ("running", 3300), f"{seeded.campaign} C": ("running", 500)}
            return done and moved and scored and listed == spent

        await eventually(seen, within=60)
        analytics = platform.servers["analytics"].app
        await evaluate(analytics.state.runtime.db, analytics.state.store, now())

        async def fired():
            events = await client.get(
                f"{ANALYTICS}/events",
                params={"type": "flywheel.analytics.alert.fired.v1", "limit": 100},
            )
            mine = [e for e in events.json()["items"] if e["data"]["name"] == seeded.rule]
            return mine or None

        await eventually(fired, within=60)  # a round trip through the broker, under load


_LISTED = (
    "return [...document.querySelectorAll('#campaign-list-table tbody tr')]"
    ".map((row) => row.cells[0].textContent)"
)


def _drive(console_url: str, email: str, password: str, screenshot: Path, campaign: str) -> dict:
    """Sign in in headless Chromium and read back what each chart and table holds."""
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en-US"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,5400")  # every panel in the screenshot
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.get(console_url)
        driver.find_element(By.NAME, "email").send_keys(email)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
        WebDriverWait(driver, 60).until(
            lambda d: (
                d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded")
                in ("all", "with-errors")
            )
        )
        # The campaigns list pages from the latest start: other tests' campaigns may come
        # before the seeded one.
        more = driver.find_element(By.ID, "campaign-list-more")
        while campaign not in (listed := driver.execute_script(_LISTED)) and more.is_displayed():
            more.click()
            WebDriverWait(driver, 60).until(lambda d: len(d.execute_script(_LISTED)) > len(listed))
        seen = driver.execute_script(
            """
            const series = (id) => echarts.getInstanceByDom(document.getElementById(id))
              .getOption().series.map((s) => ({type: s.type, name: s.name, data: s.data}));
            const rows = (id) => document.querySelectorAll(`#${id} tbody tr`).length;
            return {
              loaded: document.body.dataset.loaded,
              error: document.getElementById("load-error").textContent,
              token: sessionStorage.getItem("flywheel.console.tokens") !== null,
              sales: series("sales-chart"), funnel: series("funnel-chart"),
              cohorts: series("cohorts-chart"), lifecycle: series("lifecycle-chart"),
              lifecycleTrend: echarts.getInstanceByDom(
                document.getElementById("lifecycle-trend-chart")).getOption().series
                .map((s) => ({type: s.type, name: s.name, stack: s.stack, data: s.data})),
              rfmTrend: echarts.getInstanceByDom(
                document.getElementById("rfm-trend-chart")).getOption().series
                .map((s) => ({type: s.type, name: s.name, stack: s.stack, data: s.data})),
              campaigns: series("campaigns-chart"), categories: series("categories-chart"),
              hotItems: series("hot-chart"), alerts: series("alerts-chart"),
              tables: {sales: rows("sales-table"), funnel: rows("funnel-table"),
                       cohorts: rows("cohorts-table"), events: rows("events-table"),
                       lifecycle: rows("lifecycle-table"), campaigns: rows("campaigns-table"),
                       lifecycleTrend: rows("lifecycle-trend-table"),
                       rfmTrend: rows("rfm-trend-table"),
                       campaignList: rows("campaign-list-table"),
                       categories: rows("categories-table"), hotItems: rows("hot-table"),
                       alerts: rows("alerts-table")},
              cells: Object.fromEntries(
                ["lifecycle-table", "campaigns-table", "campaign-list-table", "categories-table",
                 "hot-table",
                 "alerts-table"].map((id) => [id, [...document.querySelectorAll(
                   `#${id} tbody tr`)].map((row) => [...row.cells].map((c) => c.textContent))])),
              exports: [...document.querySelectorAll("section .table button.csv")].length,
              category_headers: [...document.querySelectorAll("#categories-table th")]
                .map((th) => th.textContent),
              funnelMedians: [...document.querySelectorAll("#funnel-table tbody tr")]
                .map((row) => row.lastElementChild.textContent),
              asked: performance.getEntriesByType("resource")
                .map((entry) => new URL(entry.name).pathname),
            };
            """
        )
        driver.find_element(By.ID, "language").click()
        seen["chinese_title"] = driver.find_element(By.CSS_SELECTOR, "#funnel h2").text
        seen["chinese"] = driver.execute_script(
            """
            const names = (id) => echarts.getInstanceByDom(document.getElementById(id))
              .getOption().series.map((s) => s.name);
            const first = (id) => echarts.getInstanceByDom(document.getElementById(id))
              .getOption().series[0].data.map((d) => d.name);
            return {alerts: document.querySelector("#alerts h2").textContent,
                    trend: names("lifecycle-trend-chart"), layers: names("rfm-trend-chart"),
                    roles: names("categories-chart"), stages: first("lifecycle-chart"),
                    header: document.querySelector("#hot-table th").textContent};
            """
        )
        seen["chinese_legend"] = driver.execute_script(
            "return echarts.getInstanceByDom(document.getElementById('sales-chart'))"
            ".getOption().series.at(-1).name"
        )
        driver.save_screenshot(str(screenshot))
        seen["csv"] = driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            import("./table.js").then(({ toCsv }) => done(toCsv(
              [{ label: "funnel.step", value: (r) => r.a }, { label: "x", value: (r) => r.b }],
              [{ a: "=cmd()", b: 'say "hi", twice' }])));
            """
        )
        seen["refreshed"] = _reload_with(driver, access="expired")
        seen["signed_out"] = _reload_with(driver, access="expired", refresh="expired")
        seen["log"] = [entry["message"] for entry in driver.get_log("browser")]
        return seen
    finally:
        driver.quit()


def _reload_with(driver, **tokens) -> dict:
    """Spoil the kept tokens, ask for every panel again, and say where the console ended."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script(
        """
        const key = "flywheel.console.tokens";
        const kept = JSON.parse(sessionStorage.getItem(key));
        sessionStorage.setItem(key, JSON.stringify({...kept, ...arguments[0]}));
        """,
        tokens,
    )
    driver.refresh()
    body = driver.find_element(By.TAG_NAME, "body")
    WebDriverWait(driver, 60).until(
        lambda d: (
            body.get_attribute("data-state") == "signed-out"
            or body.get_attribute("data-loaded") in ("all", "with-errors")
        )
    )
    return driver.execute_script(
        """
        const refreshes = performance.getEntriesByType("resource")
          .filter((entry) => entry.name.endsWith("/api/v1/users/auth/refresh")).length;
        return {state: document.body.dataset.state, loaded: document.body.dataset.loaded,
                tokens: JSON.parse(sessionStorage.getItem("flywheel.console.tokens")),
                refreshes};
        """
    )


async def test_an_operator_signs_in_and_sees_every_chart_drawn_with_data(
    platform, gateway, tmp_path
):
    need_tool("chromium")
    need_tool("chromedriver")
    pytest.importorskip("selenium", reason="selenium drives Chromium: pip install selenium")
    _, email, password = await platform.staff_account("operator")
    token = await platform.token(email, password)
    seeded = await _seed(platform, gateway, token)
    await _stored(platform, gateway, token, seeded)

    screenshot = tmp_path / "console.png"
    seen = await asyncio.to_thread(
        _drive, f"{gateway.url}/console/", email, password, screenshot, seeded.campaign
    )
    print(f"console screenshot: {screenshot}")

    assert seen["loaded"] == "all", seen["error"]
    assert seen["token"]
    assert "/api/v1/analytics/metrics/gmv" in seen["asked"]  # the chart reads the rollup
    *gmv, orders = seen["sales"]
    assert gmv[0]["type"] == "line"
    assert any(value > 0 for value in gmv[0]["data"])
    assert orders["type"] == "bar"
    assert sum(orders["data"]) >= 3
    [funnel] = seen["funnel"]
    assert funnel["type"] == "funnel"
    assert [step["name"] for step in funnel["data"]] == STEPS
    assert all(step["value"] >= 1 for step in funnel["data"])
    # Minutes from the step before: none for the first step, a number for the others.
    assert seen["funnelMedians"][0] == ""
    assert all(float(m) >= 0 for m in seen["funnelMedians"][1:]), seen["funnelMedians"]
    [heatmap] = seen["cohorts"]
    assert heatmap["type"] == "heatmap"
    assert heatmap["data"]
    assert all(count > 0 for count in seen["tables"].values()), seen["tables"]
    assert seen["exports"] == len(seen["tables"])  # every table exports its rows as CSV
    # Lifecycle: every stage, the two buyers and the staff among the users counted.
    [ring] = seen["lifecycle"]
    assert ring["type"] == "pie"
    assert [s["name"] for s in ring["data"]] == [
        "Potential",
        "New",
        "Active",
        "High value",
        "Dormant",
        "Churned",
    ]
    assert sum(s["value"] for s in ring["data"]) >= 2
    # Lifecycle by day: a stacked area per stage over the 28 days of the range; on the last,
    # the two buyers among the new (other tests' users may be in any stage, never fewer).
    trend = seen["lifecycleTrend"]
    assert [s["name"] for s in trend] == [s["name"] for s in ring["data"]]
    assert {(s["type"], s["stack"]) for s in trend} == {("line", "users")}
    assert {len(s["data"]) for s in trend} == {28}
    assert trend[1]["data"][-1] >= 2
    assert seen["tables"]["lifecycleTrend"] == 28
    # RFM layers by day: a stacked area per layer over the 28 days, from analytics' RFM
    # rollup; the customer scored 555 two days ago among the important value since then.
    layers = seen["rfmTrend"]
    assert [s["name"] for s in layers] == [
        "Important value",
        "Important develop",
        "Important keep",
        "Important retain",
        "General value",
        "General develop",
        "General keep",
        "General retain",
    ]
    assert {(s["type"], s["stack"]) for s in layers} == {("line", "users")}
    assert {len(s["data"]) for s in layers} == {28}
    assert layers[0]["data"][-3] >= 1
    assert layers[0]["data"][-1] >= 1
    assert seen["tables"]["rfmTrend"] == 28
    assert "/api/v1/analytics/metrics/rfm" in seen["asked"]
    # Campaigns: the seeded one, with its GMV (the campaigns service counts the order's
    # total, shipping included: 109.00) over what it spent (33.00).
    cells = seen["cells"]
    [roi] = seen["campaigns"]
    assert roi["type"] == "bar"
    names = [row[0] for row in cells["campaigns-table"]]
    mine = [row for row in cells["campaigns-table"] if row[0] == seeded.campaign]
    assert [row[:4] for row in mine] == [[seeded.campaign, "3.30", "109 CNY", "33 CNY"]]
    # Best ROI first: the other campaign's 80.00 / 80.00 comes after it.
    assert names.index(seeded.campaign) < names.index(f"{seeded.campaign} B")
    assert 3.3 in roi["data"]
    # The campaigns list: the seeded one, on the calendar, with analytics' GMV (the lines
    # paid: 99.00), its spend (33.00, from campaigns' budget.spend_changed) and the ROI on it
    # (99.00 / 33.00); the one that sold nothing with its spend and a return of 0.
    [row] = [row for row in cells["campaign-list-table"] if row[0] == seeded.campaign]
    assert [row[1], *row[4:]] == ["Holiday sale", "Running", "99 CNY", "1", "0", "33 CNY", "3.00"]
    [idle] = [row for row in cells["campaign-list-table"] if row[0] == f"{seeded.campaign} C"]
    assert idle[4:] == ["Running", "", "0", "0", "5 CNY", "0.00"]
    # ... in one call a page: the campaigns service is asked only about the ranked campaigns
    # (their name and performance), never about each campaign listed.
    asked = seen["asked"]
    assert any(path.startswith(f"{ANALYTICS}/campaigns") for path in asked)
    performance = [path for path in asked if path.endswith("/performance")]
    assert f"/api/v1/campaigns/campaigns/{seeded.idle}/performance" not in performance
    assert all(path.removesuffix("/performance") in asked for path in performance), performance
    # Categories: the core category, its GMV (both lines of its SKU) and its share of it,
    # coloured as core.
    [category] = [row for row in cells["categories-table"] if row[0] == seeded.category]
    assert category[1:5] == ["Core", "CNY", "169", category[4]]
    assert category[4].endswith("%")
    # ... with the catalog's report on it: the 2 units sold in 30 days.
    sold = seen["category_headers"].index("Sold (30 days, net of returns)")
    assert category[sold] == "2"
    core = next(s for s in seen["categories"] if s["name"] == "Core")
    assert 169 in core["data"]
    # Hot items: the SKU sold, with its score drawn.
    [hot] = seen["hotItems"]
    assert hot["type"] == "bar"
    assert all(0 < score <= 1 for score in hot["data"])
    assert any(row[3] == "2" for row in cells["hot-table"])  # sold 2 in 30 days
    # Live alerts: the rule firing, listed first, and its firing drawn on the timeline.
    first_rule = cells["alerts-table"][0]
    assert first_rule[:2] == [seeded.rule, "Firing"]
    fired, _recovered = seen["alerts"]
    assert any(point[1] == seeded.rule for point in fired["data"])
    assert seen["chinese"] == {
        "alerts": "实时告警",
        "trend": ["潜在用户", "新客", "活跃", "高价值", "沉睡", "流失"],
        "layers": [
            "重要价值",
            "重要发展",
            "重要保持",
            "重要挽留",
            "一般价值",
            "一般发展",
            "一般保持",
            "一般挽留",
        ],
        "roles": ["核心", "优势", "潜力", "淘汰"],
        "stages": ["潜在用户", "新客", "活跃", "高价值", "沉睡", "流失"],
        "header": "商品",
    }
    assert seen["chinese_title"] == "转化漏斗"
    assert seen["chinese_legend"] == "订单数"
    assert seen["csv"] == '步骤,x\r\n\'=cmd(),"say ""hi"", twice"\r\n'
    # An access token the API refuses is traded for a new one; a refused refresh signs out.
    assert seen["refreshed"]["loaded"] == "all"
    assert seen["refreshed"]["tokens"]["access"] != "expired"
    # Five requests refused at once, one refresh: a refresh token is good for one use only.
    assert seen["refreshed"]["refreshes"] == 1
    assert seen["signed_out"]["state"] == "signed-out"
    assert seen["signed_out"]["tokens"] is None
    assert not [line for line in seen["log"] if "Content Security Policy" in line], seen["log"]
    assert screenshot.stat().st_size > 10_000
