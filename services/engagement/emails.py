"""The email channel: deliveries recorded with the change that causes them, sent after.

A consumer's handler may have no effect outside its transaction (ADR 0002), so it only
records an `EmailDelivery`; the sender, a background task, sends pending ones over SMTP
and marks them sent in the same transaction that stages `MessageSent`. An SMTP outage
delays mail and loses none. A crash between the send and the commit sends again, with the
same Message-ID, so the receiver can drop the repeat.
"""

import asyncio
import logging
from datetime import timedelta
from uuid import UUID

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import metrics
from chassis.background import HOURLY, drain, every
from chassis.clock import now
from chassis.db import Database
from chassis.events import outbox
from chassis.http.service import Runtime
from chassis.mail import Email, Mailer, MailRejected
from contracts.engagement import MessageSent
from services.engagement import privacy
from services.engagement.models import EmailDelivery
from services.engagement.templates import Rendered

log = logging.getLogger(__name__)

CHANNEL = "email"
POLL = 1.0
MAX_BACKOFF = 30.0
RETENTION = timedelta(days=30)  # sent, refused and cancelled deliveries are kept this long
PENDING = (
    EmailDelivery.sent_at.is_(None),
    EmailDelivery.failed_at.is_(None),
    EmailDelivery.cancelled_at.is_(None),
)


async def stage(session: AsyncSession, user_id: UUID, address: str, message: Rendered) -> bool:
    """Record an email for the sender; it goes out only if the caller's transaction commits.
    Nothing for an erased user (False)."""
    if await privacy.is_erased(session, user_id):
        return False
    session.add(
        EmailDelivery(
            user_id=user_id,
            address=address,
            template=message.template,
            subject=message.title,
            body=message.body,
        )
    )
    return True


class EmailSender:
    """Sends pending deliveries one transaction each, oldest first, and marks them sent.

    Safe with several replicas: a delivery is claimed with FOR UPDATE SKIP LOCKED while it
    is being sent. A delivery that failed goes behind those that have not, so one that keeps
    failing (a full mailbox) holds up no other."""

    def __init__(self, db: Database, mailer: Mailer, *, poll: float = POLL) -> None:
        self.db = db
        self.mailer = mailer
        self.poll = poll

    async def run(self) -> None:
        await asyncio.gather(
            every(HOURLY, self.prune, what="email prune"),
            drain(
                self.send_next,
                self._idle,
                what="email send",
                first_backoff=self.poll,
                max_backoff=MAX_BACKOFF,
            ),
        )

    async def _idle(self) -> None:
        await self.pending()
        await asyncio.sleep(self.poll)

    async def pending(self) -> int:
        """Count the deliveries waiting, and export the figure as a gauge."""
        async with self.db.session() as session:
            waiting = await session.scalar(
                select(func.count()).select_from(EmailDelivery).where(*PENDING)
            )
        metrics.email_pending.labels("engagement").set(waiting)
        return waiting

    async def prune(self) -> int:
        """Delete deliveries sent, refused or cancelled longer ago than the retention."""
        cutoff = now() - RETENTION
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                delete(EmailDelivery).where(
                    or_(
                        EmailDelivery.sent_at < cutoff,
                        EmailDelivery.failed_at < cutoff,
                        EmailDelivery.cancelled_at < cutoff,
                    )
                )
            )
        return result.rowcount

    async def send_next(self) -> bool:
        """Send the next pending delivery; False if there is none. A failure worth retrying
        is recorded on the delivery, then raised."""
        async with self.db.session() as session, session.begin():
            delivery = await session.scalar(
                select(EmailDelivery)
                .where(*PENDING)
                .order_by(EmailDelivery.attempts, EmailDelivery.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if delivery is None:
                return False
            failure = await self._send(session, delivery)
        if failure is not None:
            raise failure
        return True

    async def _send(self, session: AsyncSession, delivery: EmailDelivery) -> Exception | None:
        if await privacy.is_erased(session, delivery.user_id):  # staged as they were erased
            await privacy.scrub(session, delivery.user_id)
            return None
        email = Email(
            id=str(delivery.id), to=delivery.address, subject=delivery.subject, text=delivery.body
        )
        try:
            await self.mailer.send(email)
        except MailRejected as error:
            log.warning("email refused for good", extra={"error": str(error)})
            delivery.failed_at, delivery.last_error = now(), str(error)[:1000]
            return None
        except Exception as error:
            delivery.attempts += 1
            delivery.last_error = repr(error)[:1000]
            return error
        delivery.sent_at = now()
        await outbox.add(
            session,
            MessageSent(
                message_id=delivery.id,
                user_id=delivery.user_id,
                channel=CHANNEL,
                template=delivery.template,
                sent_at=delivery.sent_at,
            ),
        )
        return None


async def send_pending(runtime: Runtime) -> None:
    """The engagement service's background sender, on the service's SMTP settings."""
    await EmailSender(runtime.db, Mailer.from_settings(runtime.settings)).run()
