"""Supplier and purchase-order operations, each one transaction with its events.

A receipt takes the order's row lock first (receipts of one order queue), adds to each line
in one guarded statement (`received + defective + :n <= quantity`), and moves the order with
the state it leaves in the `WHERE`: concurrent receipts never take in more than was ordered
and the order ends `received` exactly when nothing more is expected."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from contracts.catalog import PurchaseOrderReceived, ReceivedLine
from services.catalog.inventory import service as inventory
from services.catalog.inventory.models import StockLevel
from services.catalog.products.models import Sku
from services.catalog.suppliers import rules
from services.catalog.suppliers.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    SuppliedSku,
    Supplier,
)
from services.catalog.suppliers.rules import OrderAction, OrderState
from services.catalog.suppliers.schemas import (
    PurchaseOrderIn,
    ReceiptIn,
    SupplierChange,
    SupplierIn,
)

OPEN = (OrderState.DRAFT, OrderState.SENT, OrderState.PARTIALLY_RECEIVED)


# --- suppliers -------------------------------------------------------------------------------


async def create_supplier(session: AsyncSession, body: SupplierIn, by: UUID) -> Supplier:
    supplier = Supplier(**body.model_dump(), created_by=by, created_at=now())
    session.add(supplier)
    await _unique_name(session)
    return supplier


async def change_supplier(
    session: AsyncSession, supplier_id: UUID, body: SupplierChange
) -> Supplier:
    supplier = await get_supplier(session, supplier_id)
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "lead_time_days"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"body.{required}", "may be left out, not null")
    for name, value in changes.items():
        setattr(supplier, name, value)
    await _unique_name(session)
    return supplier


async def get_supplier(session: AsyncSession, supplier_id: UUID) -> Supplier:
    supplier = await session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"No supplier {supplier_id}.")
    return supplier


async def scorecard(session: AsyncSession, supplier_id: UUID) -> rules.Scorecard:
    """On-time and defect rates from every receipt of the supplier's orders."""
    receipts, on_time, units, defective = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((Receipt.on_time, 1), else_=0)), 0),
                func.coalesce(func.sum(Receipt.units), 0),
                func.coalesce(func.sum(Receipt.defective), 0),
            ).where(Receipt.supplier_id == supplier_id)
        )
    ).one()
    return rules.Scorecard(int(receipts), int(on_time), int(units), int(defective))


async def supply(
    session: AsyncSession, supplier_id: UUID, sku_id: UUID, safety_stock: int
) -> SuppliedSku:
    """Record that the supplier restocks the SKU, with its safety stock (or change it)."""
    await get_supplier(session, supplier_id)
    if await session.get(StockLevel, sku_id) is None:
        raise NotFound(f"No SKU {sku_id}.")
    supplied = await session.get(SuppliedSku, (supplier_id, sku_id))
    if supplied is None:
        supplied = SuppliedSku(supplier_id=supplier_id, sku_id=sku_id)
        session.add(supplied)
    supplied.safety_stock = safety_stock
    try:
        await session.commit()
    except IntegrityError:  # the same link made at the same moment: it exists now
        await session.rollback()
        supplied = await session.get(SuppliedSku, (supplier_id, sku_id))
        supplied.safety_stock = safety_stock
        await session.commit()
    return supplied


