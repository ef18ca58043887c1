"""The welcome email over real SMTP: sent once per registration through the broker, never
twice for a replayed event, and delivered after an SMTP outage."""

import json
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from observe import event_about
from sqlalchemy import select

from chassis.db import Database
from chassis.events.envelope import CONTENT_TYPE
from chassis.ids import new_id
from chassis.testing import eventually
from services.engagement.models import EmailDelivery

REGISTERED = ("flywheel.users.user", "flywheel.users.user.registered.v1")
SENT = ("flywheel.engagement.message", "flywheel.engagement.message.sent.v1")


@pytest.fixture
async def engagement_db(platform):
    db = Database(platform.database_url("engagement"), service="test")
    yield db
    await db.dispose()


async def _register(platform, display_name: str | None = None) -> tuple[str, str]:
    """A new user's (id, email address)."""
    email = f"new-{new_id().hex}@example.com"
    async with platform.client("users") as users:
        response = await users.post(
            "/api/v1/users/register",
            json={
                "email": email,
                "password": "correct horse battery",
                "display_name": display_name,
            },
        )
    response.raise_for_status()
    return response.json()["id"], email


async def _mail_to(mailbox, address: str) -> list:
    """The messages for `address`, once there are any."""

    async def arrived() -> list:
        return mailbox.messages(to=address)

    return await eventually(arrived)


async def _deliveries(db: Database, user_id: str) -> list[EmailDelivery]:
    async with db.session() as session:
        query = select(EmailDelivery).where(EmailDelivery.user_id == UUID(user_id))
        return list(await session.scalars(query))


async def test_a_new_user_gets_one_welcome_email_and_message_sent_says_so(platform, mailbox):
    user_id, address = await _register(platform, display_name="Mei")

    (email,) = await _mail_to(mailbox, address)
    assert email["To"] == address
    assert email["From"] == "Flywheel <no-reply@flywheel.local>"
    assert email["Subject"] == "Welcome to Flywheel, Mei!"
    assert "new-member perks" in email.get_content()

    delivery_id = email["Message-ID"].removeprefix("<").removesuffix("@flywheel.local>")
    sent = await event_about(platform.broker.bootstrap_servers, *SENT, delivery_id)
    assert sent["data"]["user_id"] == user_id
    assert (sent["data"]["channel"], sent["data"]["template"]) == ("email", "welcome")
    assert len(mailbox.messages(to=address)) == 1


async def test_a_replayed_registration_sends_no_second_email(platform, mailbox, engagement_db):
    user_id, address = await _register(platform)
    await _mail_to(mailbox, address)
    registered = await event_about(platform.broker.bootstrap_servers, *REGISTERED, user_id)

    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()
    try:
        replayed = await producer.send_and_wait(
            REGISTERED[0],
            json.dumps(registered).encode(),
            key=user_id.encode(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )
    finally:
        await producer.stop()
    await _consumed_past(
        platform, TopicPartition(replayed.topic, replayed.partition), replayed.offset
    )

    assert len(await _deliveries(engagement_db, user_id)) == 1
    assert len(mailbox.messages(to=address)) == 1


async def _consumed_past(platform, partition: TopicPartition, offset: int) -> None:
    """Wait until the engagement group has committed an offset after `offset`."""
    group = AIOKafkaConsumer(
        bootstrap_servers=platform.broker.bootstrap_servers,
        group_id="engagement",
        enable_auto_commit=False,
    )
    await group.start()
    try:

        async def committed() -> bool:
            return (await group.committed(partition) or 0) > offset

        await eventually(committed)
    finally:
        await group.stop()


async def test_mail_sent_while_smtp_is_down_arrives_when_it_is_back(
    platform, mailbox, engagement_db
):
    mailbox.stop()
    try:
        user_id, address = await _register(platform)

        async def failed_once() -> bool:
            return any(d.attempts for d in await _deliveries(engagement_db, user_id))

        await eventually(failed_once)
        assert mailbox.messages(to=address) == []
    finally:
        mailbox.start()

    (email,) = await _mail_to(mailbox, address)

    async def marked_sent() -> EmailDelivery | None:
        (delivery,) = await _deliveries(engagement_db, user_id)
        return delivery if delivery.sent_at else None

    delivery = await eventually(marked_sent)
    assert email["Message-ID"] == f"<{delivery.id}@flywheel.local>"
    assert "SMTPConnectError" in delivery.last_error
