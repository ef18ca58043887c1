"""Routes of segments (operators): previewing a rule, saving, editing and deleting a
segment, reading it and its members (in pages or as a streamed CSV)."""

from uuid import UUID

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.deps import OperatorDep
from chassis.clock import now
from chassis.http.csv_export import csv_response, csv_responses
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.users.segments import rules, service
from services.users.segments.models import Segment
from services.users.segments.schemas import (
    MemberOut,
    PreviewIn,
    PreviewOut,
    SampleUser,
    SegmentEdit,
    SegmentIn,
    SegmentOut,
    WhyOut,
)

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


async def _out(session: AsyncSession, segment: Segment, members: int | None = None) -> SegmentOut:
    return SegmentOut(
        id=segment.id,
        name=segment.name,
        rule=segment.rule,
        fields=sorted(rules.fields_of(rules.parse(segment.rule))),
        created_at=segment.created_at,
        created_by=segment.created_by,
        version=segment.version,
        updated_at=segment.updated_at,
        updated_by=segment.updated_by,
        members=await service.size(session, segment.id) if members is None else members,
    )


@router.post(
    "/segments",
    status_code=status.HTTP_201_CREATED,
    summary="Save a segment; its members are materialized now and kept current",
    responses=responses(401, 403, 409, 422),
)
async def create(body: SegmentIn, operator: OperatorDep, session: SessionDep) -> SegmentOut:
    segment, members = await service.create(session, body.name, body.rule, by=operator.user_id)
    return await _out(session, segment, members)


@router.get(
    "/segments/{segment_id:uuid}",
    summary="A segment and its size",
    responses=responses(401, 403, 404, 422),
)
async def get(segment_id: UUID, _: OperatorDep, session: SessionDep) -> SegmentOut:
    return await _out(session, await service.get(session, segment_id))


@router.put(
    "/segments/{segment_id:uuid}",
    summary="Edit a segment's name and rule; its members follow the new rule now",
    description="`expected_version` names the version edited (409 if another edit came "
    "first). Users the new rule adds get `segment.entered`, those it drops `segment.left`.",
    responses=responses(401, 403, 404, 409, 422),
)
async def edit(
    segment_id: UUID, body: SegmentEdit, operator: OperatorDep, session: SessionDep
) -> SegmentOut:
    segment = await service.edit(
        session, segment_id, body.name, body.rule, body.expected_version, by=operator.user_id
    )
    return await _out(session, segment)


@router.delete(
    "/segments/{segment_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a segment: no longer maintained; `segment.deleted` is published",
    responses=responses(401, 403, 404, 422),
)
async def delete(segment_id: UUID, operator: OperatorDep, session: SessionDep) -> Response:
    await service.remove(session, segment_id, by=operator.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/segments/{segment_id:uuid}/members/export",
    response_class=StreamingResponse,
    summary="Every member of a segment as CSV (user_id, email, entered_at), streamed",
    responses={**csv_responses(), **responses(401, 403, 404, 422)},
)
async def export_members(
    segment_id: UUID, request: Request, _: OperatorDep, session: SessionDep
) -> StreamingResponse:
    await service.get(session, segment_id)  # a 404 before the stream starts
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    return csv_response(
        service.EXPORT_HEADER,
        service.export(request.app.state.db, segment_id),
        f"segment-{segment_id}-{stamp}.csv",
    )


@router.get(
    "/segments/{segment_id:uuid}/members",
    summary="The users in a segment now, in pages",
    responses=responses(401, 403, 404, 422),
)
async def members(
    segment_id: UUID, _: OperatorDep, session: SessionDep, page: PageDep
) -> Page[MemberOut]:
    rows, next_cursor = await service.members(session, segment_id, page)
    return Page(
        items=[MemberOut.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )


@router.get(
    "/segments/{segment_id:uuid}/why/{user_id}",
    summary="Why a user is in a segment or not: each condition with the value seen",
    responses=responses(401, 403, 404, 422),
)
async def why(segment_id: UUID, user_id: UUID, _: OperatorDep, session: SessionDep) -> WhyOut:
    member, explanation = await service.why(session, segment_id, user_id)
    return WhyOut(segment_id=segment_id, user_id=user_id, member=member, explanation=explanation)
