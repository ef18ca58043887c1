"""Operations on interest tags: keeping the labels of items from the catalogue's and
content's events, counting a user's touches as evidence once each, deriving their system
tags from the evidence that still counts (their scores lowered and the tags dropped on
time, by a timer, as it ages), operators' manual tags (audited), and reading a user's tags
with evidence."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import case, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import background
from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.http.problems import InvalidInput, NotFound
from contracts.catalog import CategoryCreated, CategoryUpdated, ProductCreated, ProductUpdated
from contracts.content import PostPublished
from services.users.accounts import service as accounts
from services.users.accounts.models import User
from services.users.segments import service as segments
from services.users.tags import rules
from services.users.tags.models import (
    CountedTouch,
    InterestCategory,
    InterestItem,
    ItemKind,
    TagChange,
    TagEvidence,
    TagEvidenceDay,
    TagOrigin,
    TagTimer,
    UserTag,
)

ITEMS = InterestItem.__table__
EVIDENCE = TagEvidence.__table__
DAYS = TagEvidenceDay.__table__
TIMERS = TagTimer.__table__
TAGS = UserTag.__table__
TIMER_BATCH = 500  # timers fired per transaction
FIELDS = {"tags"}  # what segments read of this domain


async def _upsert_item(session: AsyncSession, item_id: UUID, **values) -> None:
    statement = insert_for(session, ITEMS).values(item_id=item_id, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[ITEMS.c.item_id], set_=values)
    )


async def keep_product(session: AsyncSession, event: ProductCreated | ProductUpdated) -> None:
    """A product's brand and category, and its SKUs labelled as it (a SKU gone is dropped)."""
    at = getattr(event, "updated_at", None) or event.created_at
    common = {"brand": event.brand, "category_id": event.category_id, "updated_at": at}
    await _upsert_item(
        session, event.product_id, kind=ItemKind.PRODUCT, product_id=None, labels=[], **common
    )
    skus = [sku.sku_id for sku in event.skus]
    await session.execute(
        delete(InterestItem).where(
            InterestItem.product_id == event.product_id, InterestItem.item_id.not_in(skus)
        )
    )
    for sku_id in skus:
        await _upsert_item(
            session, sku_id, kind=ItemKind.SKU, product_id=event.product_id, labels=[], **common
        )


async def keep_category(session: AsyncSession, event: CategoryCreated | CategoryUpdated) -> None:
    table = InterestCategory.__table__
    statement = insert_for(session, table).values(category_id=event.category_id, name=event.name)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.category_id], set_={"name": event.name}
        )
    )


async def keep_post(session: AsyncSession, event: PostPublished) -> None:
    await _upsert_item(
        session,
        event.post_id,
        kind=ItemKind.POST,
        product_id=None,
        brand=None,
        category_id=None,
        labels=rules.post_labels(event.topics, event.tags),
        updated_at=event.published_at,
    )


async def labels_of(session: AsyncSession, item_ids: Iterable[UUID]) -> set[str]:
    """The labels of the items known (unknown ones have none)."""
    found: set[str] = set()
    for item in await session.scalars(
        select(InterestItem).where(InterestItem.item_id.in_(set(item_ids)))
    ):
        if item.kind is ItemKind.POST:
            found.update(item.labels)
            continue
        category = None
        if item.category_id is not None:
            category = await session.scalar(
                select(InterestCategory.name).where(
                    InterestCategory.category_id == item.category_id
                )
            )
        found.update(rules.product_labels(item.brand, category))
    return found


async def source_of(session: AsyncSession, item_id: UUID) -> rules.Source | None:
    """What viewing the item is evidence of: a post's, content; a product's, a product view;
    None for an item never announced."""
    kind = await session.scalar(select(InterestItem.kind).where(InterestItem.item_id == item_id))
    if kind is None:
        return None
    return rules.Source.CONTENT if kind is ItemKind.POST else rules.Source.PRODUCT_VIEW


async def _first_time(session: AsyncSession, key: str) -> bool:
    statement = insert_for(session, CountedTouch.__table__).values(key=key)
    return (
        await session.scalar(statement.on_conflict_do_nothing().returning(CountedTouch.key))
        is not None
    )


