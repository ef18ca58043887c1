"""Tables of refunds: money given back for an order, with the lines it covers."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import Money, money_columns
from contracts.orders import RefundedLine
from services.orders.models import Base


class RefundStatus(StrEnum):
    PENDING = "pending"  # recorded, not yet confirmed by the provider
    SUCCEEDED = "succeeded"


class Refund(Base):
    """Money back to the customer: of a paid order (an approved after-sales request, or an
    operator's refund), or, `automatic`, of a payment the order could no longer take (it was
    cancelled meanwhile)."""

    __tablename__ = "refunds"
    __table_args__ = (
        # A payment is refunded automatically at most once.
        Index(
            "uq_refunds_automatic_payment",
            "payment_id",
            unique=True,
            sqlite_where=text("automatic"),
            postgresql_where=text("automatic"),
        ),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[UUID] = mapped_column(ForeignKey("payments.id"))
    # An after-sales request is settled by one refund at most.
    aftersale_id: Mapped[UUID | None] = mapped_column(Uuid, unique=True)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # the lines' and the shipping's
    currency: Mapped[str] = mapped_column(String(3))
    # The order's shipping fee given back with it (part of the amount); 0 for most refunds.
    shipping_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[RefundStatus] = mapped_column(
        enum_column(RefundStatus), default=RefundStatus.PENDING
    )
    restock: Mapped[bool] = mapped_column(Boolean, default=False)
    provider_reference: Mapped[str | None] = mapped_column(String(200))
    requested_by: Mapped[UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lines: Mapped[list["RefundLine"]] = relationship(
        lazy="selectin", order_by="RefundLine.line_no", cascade="all, delete-orphan"
    )
    amount = money_columns("amount_minor", "currency")

    @property
    def shipping_fee(self) -> Money | None:
        if not self.shipping_minor:
            return None
        return Money(amount=self.shipping_minor, currency=self.currency)

    def contract_lines(self) -> list[RefundedLine]:
        return [
            RefundedLine(
                line_no=line.line_no, sku_id=line.sku_id, quantity=line.quantity, amount=line.amount
            )
            for line in self.lines
        ]


class RefundLine(Base):
    """What a refund gives back for one order line: units returned (0 without a return)
    and the amount."""

    __tablename__ = "refund_lines"

    refund_id: Mapped[UUID] = mapped_column(
        ForeignKey("refunds.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    amount = money_columns("amount_minor", "currency")
