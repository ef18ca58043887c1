"""Fast tests of the chassis's pure parts: ids, settings, the event registry, envelopes."""

import dataclasses
import json
import time
from uuid import UUID

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict
from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.events import EventData, event
from chassis.events import registry as global_registry
from chassis.events.envelope import CloudEvent
from chassis.events.registry import EventRegistry, EventSpec
from chassis.ids import new_id
from chassis.money import Money, Price, money_columns
from chassis.settings import ServiceSettings


def test_ids_are_uuid7_and_sort_by_creation_time():
    first = new_id()
    time.sleep(0.002)
    later = [new_id() for _ in range(100)]
    assert first.version == 7
    assert first.variant == "specified in RFC 4122"
    assert all(first < other for other in later)
    assert len(set(later)) == 100
    assert abs((first.int >> 80) - time.time_ns() // 1_000_000) < 5_000


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")

    service_name: str = "catalog"


def test_database_url_per_service_then_shared_server_then_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CATALOG_DATABASE_URL", raising=False)
    assert Settings().resolved_database_url().startswith("sqlite+aiosqlite:///")
    assert Settings().resolved_database_url().endswith("/var/catalog.db")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres@db:5432/flywheel")
    assert (
        Settings().resolved_database_url()
        == "postgresql+asyncpg://postgres@db:5432/flywheel_catalog"
    )
    monkeypatch.setenv("CATALOG_DATABASE_URL", "sqlite+aiosqlite:///x.db")
    assert Settings().resolved_database_url() == "sqlite+aiosqlite:///x.db"


@pytest.mark.parametrize(
    ("shared", "catalog"),
    [
        (
            "postgresql+asyncpg://u:p%40ss@db/shop?ssl=require",
            "u:p%40ss@db/shop_catalog?ssl=require",
        ),
        ("postgresql+asyncpg://u@db:5432/", "u@db:5432/flywheel_catalog"),
        ("postgresql+asyncpg://u@db:5432", "u@db:5432/flywheel_catalog"),
    ],
)
def test_each_service_gets_its_own_database_on_the_shared_server(monkeypatch, shared, catalog):
    monkeypatch.delenv("CATALOG_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", shared)
    assert Settings().resolved_database_url() == f"postgresql+asyncpg://{catalog}"


def test_shared_variables_keep_their_names(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("FLYWHEEL_JWKS_URL", "http://users/jwks")
    monkeypatch.setenv("FLYWHEEL_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("FLYWHEEL_SMTP_PORT", "587")
    monkeypatch.setenv("FLYWHEEL_MAIL_FROM", "Shop <shop@example.com>")
    settings = Settings()
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.jwks_url == "http://users/jwks"
    assert (settings.smtp_host, settings.smtp_port) == ("smtp.example.com", 587)
    assert settings.mail_from == "Shop <shop@example.com>"


class Shipped(EventData):
    """A parcel left the warehouse."""

    parcel_id: UUID


@pytest.mark.parametrize(
    ("type_", "topic", "key", "problem"),
    [
        ("flywheel.orders.parcel.shipped", "flywheel.orders.parcel", "parcel_id", "vN"),
        ("Flywheel.orders.parcel.shipped.v1", "flywheel.orders.parcel", "parcel_id", "vN"),
        ("flywheel.orders.parcel.shipped.v1", "flywheel.catalog.parcel", "parcel_id", "belong"),
        ("flywheel.orders.parcel.shipped.v1", "flywheel.orders.parcel", "order_id", "field"),
    ],
)
def test_the_registry_refuses_declarations_that_break_the_rules(type_, topic, key, problem):
    with pytest.raises(ValueError, match=problem):
        EventRegistry().register(EventSpec(type_, topic, key, Shipped, ""))


def test_the_registry_knows_each_type_once_with_its_topic_and_key():
    registry = EventRegistry()
    spec = EventSpec(
        "flywheel.orders.parcel.shipped.v1", "flywheel.orders.parcel", "parcel_id", Shipped, ""
    )
    registry.register(spec)
    registry.register(spec)  # the same declaration imported twice is fine
    assert registry.get(spec.type) is spec
    assert registry.of(Shipped(parcel_id=new_id())) is spec
    assert (spec.service, spec.version) == ("orders", 1)
    assert registry.topics() == ["flywheel.orders.parcel"]

    class Other(EventData):
        parcel_id: UUID

    with pytest.raises(ValueError, match="declared twice"):
        registry.register(EventSpec(spec.type, spec.topic, spec.key, Other, ""))
    with pytest.raises(LookupError, match=r"^Other is not a registered event$"):
        registry.of(Other)


def test_a_declared_spec_cannot_be_changed_after_registration():
    spec = EventSpec(
        "flywheel.orders.parcel.shipped.v1", "flywheel.orders.parcel", "parcel_id", Shipped, ""
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.topic = "flywheel.orders.elsewhere"  # type: ignore[misc]


def test_the_version_is_the_number_after_the_last_v():
    # An aggregate and a verb that begin with "v" too: only the last ".v" starts the version.
    spec = EventSpec(
        "flywheel.orders.voucher.voided.v12", "flywheel.orders.voucher", "parcel_id", Shipped, ""
    )
    assert (spec.service, spec.version) == ("orders", 12)


def test_the_registry_lists_every_spec_by_type_and_each_topic_once():
    registry = EventRegistry()
    later = EventSpec(
        "flywheel.orders.parcel.shipped.v2", "flywheel.orders.parcel", "parcel_id", Shipped, ""
    )

    class Lost(EventData):
        parcel_id: UUID

    earlier = EventSpec(
        "flywheel.orders.parcel.lost.v1", "flywheel.orders.lost", "parcel_id", Lost, ""
    )
    registry.register(later)
    registry.register(earlier)
    assert registry.all() == [earlier, later]
    assert registry.topics() == ["flywheel.orders.lost", "flywheel.orders.parcel"]
    assert registry.get("flywheel.orders.parcel.found.v1") is None


class _Item(EventData):
    parcel_id: UUID


class _Items(EventData):
    parcel_id: UUID
    events: list[_Item]


def test_a_batch_needs_an_events_field_and_its_key_on_the_items():
    registry = EventRegistry()
    topic = "flywheel.orders.parcel"
    batch = EventSpec("flywheel.orders.parcel.batched.v1", topic, "parcel_id", _Items, "", _Item)
    registry.register(batch)
    assert registry.of(_Items) is batch
    with pytest.raises(ValueError, match=r"batch event .* has no `events` field"):
        registry.register(
            EventSpec("flywheel.orders.parcel.bare.v1", topic, "parcel_id", Shipped, "", _Item)
        )
    with pytest.raises(ValueError, match="is not a field of its items"):
        registry.register(
            EventSpec("flywheel.orders.parcel.wrong.v1", topic, "events", _Items, "", _Item)
        )


MEMOS = "flywheel.testkit.memo"


@event("flywheel.testkit.memo.filed.v1", topic=MEMOS, key="memo_id")
class MemoFiled(EventData):
    """
    A memo was filed.

    Its first line is the summary, whatever comes after it."""

    memo_id: UUID


@event("flywheel.testkit.memo.read.v1", topic=MEMOS, key="memo_id")
class MemoRead(EventData):
    memo_id: UUID


class MemosFiled(EventData):
    """Many memos filed at once."""

    memo_id: UUID
    events: list[MemoFiled]


def test_a_declared_event_is_summarised_by_the_first_line_of_its_docstring():
    assert global_registry.of(MemoFiled).summary == "A memo was filed."
    assert global_registry.of(MemoRead).summary == ""
    spec = global_registry.get("flywheel.testkit.memo.filed.v1")
    assert (spec.topic, spec.key, spec.model, spec.batch_of) == (MEMOS, "memo_id", MemoFiled, None)


def test_a_batch_is_declared_on_the_topic_of_its_items_and_no_other():
    # A topic equal to the items' but not the same string object (as read from settings).
    same = ".".join(["flywheel", "testkit", "memo"])
    event("flywheel.testkit.memo.batch_filed.v1", topic=same, key="memo_id", batch_of=MemoFiled)(
        MemosFiled
    )
    assert global_registry.of(MemosFiled).batch_of is MemoFiled
    assert global_registry.of(MemosFiled).summary == "Many memos filed at once."
    # Topics sorting before and after the items' one.
    for other in ("flywheel.testkit.aaa", "flywheel.testkit.zzz"):
        with pytest.raises(ValueError, match="is not on the topic of its items"):
            event(
                "flywheel.testkit.memo.batch_elsewhere.v1",
                topic=other,
                key="memo_id",
                batch_of=MemoFiled,
            )(MemosFiled)


def test_payloads_are_immutable_and_strict():
    with pytest.raises(ValidationError):
        Shipped(parcel_id=new_id(), surprise=1)
    shipped = Shipped(parcel_id=new_id())
    with pytest.raises(ValidationError):
        shipped.parcel_id = new_id()


def test_envelopes_round_trip_and_reject_other_spec_versions():
    envelope = CloudEvent(
        id=new_id(),
        source="/flywheel/orders",
        type="flywheel.orders.parcel.shipped.v1",
        time="2026-11-25T10:00:00Z",
        subject="p-1",
        data={"parcel_id": str(new_id())},
    )
    assert CloudEvent.model_validate_json(envelope.to_bytes()) == envelope
    with pytest.raises(ValidationError):
        CloudEvent.model_validate({**envelope.model_dump(), "specversion": "0.3"})


@pytest.mark.parametrize(
    "money",
    [
        {"amount": -1, "currency": "CNY"},
        {"amount": 2**53, "currency": "CNY"},
        {"amount": 1, "currency": "cny"},
        {"amount": 0.5, "currency": "USD"},
    ],
)
def test_money_is_whole_minor_units_with_an_iso_code(money):
    with pytest.raises(ValidationError):
        Money.model_validate(money)


class _Base(DeclarativeBase):
    pass


class _Priced(_Base):
    __tablename__ = "priced"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    price_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")


def test_money_columns_read_and_write_both_columns():
    assert _Priced().price is None
    row = _Priced(price=Money(amount=1999, currency="CNY"))
    assert (row.price_amount, row.currency) == (1999, "CNY")
    assert row.price == Money(amount=1999, currency="CNY")
    row.price = None
    assert (row.price_amount, row.currency) == (None, None)
    row.price_amount = 5
    assert row.price is None  # half a price is no price


@pytest.mark.parametrize("code", ["XYZ", "ABC", "RMB"])
def test_a_price_in_a_currency_iso_4217_does_not_list_is_refused(code):
    assert Money(amount=1, currency=code).currency == code  # plain money does not check
    with pytest.raises(ValidationError) as refused:
        Price(amount=1, currency=code)
    assert [e["loc"] for e in refused.value.errors()] == [("currency",)]


@pytest.mark.parametrize("code", ["CNY", "USD", "EUR", "JPY", "HKD"])
def test_a_price_in_a_listed_currency_is_money(code):
    assert Price(amount=100, currency=code).model_dump() == {"amount": 100, "currency": code}


def _envelope(**changes) -> dict:
    return {
        "id": str(new_id()),
        "source": "/flywheel/orders",
        "type": "flywheel.orders.parcel.shipped.v1",
        "time": "2026-11-25T10:00:00Z",
        "data": {},
        **changes,
    }


@pytest.mark.parametrize("field", ["source", "type"])
def test_an_envelope_needs_a_source_and_a_type_of_one_character_at_least(field):
    assert getattr(CloudEvent.model_validate(_envelope(**{field: "x"})), field) == "x"
    with pytest.raises(ValidationError) as refused:
        CloudEvent.model_validate(_envelope(**{field: ""}))
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]


def test_an_envelope_without_a_subject_leaves_it_out_of_its_json():
    sent = json.loads(CloudEvent.model_validate(_envelope()).to_bytes())
    assert "subject" not in sent
    assert sent["specversion"] == "1.0"
    assert sent["datacontenttype"] == "application/json"
