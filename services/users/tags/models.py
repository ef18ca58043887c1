"""Tables of interest tags: the items whose labels are interests (kept from the catalogue's
and content's events), each user's evidence per label and source, the touches already
counted, the tags users hold (system or manual) and the audit of manual changes."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, Date, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.users.models import Base
from services.users.tags.rules import MAX_TAG, Source


class ItemKind(StrEnum):
    PRODUCT = "product"
    SKU = "sku"  # labelled as its product
    POST = "post"


class InterestItem(Base):
    """Something a user can touch, with what it says about their interests: a product's
    brand and category (named through `interest_categories` when touched), a post's labels."""

    __tablename__ = "interest_items"

    item_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    product_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)  # a SKU's product
    brand: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[UUID | None] = mapped_column(Uuid)
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)  # a post's
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InterestCategory(Base):
    __tablename__ = "interest_categories"

    category_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class TagEvidence(Base):
    """How often, and when last, a user touched things labelled `tag` in one way."""

    __tablename__ = "tag_evidence"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    tag: Mapped[str] = mapped_column(String(MAX_TAG), primary_key=True)
    source: Mapped[Source] = mapped_column(enum_column(Source), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TagEvidenceDay(Base):
    """The same evidence per UTC day, for as long as it counts (`rules.expires_at`): what
    the system tags are derived from. Days that no longer count are deleted."""

    __tablename__ = "tag_evidence_days"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    tag: Mapped[str] = mapped_column(String(MAX_TAG), primary_key=True)
    source: Mapped[Source] = mapped_column(enum_column(Source), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class TagTimer(Base):
    """When a day of the evidence of a system tag the user holds next ages out, lowering its
    score or dropping it (`rules.score_falls_at`): the durable timer the scheduler fires. No
    row: no tag to lose to time."""

    __tablename__ = "tag_timers"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class CountedTouch(Base):
    """A touch (a behaviour event, a paid order) already counted as evidence: its primary
    key makes a redelivery count nothing."""

    __tablename__ = "counted_touches"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)


class TagOrigin(StrEnum):
    SYSTEM = "system"  # earned by evidence (`rules.system_tags`)
    MANUAL = "manual"  # set by an operator


class UserTag(Base):
    """A tag a user holds; one row per origin, so an operator's tag outlives the evidence
    and the evidence's outlives the operator's removal."""

    __tablename__ = "user_tags"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    tag: Mapped[str] = mapped_column(String(MAX_TAG), primary_key=True, index=True)
    origin: Mapped[TagOrigin] = mapped_column(enum_column(TagOrigin), primary_key=True)
    score: Mapped[int | None] = mapped_column(Integer)  # system tags: the evidence's weight
    set_by: Mapped[UUID | None] = mapped_column(Uuid)  # manual tags: the operator
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TagChange(Base):
    """The audit of manual tags: who added or removed which tag of whom, when."""

    __tablename__ = "tag_changes"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    tag: Mapped[str] = mapped_column(String(MAX_TAG))
    added: Mapped[bool]
    by: Mapped[UUID] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
