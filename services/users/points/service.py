"""Operations on points. Every movement is one guarded UPDATE of the account (no bucket
below zero) and one ledger entry whose cause is unique; the saga's steps run inside the
consumer's transaction (the caller commits), each guarded by the state of its record."""

from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.pagination import PageRequest, fetch_page
from contracts.content import CallWinnerChosen, RewardKind
from contracts.orders import OrderCancelled, OrderCompleted, OrderPaid, OrderPlaced, RefundCompleted
from contracts.users import (
    EarnedFor,
    PointsEarned,
    PointsHeld,
    PointsRefused,
    PointsReleased,
    PointsReversed,
    PointsSpent,
    PointsUnfrozen,
)
from services.users.membership import service as membership
from services.users.points import rules
from services.users.points.models import (
    CallReward,
    EarningStatus,
    EntryKind,
    HoldStatus,
    PointsAccount,
    PointsEarning,
    PointsEntry,
    PointsHold,
)

ACCOUNTS = PointsAccount.__table__


class LedgerBroken(RuntimeError):
    """A movement that its record says must succeed did not: the handler fails (and the
    event goes to the DLQ after its retries) rather than record a ledger that does not sum."""


async def _open_account(session: AsyncSession, user_id: UUID) -> None:
    await session.execute(
        insert_for(session, ACCOUNTS)
        .values(user_id=user_id, available=0, frozen=0, held=0)
        .on_conflict_do_nothing()
    )


async def _move(
    session: AsyncSession,
    user_id: UUID,
    kind: EntryKind,
    cause: str,
    *,
    available: int = 0,
    frozen: int = 0,
    held: int = 0,
    order_id: UUID | None = None,
) -> bool:
    """Add the deltas to the account in one statement that refuses to take any bucket below
    zero, and record the entry; False (and nothing recorded) when it would have."""
    statement = update(ACCOUNTS).where(ACCOUNTS.c.user_id == user_id)
    deltas = {"available": available, "frozen": frozen, "held": held}
    for column, delta in deltas.items():
        if delta < 0:
            statement = statement.where(ACCOUNTS.c[column] >= -delta)
    values = {column: ACCOUNTS.c[column] + delta for column, delta in deltas.items() if delta}
    if values:
        result = await session.execute(statement.values(**values))
        if result.rowcount != 1:
            return False
    session.add(
        PointsEntry(
            user_id=user_id,
            kind=kind,
            available_delta=available,
            frozen_delta=frozen,
            held_delta=held,
            order_id=order_id,
            cause=cause,
        )
    )
    await session.flush()  # the unique cause fails here, in this step, if it ever repeats
    return True


async def _claim(session: AsyncSession, model, **values) -> bool:
    """Insert the record of a step unless it exists: True for the first of any deliveries."""
    table = model.__table__
    key = next(iter(table.primary_key.columns))
    statement = (insert_for(session, table).values(**values).on_conflict_do_nothing()).returning(
        key
    )
    return await session.scalar(statement) is not None


async def hold(session: AsyncSession, event: OrderPlaced) -> None:
    """Hold the points an order redeems, or refuse them all; decided once per order."""
    if event.points == 0:
        return
    user_id, order_id, points = event.customer_id, event.order_id, event.points
    if not await _claim(
        session,
        PointsHold,
        order_id=order_id,
        user_id=user_id,
        points=points,
        status=HoldStatus.HELD,
        updated_at=now(),
    ):
        return
    await _open_account(session, user_id)
    if await _move(
        session,
        user_id,
        EntryKind.HELD,
        f"held:{order_id}",
        available=-points,
        held=points,
        order_id=order_id,
    ):
        await outbox.add(session, PointsHeld(order_id=order_id, user_id=user_id, points=points))
        return
    await session.execute(
        update(PointsHold)
        .where(PointsHold.order_id == order_id)
        .values(status=HoldStatus.REFUSED, updated_at=now())
    )
    available = await session.scalar(
        select(PointsAccount.available).where(PointsAccount.user_id == user_id)
    )
    await outbox.add(
        session,
        PointsRefused(order_id=order_id, user_id=user_id, points=points, available=available),
    )


