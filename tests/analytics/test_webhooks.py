"""Webhook delivery to a real receiver over HTTP: signed, retried with backoff after a
failure, marked sent once accepted."""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI, Request, Response
from sqlalchemy import select, update

from chassis.clock import now
from chassis.http.destinations import Destinations
from chassis.ids import new_id
from chassis.secrets import DEV_KEY, SecretBox
from chassis.testing import ServiceServer
from services.analytics.alerts import service
from services.analytics.alerts.models import WebhookDelivery
from services.analytics.alerts.schemas import RuleIn
from services.analytics.alerts.webhooks import FIRST_RETRY, WebhookSender
from services.analytics.store.service import record
from tests.analytics.events import paid

AT = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
LOCAL = Destinations(private_allowed=True)  # the receiver runs on 127.0.0.1
BOX = SecretBox(DEV_KEY)


def receiver(secret: list[str], received: list[dict]) -> FastAPI:
    """A partner's endpoint as docs/analytics.md tells it to verify; it fails its first call."""
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        body = await request.body()
        fields = dict(
            part.split("=", 1) for part in request.headers["X-Flywheel-Signature"].split(",")
        )
        expected = hmac.new(
            secret[0].encode(), f"{fields['t']}.".encode() + body, hashlib.sha256
        ).hexdigest()
        received.append(
            {
                "valid": hmac.compare_digest(expected, fields["v1"]),
                "fresh": abs(time.time() - int(fields["t"])) < 300,
                "event": json.loads(body),
            }
        )
        return Response(status_code=503 if len(received) == 1 else 204)

    return app


async def test_a_fired_alert_is_delivered_signed_after_a_failed_attempt(db, store):
    secret, received = [], []
    server = await ServiceServer(receiver(secret, received)).start()
    try:
        async with db.session() as session:
            rule, plain = await service.create(
                session,
                RuleIn(
                    name="GMV",
                    metric="gmv",
                    currency="CNY",
                    condition="above",
                    threshold=0,
                    webhook_url=f"{server.url}/hook",
                ),
                LOCAL,
                BOX,
            )
            secret.append(plain)
            assert plain not in rule.webhook_secret  # stored sealed
        await record(store, [paid(new_id(), AT - timedelta(minutes=5), 900)])
        assert await service.evaluate(db, store, AT) == 1

        async with httpx.AsyncClient(timeout=10) as client:
            sender = WebhookSender(db, client, LOCAL, BOX)
            assert await sender.send_next()  # 503: recorded, retried later
            assert not await sender.send_next()  # not due yet
            async with db.session() as session:
                (delivery,) = await session.scalars(select(WebhookDelivery))
                assert (delivery.attempts, delivery.sent_at) == (1, None)
                assert delivery.last_error.startswith("503")
                assert delivery.next_attempt_at > now() + FIRST_RETRY / 2
                # The backoff has passed.
                await session.execute(update(WebhookDelivery).values(next_attempt_at=now()))
                await session.commit()
            assert await sender.send_next()
            assert not await sender.send_next()
    finally:
        await server.stop()
    async with db.session() as session:
        (delivery,) = await session.scalars(select(WebhookDelivery))
    assert delivery.sent_at is not None
    assert delivery.attempts == 1
    assert [(r["valid"], r["fresh"]) for r in received] == [(True, True), (True, True)]
    first, second = (r["event"] for r in received)
    assert first == second  # the same event, with the same id to drop a repeat
    assert first["type"] == "flywheel.analytics.alert.fired.v1"
    assert (first["data"]["rule_id"], first["data"]["value"]) == (str(rule.id), 900)


async def test_a_delivery_to_an_address_made_private_since_is_refused_and_retried(db, store):
    # Saved while its host was public; now it resolves inside the platform's network.
    async with db.session() as session:
        rule, _ = await service.create(
            session,
            RuleIn(
                name="GMV",
                metric="gmv",
                currency="CNY",
                condition="above",
                threshold=0,
                webhook_url="http://169.254.169.254/latest/meta-data/",
            ),
            LOCAL,
            BOX,
        )
    await record(store, [paid(new_id(), AT - timedelta(minutes=5), 900)])
    assert await service.evaluate(db, store, AT) == 1
    requests = []
    transport = httpx.MockTransport(lambda request: requests.append(request) or Response(204))
    async with httpx.AsyncClient(transport=transport) as client:
        sender = WebhookSender(db, client, Destinations(private_allowed=False), BOX)
        assert await sender.send_next()
    async with db.session() as session:
        (delivery,) = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.rule_id == rule.id)
        )
    assert requests == []  # nothing was sent
    assert (delivery.attempts, delivery.sent_at) == (1, None)
    assert delivery.last_error == "refused: 169.254.169.254 not a public address"