async def reorder_figures(
    session: AsyncSession, supplier_id: UUID, cover_days: int
) -> list[tuple[UUID, rules.Reorder]]:
    """Each SKU the supplier restocks, with what its figures say to order."""
    supplier = await get_supplier(session, supplier_id)
    supplied = list(
        await session.scalars(
            select(SuppliedSku)
            .where(SuppliedSku.supplier_id == supplier_id)
            .order_by(SuppliedSku.sku_id)
        )
    )
    ids = [s.sku_id for s in supplied]
    if not ids:
        return []
    since = now() - timedelta(days=rules.VELOCITY_DAYS)
    sold = await inventory.sold_since(session, ids, since)
    levels = await inventory.levels(session, ids)
    on_order = dict(
        (
            await session.execute(
                select(
                    PurchaseOrderLine.sku_id,
                    func.sum(
                        PurchaseOrderLine.quantity
                        - PurchaseOrderLine.received
                        - PurchaseOrderLine.defective
                    ),
                )
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                .where(PurchaseOrderLine.sku_id.in_(ids), PurchaseOrder.state.in_(OPEN))
                .group_by(PurchaseOrderLine.sku_id)
            )
        ).all()
    )
    return [
        (
            s.sku_id,
            rules.reorder(
                sold=sold[s.sku_id],
                lead_time_days=supplier.lead_time_days,
                safety_stock=s.safety_stock,
                available=levels[s.sku_id].available,
                on_order=int(on_order.get(s.sku_id) or 0),
                cover_days=cover_days,
            ),
        )
        for s in supplied
    ]


# --- purchase orders -------------------------------------------------------------------------


async def get_order(session: AsyncSession, order_id: UUID) -> PurchaseOrder:
    order = await session.get(PurchaseOrder, order_id, populate_existing=True)
    if order is None:
        raise NotFound(f"No purchase order {order_id}.")
    await session.refresh(order, ["lines"])
    return order


async def create_order(
    session: AsyncSession, body: PurchaseOrderIn, by: UUID, *, suggested: bool = False
) -> PurchaseOrder:
    await get_supplier(session, body.supplier_id)
    seen: set[UUID] = set()
    for i, line in enumerate(body.lines):
        if line.sku_id in seen:
            raise InvalidInput(f"body.lines.{i}.sku_id", "is already a line of this order")
        seen.add(line.sku_id)
        await _sku(session, line.sku_id, f"body.lines.{i}.sku_id")
    order = PurchaseOrder(
        supplier_id=body.supplier_id,
        state=OrderState.DRAFT,
        suggested=suggested,
        note=body.note,
        created_by=by,
        created_at=now(),
    )
    session.add(order)
    await session.flush()
    session.add_all(
        PurchaseOrderLine(
            purchase_order_id=order.id,
            sku_id=line.sku_id,
            quantity=line.quantity,
            received=0,
            defective=0,
        )
        for line in body.lines
    )
    await session.commit()
    return await get_order(session, order.id)


async def send(session: AsyncSession, order_id: UUID) -> PurchaseOrder:
    """Draft → sent: it is expected within the supplier's lead time from now."""
    order = await get_order(session, order_id)
    leaving = rules.leaves(order.state, OrderAction.SEND)
    supplier = await get_supplier(session, order.supplier_id)
    at = now()
    await _move(
        session,
        order_id,
        leaving,
        state=OrderState.SENT,
        sent_at=at,
        expected_at=at + timedelta(days=supplier.lead_time_days),
    )
    await session.commit()
    return await get_order(session, order_id)


async def cancel(session: AsyncSession, order_id: UUID) -> PurchaseOrder:
    """A draft or a sent order of which nothing arrived is cancelled."""
    order = await get_order(session, order_id)
    leaving = rules.leaves(order.state, OrderAction.CANCEL)
    await _move(session, order_id, leaving, state=OrderState.CANCELLED, closed_at=now())
    await session.commit()
    return await get_order(session, order_id)