async def _settle_hold(session: AsyncSession, order_id: UUID, to: HoldStatus) -> PointsHold | None:
    """Move the order's hold from held to `to` in one statement; None if it was not held
    (no hold, refused, or settled by an earlier delivery)."""
    row = (
        await session.execute(
            update(PointsHold)
            .where(PointsHold.order_id == order_id, PointsHold.status == HoldStatus.HELD)
            .values(status=to, updated_at=now())
            .returning(PointsHold.user_id, PointsHold.points)
        )
    ).first()
    return None if row is None else PointsHold(order_id=order_id, user_id=row[0], points=row[1])


async def take(session: AsyncSession, event: OrderPaid) -> None:
    held = await _settle_hold(session, event.order_id, HoldStatus.TAKEN)
    if held is None:
        return
    if not await _move(
        session,
        held.user_id,
        EntryKind.SPENT,
        f"spent:{held.order_id}",
        held=-held.points,
        order_id=held.order_id,
    ):
        raise LedgerBroken(f"order {held.order_id} held {held.points} points that are not held")
    await outbox.add(
        session,
        PointsSpent(
            user_id=held.user_id, order_id=held.order_id, points=held.points, spent_at=now()
        ),
    )


async def release(session: AsyncSession, event: OrderCancelled) -> None:
    """Return exactly what the hold record says was taken, once however often it arrives."""
    held = await _settle_hold(session, event.order_id, HoldStatus.RELEASED)
    if held is None:
        return
    if not await _move(
        session,
        held.user_id,
        EntryKind.RELEASED,
        f"released:{held.order_id}",
        available=held.points,
        held=-held.points,
        order_id=held.order_id,
    ):
        raise LedgerBroken(f"order {held.order_id} held {held.points} points that are not held")
    await outbox.add(
        session,
        PointsReleased(
            user_id=held.user_id, order_id=held.order_id, points=held.points, released_at=now()
        ),
    )


async def earn(session: AsyncSession, event: OrderPaid, points_per_unit: int) -> None:
    """Earn points on the lines paid (not shipping) at the multiplier of the tier held when
    the order was paid, frozen until the order completes."""
    basis = sum(line.paid.amount for line in event.lines)
    multiplier = await membership.multiplier_percent(session, event.customer_id)
    points = rules.earned(basis, points_per_unit, multiplier)
    if points == 0:
        return
    user_id, order_id = event.customer_id, event.order_id
    if not await _claim(
        session,
        PointsEarning,
        order_id=order_id,
        user_id=user_id,
        points=points,
        basis=basis,
        currency=event.total.currency,
        reversed=0,
        status=EarningStatus.FROZEN,
        earned_at=event.paid_at,
    ):
        return
    await _open_account(session, user_id)
    await _move(
        session, user_id, EntryKind.EARNED, f"earned:{order_id}", frozen=points, order_id=order_id
    )
    await outbox.add(
        session,
        PointsEarned(
            user_id=user_id,
            points=points,
            earned_for=EarnedFor.ORDER,
            order_id=order_id,
            frozen=True,
            earned_at=event.paid_at,
        ),
    )


async def unfreeze(session: AsyncSession, event: OrderCompleted) -> None:
    row = (
        await session.execute(
            update(PointsEarning)
            .where(
                PointsEarning.order_id == event.order_id,
                PointsEarning.status == EarningStatus.FROZEN,
            )
            .values(status=EarningStatus.AVAILABLE)
            .returning(PointsEarning.user_id, PointsEarning.points, PointsEarning.reversed)
        )
    ).first()
    if row is None:
        return
    user_id, remaining = row[0], row[1] - row[2]
    if remaining == 0:
        return
    if not await _move(
        session,
        user_id,
        EntryKind.UNFROZEN,
        f"unfrozen:{event.order_id}",
        frozen=-remaining,
        available=remaining,
        order_id=event.order_id,
    ):
        raise LedgerBroken(f"order {event.order_id} earned {remaining} points that are not frozen")
    await outbox.add(
        session,
        PointsUnfrozen(
            user_id=user_id, order_id=event.order_id, points=remaining, unfrozen_at=now()
        ),
    )


