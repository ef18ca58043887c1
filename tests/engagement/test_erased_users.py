"""A customer erased in users (over HTTP) through the real broker: engagement empties their
inbox, cancels the mail still waiting for them and scrubs what it sent, applies it once,
stages nothing for them again, and leaves everyone else's messages as they were; the sender
never mails an erased user, whatever staged it."""

from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.events.envelope import CONTENT_TYPE, CloudEvent, EventData
from chassis.events.outbox import envelope_for
from chassis.events.registry import registry
from chassis.events.tables import inbox
from chassis.ids import new_id
from chassis.mail import Mailer
from chassis.testing import eventually
from contracts.users import PasswordResetRequested, UserErased, UserRegistered
from services.engagement import emails, privacy, templates
from services.engagement.app import SCHEMA
from services.engagement.models import EmailDelivery, ErasedUser, InboxMessage

PASSWORD = "correct horse battery"
INBOX = "/api/v1/engagement/inbox"


@pytest.fixture
async def engagement_db(platform):
    db = Database(platform.database_url("engagement"), service="test")
    yield db
    await db.dispose()


async def _customer(platform) -> tuple[str, str, str]:
    """A new customer's (id, email address, access token)."""
    email = f"erase-{new_id().hex}@example.com"
    async with platform.client("users") as users:
        registered = await users.post(
            "/api/v1/users/register",
            json={"email": email, "password": PASSWORD, "display_name": "Mei"},
        )
    registered.raise_for_status()
    return registered.json()["id"], email, await platform.token(email, PASSWORD)


async def _publish(platform, data: EventData, again: CloudEvent | None = None) -> CloudEvent:
    """Publish an event as its service would (or the same event again)."""
    spec = registry.of(data)
    envelope = again or envelope_for(data, source=f"/flywheel/{spec.service}")
    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            spec.topic,
            envelope.to_bytes(),
            key=envelope.subject.encode(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )
    finally:
        await producer.stop()
    return envelope


async def _applied(db: Database, event_id: str) -> bool:
    async with db.session() as session:
        return await session.scalar(select(inbox.c.event_id).where(inbox.c.event_id == event_id))


async def _kept(db: Database, user_id: str) -> dict:
    """What engagement holds about the user (the marker read first: the rest is as of it or
    later)."""
    uid = UUID(user_id)
    async with db.session() as session:
        erased_at = await session.scalar(
            select(ErasedUser.erased_at).where(ErasedUser.user_id == uid)
        )
        deliveries = await session.scalars(
            select(EmailDelivery).where(EmailDelivery.user_id == uid).order_by(EmailDelivery.id)
        )
        messages = await session.scalars(select(InboxMessage).where(InboxMessage.user_id == uid))
        return {
            "mail": [
                (d.address, d.subject, d.body, d.sent_at, d.cancelled_at, d.template)
                for d in deliveries
            ],
            "inbox": [(m.title, m.body) for m in messages],
            "erased_at": erased_at,
        }


async def test_an_erased_users_inbox_and_mail_are_scrubbed_and_waiting_mail_never_goes(
    platform, mailbox, engagement_db
):
    mailbox.stop()  # the welcome emails wait
    try:
        mei_id, mei_email, mei_token = await _customer(platform)
        other_id, other_email, other_token = await _customer(platform)

        async def waiting() -> bool:
            kept = await _kept(engagement_db, mei_id)
            return bool(kept["mail"] and kept["inbox"])

        await eventually(waiting, within=20)
        async with platform.client("users", mei_token) as users:
            erased = await users.post("/api/v1/users/me/erase", json={"password": PASSWORD})
        assert erased.status_code == 204, erased.text

        async def scrubbed() -> dict | None:
            kept = await _kept(engagement_db, mei_id)
            return kept if kept["erased_at"] else None

        after = await eventually(scrubbed, within=20)
    finally:
        mailbox.start()

    assert after["inbox"] == []
    ((address, subject, body, sent_at, cancelled_at, template),) = after["mail"]
    assert (address, subject, body, sent_at, template) == ("", "", "", None, "welcome")
    assert cancelled_at is not None
    async with platform.client("engagement", mei_token) as client:  # still valid a while
        assert (await client.get(INBOX)).json()["items"] == []

    # Once the other customer's welcome went, nothing is waiting: Mei's never goes.
    await eventually(lambda: _sent_to(mailbox, other_email), within=40)

    async def nothing_waits() -> bool:
        kept = [await _kept(engagement_db, u) for u in (mei_id, other_id)]
        return all(m[3] or m[4] for k in kept for m in k["mail"])

    await eventually(nothing_waits, within=40)
    assert mailbox.messages(to=mei_email) == []
    assert await _kept(engagement_db, mei_id) == after

    # The other customer's messages are as they were.
    other = await _kept(engagement_db, other_id)
    assert other["inbox"] == [("Welcome to Flywheel, Mei!", templates.welcome("Mei").body)]
    ((address, subject, _, sent_at, cancelled_at, _),) = other["mail"]
    assert (address, subject, cancelled_at) == (other_email, "Welcome to Flywheel, Mei!", None)
    assert sent_at is not None
    assert other["erased_at"] is None
    async with platform.client("engagement", other_token) as client:
        assert len((await client.get(INBOX)).json()["items"]) == 1


