"""Operations on segments: previewing a rule, saving, editing and deleting a segment with its
membership materialized, keeping membership current as a user's data changes (only the
segments whose rules read a changed field) and as time passes through its windows (timers),
listing and exporting members. Entering and leaving publish events, each once: the
membership row's primary key decides.

Locks are taken in one order everywhere — the segment (shared by evaluations, exclusive by an
edit or a deletion), then its timers, then its members — so that evaluations, timers, edits
and deletions of one segment never deadlock, and an edit waits for the evaluations under the
old rule before it computes what the new one selects."""

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.users import SegmentDeleted, SegmentEntered, SegmentLeft
from services.users.accounts.models import User
from services.users.segments import predicate, rules, sql
from services.users.segments.models import Segment, SegmentField, SegmentMember, SegmentTimer

log = logging.getLogger(__name__)

MEMBERS = SegmentMember.__table__
TIMERS = SegmentTimer.__table__
CHUNK = 1000  # rows per multi-row INSERT
TIMER_BATCH = 500  # timers fired per transaction
EXPORT_YIELD_PER = 1000


def parse(tree: dict, path: str = "body.rule") -> rules.Node:
    """The rule, or a 422 naming the path of its first bad node."""
    try:
        return rules.parse(tree, path)
    except rules.RuleError as error:
        raise InvalidInput(error.path, error.message) from None


async def preview(
    session: AsyncSession, rule: rules.Node, sample_size: int
) -> tuple[int, list[tuple]]:
    selected = sql.users().where(sql.condition(rule, now()))
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
    segment = Segment(name=name, rule=tree, created_by=by, created_at=now(), version=1)
    session.add(segment)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"A segment named {name!r} exists.") from None
    session.add_all(SegmentField(segment_id=segment.id, field=f) for f in rules.fields_of(node))
    entered, _ = await _materialize(session, segment.id, node, segment.created_at, fresh=True)
    await session.commit()
    return segment, entered


async def edit(
    session: AsyncSession, segment_id: UUID, name: str, tree: dict, expected_version: int, by: UUID
) -> Segment:
    """Replace a segment's name and rule if `expected_version` is still its version (else
    409), and bring its members to what the new rule selects: `segment.entered` for those it
    adds, `segment.left` for those it drops."""
    node = parse(tree)
    at = now()
    try:
        changed = await session.execute(
            update(Segment)
            .where(Segment.id == segment_id, Segment.version == expected_version)
            .values(name=name, rule=tree, version=Segment.version + 1, updated_at=at, updated_by=by)
        )
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"A segment named {name!r} exists.") from None
    if changed.rowcount != 1:
        await get(session, segment_id)  # 404 if there is none
        raise Conflict(f"The segment is no longer at version {expected_version}; read it again.")
    await session.execute(delete(SegmentField).where(SegmentField.segment_id == segment_id))
    session.add_all(SegmentField(segment_id=segment_id, field=f) for f in rules.fields_of(node))
    await _materialize(session, segment_id, node, at)
    await session.commit()
    return await get(session, segment_id, refresh=True)


async def remove(session: AsyncSession, segment_id: UUID, by: UUID) -> None:
    """Delete a segment, its members and timers, publishing `segment.deleted` (and no
    `segment.left` per member): from then on nothing maintains it."""
    segment = await get(session, segment_id, lock=True)  # waits for evaluations in flight
    members = await size(session, segment_id)
    await session.execute(delete(Segment).where(Segment.id == segment_id))
    await outbox.add(
        session,
        SegmentDeleted(
            segment_id=segment_id,
            name=segment.name,
            members=members,
            deleted_by=by,
            deleted_at=now(),
        ),
    )
    await session.commit()


async def _materialize(
    session: AsyncSession, segment_id: UUID, node: rules.Node, at: datetime, fresh: bool = False
) -> tuple[int, int]:
    """Bring a segment's members to what SQL selects at `at` (entered, left), and its timers
    to the next flip of each user's windows. Timers first: evaluations of the pair hold its
    timer before its membership."""
    await _retime(session, segment_id, node, at)
    should = set(await session.scalars(sql.users().where(sql.condition(node, at))))
    if fresh:
        members: set[UUID] = set()
    else:
        members = set(
            await session.scalars(
                select(SegmentMember.user_id).where(SegmentMember.segment_id == segment_id)
            )
        )
    return (
        await _enter(session, segment_id, should - members, at),
        await _leave(session, segment_id, members - should, at),
    )


