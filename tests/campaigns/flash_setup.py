"""Flash sessions and reservations as the routes make them, for the flash tests: through
`service.reserve` with the route's idempotency, the Redis path's write-down, and the keys a
Redis test leaves behind."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from chassis.clock import now as clock
from chassis.idempotency import Idempotency
from chassis.ids import new_id
from contracts.catalog import FlashStockHeld
from services.campaigns.flash import holds, service
from services.campaigns.flash.schemas import ReservationOut, ReservationRequest, SessionRequest
from services.campaigns.flash.sessions import SessionCache
from services.campaigns.flash.stock import RedisStock, keys, stream

ROUTE = "POST /flash/{session_id}/reservations"
SESSIONS = SessionCache()


async def open_session(db, stock, sku_id: UUID, units: int, limit: int, held: bool = True):
    """A session open now with one SKU at ¥9.90, its stock held by the catalog (unless
    `held` is false); a Redis store remembers its keys to forget."""
    now = datetime.now(UTC)
    body = SessionRequest(
        name="10:00 秒杀",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        items=[
            {
                "sku_id": sku_id,
                "flash_price": {"amount": 9_90, "currency": "CNY"},
                "stock": units,
                "per_user_limit": limit,
            }
        ],
    )
    async with db.session() as session:
        flash = await service.create_session(session, body, new_id(), stock)
    if held:
        await held_by_catalog(db, flash)
    if isinstance(stock, RedisStock):
        stock.created += flash.items
    return flash


async def held_by_catalog(db, flash) -> None:
    """Catalog's `flash_stock.held` for every item of the session (its terms, or its page's
    JSON), as the consumer takes it."""
    if isinstance(flash, dict):
        session_id = UUID(flash["id"])
        items = [(UUID(i["sku_id"]), i["stock"]) for i in flash["items"]]
    else:
        session_id, items = flash.id, [(i.sku_id, i.stock) for i in flash.items]
    for sku_id, units in items:
        async with db.session() as session:
            answer = FlashStockHeld(
                session_id=session_id, sku_id=sku_id, quantity=units, at=clock()
            )
            await holds.held(session, answer)
            await session.commit()


async def reserve(
    db, stock, session_id: UUID, customer_id: UUID, sku_id: UUID, key: str | None = None, **body
):
    """A reservation's response (201, or a replay); refusals raise as the route's do."""
    path = f"/api/v1/campaigns/flash/{session_id}/reservations"
    return await service.reserve(
        db,
        stock,
        SESSIONS,
        Idempotency(key, ROUTE, path),
        session_id,
        customer_id,
        ReservationRequest(sku_id=sku_id, **body),
    )


def reservation(response) -> ReservationOut:
    return ReservationOut.model_validate_json(response.body)


async def written_down(db, stock, session_id: UUID) -> int:
    """What the Redis path's background write-down would do next (nothing on the database
    path, whose reservations are rows already)."""
    if isinstance(stock, RedisStock):
        return await service.write_down(db, stock, [session_id])
    return 0


async def forget(stock: RedisStock) -> None:
    """Delete the Redis keys of the items in `stock.created` and of their sessions."""
    for item in stock.created:
        await stock.redis.delete(*keys(item.session_id, item.id), stream(item.session_id))
        async for name in stock.redis.scan_iter(match=f"{{flash:{item.session_id}}}:*"):
            await stock.redis.delete(name)
