"""Routes of membership: the tiers and their benefits, the caller's tier, a user's tier."""

from uuid import UUID

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.clock import now
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.accounts import service as accounts
from services.users.membership import service, tiers
from services.users.membership.schemas import BenefitsOut, LevelOut, TierOut

router = APIRouter(tags=["membership"])


async def _tier(session: AsyncSession, user_id: UUID) -> TierOut:
    member = await service.membership(session, user_id)
    following = tiers.next_level(member.tier)
    return TierOut(
        user_id=user_id,
        tier=member.tier,
        since=member.since,
        review_at=member.review_at,
        spend_12m=await service.spend_12m(session, user_id, now()),
        benefits=BenefitsOut.model_validate(
            tiers.BY_TIER[member.tier].benefits, from_attributes=True
        ),
        next_tier=LevelOut.of(following) if following else None,
    )


@router.get(
    "/membership/tiers",
    summary="The membership tiers, what each takes and what each gives",
    responses=responses(401),
)
async def levels(_: PrincipalDep) -> list[LevelOut]:
    return [LevelOut.of(level) for level in tiers.LEVELS]


@router.get("/me/tier", summary="The caller's tier, benefits and spend", responses=responses(401))
async def my_tier(principal: PrincipalDep, session: SessionDep) -> TierOut:
    return await _tier(session, principal.user_id)


@router.get(
    "/users/{user_id}/tier",
    summary="A user's tier, benefits and spend (operators)",
    responses=responses(401, 403, 404, 422),
)
async def user_tier(user_id: UUID, _: OperatorDep, session: SessionDep) -> TierOut:
    await accounts.get(session, user_id)
    return await _tier(session, user_id)