async def receive(
    session: AsyncSession, order_id: UUID, body: ReceiptIn, by: UUID
) -> PurchaseOrder:
    """A delivery: its good units go on hand (ledger `receipt` entries naming the order), its
    defective ones count against the supplier; never more than is outstanding per line."""
    order = await session.scalar(
        select(PurchaseOrder).where(PurchaseOrder.id == order_id).with_for_update()
    )
    if order is None:
        raise NotFound(f"No purchase order {order_id}.")
    leaving = rules.leaves(order.state, OrderAction.RECEIVE)
    ordered = {line.sku_id for line in order.lines}
    seen: set[UUID] = set()
    for i, line in enumerate(body.lines):
        if line.sku_id not in ordered:
            raise InvalidInput(f"body.lines.{i}.sku_id", "is not a line of this order")
        if line.sku_id in seen:
            raise InvalidInput(f"body.lines.{i}.sku_id", "is given twice")
        if line.quantity + line.defective == 0:
            raise InvalidInput(f"body.lines.{i}.quantity", "receive at least one unit")
        seen.add(line.sku_id)
    at = now()
    for i, line in sorted(enumerate(body.lines), key=lambda x: x[1].sku_id):
        arriving = line.quantity + line.defective
        done = await session.execute(
            update(PurchaseOrderLine)
            .where(
                PurchaseOrderLine.purchase_order_id == order_id,
                PurchaseOrderLine.sku_id == line.sku_id,
                PurchaseOrderLine.received + PurchaseOrderLine.defective + arriving
                <= PurchaseOrderLine.quantity,
            )
            .values(
                received=PurchaseOrderLine.received + line.quantity,
                defective=PurchaseOrderLine.defective + line.defective,
            )
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            await session.rollback()
            left = await _outstanding(session, order_id, line.sku_id)
            raise InvalidInput(
                f"body.lines.{i}.quantity",
                f"{arriving} units (good and defective) is more than the {left} outstanding",
            )
        if line.quantity:
            await inventory.receive(session, line.sku_id, line.quantity, order_id, by)
    outstanding = await session.scalar(
        select(
            func.sum(
                PurchaseOrderLine.quantity
                - PurchaseOrderLine.received
                - PurchaseOrderLine.defective
            )
        ).where(PurchaseOrderLine.purchase_order_id == order_id)
    )
    reaches = rules.after_receipt(int(outstanding))
    on_time = order.expected_at is None or at <= order.expected_at
    await _move(
        session,
        order_id,
        leaving,
        state=reaches,
        closed_at=at if reaches == OrderState.RECEIVED else None,
    )
    receipt = Receipt(
        purchase_order_id=order_id,
        supplier_id=order.supplier_id,
        on_time=on_time,
        units=sum(x.quantity + x.defective for x in body.lines),
        defective=sum(x.defective for x in body.lines),
        note=body.note,
        received_by=by,
        received_at=at,
    )
    session.add(receipt)
    await session.flush()
    await outbox.add(
        session,
        PurchaseOrderReceived(
            purchase_order_id=order_id,
            supplier_id=order.supplier_id,
            receipt_id=receipt.id,
            lines=[
                ReceivedLine(sku_id=x.sku_id, quantity=x.quantity, defective=x.defective)
                for x in sorted(body.lines, key=lambda x: x.sku_id)
            ],
            complete=reaches == OrderState.RECEIVED,
            on_time=on_time,
            received_at=at,
        ),
    )
    await session.commit()
    return await get_order(session, order_id)


# --- helpers ---------------------------------------------------------------------------------


async def _move(session, order_id: UUID, leaving, **values) -> None:
    done = await session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.id == order_id, PurchaseOrder.state.in_(leaving))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        await session.rollback()
        raise rules.IllegalTransition(f"Purchase order {order_id} moved meanwhile.")


async def _outstanding(session, order_id: UUID, sku_id: UUID) -> int:
    line = await session.get(PurchaseOrderLine, (order_id, sku_id), populate_existing=True)
    return line.outstanding


async def _sku(session: AsyncSession, sku_id: UUID, field: str) -> None:
    found = await session.scalar(
        select(Sku.id).join(StockLevel, StockLevel.sku_id == Sku.id).where(Sku.id == sku_id)
    )
    if found is None:
        raise InvalidInput(field, f"no SKU {sku_id}")


async def _unique_name(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("Another supplier has this name.") from None
