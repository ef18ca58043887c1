"""Webhook delivery: alert events POSTed, signed, to each rule's URL after the state change
that caused them commits (the deliveries are its outbox), retried with backoff.

A delivery is claimed with FOR UPDATE SKIP LOCKED while it is being sent, so replicas share
the work and none sends it twice at once. A crash between the POST and the commit sends it
again: the body is the CloudEvent, whose `id` lets the receiver drop the repeat."""

import asyncio
import logging
import time
from datetime import timedelta

import httpx
from sqlalchemy import select

from chassis.background import drain
from chassis.clock import now
from chassis.db import Database
from chassis.http.destinations import Destinations, UnsafeDestination
from chassis.http.service import Runtime
from chassis.secrets import SecretBox
from services.analytics.alerts.models import AlertRule, WebhookDelivery
from services.analytics.alerts.signing import HEADER, signature

log = logging.getLogger(__name__)

POLL = 1.0
TIMEOUT = 10.0  # seconds a receiver has to answer
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(seconds=10)
LAST_RETRY = timedelta(hours=1)


def retry_delay(attempts: int, first: timedelta = FIRST_RETRY) -> timedelta:
    """Doubling after each failed attempt, at most an hour: 12 attempts span about 8 hours."""
    return min(first * 2 ** (attempts - 1), LAST_RETRY)


class WebhookSender:
    def __init__(
        self,
        db: Database,
        client: httpx.AsyncClient,
        destinations: Destinations,
        box: SecretBox,
        *,
        poll: float = POLL,
        first_retry: timedelta = FIRST_RETRY,
    ) -> None:
        self.db = db
        self.client = client
        self.destinations = destinations
        self.box = box
        self.poll = poll
        self.first_retry = first_retry

    async def run(self) -> None:
        await drain(self.send_next, self._idle, what="webhook send", first_backoff=self.poll)

    async def _idle(self) -> None:
        await asyncio.sleep(self.poll)

    async def send_next(self) -> bool:
        """Send the next delivery that is due; False if there is none. A receiver that fails
        only delays its own delivery: the others are due before its next attempt."""
        async with self.db.session() as session, session.begin():
            found = (
                await session.execute(
                    select(WebhookDelivery, AlertRule.webhook_secret)
                    .join(AlertRule, AlertRule.id == WebhookDelivery.rule_id)
                    .where(
                        WebhookDelivery.sent_at.is_(None),
                        WebhookDelivery.failed_at.is_(None),
                        WebhookDelivery.next_attempt_at <= now(),
                    )
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(1)
                    .with_for_update(of=WebhookDelivery, skip_locked=True)
                )
            ).first()
            if found is None:
                return False
            delivery, sealed = found
            error = await self._post(delivery, self.box.open(sealed))
            if error is None:
                delivery.sent_at = now()
                return True
            delivery.attempts += 1
            delivery.last_error = error[:1000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.failed_at = now()
                log.warning("webhook delivery given up", extra={"delivery_id": str(delivery.id)})
            else:
                delivery.next_attempt_at = now() + retry_delay(delivery.attempts, self.first_retry)
        return True

    async def _post(self, delivery: WebhookDelivery, secret: str) -> str | None:
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/cloudevents+json",
            HEADER: signature(secret, int(time.time()), body),
        }
        try:
            await self.destinations.check(delivery.url)  # DNS may have changed since saved
            response = await self.client.post(delivery.url, content=body, headers=headers)
        except UnsafeDestination as error:
            return f"refused: {error}"
        except httpx.HTTPError as error:
            return repr(error)
        if response.is_success:
            return None
        return f"{response.status_code} {response.text[:200]}"


async def send_pending(runtime: Runtime) -> None:
    """The analytics service's background webhook sender."""
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
        settings = runtime.settings
        sender = WebhookSender(
            runtime.db, client, settings.webhook_destinations(), settings.secret_box()
        )
        await sender.run()
