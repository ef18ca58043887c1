"""Operations on referrals: a customer's code (made when first asked for), claiming someone's
code before one's first paid order, and the reward of both sides when the referee's first
order completes — once, by a guarded state change."""

from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput
from contracts.orders import OrderCompleted
from contracts.users import ReferralRewarded
from services.users.accounts.models import User
from services.users.metrics.models import UserActivity
from services.users.points import service as points
from services.users.referrals import rules
from services.users.referrals.models import (
    Referral,
    ReferralCode,
    ReferralStatus,
    RewardMonth,
    SeenDevice,
    SeenPayer,
)

CODES = ReferralCode.__table__
ATTEMPTS = 5  # fresh codes tried if one is taken (31^8 codes: a collision is rare)


async def code_of(session: AsyncSession, user_id: UUID) -> str:
    """The customer's code, made now if they have none (concurrent first requests agree:
    the primary key keeps one)."""
    for _ in range(ATTEMPTS):
        code = await session.scalar(
            select(ReferralCode.code).where(ReferralCode.user_id == user_id)
        )
        if code is not None:
            return code
        await session.execute(
            insert_for(session, CODES)
            .values(user_id=user_id, code=rules.new_code(), created_at=now())
            .on_conflict_do_nothing()
        )
        await session.commit()
    raise RuntimeError("no free referral code found")


async def summary(session: AsyncSession, user_id: UUID) -> dict:
    code = await code_of(session, user_id)
    counts = dict(
        (
            await session.execute(
                select(Referral.status, func.count())
                .where(Referral.referrer_id == user_id)
                .group_by(Referral.status)
            )
        ).all()
    )
    claimed = await session.scalar(select(Referral.code).where(Referral.referee_id == user_id))
    return {
        "code": code,
        "referred_by_code": claimed,
        "pending": counts.get(ReferralStatus.PENDING, 0),
        "rewarded": counts.get(ReferralStatus.REWARDED, 0),
        "refused": counts.get(ReferralStatus.REFUSED, 0),
        "capped": counts.get(ReferralStatus.CAPPED, 0),
        "referrer_points": rules.REFERRER_POINTS,
        "referee_points": rules.REFEREE_POINTS,
    }


async def _chain(session: AsyncSession, user_id: UUID) -> list[UUID]:
    """Who referred the user, who referred them, and so on up."""
    chain: list[UUID] = []
    at = user_id
    while len(chain) < rules.MAX_CHAIN:
        up = await session.scalar(select(Referral.referrer_id).where(Referral.referee_id == at))
        if up is None or up in chain:
            break
        chain.append(up)
        at = up
    return chain


async def _lock(session: AsyncSession, users: set[UUID]) -> None:
    """Lock the users' rows, in id order, by an UPDATE that changes nothing: row locks on
    PostgreSQL, the database's write lock on SQLite (where a SELECT locks nothing)."""
    for user_id in sorted(users):
        await session.execute(
            update(User)
            .where(User.id == user_id)
            .values(id=User.id)
            .execution_options(synchronize_session=False)
        )


async def claim(session: AsyncSession, user_id: UUID, typed: str) -> Referral:
    """Attribute the customer to the owner of `typed`. Refused: a malformed or unknown code
    or one's own (422 naming the field), a second claim, a claim after one's first paid order
    or one that would close a loop (409). The claimer and every user up the owner's chain are
    locked (in id order) before the chain is read for the last time, so two claims that
    would close a loop together are taken one after the other, and the second refused."""
    code = rules.normalise(typed)
    if not rules.well_formed(code):
        raise InvalidInput("body.code", "not an invite code")
    owner = await session.scalar(select(ReferralCode.user_id).where(ReferralCode.code == code))
    if owner is None:
        raise InvalidInput("body.code", "no customer has this invite code")
    if owner == user_id:
        raise InvalidInput("body.code", "a customer cannot claim their own code")
    if await session.get(Referral, user_id) is not None:
        raise Conflict("A referral code was already claimed for this account.")
    paid = await session.scalar(
        select(UserActivity.paid_orders).where(UserActivity.user_id == user_id)
    )
    if paid:
        raise Conflict("An invite code is claimed before one's first paid order.")
    locked: set[UUID] = set()
    while True:
        chain = await _chain(session, owner)
        wanted = {user_id, owner, *chain}
        if wanted <= locked:
            break
        await _lock(session, wanted - locked)
        locked |= wanted
    try:
        rules.check_claim(user_id, owner, chain)
    except rules.Refused as refused:
        raise Conflict(f"This claim is refused: {refused}.") from None
    referral = Referral(
        referee_id=user_id,
        referrer_id=owner,
        code=code,
        status=ReferralStatus.PENDING,
        attributed_at=now(),
    )
    session.add(referral)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("A referral code was already claimed for this account.") from None
    return referral