async def _retime(session: AsyncSession, segment_id: UUID, node: rules.Node, at: datetime) -> None:
    """Replace a segment's timers: for every user whose windows time alone will flip, the
    first such moment after `at`."""
    await session.execute(delete(SegmentTimer).where(SegmentTimer.segment_id == segment_id))
    windows = list(rules.windows(node))
    if not windows:
        return
    users: dict[UUID, dict[str, Any]] = {}
    timed = [c for c in windows if c.field not in sql.EVENTS]
    if timed:
        windowed = sorted({condition.field for condition in timed})
        columns = [sql.COLUMNS[field].label(field) for field in windowed]
        # Only users with an edge still ahead (a moment less than its window's days old).
        ahead = or_(*(sql.COLUMNS[c.field] > rules.cutoff(c, at) for c in timed))
        rows = await session.execute(sql.users().add_columns(*columns).where(ahead))
        for row in rows.mappings():
            users[row["id"]] = dict(row)
    for field in sorted({c.field for c in windows if c.field in sql.EVENTS}):
        # Only the events still inside the widest window on the field can fall out of one.
        since = min(rules.cutoff(c, at) for c in windows if c.field == field)
        for user_id, moment in await session.execute(sql.events(field, since)):
            users.setdefault(user_id, {}).setdefault(field, []).append(moment)
    timers = [
        {"segment_id": segment_id, "user_id": user_id, "due_at": due}
        for user_id, values in users.items()
        if (due := rules.flips(node, values, at)) is not None
    ]
    for start in range(0, len(timers), CHUNK):
        await session.execute(insert_for(session, TIMERS).values(timers[start : start + CHUNK]))


async def _enter(session: AsyncSession, segment_id: UUID, users: set[UUID], at: datetime) -> int:
    """Make `users` members (those not yet), publishing `segment.entered` for each new one."""
    if not users:
        return 0
    rows = [{"segment_id": segment_id, "user_id": u, "entered_at": at} for u in sorted(users)]
    new = []
    for start in range(0, len(rows), CHUNK):
        statement = insert_for(session, MEMBERS).values(rows[start : start + CHUNK])
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
    gone = []
    ordered = sorted(users)
    for start in range(0, len(ordered), CHUNK):
        gone += await session.scalars(
            delete(SegmentMember)
            .where(
                SegmentMember.segment_id == segment_id,
                SegmentMember.user_id.in_(ordered[start : start + CHUNK]),
            )
            .returning(SegmentMember.user_id)
        )
    await outbox.add_all(
        session, (SegmentLeft(segment_id=segment_id, user_id=u, left_at=at) for u in gone)
    )
    return len(gone)


async def _reading(session: AsyncSession, fields: set[str]) -> list[Segment]:
    """The segments whose rules read any of `fields` (the index), shared-locked: an edit or a
    deletion waits for this evaluation, and this one for theirs."""
    ids = select(SegmentField.segment_id).where(SegmentField.field.in_(fields))
    return list(
        await session.scalars(
            select(Segment)
            .where(Segment.id.in_(ids))
            .order_by(Segment.id)
            .with_for_update(read=True)
        )
    )


async def values_of(
    session: AsyncSession, user_ids: list[UUID] | None, fields: set[str]
) -> dict[UUID, dict[str, Any]]:
    """Each user's values of the fields (all users if `user_ids` is None), as the in-memory
    evaluator reads them: a row's columns, a count's events (the last ten years', oldest
    first), the tags held."""
    statement = sql.records()
    if user_ids is not None:
        statement = statement.where(User.id.in_(user_ids))
    found = {row["id"]: dict(row) for row in (await session.execute(statement)).mappings()}
    if not found:
        return found
    chosen = list(found) if user_ids is not None else None
    since = now() - timedelta(days=rules.MAX_DAYS + 1)
    for field in sorted(fields & set(sql.EVENTS)):
        for values in found.values():
            values[field] = []
        ordered = sql.events(field, since, chosen).order_by(sql.EVENTS[field][1])
        rows = await session.execute(ordered)
        for user_id, moment in rows:
            if user_id in found:
                found[user_id][field].append(moment)
    if "tags" in fields:
        for values in found.values():
            values["tags"] = set()
        tagged = sql.tags(chosen) if chosen is not None else sql.tags(select(User.id))
        for user_id, tag in await session.execute(tagged):
            found[user_id]["tags"].add(tag)
    return found


