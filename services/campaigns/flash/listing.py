"""Catalog's SKU listing during flash sessions: a SKU delisted stops its items in the sessions
still selling (pending or held), so they take no reservation while the session's other items
sell on; relisted, they sell again. Reservations taken before stay (the catalog refuses to
reserve a delisted SKU for their orders).

Each move is a guarded UPDATE naming the value it leaves (`stopped_at IS NULL` to stop, `IS
NOT NULL` to resume), and the consumer's inbox takes a redelivered change once; catalog's
changes of one SKU share its key, so they come in order."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.catalog import SkuListingChanged
from services.campaigns.flash.lifecycle import SessionState
from services.campaigns.flash.models import FlashItem, FlashSession

SELLING = (SessionState.PENDING, SessionState.HELD)


async def listing_changed(session: AsyncSession, event: SkuListingChanged) -> int:
    """Stop (delisted) or resume (relisted) the SKU's items in sessions still selling; how
    many moved."""
    selling = select(FlashSession.id).where(FlashSession.state.in_(SELLING))
    if event.listed:
        leaves, values = FlashItem.stopped_at.is_not(None), {"stopped_at": None}
    else:
        leaves, values = FlashItem.stopped_at.is_(None), {"stopped_at": event.at}
    moved = await session.execute(
        update(FlashItem)
        .where(FlashItem.sku_id == event.sku_id, FlashItem.session_id.in_(selling), leaves)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount
