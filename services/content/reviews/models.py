"""Tables of reviews: the reviews, and the purchases (a read model of paid orders)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Index, SmallInteger, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.content.models import Base


class Purchase(Base):
    """That a customer paid for a SKU, from `orders.order.paid`: what verifies a review."""

    __tablename__ = "purchases"

    customer_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    order_id: Mapped[UUID] = mapped_column(Uuid)  # the first paid order with it
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Review(Base):
    """Whether it is verified is read from `purchases` at each read, never stored: a payment
    that arrives after the review verifies it, and nothing can mark it verified otherwise."""

    __tablename__ = "reviews"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    author: Mapped[UUID] = mapped_column(Uuid)
    rating: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    flags: Mapped[list[dict]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    __table_args__ = (
        # One review per customer and SKU: a second is an edit of the first.
        UniqueConstraint("author", "sku_id", name="uq_reviews_author_sku"),
        Index("ix_reviews_sku_created", "sku_id", "created_at", "id"),
    )
