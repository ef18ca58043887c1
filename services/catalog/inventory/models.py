"""Tables of stock: the level of each SKU and the ledger of every change to it."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.catalog.models import Base


class StockLevel(Base):
    """One row per SKU: `on_hand` is in the warehouse, `reserved` of it is held for orders
    not yet paid, `held` of it is set aside for flash sessions; what can still be sold is
    what is left. The checks keep the counters honest whatever statement runs."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="ck_stock_levels_on_hand"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_levels_reserved"),
        CheckConstraint("low_stock_threshold >= 0", name="ck_stock_levels_threshold"),
        CheckConstraint("held >= 0 AND reserved + held <= on_hand", name="ck_stock_levels_held"),
    )

    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.held


class LedgerReason(StrEnum):
    INITIAL = "initial"  # the stock a SKU was created with
    RECEIPT = "receipt"  # goods received
    SALE = "sale"  # a paid order's reservation confirmed
    RETURN = "return"  # goods back from a customer, resaleable
    DAMAGE = "damage"  # written off
    COUNT = "count"  # a stock count's correction
    # Moves between available and a flash session's hold: on-hand stays (delta 0), `held`
    # says how many units were set aside (+) or came back (-).
    FLASH_HOLD = "flash_hold"
    FLASH_RETURN = "flash_return"


class LedgerEntry(Base):
    """Append-only: every change of on-hand is one row, so their sum is always on-hand."""

    __tablename__ = "stock_ledger"
    __table_args__ = (
        Index("ix_stock_ledger_sku", "sku_id", "created_at", "id"),
        # One return per refund and SKU: a refund redelivered (or republished under another
        # event id) puts nothing back twice.
        Index("uq_stock_ledger_refund", "refund_id", "sku_id", unique=True),
        Index("ix_stock_ledger_order", "order_id", "sku_id"),
        # One hold and one return per flash session and SKU.
        Index("uq_stock_ledger_flash", "flash_session_id", "sku_id", "reason", unique=True),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[LedgerReason] = mapped_column(enum_column(LedgerReason))
    note: Mapped[str | None] = mapped_column(String(500))
    order_id: Mapped[UUID | None] = mapped_column(Uuid)
    purchase_order_id: Mapped[UUID | None] = mapped_column(Uuid)  # a receipt against it
    refund_id: Mapped[UUID | None] = mapped_column(Uuid)  # goods back with a refund
    flash_session_id: Mapped[UUID | None] = mapped_column(Uuid)  # its hold, or the return
    held: Mapped[int] = mapped_column(Integer, default=0)  # change of the SKU's `held`
    created_by: Mapped[UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class ReservationState(StrEnum):
    HELD = "held"  # stock set aside until paid or expired
    CONFIRMED = "confirmed"  # paid: on-hand went down
    RELEASED = "released"  # cancelled or expired: given back
    REJECTED = "rejected"  # could not be reserved: nothing was taken


class Reservation(Base):
    """The stock side of one order: at most one per order (its key), and the record of what
    was taken, which confirming or releasing gives back exactly."""

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_expiry", "state", "expires_at"),)

    order_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    state: Mapped[ReservationState] = mapped_column(enum_column(ReservationState))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReservationLine(Base):
    """`from_hold` of `quantity` were drawn from the hold of flash session
    `flash_session_id` (a flash order's line), the rest from the general stock."""

    __tablename__ = "reservation_lines"

    order_id: Mapped[UUID] = mapped_column(ForeignKey("reservations.order_id"), primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    flash_session_id: Mapped[UUID | None] = mapped_column(Uuid)
    from_hold: Mapped[int] = mapped_column(Integer, default=0)


class HoldState(StrEnum):
    HELD = "held"  # set aside for the session; its orders draw from it
    REFUSED = "refused"  # not enough was available: nothing set aside
    ENDED = "ended"  # the session ended: what was not drawn went back


class FlashHold(Base):
    """Stock of a SKU set aside for a flash session: one per (session, SKU), its key, so a
    redelivered scheduling holds nothing twice. `drawn` is what the session's orders took
    (given back to the hold if such an order is cancelled while the session runs);
    `returned` what went back to available stock when the session ended."""

    __tablename__ = "flash_holds"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_flash_holds_quantity"),
        CheckConstraint("drawn >= 0 AND drawn <= quantity", name="ck_flash_holds_drawn"),
    )

    session_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    drawn: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int | None] = mapped_column(Integer)
    available: Mapped[int | None] = mapped_column(Integer)  # what there was, if refused
    state: Mapped[HoldState] = mapped_column(enum_column(HoldState))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class FlashReservationRef(Base):
    """A customer's flash reservation as campaigns announced it: which session and SKU an
    order naming it (`attribution.flash_reservation_id`) draws from."""

    __tablename__ = "flash_reservations"

    reservation_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    session_id: Mapped[UUID] = mapped_column(Uuid)
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)


class ReturnState(StrEnum):
    PENDING = "pending"  # the refund came before the catalog saw the order's sale
    SETTLED = "settled"  # counted against the sale (and put back on hand if resaleable)
    VOID = "void"  # the order was never sold (rejected, cancelled, expired): nothing to count


class SkuReturn(Base):
    """Units of a SKU a refund says came back, once per refund and SKU (the key). Refunds
    travel on their own topic, so one may arrive before the order's sale: it waits here,
    pending, until the sale comes (or the order turns out never sold). `counted` is what was
    counted against the sale once settled: what the figures subtract from sales, and, if
    resaleable, what went back on hand."""

    __tablename__ = "sku_returns"
    __table_args__ = (
        Index("ix_sku_returns_order", "order_id", "state"),
        Index("ix_sku_returns_settled", "sku_id", "state", "settled_at"),
        CheckConstraint("quantity > 0", name="ck_sku_returns_quantity"),
        CheckConstraint("counted >= 0 AND counted <= quantity", name="ck_sku_returns_counted"),
    )

    refund_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    order_id: Mapped[UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)  # what the refund names
    resaleable: Mapped[bool] = mapped_column(default=False)
    state: Mapped[ReturnState] = mapped_column(enum_column(ReturnState))
    counted: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
