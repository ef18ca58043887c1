"""Routes of the lifecycle: the rules (read and changed by operators), a user's stage, the
distribution over stages."""

from uuid import UUID

from fastapi import APIRouter

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.accounts import service as accounts
from services.users.lifecycle import service
from services.users.lifecycle.schemas import RulesIn, RulesOut, StageOut, StagesOut

router = APIRouter(tags=["lifecycle"])


@router.get(
    "/lifecycle/rules", summary="The current lifecycle rules", responses=responses(401, 403)
)
async def rules(_: OperatorDep, session: SessionDep) -> RulesOut:
    return RulesOut.model_validate(await service.current_rules(session), from_attributes=True)


@router.put(
    "/lifecycle/rules",
    summary="Change the thresholds: a new version of the rules, applied to every user",
    responses=responses(401, 403, 409, 422),
)
async def change_rules(body: RulesIn, operator: OperatorDep, session: SessionDep) -> RulesOut:
    row = await service.change_rules(
        session, body.expected_version, body.thresholds(), by=operator.user_id
    )
    return RulesOut.model_validate(row, from_attributes=True)


@router.get(
    "/lifecycle/stages",
    summary="How many users are in each lifecycle stage",
    responses=responses(401, 403),
)
async def stages(_: OperatorDep, session: SessionDep) -> StagesOut:
    counts = await service.distribution(session)
    version = (await service.current_rules(session)).version
    return StagesOut(counts=counts, rule_version=version)


@router.get(
    "/users/{user_id}/lifecycle",
    summary="A user's lifecycle stage and when their timer fires",
    responses=responses(401, 403, 404, 422),
)
async def user_stage(user_id: UUID, _: OperatorDep, session: SessionDep) -> StageOut:
    await accounts.get(session, user_id)
    row, timer = await service.state(session, user_id)
    if row is None:
        return StageOut(
            user_id=user_id, stage="potential", since=None, rule_version=None, next_check_at=None
        )
    return StageOut(
        user_id=user_id,
        stage=row.stage,
        since=row.since,
        rule_version=row.rule_version,
        next_check_at=timer,
    )
