"""Tables of carts: a server-side cart per customer and per anonymous visitor, a line per SKU."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.orders.models import Base


class CartLine(Base):
    """A SKU in a cart; at most one line per SKU (the primary key). The cart's owner is a
    signed-in customer (their user id) or an anonymous cart (`AnonymousCart.id`): time-ordered
    UUIDs of their own, so the two never meet."""

    __tablename__ = "cart_lines"

    owner_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, onupdate=now)


class AnonymousCart(Base):
    """A visitor's cart before they sign in, reached by its secret token alone: only the
    token's SHA-256 is kept. It expires once untouched (no line put or removed) for
    `ORDERS_ANONYMOUS_CART_DAYS`; a merge into a customer's cart deletes it."""

    __tablename__ = "anonymous_carts"
    __table_args__ = (
        Index("ux_anonymous_carts_token", "token_hash", unique=True),
        Index("ix_anonymous_carts_touched", "touched_at"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    touched_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