async def count_touch(
    session: AsyncSession,
    user_id: UUID,
    key: str,
    item_ids: Iterable[UUID],
    source: rules.Source,
    at: datetime,
    window: timedelta,
) -> bool:
    """Count a touch (`key` names it: a behaviour id, an order) of some items as evidence of
    each of their labels, once, and derive the user's system tags again. True if counted.
    A touch older than the window is kept in the totals but earns nothing."""
    labels = await labels_of(session, item_ids)
    if not labels or not await _first_time(session, key):
        return False
    await _lock_timer(session, user_id)
    current = now()
    at = min(at, current)  # a client clock ahead of ours counts as now
    day = rules.day_of(at)
    counts = rules.expires_at(day, window) > current
    for tag in sorted(labels):
        statement = insert_for(session, EVIDENCE).values(
            user_id=user_id, tag=tag, source=source, count=1, first_seen_at=at, last_seen_at=at
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[EVIDENCE.c.user_id, EVIDENCE.c.tag, EVIDENCE.c.source],
                set_={
                    "count": EVIDENCE.c.count + 1,
                    "last_seen_at": case(
                        (statement.excluded.last_seen_at > EVIDENCE.c.last_seen_at, at),
                        else_=EVIDENCE.c.last_seen_at,
                    ),
                    "first_seen_at": case(
                        (statement.excluded.first_seen_at < EVIDENCE.c.first_seen_at, at),
                        else_=EVIDENCE.c.first_seen_at,
                    ),
                },
            )
        )
        if counts:
            daily = insert_for(session, DAYS).values(
                user_id=user_id, tag=tag, source=source, day=day, count=1
            )
            await session.execute(
                daily.on_conflict_do_update(
                    index_elements=[DAYS.c.user_id, DAYS.c.tag, DAYS.c.source, DAYS.c.day],
                    set_={"count": DAYS.c.count + 1},
                )
            )
    await derive(session, user_id, window)
    return True


async def evidence(session: AsyncSession, user_id: UUID) -> list[TagEvidence]:
    return list(
        await session.scalars(
            select(TagEvidence)
            .where(TagEvidence.user_id == user_id)
            .order_by(TagEvidence.tag, TagEvidence.source)
        )
    )


async def _lock_timer(session: AsyncSession, user_id: UUID) -> None:
    """Lock the user's timer row (if any) before their evidence and tags: the scheduler
    takes the timer first too, so the two never wait for each other crosswise."""
    await session.execute(
        select(TagTimer.user_id).where(TagTimer.user_id == user_id).with_for_update()
    )


async def derive(
    session: AsyncSession, user_id: UUID, window: timedelta, at: datetime | None = None
) -> None:
    """Bring the user's system tags, and their scores, to what their evidence still counting
    at `at` (now) earns, forget the days that no longer count, and set the timer to the
    moment ageing next lowers a score (or drops a tag). The segments reading tags are
    evaluated again if the set changed."""
    at = at or now()
    await _lock_timer(session, user_id)
    first_day = rules.first_counted_day(at, window)
    await session.execute(
        delete(TagEvidenceDay).where(
            TagEvidenceDay.user_id == user_id, TagEvidenceDay.day < first_day
        )
    )
    days = [
        rules.Evidence(d.tag, d.source, d.count, d.day)
        for d in await session.scalars(
            select(TagEvidenceDay).where(TagEvidenceDay.user_id == user_id)
        )
    ]
    earned = rules.system_tags(days, at, window)
    held = {
        tag.tag: tag
        for tag in await session.scalars(
            select(UserTag)
            .where(UserTag.user_id == user_id, UserTag.origin == TagOrigin.SYSTEM)
            .with_for_update()
        )
    }
    for tag, score in earned.items():
        if tag in held:
            held[tag].score = score
    new = [
        {
            "user_id": user_id,
            "tag": tag,
            "origin": TagOrigin.SYSTEM,
            "score": score,
            "set_at": at,
        }
        for tag, score in earned.items()
        if tag not in held
    ]
    if new:
        await session.execute(insert_for(session, TAGS).values(new).on_conflict_do_nothing())
    gone = set(held) - set(earned)  # its evidence aged out (or the rules changed)
    if gone:
        await session.execute(
            delete(UserTag).where(
                UserTag.user_id == user_id,
                UserTag.origin == TagOrigin.SYSTEM,
                UserTag.tag.in_(sorted(gone)),
            )
        )
    due = rules.score_falls_at(days, at, window)
    if due is None:
        await session.execute(delete(TagTimer).where(TagTimer.user_id == user_id))
    else:
        statement = insert_for(session, TIMERS).values(user_id=user_id, due_at=due)
        await session.execute(
            statement.on_conflict_do_update(index_elements=[TIMERS.c.user_id], set_={"due_at": due})
        )
    if new or gone:
        await session.flush()
        await segments.refresh(session, user_id, FIELDS, at)


