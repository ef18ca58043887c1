"""Budget routes: what a campaign may spend and has spent."""

from uuid import UUID

from fastapi import APIRouter

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from chassis.money import Money
from services.campaigns.budgets.models import Budget
from services.campaigns.budgets.schemas import BudgetOut

router = APIRouter(prefix="/campaigns", tags=["budgets"])


@router.get(
    "/{campaign_id}/budget",
    summary="A campaign's budget, its spend and what remains",
    responses=responses(401, 403, 404, 422),
)
async def get_budget(campaign_id: UUID, session: SessionDep, _: OperatorDep) -> BudgetOut:
    budget = await session.get(Budget, campaign_id)
    if budget is None:
        raise NotFound(f"Campaign {campaign_id} has no budget.")

    def money(amount: int) -> Money:
        return Money(amount=amount, currency=budget.currency)

    return BudgetOut(
        campaign_id=campaign_id,
        budget=money(budget.amount),
        spent=money(budget.spent),
        remaining=money(budget.amount - budget.spent),
        exhausted_at=budget.exhausted_at,
    )
