"""Routes of segments (operators): previewing a rule before it is saved."""

from fastapi import APIRouter

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.segments import rules, service
from services.users.segments.schemas import PreviewIn, PreviewOut, SampleUser

router = APIRouter(tags=["segments"])


@router.post(
    "/segments/preview",
    summary="How many users a rule selects now, and some of them",
    responses=responses(401, 403, 422),
)
async def preview(body: PreviewIn, _: OperatorDep, session: SessionDep) -> PreviewOut:
    rule = service.parse(body.rule)
    count, sample = await service.preview(session, rule, body.sample_size)
    return PreviewOut(
        count=count,
        sample=[SampleUser(id=user_id, email=email) for user_id, email in sample],
        fields=sorted(rules.fields_of(rule)),
    )