async def next_drop(session: AsyncSession, user_id: UUID) -> datetime | None:
    """When the user's timer fires: ageing evidence next lowers a system tag's score (or
    takes the tag away)."""
    return await session.scalar(select(TagTimer.due_at).where(TagTimer.user_id == user_id))


async def fire_due(db: Database, window: timedelta, at: datetime | None = None) -> int:
    """Derive again the system tags of every user whose timer is due (their evidence aged
    out of a tag), a batch in one transaction; each fired timer moves to the next drop or
    goes. Returns how many fired."""
    at = at or now()

    async def fire(session: AsyncSession, user_id: UUID) -> None:
        await derive(session, user_id, window, at)

    return await background.fire_due(db, TagTimer.user_id, TagTimer.due_at, at, TIMER_BATCH, fire)


def parse_tag(tag: str, field: str = "path.tag") -> str:
    normal = rules.normalise(tag)
    if not 0 < len(normal) <= rules.MAX_TAG:
        raise InvalidInput(field, f"must be 1 to {rules.MAX_TAG} characters")
    return normal


async def add_manual(session: AsyncSession, user_id: UUID, tag: str, by: UUID) -> bool:
    """Tag the user on an operator's word (audited); True if they did not hold it."""
    tag = parse_tag(tag)
    await accounts.get(session, user_id)
    at = now()
    statement = insert_for(session, TAGS).values(
        user_id=user_id, tag=tag, origin=TagOrigin.MANUAL, set_by=by, set_at=at
    )
    added = await session.scalar(statement.on_conflict_do_nothing().returning(TAGS.c.tag))
    if added is not None:
        session.add(TagChange(user_id=user_id, tag=tag, added=True, by=by, at=at))
        await session.flush()
        await segments.refresh(session, user_id, FIELDS)
    await session.commit()
    return added is not None


async def remove_manual(session: AsyncSession, user_id: UUID, tag: str, by: UUID) -> None:
    """Take an operator's tag off the user (audited); 404 if they hold no such manual tag.
    A system tag of the same name stays while the evidence earns it."""
    tag = parse_tag(tag)
    await accounts.get(session, user_id)
    removed = await session.scalar(
        delete(UserTag)
        .where(UserTag.user_id == user_id, UserTag.tag == tag, UserTag.origin == TagOrigin.MANUAL)
        .returning(UserTag.tag)
    )
    if removed is None:
        raise NotFound("The user holds no such manual tag.")
    session.add(TagChange(user_id=user_id, tag=tag, added=False, by=by, at=now()))
    await session.flush()
    await segments.refresh(session, user_id, FIELDS)
    await session.commit()


async def held(session: AsyncSession, user_id: UUID) -> list[UserTag]:
    return list(
        await session.scalars(
            select(UserTag).where(UserTag.user_id == user_id).order_by(UserTag.tag, UserTag.origin)
        )
    )


async def changes(session: AsyncSession, user_id: UUID) -> list[TagChange]:
    return list(
        await session.scalars(
            select(TagChange).where(TagChange.user_id == user_id).order_by(TagChange.at)
        )
    )


def users_tagged(tag: str):
    """A condition on `User.id`: holds `tag`, of either origin."""
    return User.id.in_(select(UserTag.user_id).where(UserTag.tag == rules.normalise(tag)))
