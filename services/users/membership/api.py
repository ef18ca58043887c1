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
from services.users.membership.schemas import (
    BenefitsOut,
    LevelOut,
    TableIn,
    TableOut,
    TierOut,
)

router = APIRouter(tags=["membership"])


async def _tier(session: AsyncSession, user_id: UUID) -> TierOut:
    member = await service.membership(session, user_id)
    levels = await service.levels(session)
    following = tiers.next_level(member.tier, levels)
    return TierOut(
        user_id=user_id,
        tier=member.tier,
        since=member.since,
        review_at=member.review_at,
        spend_12m=await service.spend_12m(session, user_id, now()),
        benefits=BenefitsOut.model_validate(
            tiers.of(levels, member.tier).benefits, from_attributes=True
        ),
        next_tier=LevelOut.of(following) if following else None,
    )


@router.get(
    "/membership/tiers",
    summary="The membership tiers, what each takes and what each gives",
    responses=responses(401),
)
async def levels(_: PrincipalDep, session: SessionDep) -> list[LevelOut]:
    return [LevelOut.of(level) for level in await service.levels(session)]


def _table(row) -> TableOut:
    return TableOut(
        version=row.version,
        levels=[LevelOut.of(level) for level in service.levels_of(row)],
        created_at=row.created_at,
        created_by=row.created_by,
    )


@router.get(
    "/membership/table",
    summary="The tier table in force: its version, who made it, the levels (operators)",
    responses=responses(401, 403),
)
async def table(_: OperatorDep, session: SessionDep) -> TableOut:
    return _table(await service.current_table(session))


@router.put(
    "/membership/table",
    summary="Change the tiers' thresholds and benefits: the next version (operators)",
    responses=responses(401, 403, 409, 422),
)
async def change_table(body: TableIn, operator: OperatorDep, session: SessionDep) -> TableOut:
    row = await service.change_table(
        session, body.expected_version, body.as_levels(), by=operator.user_id
    )
    return _table(row)


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
