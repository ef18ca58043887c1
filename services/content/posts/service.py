"""Operations on posts: drafting, submitting, the moderator's moves, scheduled publishing and
live broadcasts. One transaction each, with its events; every state change is one guarded
UPDATE that checks the state it leaves, so two moderators (or two scheduler replicas) racing
on one post move it once."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.db import Database
from chassis.events import outbox
from chassis.http.problems import Forbidden, InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.content import (
    ArticlePublished,
    LiveSessionEnded,
    LiveSessionStarted,
    PostArchived,
    PostKind,
    PostPublished,
)
from contracts.content import ModerationDecision as Decision
from services.content.moderation import decisions, words
from services.content.moderation.screening import Finding, first_block, screen
from services.content.posts import changes, live, rendering, workflow
from services.content.posts.live import LiveState
from services.content.posts.models import (
    LIVE_COMMERCE,
    CampaignState,
    LabelKind,
    LinkedCampaign,
    LinkedProduct,
    Post,
    PostLabel,
)
from services.content.posts.schemas import (
    ArticleDraft,
    GuideDraft,
    ImagePostDraft,
    LiveDraft,
    PostDraft,
    VideoDraft,
)
from services.content.posts.workflow import IllegalTransition, PostState


async def create(session: AsyncSession, draft: PostDraft, by: Principal) -> Post:
    if draft.kind is PostKind.LIVE and not by.is_staff:
        raise Forbidden("Live sessions are run by operators.")
    post = Post(kind=draft.kind, author=by.user_id)
    await _fill(session, post, draft)
    session.add(post)
    await session.flush()
    _label(session, post)
    await session.commit()
    return post


async def revise(session: AsyncSession, post_id: UUID, draft: PostDraft, by: Principal) -> Post:
    """Replace a draft's content; only its author, only while it is a draft."""
    post = await owned(session, post_id, by)
    if draft.kind != post.kind:
        raise InvalidInput("body.kind", f"a {post.kind} post stays a {post.kind}")
    if post.state != PostState.DRAFT:
        raise IllegalTransition(f"A post that is {post.state} is no longer edited.")
    await _fill(session, post, draft)
    post.updated_at = now()
    await session.execute(delete(PostLabel).where(PostLabel.post_id == post.id))
    _label(session, post)
    await session.commit()
    return post


async def submit(session: AsyncSession, post_id: UUID, by: Principal) -> Post:
    """Send a draft to review, screened again (the list may have grown since it was written)."""
    post = await owned(session, post_id, by)
    findings = screen(await words.current(session), _texts(post))
    if blocked := first_block(findings):
        raise _blocked(f"post.{blocked.field}", blocked)
    await _move(session, post, PostState.IN_REVIEW, flags=[f.as_flag() for f in findings])
    await session.commit()
    return post


async def approve(
    session: AsyncSession, post_id: UUID, publish_at: datetime | None, reason: str | None, by: UUID
) -> Post:
    post = await _get(session, post_id)
    if publish_at is not None and publish_at <= now():
        raise InvalidInput("body.publish_at", "must be in the future (or omitted to publish now)")
    if publish_at is None:
        await _publish(session, post, PostState.IN_REVIEW)
        await decisions.record(session, post, Decision.APPROVED, reason, by)
    else:
        await _move(session, post, PostState.SCHEDULED, publish_at=publish_at)
        await decisions.record(session, post, Decision.SCHEDULED, reason, by)
    await session.commit()
    return post


async def reject(session: AsyncSession, post_id: UUID, reason: str, by: UUID) -> Post:
    """Send a post back to its author as a draft, saying why."""
    post = await _get(session, post_id)
    await _move(session, post, PostState.DRAFT, review_note=reason)
    await decisions.record(session, post, Decision.REJECTED, reason, by)
    await session.commit()
    return post


async def archive(session: AsyncSession, post_id: UUID, reason: str | None, by: UUID) -> Post:
    post = await _get(session, post_id)
    await archive_in(session, post, reason, by)
    await session.commit()
    return post


async def archive_in(session: AsyncSession, post: Post, reason: str | None, by: UUID) -> None:
    """Archive `post` within the caller's transaction (a moderator's take-down uses it)."""
    archived_at = now()
    await _move(session, post, PostState.ARCHIVED, archived_at=archived_at)
    await decisions.record(session, post, Decision.ARCHIVED, reason, by)
    await outbox.add(session, PostArchived(post_id=post.id, reason=reason, archived_at=archived_at))


