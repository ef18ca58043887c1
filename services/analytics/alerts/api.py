"""Alert rule routes (operators)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, status

from chassis.auth.deps import OperatorDep
from chassis.http import deps
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.analytics.alerts import service
from services.analytics.alerts.schemas import RuleCreated, RuleIn, RuleOut, RulePatch
from services.analytics.settings import Settings

router = APIRouter(prefix="/alerts/rules", tags=["alerts"])


SettingsDep = Annotated[Settings, Depends(deps.settings)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an alert rule; the answer holds its webhook secret, shown only once",
    responses=responses(401, 403, 422),
)
async def create_rule(
    body: RuleIn, session: SessionDep, _: OperatorDep, settings: SettingsDep
) -> RuleCreated:
    rule, secret = await service.create(
        session, body, settings.webhook_destinations(), settings.secret_box()
    )
    return RuleCreated(**RuleOut.model_validate(rule).model_dump(), webhook_secret=secret)


@router.get("", summary="Alert rules, newest first", responses=responses(401, 403, 422))
async def list_rules(session: SessionDep, _: OperatorDep, page: PageDep) -> Page[RuleOut]:
    rules, next_cursor = await service.list_rules(session, page)
    return Page(items=[RuleOut.model_validate(rule) for rule in rules], next_cursor=next_cursor)


@router.get("/{rule_id}", summary="An alert rule", responses=responses(401, 403, 404, 422))
async def get_rule(rule_id: UUID, session: SessionDep, _: OperatorDep) -> RuleOut:
    return RuleOut.model_validate(await service.get(session, rule_id))


@router.patch(
    "/{rule_id}",
    summary="Change an alert rule's name, window, condition, threshold or webhook",
    responses=responses(401, 403, 404, 422),
)
async def change_rule(
    rule_id: UUID,
    body: RulePatch,
    session: SessionDep,
    _: OperatorDep,
    settings: SettingsDep,
) -> RuleOut:
    changed = await service.change(session, rule_id, body, settings.webhook_destinations())
    return RuleOut.model_validate(changed)


@router.delete(
    "/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an alert rule and the deliveries it has yet to make",
    responses=responses(401, 403, 404, 422),
)
async def delete_rule(rule_id: UUID, session: SessionDep, _: OperatorDep) -> None:
    await service.delete(session, rule_id)
