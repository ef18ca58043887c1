"""Routes of points: the caller's balance and ledger."""

from fastapi import APIRouter

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.users.points import service
from services.users.points.schemas import EntryOut, PointsOut

router = APIRouter(tags=["points"])


@router.get(
    "/me/points",
    summary="The caller's points: balance, frozen, held and a page of the ledger",
    responses=responses(401, 422),
)
async def my_points(principal: PrincipalDep, session: SessionDep, page: PageDep) -> PointsOut:
    account = await service.balance(session, principal.user_id)
    entries, next_cursor = await service.ledger(session, principal.user_id, page)
    return PointsOut(
        balance=account.available,
        frozen=account.frozen,
        held=account.held,
        ledger=Page(
            items=[EntryOut.model_validate(e, from_attributes=True) for e in entries],
            next_cursor=next_cursor,
        ),
    )
