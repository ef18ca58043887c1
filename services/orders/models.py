"""Tables of the orders database."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns


class Base(DeclarativeBase):
    pass


class OrderStatus(StrEnum):
    PLACED = "placed"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_newest", "customer_id", "placed_at", "id"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    customer_id: Mapped[UUID] = mapped_column(Uuid)
    status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus), default=OrderStatus.PLACED
    )
    total_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    lines: Mapped[list["OrderLineRow"]] = relationship(
        lazy="selectin", order_by="OrderLineRow.line_no", cascade="all, delete-orphan"
    )

    total = money_columns("total_amount", "currency")


class OrderLineRow(Base):
    """One line of an order, priced when the order was placed."""

    __tablename__ = "order_lines"

    order_id: Mapped[UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    unit_price = money_columns("unit_price_amount", "currency")


class KnownProduct(Base):
    """Read model built from catalog events: what can be ordered, and at what price."""

    __tablename__ = "known_products"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")
