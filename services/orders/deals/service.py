"""Group buys and bargains at checkout: the read model kept from campaigns' events, and the
deal an order takes (`closing.py` settles the orders of a group that closed)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from chassis.http.problems import InvalidInput
from chassis.money import Money
from contracts.campaigns import BargainCompleted, GroupOpened
from services.orders.deals import rules
from services.orders.deals.models import BargainDeal, FlashClaim, GroupDeal
from services.orders.deals.rules import BargainTerms, Deal, FlashUnusable, GroupStatus, GroupTerms

# --- the read model -------------------------------------------------------------------------


async def group_opened(session: AsyncSession, event: GroupOpened) -> None:
    await known_group(session, event.group_id, event.sku_id, event.group_price, event.expires_at)


async def known_group(
    session: AsyncSession, group_id: UUID, sku_id: UUID, price: Money, expires_at: datetime
) -> None:
    """The group in the read model, open, unless it is there already (a redelivery, or a
    closing event that arrived first for a new subscriber)."""
    await insert_if_absent(
        session,
        GroupDeal.__table__,
        group_id=group_id,
        sku_id=sku_id,
        price_amount=price.amount,
        currency=price.currency,
        expires_at=expires_at,
        status=GroupStatus.OPEN,
    )


async def bargain_completed(session: AsyncSession, event: BargainCompleted) -> None:
    await insert_if_absent(
        session,
        BargainDeal.__table__,
        bargain_id=event.bargain_id,
        sku_id=event.sku_id,
        starter_id=event.starter_id,
        price_amount=event.floor_price.amount,
        currency=event.floor_price.currency,
        order_until=event.order_until,
    )


# --- checkout -------------------------------------------------------------------------------


async def group_deal(
    session: AsyncSession, group_id: UUID, customer_id: UUID, at: datetime, *, lock: bool
) -> Deal:
    """The group's price for the customer's order; `lock`: the group's row locked until the
    order is written (so that a closing event waits for it, then sweeps it)."""
    statement = select(GroupDeal).where(GroupDeal.group_id == group_id)
    group = await session.scalar(statement.with_for_update() if lock else statement)
    terms = None
    if group is not None:
        terms = GroupTerms(
            sku_id=group.sku_id,
            price=group.price,
            status=GroupStatus(group.status),
            expires_at=group.expires_at,
            members=frozenset(UUID(m) for m in group.members or ()),
        )
    return rules.group_deal(terms, customer_id, at)


async def bargain_deal(
    session: AsyncSession, bargain_id: UUID, customer_id: UUID, at: datetime
) -> Deal:
    bargain = await session.get(BargainDeal, bargain_id)
    terms = None
    if bargain is not None:
        terms = BargainTerms(
            sku_id=bargain.sku_id,
            starter_id=bargain.starter_id,
            floor_price=bargain.price,
            order_until=bargain.order_until,
            ordered=bargain.order_id is not None,
        )
    return rules.bargain_deal(terms, customer_id, at)


async def take_bargain(session: AsyncSession, bargain_id: UUID, order_id: UUID) -> None:
    """The order takes the bargain, once: a guarded UPDATE, so of two racing orders one does
    (the other is a 422, before anything of it is written)."""
    taken = await session.execute(
        update(BargainDeal)
        .where(BargainDeal.bargain_id == bargain_id, BargainDeal.order_id.is_(None))
        .values(order_id=order_id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise InvalidInput(rules.BARGAIN, "the bargain was ordered already")


async def claim_flash(session: AsyncSession, reservation_id: UUID, order_id: UUID) -> None:
    """The order claims the flash reservation, or a 409 naming it when a live order holds it:
    one insert on the claim's primary key, so of racing checkouts one claims it (on
    PostgreSQL the others wait for its transaction, then find its claim; if it rolled back,
    one of them claims it). The caller's transaction then writes nothing."""
    if not await insert_if_absent(
        session,
        FlashClaim.__table__,
        flash_reservation_id=reservation_id,
        order_id=order_id,
        claimed_at=now(),
    ):
        raise FlashUnusable("another order holds the flash reservation")


async def release_flash(session: AsyncSession, order_id: UUID) -> None:
    """The cancelled order's claim goes: a live order may name the reservation again, if
    campaigns says it is still reserved."""
    await session.execute(
        delete(FlashClaim)
        .where(FlashClaim.order_id == order_id)
        .execution_options(synchronize_session=False)
    )


async def group_of(session: AsyncSession, group_id: UUID) -> GroupDeal | None:
    return await session.get(GroupDeal, group_id)
