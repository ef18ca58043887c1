"""Anonymous carts: created with a secret token, reached by that token alone, gone once
untouched for their time to live (or merged into a customer's cart)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database
from chassis.http.problems import NotFound
from chassis.ids import new_id
from services.orders.carts.models import AnonymousCart, CartLine
from services.orders.carts.tokens import new_token, token_hash

SWEEP_BATCH = 200


class NoSuchCart(NotFound):
    """A token that opens no cart: wrong, expired or merged alike, so the answer tells a caller
    without the token nothing about any cart."""

    def __init__(self) -> None:
        super().__init__(
            "No cart has this X-Cart-Token: it may be mistyped, expired after a while "
            "untouched, or merged into a customer's cart."
        )


@dataclass(frozen=True)
class Held:
    """An anonymous cart as a token found it, and when it expires if left untouched."""

    id: UUID
    expires_at: datetime


async def create(session: AsyncSession, ttl: timedelta) -> tuple[Held, str]:
    """A new, empty anonymous cart, and its token (only its hash is stored: shown once)."""
    token, at = new_token(), now()
    cart = AnonymousCart(id=new_id(), token_hash=token_hash(token), created_at=at, touched_at=at)
    session.add(cart)
    await session.flush()
    return Held(cart.id, at + ttl), token


def _live(token: str, ttl: timedelta) -> tuple:
    return AnonymousCart.token_hash == token_hash(token), AnonymousCart.touched_at > now() - ttl


async def find(session: AsyncSession, token: str, ttl: timedelta) -> Held:
    """The live cart the token opens, to read (a read does not keep it alive)."""
    row = (
        await session.execute(
            select(AnonymousCart.id, AnonymousCart.touched_at).where(*_live(token, ttl))
        )
    ).one_or_none()
    if row is None:
        raise NoSuchCart()
    return Held(row.id, row.touched_at + ttl)


async def touch(session: AsyncSession, token: str, ttl: timedelta) -> Held:
    """The live cart the token opens, to change: touched now (its time to live starts over),
    its row locked until commit, so a merge of it waits for the change or the change finds it
    merged."""
    at = now()
    row = (
        await session.execute(
            update(AnonymousCart)
            .where(*_live(token, ttl))
            .values(touched_at=at)
            .returning(AnonymousCart.id)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if row is None:
        raise NoSuchCart()
    return Held(row.id, at + ttl)


async def claim(session: AsyncSession, token: str, ttl: timedelta) -> UUID:
    """Delete the live cart the token opens, for a merge, and give its id (its lines are the
    caller's to move): one guarded DELETE, so of two merges of one cart only one finds it."""
    row = (
        await session.execute(
            delete(AnonymousCart)
            .where(*_live(token, ttl))
            .returning(AnonymousCart.id)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if row is None:
        raise NoSuchCart()
    return row.id


async def delete_expired(db: Database, ttl: timedelta) -> int:
    """Delete a batch of the carts untouched for `ttl` and their lines (the scheduler's job);
    how many. Safe with several replicas, and beside a put: rows are claimed SKIP LOCKED, and a
    put's token no longer finds a cart past its time to live."""
    async with db.session() as session, session.begin():
        claimed = (
            select(AnonymousCart.id)
            .where(AnonymousCart.touched_at <= now() - ttl)
            .order_by(AnonymousCart.touched_at)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
        ids = list(await session.scalars(claimed))
        if ids:
            await session.execute(delete(CartLine).where(CartLine.owner_id.in_(ids)))
            await session.execute(delete(AnonymousCart).where(AnonymousCart.id.in_(ids)))
    return len(ids)
