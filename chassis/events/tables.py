"""The tables the chassis keeps in every service's database: outbox, inbox, idempotency keys."""

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from chassis.db import UtcDateTime

messaging_metadata = MetaData()

outbox = Table(
    "outbox",
    messaging_metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("type", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
)
Index(
    "ix_outbox_pending",
    outbox.c.seq,
    postgresql_where=outbox.c.published_at.is_(None),
    sqlite_where=outbox.c.published_at.is_(None),
)

inbox = Table(
    "inbox",
    messaging_metadata,
    Column("consumer_group", String(100), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("processed_at", UtcDateTime, nullable=False),
)

# The first response of each command sent with an `Idempotency-Key` (chassis.idempotency).
# The key is the primary key, so two requests with one key cannot both commit an effect.
idempotency_keys = Table(
    "idempotency_keys",
    messaging_metadata,
    Column("caller", String(100), primary_key=True),
    Column("route", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    # Filled in the same transaction as the claim, so a committed row always has them.
    Column("status_code", Integer, nullable=True),
    Column("body", Text, nullable=True),
    Column("headers", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_idempotency_keys_created", idempotency_keys.c.created_at)
