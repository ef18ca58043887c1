"""The alert rule routes over real HTTP (operators only), and the service's own schedule:
a rule created through the API fires and its webhook is called."""

import json
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI, Request, Response

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import ServiceServer, eventually
from services.analytics.settings import Settings
from services.analytics.store.service import record
from tests.analytics.events import paid
from tests.analytics.serving import analytics, client

RULES = "/api/v1/analytics/alerts/rules"
RULE = {
    "name": "GMV of the last hour under 500.00",
    "metric": "gmv",
    "currency": "CNY",
    "window_s": 3600,
    "condition": "below",
    "threshold": 50000,
}


async def test_operators_create_list_change_and_delete_rules(platform, operator_token):
    async with platform.client("analytics", operator_token) as analytics_api:
        created = await analytics_api.post(RULES, json=RULE)
        assert created.status_code == 201, created.text
        rule = created.json()
        assert rule["webhook_secret"].startswith("whsec_")
        assert (rule["state"], rule["webhook_url"]) == ("ok", None)

        shown = (await analytics_api.get(f"{RULES}/{rule['id']}")).json()
        assert "webhook_secret" not in shown  # shown once, at creation
        listed = (await analytics_api.get(RULES, params={"limit": 100})).json()
        assert rule["id"] in [item["id"] for item in listed["items"]]

        changed = await analytics_api.patch(
            f"{RULES}/{rule['id']}",
            json={
                "threshold": 100,
                "condition": "down_percent",
                "webhook_url": "https://x.example/h",
            },
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["threshold"], changed.json()["condition"]) == (100, "down_percent")
        assert changed.json()["webhook_url"] == "https://x.example/h"
        cleared = await analytics_api.patch(f"{RULES}/{rule['id']}", json={"webhook_url": None})
        assert cleared.json()["webhook_url"] is None
        assert (await analytics_api.get(f"{RULES}/{rule['id']}")).json()["threshold"] == 100

        assert (await analytics_api.delete(f"{RULES}/{rule['id']}")).status_code == 204
        gone = await analytics_api.get(f"{RULES}/{rule['id']}")
        assert gone.status_code == 404
        assert gone.headers["content-type"] == "application/problem+json"
        assert (await analytics_api.delete(f"{RULES}/{rule['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RULE, "metric": "happiness"}, "body.metric"),
        ({**RULE, "condition": "sideways"}, "body.condition"),
        ({**RULE, "window_s": 0}, "body.window_s"),
        ({**RULE, "window_s": 90_000}, "body.window_s"),
        ({**RULE, "threshold": -1}, "body.threshold"),
        ({**RULE, "threshold": "5"}, "body.threshold"),
        ({**RULE, "currency": "yuan"}, "body.currency"),
        ({**RULE, "webhook_url": "ftp://example.com/x"}, "body.webhook_url"),
    ],
)
async def test_a_bad_rule_is_422_naming_the_field(platform, operator_token, body, field):
    async with platform.client("analytics", operator_token) as analytics_api:
        response = await analytics_api.post(RULES, json=body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8001/api/v1/users/auth/keys/rotate", "http://169.254.169.254/"]
)
async def test_in_production_a_webhook_into_the_platforms_network_is_422(
    platform, operator_token, tmp_path, url
):
    key = Fernet.generate_key().decode()
    production = analytics(platform, tmp_path, environment="production", webhook_secrets_keys=key)
    async with production as (_, base), client(base, operator_token) as analytics_api:
        refused = await analytics_api.post(RULES, json={**RULE, "webhook_url": url})
        rule = (await analytics_api.post(RULES, json=RULE)).json()
        changed = await analytics_api.patch(f"{RULES}/{rule['id']}", json={"webhook_url": url})
    for response in (refused, changed):
        assert response.status_code == 422
        (error,) = response.json()["errors"]
        assert error["field"] == "body.webhook_url"
        assert error["message"].endswith("not a public address")


async def test_a_null_where_only_the_webhook_may_be_cleared_is_422(platform, operator_token):
    async with platform.client("analytics", operator_token) as analytics_api:
        rule = (await analytics_api.post(RULES, json=RULE)).json()
        response = await analytics_api.patch(f"{RULES}/{rule['id']}", json={"threshold": None})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.threshold"]


async def test_only_operators_reach_the_rules(platform):
    _, customer = await platform.customer()
    async with platform.client("analytics", customer) as as_customer:
        assert (await as_customer.get(RULES)).status_code == 403
        assert (await as_customer.post(RULES, json=RULE)).status_code == 403
    async with platform.client("analytics") as anonymous:
        assert (await anonymous.get(RULES)).status_code == 401
        assert (await anonymous.delete(f"{RULES}/{new_id()}")).status_code == 401


async def test_the_schedule_fires_a_rule_and_calls_its_webhook(platform, operator_token, tmp_path):
    received: list[dict] = []
    hooks = FastAPI()

    @hooks.post("/hook")
    async def hook(request: Request) -> Response:
        received.append(json.loads(await request.body()))
        return Response(status_code=200)

    receiver = await ServiceServer(hooks).start()
    try:
        async with analytics(platform, tmp_path, alert_interval_s=0.2) as (store, url):
            await record(store, [paid(new_id(), now() - timedelta(minutes=2), 100)])
            async with client(url, operator_token) as api:
                rule = await api.post(
                    RULES,
                    json={
                        **RULE,
                        "metric": "orders",
                        "condition": "above",
                        "threshold": 0,
                        "webhook_url": f"{receiver.url}/hook",
                    },
                )
                assert rule.status_code == 201, rule.text

                async def firing():
                    return (await api.get(f"{RULES}/{rule.json()['id']}")).json()["state"] == (
                        "firing"
                    )

                await eventually(firing, within=20)
            await eventually(lambda: _some(received), within=20)
    finally:
        await receiver.stop()
    (event,) = received
    assert event["type"] == "flywheel.analytics.alert.fired.v1"
    assert event["data"]["rule_id"] == rule.json()["id"]


async def _some(items: list) -> bool:
    return bool(items)


def test_production_refuses_the_public_development_key():
    with pytest.raises(ValueError, match="ANALYTICS_WEBHOOK_SECRETS_KEYS"):
        Settings(environment="production")
    Settings(environment="production", webhook_secrets_keys=Fernet.generate_key().decode())