async def _values(
    session: AsyncSession, user_id: UUID, fields: set[str] | None = None
) -> dict[str, Any] | None:
    found = await values_of(session, [user_id], set(rules.FIELDS) if fields is None else fields)
    return found.get(user_id)


async def _evaluate(
    session: AsyncSession,
    segments: list[tuple[UUID, rules.Node]],
    user_id: UUID,
    values: dict[str, Any],
    at: datetime,
) -> None:
    """One user against some segments, in memory: the timers of their windows, then
    membership. What the user is in and their timers are read once, and only what changes is
    written (each write guarded as ever: the insert the primary key lets happen once, the
    delete that returns what it removed)."""
    ids = [segment_id for segment_id, _ in segments]
    timed = [(segment_id, node) for segment_id, node in segments if _has_windows(node)]
    if timed:
        timers = dict(
            (
                await session.execute(
                    select(SegmentTimer.segment_id, SegmentTimer.due_at).where(
                        SegmentTimer.user_id == user_id,
                        SegmentTimer.segment_id.in_([segment_id for segment_id, _ in timed]),
                    )
                )
            ).all()
        )
        for segment_id, node in timed:
            due = rules.flips(node, values, at)
            if due == timers.get(segment_id):
                continue
            if due is None:
                await session.execute(
                    delete(SegmentTimer).where(
                        SegmentTimer.segment_id == segment_id, SegmentTimer.user_id == user_id
                    )
                )
            else:
                await session.execute(
                    insert_for(session, TIMERS)
                    .values(segment_id=segment_id, user_id=user_id, due_at=due)
                    .on_conflict_do_update(
                        index_elements=[TIMERS.c.segment_id, TIMERS.c.user_id],
                        set_={"due_at": due},
                    )
                )
    member_of = set(
        await session.scalars(
            select(SegmentMember.segment_id).where(
                SegmentMember.user_id == user_id, SegmentMember.segment_id.in_(ids)
            )
        )
    )
    for segment_id, node in segments:
        if predicate.matches(node, values, at):
            if segment_id not in member_of:
                await _enter(session, segment_id, {user_id}, at)
        elif segment_id in member_of:
            await _leave(session, segment_id, {user_id}, at)


def _has_windows(node: rules.Node) -> bool:
    return any(True for _ in rules.windows(node))


async def refresh(
    session: AsyncSession, user_id: UUID, fields: set[str], at: datetime | None = None
) -> None:
    """Re-evaluate, in memory, the user against every segment reading a changed field, as of
    now (or `at`, a timer's due time), in the caller's transaction."""
    segments = await _reading(session, fields)
    if not segments:
        return
    nodes = [(segment.id, rules.parse(segment.rule)) for segment in segments]
    read = set().union(*(rules.fields_of(node) for _, node in nodes))
    values = await _values(session, user_id, read)
    if values is None:
        return  # events about a user this service does not know
    await _evaluate(session, nodes, user_id, values, at or now())


