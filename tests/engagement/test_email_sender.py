"""The email sender on SQLite and PostgreSQL, against the SMTP sink: what it sends, what it
marks, and what it stages."""

import json
from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import select

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.mail import Mailer
from services.engagement import emails, templates
from services.engagement.app import SCHEMA
from services.engagement.models import EmailDelivery


async def test_pending_mail_is_sent_and_marked_and_refused_mail_holds_up_nothing(
    database_url, mailbox
):
    db = Database(database_url("engagement"), service="engagement")
    await db.create_database_if_missing()
    await migrations.upgrade(db, SCHEMA)
    refused, good = "mé@example.com", f"{new_id().hex}@example.com"
    try:
        async with db.session() as session:
            for address in (refused, good):
                await emails.stage(session, new_id(), address, templates.welcome("Mei"))
            await session.commit()

        sender = emails.EmailSender(
            db, Mailer(mailbox.host, mailbox.port, "Flywheel <no-reply@flywheel.local>")
        )
        assert [await sender.send_next() for _ in range(3)] == [True, True, False]

        async with db.session() as session:
            deliveries = {d.address: d for d in await session.scalars(select(EmailDelivery))}
            staged = [json.loads(p) for p in await session.scalars(select(outbox.c.payload))]
    finally:
        await db.dispose()
    (email,) = mailbox.messages(to=good)
    assert email["Message-ID"] == f"<{deliveries[good].id}@flywheel.local>"
    assert deliveries[good].sent_at is not None
    assert (deliveries[refused].sent_at, deliveries[refused].attempts) == (None, 0)
    assert deliveries[refused].failed_at is not None
    assert "cannot address" in deliveries[refused].last_error
    (sent,) = staged
    assert sent["data"]["message_id"] == str(deliveries[good].id)
    assert sent["data"]["channel"] == "email"


async def test_the_backlog_is_a_gauge_and_old_deliveries_are_pruned(database_url, mailbox):
    db = Database(database_url("engagement"), service="engagement")
    await db.create_database_if_missing()
    await migrations.upgrade(db, SCHEMA)
    long_ago, recently = now() - timedelta(days=31), now() - timedelta(days=1)
    rows = {
        "old-sent": {"sent_at": long_ago},
        "old-refused": {"failed_at": long_ago},
        "recent-sent": {"sent_at": recently},
        "waiting": {},
        "waiting-too": {"attempts": 3},
    }
    try:
        async with db.session() as session:
            for name, fields in rows.items():
                session.add(
                    EmailDelivery(
                        user_id=new_id(),
                        address="a@example.com",
                        template="t",
                        subject=name,
                        body="b",
                        **fields,
                    )
                )
            await session.commit()
        mailer = Mailer(mailbox.host, mailbox.port, "no-reply@flywheel.local")
        sender = emails.EmailSender(db, mailer)
        assert await sender.pending() == 2
        assert REGISTRY.get_sample_value("flywheel_email_pending", {"service": "engagement"}) == 2
        assert await sender.prune() == 2
        async with db.session() as session:
            kept = set(await session.scalars(select(EmailDelivery.subject)))
    finally:
        await db.dispose()
    assert kept == {"recent-sent", "waiting", "waiting-too"}