async def publish_due(db: Database) -> int:
    """Publish every scheduled post whose time has come, each in its own transaction; the
    scheduler's step. Returns how many this call published."""
    async with db.session() as session:
        due = list(
            await session.scalars(
                select(Post.id)
                .where(Post.state == PostState.SCHEDULED, Post.publish_at <= now())
                .order_by(Post.publish_at)
                .limit(100)
            )
        )
    published = 0
    for post_id in due:
        async with db.session() as session:
            post = await session.get(Post, post_id)
            try:
                await _publish(session, post, PostState.SCHEDULED)
            except IllegalTransition:  # archived meanwhile, or another replica was first
                continue
            await session.commit()
            published += 1
    return published


async def start_live(session: AsyncSession, post_id: UUID) -> Post:
    post = await _live_post(session, post_id)
    started_at = now()
    await _broadcast(session, post, LiveState.LIVE, starts_at=started_at)
    await outbox.add(
        session,
        LiveSessionStarted(
            post_id=post.id,
            sku_ids=post.sku_ids,
            campaign_id=post.campaign_id,
            started_at=started_at,
        ),
    )
    await session.commit()
    return post


async def end_live(session: AsyncSession, post_id: UUID, replay_url: str | None) -> Post:
    post = await _live_post(session, post_id)
    await _broadcast(session, post, LiveState.ENDED, replay_url=replay_url)
    await outbox.add(
        session, LiveSessionEnded(post_id=post.id, replay_url=replay_url, ended_at=now())
    )
    await session.commit()
    return post


async def readable(session: AsyncSession, post_id: UUID, reader: Principal | None) -> Post:
    """A post as `reader` may see it: published for anyone, any state for its author and
    staff. To anyone else an unpublished post does not exist, so its id reveals nothing."""
    post = await session.get(Post, post_id)
    if post is None or not (post.state == PostState.PUBLISHED or may_review(post, reader)):
        raise NotFound(f"No post {post_id}.")
    return post


async def owned(session: AsyncSession, post_id: UUID, by: Principal) -> Post:
    post = await session.get(Post, post_id)
    if post is None or post.author != by.user_id:
        raise NotFound(f"No post {post_id}.")
    return post


async def published(
    session: AsyncSession,
    page: PageRequest,
    *,
    kind: PostKind | None = None,
    labels: Iterable[tuple[LabelKind, str]] = (),
) -> tuple[list[Post], str | None]:
    """Published posts, newest first: what storefronts list."""
    statement = select(Post).where(Post.state == PostState.PUBLISHED)
    if kind is not None:
        statement = statement.where(Post.kind == kind)
    for label_kind, value in labels:
        statement = statement.where(
            Post.id.in_(
                select(PostLabel.post_id).where(
                    PostLabel.kind == label_kind, PostLabel.value == value
                )
            )
        )
    return await fetch_page(session, statement, key=[Post.published_at, Post.id], page=page)


def may_review(post: Post, reader: Principal | None) -> bool:
    return reader is not None and (reader.is_staff or reader.user_id == post.author)


async def _get(session: AsyncSession, post_id: UUID) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise NotFound(f"No post {post_id}.")
    return post


async def _move(session: AsyncSession, post: Post, target: PostState, **values) -> None:
    """Move `post` to `target` if the workflow allows it from the state it was read in, in
    one statement that checks that state still holds."""
    leaving = post.state
    workflow.transition(leaving, target)
    changed = await session.execute(
        update(Post)
        .where(Post.id == post.id, Post.state == leaving)
        .values(state=target, updated_at=now(), **values)
    )
    if changed.rowcount != 1:
        await session.rollback()
        raise IllegalTransition(f"The post is no longer {leaving}; it changed meanwhile.")
    if PostState.PUBLISHED in (leaving, target):
        changes.publication_changed(session)
    await session.refresh(post)


async def _publish(session: AsyncSession, post: Post, leaving: PostState) -> None:
    if post.state != leaving:
        raise IllegalTransition(f"A post that is {post.state} is not published from {leaving}.")
    await _move(session, post, PostState.PUBLISHED, published_at=now())
    await outbox.add(
        session,
        PostPublished(
            post_id=post.id,
            kind=post.kind,
            title=post.title,
            author=post.author,
            product_ids=post.product_ids,
            sku_ids=post.sku_ids,
            tags=post.tags,
            topics=post.topics,
            published_at=post.published_at,
        ),
    )
    if post.kind is PostKind.ARTICLE:  # the deprecated event, beside its successor
        await outbox.add(
            session,
            ArticlePublished(
                article_id=post.id,
                title=post.title,
                product_ids=post.product_ids,
                author=post.author,
                published_at=post.published_at,
            ),
        )


