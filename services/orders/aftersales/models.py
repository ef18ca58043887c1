"""Tables of after-sales: a customer's request, its lines, the history of its states."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns
from contracts.orders import AfterSaleKind, AfterSaleLine
from services.orders.aftersales.lifecycle import AfterSaleStatus
from services.orders.models import Base


class AfterSale(Base):
    __tablename__ = "aftersales"
    __table_args__ = (
        Index("ix_aftersales_customer_newest", "customer_id", "requested_at", "id"),
        Index("ix_aftersales_status_newest", "status", "requested_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[UUID] = mapped_column(Uuid)
    kind: Mapped[AfterSaleKind] = mapped_column(enum_column(AfterSaleKind))
    status: Mapped[AfterSaleStatus] = mapped_column(
        enum_column(AfterSaleStatus), default=AfterSaleStatus.REQUESTED
    )
    reason: Mapped[str] = mapped_column(String(500))
    photo_urls: Mapped[list] = mapped_column(JSON, default=list)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    decided_by: Mapped[UUID | None] = mapped_column(Uuid)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    resaleable: Mapped[bool | None] = mapped_column(Boolean)
    refund_id: Mapped[UUID | None] = mapped_column(Uuid)
    lines: Mapped[list["AfterSaleLineRow"]] = relationship(
        lazy="selectin", order_by="AfterSaleLineRow.line_no", cascade="all, delete-orphan"
    )
    history: Mapped[list["AfterSaleStep"]] = relationship(
        lazy="selectin", order_by="AfterSaleStep.id", cascade="all, delete-orphan"
    )
    amount = money_columns("amount_minor", "currency")

    def contract_lines(self) -> list[AfterSaleLine]:
        return [
            AfterSaleLine(
                line_no=line.line_no, sku_id=line.sku_id, quantity=line.quantity, amount=line.amount
            )
            for line in self.lines
        ]


class AfterSaleLineRow(Base):
    """An order line asked back: how many units, and the refund they are worth (claimed on
    the order line when the request was made, released if it is rejected)."""

    __tablename__ = "aftersale_lines"

    aftersale_id: Mapped[UUID] = mapped_column(
        ForeignKey("aftersales.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    amount = money_columns("amount_minor", "currency")


class AfterSaleStep(Base):
    """One state the request entered: when, and why (who did it, with their note)."""

    __tablename__ = "aftersale_steps"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)  # time-ordered
    aftersale_id: Mapped[UUID] = mapped_column(
        ForeignKey("aftersales.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AfterSaleStatus] = mapped_column(enum_column(AfterSaleStatus))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    cause: Mapped[str] = mapped_column(String(600))
