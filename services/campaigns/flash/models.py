"""Tables of flash sales: sessions, their items, reservations and who holds how many."""

from datetime import datetime
from enum import StrEnum
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
from services.campaigns.flash.lifecycle import VOIDING, HoldState, SessionState
from services.campaigns.models import Base


class FlashSession(Base):
    """A time slot (场次) of a flash sale. `state` is its life (flash/lifecycle.py): sellable
    only once catalog holds its stock; `ended_at` is when `flash.session_ended` was staged."""

    __tablename__ = "flash_sessions"
    # The end's scan: sessions still pending or held whose window closed.
    __table_args__ = (Index("ix_flash_sessions_state_ends_at", "state", "ends_at"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    campaign_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reservation_minutes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    state: Mapped[SessionState] = mapped_column(
        enum_column(SessionState), default=SessionState.PENDING
    )
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    items: Mapped[list["FlashItem"]] = relationship(
        lazy="selectin", order_by="FlashItem.sku_id", back_populates="session"
    )


class FlashItem(Base):
    """A SKU of a session. `stock_left` is the stock on the database path; on the Redis path
    Redis holds it (loaded once from `stock`). `hold` is catalog's answer for its `stock`
    (`hold_available`: what catalog had when it refused); `sold` and `returned` are catalog's
    figures at the session's end; `stopped_at` is set while catalog has the SKU delisted."""

    __tablename__ = "flash_items"
    __table_args__ = (
        UniqueConstraint("session_id", "sku_id"),
        CheckConstraint("stock_left >= 0 AND stock_left <= stock", name="stock_left_within_stock"),
        Index("ix_flash_items_sku_id", "sku_id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    session_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("flash_sessions.id"))
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    flash_price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    stock: Mapped[int] = mapped_column(Integer)
    stock_left: Mapped[int] = mapped_column(Integer)
    per_user_limit: Mapped[int] = mapped_column(Integer)
    hold: Mapped[HoldState] = mapped_column(enum_column(HoldState), default=HoldState.PENDING)
    hold_available: Mapped[int | None] = mapped_column(Integer)
    sold: Mapped[int | None] = mapped_column(Integer)
    returned: Mapped[int | None] = mapped_column(Integer)
    # Set while catalog has the SKU delisted (`sku.listing_changed`): it takes no reservation.
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    flash_price = money_columns("flash_price_amount", "currency")
    session: Mapped[FlashSession] = relationship(back_populates="items", lazy="joined")


class FlashHolding(Base):
    """How many units of an item a customer holds in live reservations (database path):
    the per-customer limit is one guarded upsert on it, never a count before an insert."""

    __tablename__ = "flash_holdings"
    __table_args__ = (CheckConstraint("reserved >= 0", name="reserved_not_negative"),)

    item_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("flash_items.id"), primary_key=True)
    customer_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    reserved: Mapped[int] = mapped_column(Integer)


class ReservationStatus(StrEnum):
    RESERVED = "reserved"  # stock held for the customer until expires_at
    ORDERED = "ordered"  # an order placed with it waits for payment
    PURCHASED = "purchased"  # the order was paid: the stock is sold
    EXPIRED = "expired"  # not ordered in time
    RELEASED = "released"  # its order was cancelled
    VOIDED = "voided"  # its session was called off (cancelled or refused) before it was ordered


# Reservations whose stock goes back to the session (once: `restored_at`). A voided one's
# does not: its session is over, and catalog takes back the session's whole undrawn hold.
RETURNING = (ReservationStatus.EXPIRED, ReservationStatus.RELEASED)


def standing(status: ReservationStatus, session_state: SessionState) -> ReservationStatus:
    """A reservation's status as customers and orders are told it: one still reserved in a
    session called off is void (the row may not say so yet: one taken while the cancel ran,
    and not written down or committed before it)."""
    if status == ReservationStatus.RESERVED and session_state in VOIDING:
        return ReservationStatus.VOIDED
    return status


class FlashReservation(Base):
    __tablename__ = "flash_reservations"
    __table_args__ = (
        Index("ix_flash_reservations_status_expires_at", "status", "expires_at"),
        Index("ix_flash_reservations_customer_id_id", "customer_id", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    item_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("flash_items.id"))
    session_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("flash_sessions.id"))
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    customer_id: Mapped[UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)
    flash_price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[ReservationStatus] = mapped_column(
        enum_column(ReservationStatus), default=ReservationStatus.RESERVED
    )
    order_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    reserved_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    restored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    flash_price = money_columns("flash_price_amount", "currency")


class ProductSku(Base):
    """Which SKUs a catalog product has, as flash needs it: a product delisted as a whole
    (`product.delisted` names no SKU) stops its SKUs' items. Kept from catalog's product
    created, updated and listed events (a SKU absent from an update no longer exists)."""

    __tablename__ = "flash_product_skus"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)


class DelistedProduct(Base):
    """A product catalog has delisted as a whole, until it lists it again: one of its SKUs
    relisted by itself meanwhile (`sku.listing_changed`) stays stopped here."""

    __tablename__ = "flash_delisted_products"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    delisted_at: Mapped[datetime] = mapped_column(UtcDateTime)