async def _sent_to(mailbox, address: str) -> bool:
    return bool(mailbox.messages(to=address))


async def test_an_erasure_applies_once_and_nothing_reaches_the_user_after_it(
    platform, mailbox, engagement_db
):
    user_id, email, _ = await _customer(platform)
    await eventually(lambda: _sent_to(mailbox, email), within=30)
    erasure = await _publish(platform, UserErased(user_id=UUID(user_id), erased_at=now()))
    await eventually(lambda: _applied(engagement_db, erasure.id), within=20)
    after = await _kept(engagement_db, user_id)

    # The same event again, another erasure later, and, after it, their registration replayed
    # as a new event (the inbox forgot the first after its retention) and a reset mail.
    await _publish(platform, UserErased(user_id=UUID(user_id), erased_at=now()), again=erasure)
    later = await _publish(platform, UserErased(user_id=UUID(user_id), erased_at=now()))
    await _publish(
        platform,
        UserRegistered(user_id=UUID(user_id), email=email, display_name="Mei", registered_at=now()),
    )
    reset = await _publish(
        platform,
        PasswordResetRequested(
            user_id=UUID(user_id), email=email, token="123456", expires_at=now()
        ),
    )
    await eventually(lambda: _applied(engagement_db, reset.id), within=20)

    assert await _applied(engagement_db, later.id)
    assert await _kept(engagement_db, user_id) == after
    assert after["inbox"] == []
    ((address, _, _, sent_at, cancelled_at, _),) = after["mail"]  # the welcome, sent before
    assert (address, cancelled_at) == ("", None)
    assert sent_at is not None
    assert len(mailbox.messages(to=email)) == 1  # the welcome only


async def test_the_sender_mails_no_erased_user_whatever_staged_it(database_url, mailbox):
    db = Database(database_url("engagement"), service="engagement")
    await db.create_database_if_missing()
    await migrations.upgrade(db, SCHEMA)
    erased, other = new_id(), new_id()
    erased_address, other_address = (f"{new_id().hex}@example.com" for _ in range(2))
    try:
        async with db.session() as session:
            await emails.stage(session, erased, erased_address, templates.welcome("Mei"))
            await emails.stage(session, other, other_address, templates.welcome("Li"))
            # The erasure lands after the mail was staged, by a path that did not scrub it.
            session.add(ErasedUser(user_id=erased, erased_at=now()))
            await session.commit()
        sender = emails.EmailSender(
            db, Mailer(mailbox.host, mailbox.port, "Flywheel <no-reply@flywheel.local>")
        )
        assert [await sender.send_next() for _ in range(3)] == [True, True, False]
        async with db.session() as session:
            staged = await emails.stage(session, erased, erased_address, templates.welcome("Mei"))
            await session.commit()
            deliveries = {d.user_id: d for d in await session.scalars(select(EmailDelivery))}
            assert await privacy.is_erased(session, erased)
    finally:
        await db.dispose()
    assert staged is False
    assert mailbox.messages(to=erased_address) == []
    assert len(mailbox.messages(to=other_address)) == 1
    assert deliveries[erased].cancelled_at is not None
    assert (deliveries[erased].address, deliveries[erased].sent_at) == ("", None)
    assert deliveries[other].sent_at is not None
