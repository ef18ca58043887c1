"""Tables of suppliers, the SKUs they supply, purchase orders and their receipts."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.catalog.models import Base
from services.catalog.suppliers.rules import OrderState


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact: Mapped[str | None] = mapped_column(String(500))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class SuppliedSku(Base):
    """A SKU a supplier restocks, and the safety stock kept of it beyond lead-time demand."""

    __tablename__ = "supplied_skus"
    __table_args__ = (CheckConstraint("safety_stock >= 0", name="ck_supplied_skus_safety"),)

    supplier_id: Mapped[UUID] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_supplier", "supplier_id", "created_at", "id"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    supplier_id: Mapped[UUID] = mapped_column(ForeignKey("suppliers.id"))
    state: Mapped[OrderState] = mapped_column(enum_column(OrderState), default=OrderState.DRAFT)
    suggested: Mapped[bool] = mapped_column(Boolean, default=False)  # from the reorder point
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # sent + lead time
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # received or cancelled

    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        order_by="PurchaseOrderLine.sku_id", lazy="selectin"
    )


class PurchaseOrderLine(Base):
    """What was ordered of a SKU, and what of it arrived: good (`received`, added to stock)
    or `defective` (refused). The check keeps both within what was ordered."""

    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_po_lines_quantity"),
        CheckConstraint(
            "received >= 0 AND defective >= 0 AND received + defective <= quantity",
            name="ck_po_lines_received",
        ),
    )

    purchase_order_id: Mapped[UUID] = mapped_column(
        ForeignKey("purchase_orders.id"), primary_key=True
    )
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    defective: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received - self.defective


class Receipt(Base):
    """One delivery against a purchase order: what the scorecard is computed from."""

    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_supplier", "supplier_id", "received_at"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    purchase_order_id: Mapped[UUID] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    supplier_id: Mapped[UUID] = mapped_column(ForeignKey("suppliers.id"))
    on_time: Mapped[bool] = mapped_column(Boolean)
    units: Mapped[int] = mapped_column(Integer)  # good and defective
    defective: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    received_by: Mapped[UUID] = mapped_column(Uuid)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
