"""Inventory operations: stock levels and their ledger (the order saga's side: reservations)."""

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalog.inventory.models import LedgerEntry, LedgerReason, StockLevel


def open_stock(
    session: AsyncSession, sku_id: UUID, on_hand: int, threshold: int, by: UUID
) -> StockLevel:
    """The stock of a new SKU, and its ledger's first entry (within the caller's transaction)."""
    level = StockLevel(sku_id=sku_id, on_hand=on_hand, reserved=0, low_stock_threshold=threshold)
    session.add(level)
    if on_hand:
        session.add(
            LedgerEntry(sku_id=sku_id, delta=on_hand, reason=LedgerReason.INITIAL, created_by=by)
        )
    return level


async def levels(session: AsyncSession, sku_ids: Iterable[UUID]) -> dict[UUID, StockLevel]:
    ids = list(sku_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(StockLevel).where(StockLevel.sku_id.in_(ids)))
    return {level.sku_id: level for level in rows}
