"""The ops console through a gateway in front of the platform: its files served as a static
app under a self-only policy, and, in headless Chromium, an operator who signs in and sees
every chart draw the orders and behaviour seeded through the broker and the public API."""

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from chassis.clock import now
from chassis.events import registry
from chassis.events.envelope import CONTENT_TYPE
from chassis.ids import new_id
from chassis.testing import ServiceServer, eventually, need_tool
from gateway.app import create_app
from gateway.console import CONSOLE_CSP
from gateway.settings import GatewaySettings
from tests.analytics.events import paid

STEPS = ["page_view", "product_view", "add_to_cart"]
ANALYTICS = "/api/v1/analytics"


@pytest.fixture(scope="module")
async def gateway(platform, sqlite_dir):
    settings = GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{sqlite_dir / 'console-gateway'}.db",
        upstreams={name: server.url for name, server in platform.servers.items()},
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
    )
    server = await ServiceServer(create_app(settings)).start()
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


async def _seed(platform, gateway) -> None:
    """Two buyers: one paid two weeks ago and again last week (a retained cohort), one paid
    two days ago; the first went through every funnel step, the second stopped before the
    cart."""
    (first, first_token), (second, second_token) = [await platform.customer() for _ in "ab"]
    today = now()
    await _publish_orders(
        platform,
        paid(first, today - timedelta(days=15), 4200),
        paid(first, today - timedelta(days=8), 1500, 2500),
        paid(second, today - timedelta(days=2), 9900),
    )
    await _collect(gateway, first_token, STEPS)
    await _collect(gateway, second_token, STEPS[:2])


async def _stored(gateway, token: str) -> None:
    """Wait until the analytics store holds what was seeded (the consumer writes in batches)."""
    start = (now() - timedelta(days=27)).date().isoformat()
    params = {"from": f"{start}T00:00:00Z", "to": (now() + timedelta(days=1)).isoformat()}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=20) as client:

        async def seen():
            sales = (await client.get(f"{ANALYTICS}/metrics/sales", params=params)).json()
            funnel = await client.get(
                f"{ANALYTICS}/funnels", params=params | {"step": STEPS, "window": 86400}
            )
            orders = sum(point["orders"] for point in sales["points"])
            people = [step["people"] for step in funnel.json()["steps"]]
            return orders >= 3 and people[2] >= 1 and people[1] >= 2

        await eventually(seen, within=30)


def _drive(console_url: str, email: str, password: str, screenshot: Path) -> dict:
    """Sign in in headless Chromium and read back what each chart and table holds."""
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en-US"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,2400")
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
              cohorts: series("cohorts-chart"),
              tables: {sales: rows("sales-table"), funnel: rows("funnel-table"),
                       cohorts: rows("cohorts-table"), events: rows("events-table")},
              funnelMedians: [...document.querySelectorAll("#funnel-table tbody tr")]
                .map((row) => row.lastElementChild.textContent),
              asked: performance.getEntriesByType("resource")
                .map((entry) => new URL(entry.name).pathname),
            };
            """
        )
        driver.find_element(By.ID, "language").click()
        seen["chinese_title"] = driver.find_element(By.CSS_SELECTOR, "#funnel h2").text
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
    await _seed(platform, gateway)
    _, email, password = await platform.staff_account("operator")
    await _stored(gateway, await platform.token(email, password))

    screenshot = tmp_path / "console.png"
    seen = await asyncio.to_thread(_drive, f"{gateway.url}/console/", email, password, screenshot)
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