async def reverse(session: AsyncSession, event: RefundCompleted) -> None:
    """Take back the refund's share of what the order earned: from the frozen points while
    the return window is open, else from what is available, never below zero."""
    earning = await session.get(PointsEarning, event.order_id, with_for_update=True)
    cause = f"reversed:{event.refund_id}"
    if earning is None or await session.scalar(
        select(PointsEntry.id).where(PointsEntry.cause == cause)
    ):
        return
    share = rules.reversal(earning.points, earning.basis, event.amount.amount, earning.reversed)
    if share == 0:
        return
    if earning.status is EarningStatus.FROZEN:
        taken, bucket = share, "frozen"
    else:
        account = await session.get(PointsAccount, earning.user_id, with_for_update=True)
        taken, bucket = min(share, account.available), "available"
    if not await _move(
        session,
        earning.user_id,
        EntryKind.REVERSED,
        cause,
        order_id=earning.order_id,
        **{bucket: -taken},
    ):
        raise LedgerBroken(f"refund {event.refund_id} cannot take {taken} {bucket} points")
    await session.execute(
        update(PointsEarning)
        .where(
            PointsEarning.order_id == earning.order_id,
            PointsEarning.reversed + share <= PointsEarning.points,
        )
        .values(reversed=PointsEarning.reversed + share)
    )
    await outbox.add(
        session,
        PointsReversed(
            user_id=earning.user_id,
            order_id=earning.order_id,
            refund_id=event.refund_id,
            points=taken,
            unrecovered=share - taken,
            reversed_at=now(),
        ),
    )


EARNED_FOR = {
    EntryKind.CHECK_IN: EarnedFor.CHECK_IN,
    EntryKind.REFERRAL: EarnedFor.REFERRAL,
    EntryKind.CONTENT_CALL: EarnedFor.CONTENT_CALL,
}


async def _credit(
    session: AsyncSession,
    user_id: UUID,
    points: int,
    kind: EntryKind,
    cause: str,
    call_id: UUID | None = None,
) -> None:
    """Credit points available at once, with `PointsEarned`; the caller commits. The entry's
    unique cause records it once."""
    await _open_account(session, user_id)
    await _move(session, user_id, kind, cause, available=points)
    await outbox.add(
        session,
        PointsEarned(
            user_id=user_id,
            points=points,
            earned_for=EARNED_FOR[kind],
            call_id=call_id,
            frozen=False,
            earned_at=now(),
        ),
    )


async def credit_check_in(
    session: AsyncSession, user_id: UUID, check_in_id: UUID, points: int
) -> None:
    """Credit a check-in's reward, available at once; the caller commits."""
    await _credit(session, user_id, points, EntryKind.CHECK_IN, f"check_in:{check_in_id}")


async def credit_referral(
    session: AsyncSession, user_id: UUID, referee_id: UUID, points: int, side: str
) -> None:
    """Credit one side of a referral's reward (`side`: referrer or referee), available at
    once; the caller commits."""
    await _credit(session, user_id, points, EntryKind.REFERRAL, f"referral:{referee_id}:{side}")


async def credit_call_winner(session: AsyncSession, event: CallWinnerChosen) -> bool:
    """Credit a content call's points reward to its winner, available at once, once per
    (call, winner): the reward's record is claimed first, so a redelivery or another winning
    post of the same author credits nothing. A coupon reward is campaigns' to grant. True if
    credited; the caller commits."""
    reward = event.reward
    if reward.kind is not RewardKind.POINTS or not reward.points:
        return False
    claimed = await _claim(
        session,
        CallReward,
        call_id=event.call_id,
        user_id=event.author,
        post_id=event.post_id,
        points=reward.points,
        rewarded_at=now(),
    )
    if not claimed:
        return False
    cause = f"call:{event.call_id}:{event.author}"
    await _credit(
        session, event.author, reward.points, EntryKind.CONTENT_CALL, cause, event.call_id
    )
    return True


async def balance(session: AsyncSession, user_id: UUID) -> PointsAccount:
    account = await session.get(PointsAccount, user_id)
    return account or PointsAccount(user_id=user_id, available=0, frozen=0, held=0)


async def ledger(
    session: AsyncSession, user_id: UUID, page: PageRequest
) -> tuple[list[PointsEntry], str | None]:
    statement = select(PointsEntry).where(PointsEntry.user_id == user_id)
    return await fetch_page(session, statement, key=[PointsEntry.id], page=page)
