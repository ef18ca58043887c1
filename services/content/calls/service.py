"""Operations of content calls: opening one, entering a post in it while it runs, judging
it once after it ends (by operators or by engagement), with the events that reward winners."""

from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.content import CallEntrySubmitted, CallWinnerChosen, Reward
from services.content.calls import judging
from services.content.calls.models import Call, CallEntry, Judging
from services.content.calls.schemas import CallIn
from services.content.interactions.models import PostStats
from services.content.posts import service as posts
from services.content.posts.workflow import IllegalTransition


async def open_call(session: AsyncSession, body: CallIn, by: UUID) -> Call:
    call = Call(
        **body.model_dump(exclude={"reward"}), reward=body.reward.model_dump(mode="json"),
        created_by=by,
    )  # fmt: skip
    session.add(call)
    await session.commit()
    return call


async def get(session: AsyncSession, call_id: UUID) -> Call:
    call = await session.get(Call, call_id)
    if call is None:
        raise NotFound(f"No call {call_id}.")
    return call


async def calls(session: AsyncSession, page: PageRequest) -> tuple[list[Call], str | None]:
    return await fetch_page(session, select(Call), key=[Call.starts_at, Call.id], page=page)


async def enter(session: AsyncSession, call_id: UUID, post_id: UUID, by: Principal) -> CallEntry:
    """Enter one's own published post, while the call runs; once per customer and call."""
    call = await get(session, call_id)
    at = now()
    if not call.starts_at <= at < call.ends_at:
        raise IllegalTransition("The call is not open for entries now.")
    post = await posts.readable(session, post_id, None)  # published, or a 404
    if post.author != by.user_id:
        raise InvalidInput("body.post_id", "is not a post of yours")
    entry = CallEntry(call_id=call.id, post_id=post.id, author=by.user_id, submitted_at=at)
    session.add(entry)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict("You have entered this call already (or this post is in it).") from None
    await outbox.add(
        session,
        CallEntrySubmitted(call_id=call.id, post_id=post.id, author=by.user_id, submitted_at=at),
    )
    await session.commit()
    return entry


async def entries(
    session: AsyncSession, call_id: UUID, page: PageRequest
) -> tuple[list[CallEntry], str | None]:
    await get(session, call_id)
    statement = select(CallEntry).where(CallEntry.call_id == call_id)
    return await fetch_page(
        session, statement, key=[CallEntry.submitted_at, CallEntry.post_id], page=page
    )


async def judge(session: AsyncSession, call_id: UUID, chosen: list[UUID]) -> list[CallEntry]:
    """Choose the winners of an ended call, once: named by operators, or by engagement."""
    call = await get(session, call_id)
    if now() < call.ends_at:
        raise IllegalTransition("The call has not ended yet.")
    pool = {
        e.post_id: e
        for e in await session.scalars(select(CallEntry).where(CallEntry.call_id == call.id))
    }
    winners = await _winners(session, call, pool, chosen)
    judged = await session.execute(
        update(Call).where(Call.id == call.id, Call.judged_at.is_(None)).values(judged_at=now())
    )
    if judged.rowcount != 1:
        await session.rollback()
        raise IllegalTransition("The call has been judged already.")
    reward = Reward.model_validate(call.reward)
    for rank, post_id in enumerate(winners, start=1):
        entry = pool[post_id]
        entry.rank = rank
        await outbox.add(
            session,
            CallWinnerChosen(
                call_id=call.id,
                post_id=post_id,
                author=entry.author,
                rank=rank,
                reward=reward,
                chosen_at=now(),
            ),
        )
    await session.commit()
    return [pool[p] for p in winners]


async def _winners(
    session: AsyncSession, call: Call, pool: dict[UUID, CallEntry], chosen: list[UUID]
) -> list[UUID]:
    if call.judging is Judging.ENGAGEMENT:
        if chosen:
            raise InvalidInput("body.post_ids", "an engagement-judged call chooses its own winners")
        stats = {
            s.post_id: s
            for s in await session.scalars(select(PostStats).where(PostStats.post_id.in_(pool)))
        }
        candidates = [
            judging.Entry(e.post_id, e.submitted_at, _engagement(stats.get(e.post_id)))
            for e in pool.values()
        ]
        return judging.by_engagement(candidates, call.winners)
    if not chosen:
        raise InvalidInput("body.post_ids", "name the winning entries, best first")
    if len(chosen) > call.winners or len(set(chosen)) != len(chosen):
        raise InvalidInput("body.post_ids", f"at most {call.winners} different entries")
    for index, post_id in enumerate(chosen):
        if post_id not in pool:
            raise InvalidInput(f"body.post_ids.{index}", "is not an entry of this call")
    return chosen


def _engagement(stats: PostStats | None) -> dict[str, int]:
    if stats is None:
        return {}
    return {name: getattr(stats, name) for name in judging.WEIGHTS}
