"""Tables of orders: the order, its lines as priced, and the history of its states."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import Money, money_columns
from contracts.orders import Attribution, OrderLine
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.models import Base
from services.orders.shipping.schemas import ShippingAddress


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_newest", "customer_id", "placed_at", "id"),
        Index("ix_orders_status_expires", "status", "payment_expires_at"),
        Index("ix_orders_status_shipped", "status", "shipped_at"),
        Index("ix_orders_status_delivered", "status", "delivered_at"),
        Index("ix_orders_group", "group_id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    customer_id: Mapped[UUID] = mapped_column(Uuid)
    status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus), default=OrderStatus.PLACED
    )
    total_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    points: Mapped[int] = mapped_column(Integer, default=0)
    # Coupons, flash reservation, group, bargain, content: what the saga asks participants.
    attribution: Mapped[dict] = mapped_column(JSON, default=dict)
    # The group buy of the order (also in `attribution`), to find its orders when it closes.
    group_id: Mapped[UUID | None] = mapped_column(Uuid)
    # The shipping fee charged (in the order's currency; part of the total) and the freight
    # template's rule that set it; NULL: no template applied.
    shipping_fee_amount: Mapped[int | None] = mapped_column(BigInteger)
    shipping_rule: Mapped[str | None] = mapped_column(String(500))
    # The refund that gave the shipping fee back (at most one: set once, guarded).
    shipping_refund_id: Mapped[UUID | None] = mapped_column(Uuid)
    # Where it goes, as given at checkout (a copy: address-book edits leave it); NULL region:
    # none given. An erasure blanks all but the region (docs/orders.md).
    ship_recipient: Mapped[str | None] = mapped_column(String(100))
    ship_phone: Mapped[str | None] = mapped_column(String(16))
    ship_region: Mapped[str | None] = mapped_column(String(10))
    ship_address_lines: Mapped[list[str] | None] = mapped_column(JSON)
    ship_postal_code: Mapped[str | None] = mapped_column(String(10))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    payment_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lines: Mapped[list["OrderLineRow"]] = relationship(
        lazy="selectin", order_by="OrderLineRow.line_no", cascade="all, delete-orphan"
    )
    history: Mapped[list["OrderStep"]] = relationship(
        lazy="selectin", order_by="OrderStep.id", cascade="all, delete-orphan"
    )

    total = money_columns("total_amount", "currency")

    # Not composites: they share `currency` with the total, and None assigned to a composite
    # would clear the shared column.
    @property
    def shipping_fee(self) -> Money | None:
        return _money(self.shipping_fee_amount, self.currency)

    @property
    def shipping_address(self) -> dict | None:
        if self.ship_region is None:
            return None
        return {
            "recipient": self.ship_recipient,
            "phone": self.ship_phone,
            "region": self.ship_region,
            "address_lines": self.ship_address_lines,
            "postal_code": self.ship_postal_code,
        }

    def ship_to(self, address: ShippingAddress | None) -> None:
        if address is None:
            return
        self.ship_recipient, self.ship_phone = address.recipient, address.phone
        self.ship_region, self.ship_postal_code = address.region, address.postal_code
        self.ship_address_lines = list(address.address_lines)

    @property
    def attributed(self) -> Attribution:
        return Attribution.model_validate(self.attribution)

    @property
    def coupon_ids(self) -> list[UUID]:
        return self.attributed.coupon_ids

    @property
    def campaign_ids(self) -> list[UUID]:
        return self.attributed.campaign_ids

    @property
    def bargain_id(self) -> UUID | None:
        return self.attributed.bargain_id

    @property
    def flash_reservation_id(self) -> UUID | None:
        return self.attributed.flash_reservation_id

    @property
    def flash_session_id(self) -> UUID | None:
        return self.attributed.flash_session_id

    def contract_lines(self) -> list[OrderLine]:
        """The lines as the events carry them, with their breakdown."""
        return [line.as_contract() for line in self.lines]


class OrderLineRow(Base):
    """One line of an order, priced when the order was placed; refunds are measured from it."""

    __tablename__ = "order_lines"

    order_id: Mapped[UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[UUID] = mapped_column(Uuid)  # the SKU (the column's name is older)
    quantity: Mapped[int] = mapped_column(Integer)
    list_price_amount: Mapped[int] = mapped_column(BigInteger)
    unit_price_amount: Mapped[int] = mapped_column(BigInteger)
    paid_amount: Mapped[int] = mapped_column(BigInteger)
    # The line's share of the order's coupon discounts (campaigns' quote); NULL: none.
    coupon_discount_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # What after-sales requests and refunds have claimed of the line (open or settled): each
    # claim is one guarded UPDATE, so they never exceed `paid_amount` and `quantity`.
    claimed_refund: Mapped[int] = mapped_column(BigInteger, default=0)
    claimed_units: Mapped[int] = mapped_column(Integer, default=0)
    list_price = money_columns("list_price_amount", "currency")
    unit_price = money_columns("unit_price_amount", "currency")
    paid = money_columns("paid_amount", "currency")

    @property
    def coupon_discount(self) -> Money | None:
        return _money(self.coupon_discount_amount, self.currency)

    @property
    def sku_id(self) -> UUID:
        return self.product_id

    def as_contract(self) -> OrderLine:
        return OrderLine(
            sku_id=self.product_id,
            quantity=self.quantity,
            list_price=self.list_price,
            unit_price=self.unit_price,
            coupon_discount=self.coupon_discount,
            paid=self.paid,
        )

    @classmethod
    def from_contract(cls, line_no: int, line: OrderLine) -> "OrderLineRow":
        return cls(
            line_no=line_no,
            product_id=line.sku_id,
            quantity=line.quantity,
            list_price=line.list_price,
            unit_price=line.unit_price,
            coupon_discount_amount=_amount(line.coupon_discount),
            paid=line.paid,
        )


class OrderStep(Base):
    """One state the order entered: when, and why (the event or actor that caused it)."""

    __tablename__ = "order_steps"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)  # time-ordered
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    cause: Mapped[str] = mapped_column(String(500))


def _money(amount: int | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount=amount, currency=currency)


def _amount(money: Money | None) -> int | None:
    return None if money is None else money.amount