async def _live_post(session: AsyncSession, post_id: UUID) -> Post:
    post = await _get(session, post_id)
    if post.kind is not PostKind.LIVE:
        raise NotFound(f"No live session {post_id}.")
    if post.state != PostState.PUBLISHED:
        raise IllegalTransition(f"A live session that is {post.state} does not go on air.")
    return post


async def _broadcast(session: AsyncSession, post: Post, target: LiveState, **values) -> None:
    leaving = post.live_state
    live.transition(leaving, target)
    changed = await session.execute(
        update(Post)
        .where(Post.id == post.id, Post.live_state == leaving)
        .values(live_state=target, updated_at=now(), **values)
    )
    if changed.rowcount != 1:
        await session.rollback()
        raise IllegalTransition(f"The live session is no longer {leaving}.")
    changes.publication_changed(session)  # what a published post shows changed
    await session.refresh(post)


async def _fill(session: AsyncSession, post: Post, draft: PostDraft) -> None:
    """Copy a draft onto `post`, refusing links to unknown products and blocked words."""
    await _check_links(session, draft.product_ids)
    post.title = draft.title
    post.body = draft.body
    post.product_ids = [str(p) for p in draft.product_ids]
    post.sku_ids = [str(s) for s in draft.sku_ids]
    post.tags = list(dict.fromkeys(draft.tags))
    post.topics = list(dict.fromkeys(draft.topics))
    post.body_html = None
    match draft:
        case ArticleDraft() | GuideDraft():
            post.body_html = rendering.render(draft.body)
            post.scenario = getattr(draft, "scenario", None)
        case ImagePostDraft():
            post.images = [image.model_dump(mode="json") for image in draft.images]
        case VideoDraft():
            post.video = draft.video.model_dump(mode="json")
        case LiveDraft():
            await _check_campaign(session, draft.campaign_id)
            post.starts_at = draft.starts_at
            post.campaign_id = draft.campaign_id
            post.live_state = LiveState.SCHEDULED
    findings = screen(await words.current(session), _texts(post))
    if blocked := first_block(findings):
        raise _blocked(f"body.{blocked.field}", blocked)
    post.flags = [f.as_flag() for f in findings]


def _texts(post: Post) -> Iterable[tuple[str, str]]:
    yield "title", post.title
    yield "body", post.body
    for index, image in enumerate(post.images or ()):
        yield f"images.{index}.caption", image.get("caption", "")
    for index, tag in enumerate(post.tags):
        yield f"tags.{index}", tag
    for index, topic in enumerate(post.topics):
        yield f"topics.{index}", topic


def _blocked(field: str, finding: Finding) -> InvalidInput:
    return InvalidInput(field, f"contains the banned word {finding.match.term!r}")


def _label(session: AsyncSession, post: Post) -> None:
    labels = {
        *((LabelKind.TAG, tag) for tag in post.tags),
        *((LabelKind.TOPIC, topic) for topic in post.topics),
        *((LabelKind.PRODUCT, product) for product in post.product_ids),
        *((LabelKind.SKU, sku) for sku in post.sku_ids),
    }
    session.add_all(PostLabel(post_id=post.id, kind=k, value=v) for k, v in labels)


async def _check_links(session: AsyncSession, product_ids: list[UUID]) -> None:
    """Posts link only products the catalog has announced; a 422 names the first other."""
    if not product_ids:
        return
    known = set(
        await session.scalars(
            select(LinkedProduct.product_id).where(LinkedProduct.product_id.in_(product_ids))
        )
    )
    for index, product_id in enumerate(product_ids):
        if product_id not in known:
            raise InvalidInput(f"body.product_ids.{index}", f"{product_id} is not a known product")


async def _check_campaign(session: AsyncSession, campaign_id: UUID | None) -> None:
    """A live session links a live-commerce campaign the campaigns service announced, one
    that has not ended nor been cancelled; a 422 naming `body.campaign_id` otherwise."""
    if campaign_id is None:
        return
    campaign = await session.get(LinkedCampaign, campaign_id)
    if campaign is None:
        raise InvalidInput("body.campaign_id", f"{campaign_id} is not a known campaign")
    if campaign.kind != LIVE_COMMERCE:
        raise InvalidInput("body.campaign_id", f"is a {campaign.kind} campaign, not live commerce")
    if campaign.state == CampaignState.ENDED:
        raise InvalidInput("body.campaign_id", "the campaign has ended")
    if campaign.state == CampaignState.CANCELLED:
        raise InvalidInput("body.campaign_id", "the campaign was cancelled")
