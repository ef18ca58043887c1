"""Tables of bargains: templates, bargains and the cuts their helpers made."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns
from services.campaigns.bargains.cuts import BargainStatus
from services.campaigns.models import Base


class BargainTemplate(Base):
    """A SKU customers may bargain down from `start_price` to `floor_price` with `helps`
    helps within `time_limit_minutes`, then order at the floor within `order_minutes`."""

    __tablename__ = "bargain_templates"
    __table_args__ = (
        CheckConstraint(
            "floor_price_amount >= 0 AND start_price_amount - floor_price_amount >= helps",
            name="a_unit_per_help",
        ),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    campaign_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    start_price_amount: Mapped[int] = mapped_column(BigInteger)
    floor_price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    helps: Mapped[int] = mapped_column(Integer)
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    order_minutes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    start_price = money_columns("start_price_amount", "currency")
    floor_price = money_columns("floor_price_amount", "currency")


class Bargain(Base):
    """One customer's bargain: one per customer per template (the unique constraint).
    `price_amount` and `helps_done` move together, only by a cut; the checks are the
    database's own refusal to go below the floor or past the helps."""

    __tablename__ = "bargains"
    __table_args__ = (
        UniqueConstraint("template_id", "starter_id"),
        CheckConstraint("price_amount >= floor_price_amount", name="price_not_below_floor"),
        CheckConstraint("helps_done >= 0 AND helps_done <= helps", name="helps_within_needed"),
        Index("ix_bargains_status_expires_at", "status", "expires_at"),
        Index("ix_bargains_starter_id_id", "starter_id", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    template_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("bargain_templates.id"))
    starter_id: Mapped[UUID] = mapped_column(Uuid)
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    start_price_amount: Mapped[int] = mapped_column(BigInteger)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    floor_price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    helps: Mapped[int] = mapped_column(Integer)
    helps_done: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[BargainStatus] = mapped_column(
        enum_column(BargainStatus), default=BargainStatus.OPEN
    )
    order_minutes: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    order_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    order_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    start_price = money_columns("start_price_amount", "currency")
    price = money_columns("price_amount", "currency")
    floor_price = money_columns("floor_price_amount", "currency")
    cuts: Mapped[list["HelperCut"]] = relationship(lazy="selectin", order_by="HelperCut.number")


class HelperCut(Base):
    """A helper's cut: one per helper per bargain (the primary key), numbered in order."""

    __tablename__ = "bargain_cuts"
    __table_args__ = (UniqueConstraint("bargain_id", "number"),)

    bargain_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("bargains.id"), primary_key=True)
    helper_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    cut_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