async def fire_due(db: Database, at: datetime | None = None) -> int:
    """Evaluate again every (segment, user) whose timer is due, a batch in one transaction;
    timers locked by another replica are skipped, and each is taken by a delete naming its due
    time, so it fires once. Each gets its next timer or none. Returns how many fired."""
    at = at or now()
    fired = 0
    async with db.session() as session, session.begin():
        due_segments = select(SegmentTimer.segment_id).where(SegmentTimer.due_at <= at)
        segments = (
            await session.scalars(
                select(Segment)
                .where(Segment.id.in_(due_segments))
                .order_by(Segment.id)
                .with_for_update(read=True)
            )
        ).all()
        for segment in segments:
            node = rules.parse(segment.rule)
            due = (
                await session.execute(
                    select(SegmentTimer.user_id, SegmentTimer.due_at)
                    .where(SegmentTimer.segment_id == segment.id, SegmentTimer.due_at <= at)
                    .order_by(SegmentTimer.due_at)
                    .limit(TIMER_BATCH - fired)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for user_id, seen in due:
                if not await _claim(session, segment.id, user_id, seen):
                    continue  # fired meanwhile by another scheduler (SQLite locks no rows)
                fired += 1
                values = await _values(session, user_id, rules.fields_of(node))
                if values is not None:
                    await _evaluate(session, [(segment.id, node)], user_id, values, at)
            if fired >= TIMER_BATCH:
                break
    return fired


async def _claim(session: AsyncSession, segment_id: UUID, user_id: UUID, seen: datetime) -> bool:
    """Take the timer as it was read, in one statement: a timer fired or moved since is
    not taken again."""
    taken = await session.execute(
        delete(SegmentTimer).where(
            SegmentTimer.segment_id == segment_id,
            SegmentTimer.user_id == user_id,
            SegmentTimer.due_at == seen,
        )
    )
    return taken.rowcount == 1


async def sweep(db: Database, at: datetime | None = None) -> int:
    """Bring every segment with time windows to what SQL selects now, as the timers should
    have, and rebuild their timers: the safety net behind them. Returns (and logs) how many
    memberships it had to change."""
    at = at or now()
    fixed = 0
    async with db.session() as session:
        ids = list(await session.scalars(select(Segment.id).order_by(Segment.id)))
    for segment_id in ids:
        async with db.session() as session, session.begin():
            segment = await session.get(Segment, segment_id, with_for_update={"read": True})
            if segment is None:
                continue
            node = rules.parse(segment.rule)
            if _has_windows(node):
                entered, left = await _materialize(session, segment_id, node, at)
                fixed += entered + left
    if fixed:
        log.warning("segment sweep fixed what the timers missed", extra={"fixed": fixed})
    else:
        log.info("segment sweep found nothing to fix")
    return fixed


async def rematerialize(session: AsyncSession, fields: set[str]) -> None:
    """After a change of many users at once (RFM rescored everyone): bring the membership of
    every segment reading `fields` to what SQL selects now, in the caller's transaction."""
    at = now()
    for segment in await _reading(session, fields):
        await _materialize(session, segment.id, rules.parse(segment.rule), at)


async def why(session: AsyncSession, segment_id: UUID, user_id: UUID) -> tuple[bool, dict]:
    """Whether the user is a member, and the rule explained against their values now."""
    segment = await get(session, segment_id)
    values = await _values(session, user_id)
    if values is None:
        raise NotFound("No such user.")
    member = await session.get(SegmentMember, (segment_id, user_id))
    return member is not None, predicate.explain(rules.parse(segment.rule), values, now())


async def get(
    session: AsyncSession, segment_id: UUID, *, lock: bool = False, refresh: bool = False
) -> Segment:
    segment = await session.get(
        Segment, segment_id, with_for_update=lock or None, populate_existing=refresh
    )
    if segment is None:
        raise NotFound("No such segment.")
    return segment


def users_in(segment_id: UUID):
    """A condition on `User.id`: a member of the segment."""
    return User.id.in_(select(SegmentMember.user_id).where(SegmentMember.segment_id == segment_id))


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


EXPORT_HEADER = ("user_id", "email", "entered_at")


async def export(db: Database, segment_id: UUID) -> AsyncIterator[list[Any]]:
    """Every member as a CSV row, streamed from the database in a session of the stream's
    own (the request's session is gone once the route has returned the response)."""
    statement = (
        select(SegmentMember.user_id, User.email, SegmentMember.entered_at)
        .join(User, User.id == SegmentMember.user_id)
        .where(SegmentMember.segment_id == segment_id)
        .order_by(SegmentMember.user_id)
        .execution_options(yield_per=EXPORT_YIELD_PER)
    )
    async with db.session() as session:
        async for user_id, email, entered_at in await session.stream(statement):
            yield [str(user_id), email, entered_at.isoformat()]
