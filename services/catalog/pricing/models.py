"""Tables of pricing: scheduled price changes and the append-only history of every price."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import Money
from services.catalog.models import Base
from services.catalog.pricing.rules import ScheduleState, Window


class PriceSchedule(Base):
    """A price a SKU sells for from `starts_at` until `ends_at` (None: until cancelled)."""

    __tablename__ = "price_schedules"
    __table_args__ = (
        Index("ix_price_schedules_start", "state", "starts_at"),
        Index("ix_price_schedules_end", "state", "ends_at"),
        Index("ix_price_schedules_sku", "sku_id", "starts_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    state: Mapped[ScheduleState] = mapped_column(
        enum_column(ScheduleState), default=ScheduleState.PENDING
    )
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    # An admin's override of the margin guard: who, and why (audited in the history too).
    override_by: Mapped[UUID | None] = mapped_column(Uuid)
    override_reason: Mapped[str | None] = mapped_column(String(500))
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # ended, cancelled...

    @property
    def price(self) -> Money:
        return Money(amount=self.amount, currency=self.currency)

    @property
    def window(self) -> Window:
        return Window(
            id=self.id,
            amount=self.amount,
            starts_at=self.starts_at,
            scheduled_at=self.created_at,
            ends_at=self.ends_at,
        )


class PriceSource(StrEnum):
    CREATED = "created"  # the SKU's first prices
    MANUAL = "manual"  # an operator set them
    OVERRIDE = "override"  # an admin set them below the margin guard, with a reason
    SCHEDULE_STARTED = "schedule_started"
    SCHEDULE_ENDED = "schedule_ended"
    SCHEDULE_CANCELLED = "schedule_cancelled"


class PriceRecord(Base):
    """Append-only: one row per change of a SKU's prices, with what they became, from when,
    and who changed them (None: the scheduler)."""

    __tablename__ = "price_history"
    __table_args__ = (
        Index("ix_price_history_sku", "sku_id", "recorded_at", "id"),
        Index("ix_price_history_overrides", "override_by", "recorded_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"))
    source: Mapped[PriceSource] = mapped_column(enum_column(PriceSource))
    currency: Mapped[str] = mapped_column(String(3))
    old_amount: Mapped[int | None] = mapped_column(BigInteger)  # what it sold for before
    amount: Mapped[int] = mapped_column(BigInteger)  # what it sells for after
    list_amount: Mapped[int] = mapped_column(BigInteger)
    sale_amount: Mapped[int | None] = mapped_column(BigInteger)
    cost_amount: Mapped[int | None] = mapped_column(BigInteger)
    schedule_id: Mapped[UUID | None] = mapped_column(Uuid)
    by: Mapped[UUID | None] = mapped_column(Uuid)
    override_by: Mapped[UUID | None] = mapped_column(Uuid)
    reason: Mapped[str | None] = mapped_column(String(500))
    effective_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
