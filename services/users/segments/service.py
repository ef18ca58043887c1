"""Operations on segments: previewing a rule, saving a segment with its membership
materialized, keeping membership current as a user's data changes (only the segments whose
rules read a changed field), listing members. Entering and leaving publish events, each once:
the membership row's primary key decides."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.users import SegmentEntered, SegmentLeft
from services.users.accounts.models import User
from services.users.segments import predicate, rules, sql
from services.users.segments.models import Segment, SegmentField, SegmentMember

MEMBERS = SegmentMember.__table__


def parse(tree: dict, path: str = "body.rule") -> rules.Node:
    """The rule, or a 422 naming the path of its first bad node."""
    try:
        return rules.parse(tree, path)
    except rules.RuleError as error:
        raise InvalidInput(error.path, error.message) from None


async def preview(
    session: AsyncSession, rule: rules.Node, sample_size: int
) -> tuple[int, list[tuple]]:
    selected = sql.users().where(sql.condition(rule))
    count = await session.scalar(select(func.count()).select_from(selected.subquery()))
    sample = []
    if sample_size:
        ids = selected.order_by(User.id.desc()).limit(sample_size).subquery()
        sample = (
            await session.execute(
                select(User.id, User.email)
                .where(User.id.in_(select(ids.c.id)))
                .order_by(User.id.desc())
            )
        ).all()
    return count, sample


async def create(session: AsyncSession, name: str, tree: dict, by: UUID) -> tuple[Segment, int]:
    """Save a segment and materialize its members now, each with `segment.entered`."""
    node = parse(tree)
    segment = Segment(name=name, rule=tree, created_by=by, created_at=now())
    session.add(segment)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"A segment named {name!r} exists.") from None
    session.add_all(SegmentField(segment_id=segment.id, field=f) for f in rules.fields_of(node))
    entered = await _enter(session, segment.id, await _selected(session, node), segment.created_at)
    await session.commit()
    return segment, entered


async def _selected(session: AsyncSession, node: rules.Node) -> set[UUID]:
    return set(await session.scalars(sql.users().where(sql.condition(node))))


async def _enter(session: AsyncSession, segment_id: UUID, users: set[UUID], at: datetime) -> int:
    """Make `users` members (those not yet), publishing `segment.entered` for each new one."""
    if not users:
        return 0
    rows = [{"segment_id": segment_id, "user_id": u, "entered_at": at} for u in sorted(users)]
    new = []
    for start in range(0, len(rows), 1000):
        statement = insert_for(session, MEMBERS).values(rows[start : start + 1000])
        new += await session.scalars(
            statement.on_conflict_do_nothing().returning(MEMBERS.c.user_id)
        )
    await outbox.add_all(
        session, (SegmentEntered(segment_id=segment_id, user_id=u, entered_at=at) for u in new)
    )
    return len(new)


async def _leave(session: AsyncSession, segment_id: UUID, users: set[UUID], at: datetime) -> int:
    if not users:
        return 0
    gone = list(
        await session.scalars(
            delete(SegmentMember)
            .where(SegmentMember.segment_id == segment_id, SegmentMember.user_id.in_(users))
            .returning(SegmentMember.user_id)
        )
    )
    await outbox.add_all(
        session, (SegmentLeft(segment_id=segment_id, user_id=u, left_at=at) for u in gone)
    )
    return len(gone)


async def _reading(session: AsyncSession, fields: set[str]) -> list[Segment]:
    """The segments whose rules read any of `fields` (the index)."""
    ids = select(SegmentField.segment_id).where(SegmentField.field.in_(fields))
    return list(await session.scalars(select(Segment).where(Segment.id.in_(ids))))


async def refresh(session: AsyncSession, user_id: UUID, fields: set[str]) -> None:
    """Re-evaluate, in memory, the user against every segment reading a changed field, in
    the caller's transaction."""
    segments = await _reading(session, fields)
    if not segments:
        return
    row = (await session.execute(sql.records().where(User.id == user_id))).mappings().first()
    if row is None:
        return  # events about a user this service does not know
    values, at = dict(row), now()
    for segment in segments:
        if predicate.matches(rules.parse(segment.rule), values):
            await _enter(session, segment.id, {user_id}, at)
        else:
            await _leave(session, segment.id, {user_id}, at)


async def rematerialize(session: AsyncSession, fields: set[str]) -> None:
    """After a change of many users at once (RFM rescored everyone): bring the membership of
    every segment reading `fields` to what SQL selects now, in the caller's transaction."""
    at = now()
    for segment in await _reading(session, fields):
        should = await _selected(session, rules.parse(segment.rule))
        members = set(
            await session.scalars(
                select(SegmentMember.user_id).where(SegmentMember.segment_id == segment.id)
            )
        )
        await _enter(session, segment.id, should - members, at)
        await _leave(session, segment.id, members - should, at)


async def why(session: AsyncSession, segment_id: UUID, user_id: UUID) -> tuple[bool, dict]:
    """Whether the user is a member, and the rule explained against their values now."""
    segment = await get(session, segment_id)
    row = (await session.execute(sql.records().where(User.id == user_id))).mappings().first()
    if row is None:
        raise NotFound("No such user.")
    member = await session.get(SegmentMember, (segment_id, user_id))
    return member is not None, predicate.explain(rules.parse(segment.rule), dict(row))


async def get(session: AsyncSession, segment_id: UUID) -> Segment:
    segment = await session.get(Segment, segment_id)
    if segment is None:
        raise NotFound("No such segment.")
    return segment


async def size(session: AsyncSession, segment_id: UUID) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(SegmentMember)
        .where(SegmentMember.segment_id == segment_id)
    )


async def members(
    session: AsyncSession, segment_id: UUID, page: PageRequest
) -> tuple[list, str | None]:
    await get(session, segment_id)
    statement = select(SegmentMember).where(SegmentMember.segment_id == segment_id)
    return await fetch_page(session, statement, key=[SegmentMember.user_id], page=page)
