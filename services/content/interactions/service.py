"""Operations of interactions: recording views, reactions, shares and click-throughs on
published posts, taking a reaction back, and reading a post's counters and one's favourites.
Each in one transaction with its counters and its event."""

from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.http.problems import InvalidInput
from chassis.pagination import PageRequest, fetch_page
from contracts.content import InteractionKind, InteractionRecorded
from services.content.interactions import counters
from services.content.interactions.models import PostStats, Reaction, ReactionKind, Seen
from services.content.interactions.schemas import Click, InteractionIn, Reacted, View
from services.content.posts import service as posts
from services.content.posts.models import Post
from services.content.posts.workflow import PostState

COUNTER_OF = {
    InteractionKind.LIKE: "likes",
    InteractionKind.FAVOURITE: "favourites",
    InteractionKind.SHARE: "shares",
    InteractionKind.CLICK: "clicks",
}


async def record(
    session: AsyncSession, post_id: UUID, interaction: InteractionIn, by: Principal
) -> bool:
    """Record an interaction with a published post. False when it changed nothing: a like
    or favourite the user had given already."""
    post = await posts.readable(session, post_id, None)
    kind = InteractionKind(interaction.kind)
    event = InteractionRecorded(post_id=post.id, user_id=by.user_id, kind=kind, occurred_at=now())
    match interaction:
        case View():
            await _seen(session, post.id, by.user_id, interaction.dwell_ms)
            await counters.add(session, post.id, views=1, dwell_ms=interaction.dwell_ms)
            event = event.model_copy(update={"dwell_ms": interaction.dwell_ms})
        case Reacted() if kind is InteractionKind.SHARE:
            await counters.add(session, post.id, shares=1)
        case Reacted():
            if not await _react(session, post.id, by.user_id, ReactionKind(kind)):
                return False
            await counters.add(session, post.id, **{COUNTER_OF[kind]: 1})
        case Click():
            _check_target(post, interaction)
            await counters.add(session, post.id, clicks=1)
            event = event.model_copy(
                update={"product_id": interaction.product_id, "sku_id": interaction.sku_id}
            )
    await outbox.add(session, event)
    await session.commit()
    return True


async def undo(session: AsyncSession, post_id: UUID, kind: ReactionKind, by: Principal) -> bool:
    """Take back a like or favourite; False when there was none."""
    removed = await session.execute(
        delete(Reaction).where(
            Reaction.user_id == by.user_id, Reaction.post_id == post_id, Reaction.kind == kind
        )
    )
    if removed.rowcount != 1:
        return False
    interaction = InteractionKind(kind)
    await counters.take_one(session, post_id, COUNTER_OF[interaction])
    await outbox.add(
        session,
        InteractionRecorded(
            post_id=post_id, user_id=by.user_id, kind=interaction, undone=True, occurred_at=now()
        ),
    )
    await session.commit()
    return True


async def stats(
    session: AsyncSession, post_id: UUID, reader: Principal | None
) -> tuple[PostStats, set[ReactionKind] | None]:
    post = await posts.readable(session, post_id, None)
    figures = await session.get(PostStats, post.id) or PostStats(
        post_id=post.id, **dict.fromkeys(counters.COUNTERS, 0)
    )
    if reader is None:
        return figures, None
    mine = await session.scalars(
        select(Reaction.kind).where(Reaction.user_id == reader.user_id, Reaction.post_id == post.id)
    )
    return figures, set(mine)


async def favourites(
    session: AsyncSession, by: Principal, page: PageRequest
) -> tuple[list[Post], str | None]:
    """The published posts a user has favourited, latest favourite first."""
    statement = select(Reaction).where(
        Reaction.user_id == by.user_id, Reaction.kind == ReactionKind.FAVOURITE
    )
    reactions, next_cursor = await fetch_page(
        session, statement, key=[Reaction.created_at, Reaction.post_id], page=page
    )
    found = {
        p.id: p
        for p in await session.scalars(
            select(Post).where(Post.id.in_([r.post_id for r in reactions]))
        )
        if p.state == PostState.PUBLISHED
    }
    return [found[r.post_id] for r in reactions if r.post_id in found], next_cursor


async def _react(session: AsyncSession, post_id: UUID, user_id: UUID, kind: ReactionKind) -> bool:
    added = await session.execute(
        insert_for(session, Reaction)
        .values(user_id=user_id, post_id=post_id, kind=kind, created_at=now())
        .on_conflict_do_nothing()
        .returning(Reaction.post_id)
    )
    return added.first() is not None


async def _seen(session: AsyncSession, post_id: UUID, user_id: UUID, dwell_ms: int) -> None:
    at = now()
    await session.execute(
        insert_for(session, Seen)
        .values(user_id=user_id, post_id=post_id, views=1, dwell_ms=dwell_ms, last_seen_at=at)
        .on_conflict_do_update(
            index_elements=["user_id", "post_id"],
            set_={
                "views": Seen.views + 1,
                "dwell_ms": Seen.dwell_ms + dwell_ms,
                "last_seen_at": at,
            },
        )
    )


def _check_target(post: Post, click: Click) -> None:
    """A click-through goes to a product or SKU the post links."""
    if click.product_id is not None and str(click.product_id) not in post.product_ids:
        raise InvalidInput("body.click.product_id", "is not a product this post links")
    if click.sku_id is not None and str(click.sku_id) not in post.sku_ids:
        raise InvalidInput("body.click.sku_id", "is not a SKU this post links")