async def see_device(session: AsyncSession, user_id: UUID, device_id: str, at) -> None:
    await session.execute(
        insert_for(session, SeenDevice.__table__)
        .values(user_id=user_id, device_id=device_id[:128], first_seen_at=min(at, now()))
        .on_conflict_do_nothing()
    )


async def see_payer(session: AsyncSession, user_id: UUID, payer_ref: str, at) -> None:
    """The user paid from the payer account `payer_ref` (kept once: the primary key)."""
    await session.execute(
        insert_for(session, SeenPayer.__table__)
        .values(user_id=user_id, payer_ref=payer_ref, first_seen_at=min(at, now()))
        .on_conflict_do_nothing()
    )


async def _signals(session: AsyncSession, referrer: UUID, referee: UUID) -> list[str]:
    both = [referrer, referee]
    found = await session.execute(select(User.id, User.email).where(User.id.in_(both)))
    emails = {user_id: email for user_id, email in found}
    devices: dict[UUID, set[str]] = {referrer: set(), referee: set()}
    for user_id, device in await session.execute(
        select(SeenDevice.user_id, SeenDevice.device_id).where(SeenDevice.user_id.in_(both))
    ):
        devices[user_id].add(device)
    payers: dict[UUID, set[str]] = {referrer: set(), referee: set()}
    for user_id, payer in await session.execute(
        select(SeenPayer.user_id, SeenPayer.payer_ref).where(SeenPayer.user_id.in_(both))
    ):
        payers[user_id].add(payer)
    return rules.shared_signals(
        emails.get(referrer, ""),
        emails.get(referee, ""),
        devices[referrer],
        devices[referee],
        payers[referrer],
        payers[referee],
    )


async def _close(session: AsyncSession, referee: UUID, order_id: UUID, at, **values) -> UUID | None:
    """Move the referee's pending referral to its outcome; the update names the state it
    leaves, so of racing deliveries one moves it. Returns the referrer if this call did."""
    return await session.scalar(
        update(Referral)
        .where(Referral.referee_id == referee, Referral.status == ReferralStatus.PENDING)
        .values(order_id=order_id, rewarded_at=at, **values)
        .returning(Referral.referrer_id)
    )


async def _within_cap(session: AsyncSession, referrer: UUID, at, cap: int) -> bool:
    """Count one more reward of the referrer's month unless the cap is reached, in one
    guarded statement (concurrent rewards wait for each other's row and see its count)."""
    month = rules.month_of(at)
    await session.execute(
        insert_for(session, RewardMonth.__table__)
        .values(referrer_id=referrer, month=month, rewarded=0)
        .on_conflict_do_nothing()
    )
    counted = await session.execute(
        update(RewardMonth)
        .where(
            RewardMonth.referrer_id == referrer,
            RewardMonth.month == month,
            RewardMonth.rewarded < cap,
        )
        .values(rewarded=RewardMonth.rewarded + 1)
        .execution_options(synchronize_session=False)
    )
    return counted.rowcount == 1


async def reward(session: AsyncSession, event: OrderCompleted, cap: int) -> None:
    """The referee's first completed order rewards both sides, once — unless the two look
    like one person (a shared device, inbox or payer account: refused) or the referrer's
    rewards of the month reached `cap` (capped). The outcome is one guarded state change, so
    a redelivery or a later order finds nothing pending."""
    at = now()
    referee = event.customer_id
    referrer = await session.scalar(
        select(Referral.referrer_id).where(
            Referral.referee_id == referee, Referral.status == ReferralStatus.PENDING
        )
    )
    if referrer is None:
        return
    if signals := await _signals(session, referrer, referee):
        await _close(
            session,
            referee,
            event.order_id,
            at,
            status=ReferralStatus.REFUSED,
            refusal=",".join(signals),
        )
        return
    if await _close(session, referee, event.order_id, at, status=ReferralStatus.REWARDED) is None:
        return  # another delivery closed it
    if not await _within_cap(session, referrer, at, cap):
        await session.execute(
            update(Referral)
            .where(Referral.referee_id == referee, Referral.status == ReferralStatus.REWARDED)
            .values(status=ReferralStatus.CAPPED, refusal=rules.MONTHLY_CAP)
            .execution_options(synchronize_session=False)
        )
        return
    await points.credit_referral(session, referrer, referee, rules.REFERRER_POINTS, "referrer")
    await points.credit_referral(session, referee, referee, rules.REFEREE_POINTS, "referee")
    await outbox.add(
        session,
        ReferralRewarded(
            referrer_id=referrer,
            referee_id=referee,
            order_id=event.order_id,
            referrer_points=rules.REFERRER_POINTS,
            referee_points=rules.REFEREE_POINTS,
            rewarded_at=at,
        ),
    )
