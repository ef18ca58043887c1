"""Supplier and purchase-order routes (operators): suppliers with their scorecards, the SKUs
they restock, reorder figures, purchase orders from draft to received."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import Conflict, responses
from chassis.pagination import Page, PageDep, fetch_page
from services.catalog.settings import SettingsDep
from services.catalog.suppliers import rules, service
from services.catalog.suppliers.models import PurchaseOrder, Supplier
from services.catalog.suppliers.rules import OrderState
from services.catalog.suppliers.schemas import (
    LineIn,
    LineOut,
    PurchaseOrderIn,
    PurchaseOrderOut,
    ReceiptIn,
    ReorderOut,
    ScorecardOut,
    SuggestedOrderIn,
    SuggestedOrderOut,
    SuppliedSkuIn,
    SuppliedSkuOut,
    SupplierChange,
    SupplierIn,
    SupplierOut,
)

router = APIRouter(tags=["suppliers"])

READ_ERRORS = responses(401, 403, 404, 422)
CHANGE_ERRORS = responses(401, 403, 404, 409, 422)


async def _supplier(session, supplier: Supplier) -> SupplierOut:
    card = await service.scorecard(session, supplier.id)
    return SupplierOut(
        id=supplier.id,
        name=supplier.name,
        contact=supplier.contact,
        lead_time_days=supplier.lead_time_days,
        created_at=supplier.created_at,
        scorecard=ScorecardOut(
            receipts=card.receipts,
            on_time=card.on_time,
            on_time_rate=card.on_time_rate,
            units=card.units,
            defective=card.defective,
            defect_rate=card.defect_rate,
        ),
    )


def _order(order: PurchaseOrder) -> PurchaseOrderOut:
    fields = {f: getattr(order, f) for f in PurchaseOrderOut.model_fields if f != "lines"}
    lines = [
        LineOut(
            sku_id=x.sku_id,
            quantity=x.quantity,
            received=x.received,
            defective=x.defective,
            outstanding=x.outstanding,
        )
        for x in order.lines
    ]
    return PurchaseOrderOut(**fields, lines=lines)


def _figures(sku_id: UUID, figures: rules.Reorder) -> ReorderOut:
    return ReorderOut(
        sku_id=sku_id,
        sold_30d=figures.sold,
        velocity_per_day=round(float(figures.velocity), 4),
        lead_time_days=figures.lead_time_days,
        safety_stock=figures.safety_stock,
        reorder_point=figures.reorder_point,
        available=figures.available,
        on_order=figures.on_order,
        position=figures.position,
        quantity=figures.quantity,
    )


@router.post(
    "/suppliers",
    status_code=status.HTTP_201_CREATED,
    summary="Add a supplier with its lead time",
    responses=responses(401, 403, 409, 422),
)
async def create_supplier(body: SupplierIn, session: SessionDep, by: OperatorDep) -> SupplierOut:
    return await _supplier(session, await service.create_supplier(session, body, by.user_id))


@router.get("/suppliers", summary="Suppliers, by name", responses=responses(401, 403, 422))
async def list_suppliers(session: SessionDep, page: PageDep, by: OperatorDep) -> Page[SupplierOut]:
    rows, next_cursor = await fetch_page(
        session, select(Supplier), key=[Supplier.name, Supplier.id], page=page, descending=False
    )
    return Page(items=[await _supplier(session, s) for s in rows], next_cursor=next_cursor)


@router.get(
    "/suppliers/{supplier_id}",
    summary="A supplier with its scorecard (on-time and defect rates from its receipts)",
    responses=READ_ERRORS,
)
async def get_supplier(supplier_id: UUID, session: SessionDep, by: OperatorDep) -> SupplierOut:
    return await _supplier(session, await service.get_supplier(session, supplier_id))


@router.patch(
    "/suppliers/{supplier_id}",
    summary="Change a supplier's name, contact or lead time (fields left out stay)",
    responses=CHANGE_ERRORS,
)
async def change_supplier(
    supplier_id: UUID, body: SupplierChange, session: SessionDep, by: OperatorDep
) -> SupplierOut:
    return await _supplier(session, await service.change_supplier(session, supplier_id, body))


@router.put(
    "/suppliers/{supplier_id}/skus/{sku_id}",
    summary="Record that the supplier restocks a SKU, with the safety stock kept of it",
    responses=READ_ERRORS,
)
async def supply(
    supplier_id: UUID, sku_id: UUID, body: SuppliedSkuIn, session: SessionDep, by: OperatorDep
) -> SuppliedSkuOut:
    supplied = await service.supply(session, supplier_id, sku_id, body.safety_stock)
    return SuppliedSkuOut(
        supplier_id=supplied.supplier_id, sku_id=supplied.sku_id, safety_stock=supplied.safety_stock
    )


@router.get(
    "/suppliers/{supplier_id}/reorder",
    summary="Each SKU the supplier restocks with its reorder point and what to order now",
    responses=READ_ERRORS,
)
async def reorder(
    supplier_id: UUID, session: SessionDep, settings: SettingsDep, by: OperatorDep
) -> list[ReorderOut]:
    figures = await service.reorder_figures(session, supplier_id, settings.reorder_cover_days)
    return [_figures(sku_id, f) for sku_id, f in figures]


@router.post(
    "/purchase-orders",
    status_code=status.HTTP_201_CREATED,
    summary="Draft a purchase order by hand",
    responses=CHANGE_ERRORS,
)
async def create_order(
    body: PurchaseOrderIn, session: SessionDep, by: OperatorDep
) -> PurchaseOrderOut:
    return _order(await service.create_order(session, body, by.user_id))


@router.post(
    "/suppliers/{supplier_id}/reorder",
    status_code=status.HTTP_201_CREATED,
    summary="Draft a purchase order of every SKU of the supplier at or below its reorder "
    "point, with the figures behind each quantity (409 when none is)",
    responses=CHANGE_ERRORS,
)
async def suggest_order(
    supplier_id: UUID,
    session: SessionDep,
    settings: SettingsDep,
    by: OperatorDep,
    body: SuggestedOrderIn | None = None,
) -> SuggestedOrderOut:
    figures = await service.reorder_figures(session, supplier_id, settings.reorder_cover_days)
    due = [(sku_id, f) for sku_id, f in figures if f.quantity > 0]
    if not due:
        raise Conflict("No SKU of this supplier is at or below its reorder point.")
    draft = PurchaseOrderIn(
        supplier_id=supplier_id,
        lines=[LineIn(sku_id=sku_id, quantity=f.quantity) for sku_id, f in due],
        note=body.note if body else None,
    )
    order = await service.create_order(session, draft, by.user_id, suggested=True)
    return SuggestedOrderOut(
        purchase_order=_order(order), figures=[_figures(sku_id, f) for sku_id, f in due]
    )


@router.get(
    "/purchase-orders",
    summary="Purchase orders, newest first, by supplier and state",
    responses=responses(401, 403, 422),
)
async def list_orders(
    session: SessionDep,
    page: PageDep,
    by: OperatorDep,
    supplier_id: Annotated[UUID | None, Query()] = None,
    state: Annotated[OrderState | None, Query()] = None,
) -> Page[PurchaseOrderOut]:
    statement = select(PurchaseOrder)
    if supplier_id is not None:
        statement = statement.where(PurchaseOrder.supplier_id == supplier_id)
    if state is not None:
        statement = statement.where(PurchaseOrder.state == state)
    rows, next_cursor = await fetch_page(
        session, statement, key=[PurchaseOrder.created_at, PurchaseOrder.id], page=page
    )
    return Page(items=[_order(o) for o in rows], next_cursor=next_cursor)


@router.get("/purchase-orders/{order_id}", summary="A purchase order", responses=READ_ERRORS)
async def get_order(order_id: UUID, session: SessionDep, by: OperatorDep) -> PurchaseOrderOut:
    return _order(await service.get_order(session, order_id))


@router.post(
    "/purchase-orders/{order_id}/send",
    summary="Send a draft to the supplier (draft → sent): expected within its lead time",
    responses=CHANGE_ERRORS,
)
async def send(order_id: UUID, session: SessionDep, by: OperatorDep) -> PurchaseOrderOut:
    return _order(await service.send(session, order_id))


@router.post(
    "/purchase-orders/{order_id}/receipts",
    summary="Receive a delivery: good units into stock, defective ones counted (sent or "
    "partially_received → partially_received or received)",
    responses=CHANGE_ERRORS,
)
async def receive(
    order_id: UUID, body: ReceiptIn, session: SessionDep, by: OperatorDep
) -> PurchaseOrderOut:
    return _order(await service.receive(session, order_id, body, by.user_id))


@router.post(
    "/purchase-orders/{order_id}/cancel",
    summary="Cancel a draft, or a sent order of which nothing arrived",
    responses=CHANGE_ERRORS,
)
async def cancel(order_id: UUID, session: SessionDep, by: OperatorDep) -> PurchaseOrderOut:
    return _order(await service.cancel(session, order_id))
