"""Budget operations, inside the caller's transaction (a claim, a coupon lock, a release).

Spend goes up in one guarded statement (`spent + :k <= amount`), never read-modify-write,
so racing charges stop exactly at the budget; a release subtracts what its charge record
says it took (`spent - :k`, relative, so a concurrent charge is never lost) and marks the
record released in the same guarded way, so a redelivered release gives back nothing.
Every charge and release that moves the spend stages `budget.spend_changed` with the
running total, in the same transaction."""

from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.money import Money
from contracts.campaigns import BudgetExhausted, BudgetSpendChanged
from services.campaigns.budgets.models import Budget, BudgetCharge


def open_budget(session: AsyncSession, campaign_id: UUID, budget: Money) -> None:
    session.add(Budget(campaign_id=campaign_id, currency=budget.currency, amount=budget.amount))


async def exhausted(session: AsyncSession, campaign_id: UUID) -> bool:
    budget = await session.get(Budget, campaign_id)
    return budget is not None and budget.exhausted_at is not None


async def charge(session: AsyncSession, campaign_id: UUID, key: str, amount: int) -> bool:
    """Take `amount` of the campaign's budget for `key`; False if it does not fit (then
    the caller, having undone what it did with it, calls `exhaust`). A campaign without a
    budget takes anything; a key already charged is not charged again."""
    if await session.get(Budget, campaign_id) is None:
        return True
    if await session.scalar(select(BudgetCharge.id).where(BudgetCharge.key == key)) is not None:
        return True
    taken = (
        await session.execute(
            update(Budget)
            .where(Budget.campaign_id == campaign_id, Budget.spent + amount <= Budget.amount)
            .values(spent=Budget.spent + amount)
            .returning(Budget.spent, Budget.amount, Budget.currency)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if taken is None:
        return False
    session.add(BudgetCharge(campaign_id=campaign_id, key=key, amount=amount))
    await session.flush()
    if amount:
        await _spend_changed(session, campaign_id, taken)
    return True


async def release(session: AsyncSession, key: str) -> int:
    """Give back what the charge `key` took; returns it (0 when nothing is left to give)."""
    released = (
        await session.execute(
            update(BudgetCharge)
            .where(BudgetCharge.key == key, BudgetCharge.released_at.is_(None))
            .values(released_at=now())
            .returning(BudgetCharge.campaign_id, BudgetCharge.amount)
        )
    ).first()
    if released is None:
        return 0
    after = (
        await session.execute(
            update(Budget)
            .where(Budget.campaign_id == released.campaign_id)
            .values(spent=Budget.spent - released.amount, exhausted_at=None)
            .returning(Budget.spent, Budget.amount, Budget.currency)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if after is not None and released.amount:
        await _spend_changed(session, released.campaign_id, after)
    return released.amount


async def _spend_changed(session: AsyncSession, campaign_id: UUID, budget) -> None:
    """`budget.spend_changed` with the running total the guarded UPDATE returned: staged
    while this transaction holds the budget's row lock, so the outbox's order (its `seq`) is
    the order of the changes."""
    await outbox.add(
        session,
        BudgetSpendChanged(
            campaign_id=campaign_id,
            spent=Money(amount=budget.spent, currency=budget.currency),
            budget=Money(amount=budget.amount, currency=budget.currency),
            changed_at=now(),
        ),
    )


async def exhaust(session: AsyncSession, campaign_id: UUID) -> None:
    """Stop the campaign issuing: a charge did not fit its budget."""
    at = now()
    marked = (
        await session.execute(
            update(Budget)
            .where(Budget.campaign_id == campaign_id, Budget.exhausted_at.is_(None))
            .values(exhausted_at=at)
            .returning(Budget.currency, Budget.amount, Budget.spent)
        )
    ).first()
    if marked is not None:  # the first refusal since it last had room: announce it once
        await outbox.add(
            session,
            BudgetExhausted(
                campaign_id=campaign_id,
                budget=Money(amount=marked.amount, currency=marked.currency),
                spent=Money(amount=marked.spent, currency=marked.currency),
                exhausted_at=at,
            ),
        )
