"""Operations on reviews: posting, editing and deleting one's own, reading them with whether
each is a verified purchase, and learning purchases from paid orders."""

from uuid import UUID

from sqlalchemy import and_, case, delete, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.content import ReviewPosted
from contracts.orders import OrderPaid
from services.content.moderation import words
from services.content.moderation.screening import first_block, screen
from services.content.reviews.models import Purchase, Review
from services.content.reviews.schemas import ReviewEdit, ReviewIn
from services.content.reviews.summary import Summary, summarize


async def post(session: AsyncSession, body: ReviewIn, by: Principal) -> tuple[Review, bool]:
    review = Review(sku_id=body.sku_id, author=by.user_id)
    await _fill(session, review, body)
    session.add(review)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict("You have reviewed this SKU already; edit that review instead.") from None
    verified = await _bought(session, by.user_id, body.sku_id)
    await outbox.add(
        session,
        ReviewPosted(
            review_id=review.id,
            sku_id=review.sku_id,
            author=review.author,
            rating=review.rating,
            verified=verified,
            posted_at=review.created_at,
        ),
    )
    await session.commit()
    return review, verified


async def edit(
    session: AsyncSession, review_id: UUID, body: ReviewEdit, by: Principal
) -> tuple[Review, bool]:
    review = await _own(session, review_id, by)
    await _fill(session, review, body)
    review.updated_at = now()
    await session.commit()
    return review, await _bought(session, review.author, review.sku_id)


async def remove(session: AsyncSession, review_id: UUID, by: Principal) -> None:
    deleted = await session.execute(
        delete(Review).where(Review.id == review_id, Review.author == by.user_id)
    )
    if deleted.rowcount != 1:
        raise NotFound(f"No review {review_id}.")
    await session.commit()


async def of_sku(
    session: AsyncSession, sku_id: UUID, page: PageRequest, *, verified_only: bool = False
) -> tuple[list[tuple[Review, bool]], str | None]:
    """A SKU's reviews, newest first, each with whether it is a verified purchase."""
    statement = select(Review).where(Review.sku_id == sku_id)
    if verified_only:
        statement = statement.where(select(Purchase.order_id).where(_purchase_of(Review)).exists())
    reviews, next_cursor = await fetch_page(
        session, statement, key=[Review.created_at, Review.id], page=page
    )
    bought = await _bought_pairs(session, reviews)
    return [(r, (r.author, r.sku_id) in bought) for r in reviews], next_cursor


async def summary(session: AsyncSession, sku_id: UUID) -> Summary:
    verified = case((Purchase.order_id.is_not(None), True), else_=False).label("verified")
    rows = await session.execute(
        select(Review.rating, verified, func.count())
        .outerjoin(Purchase, _purchase_of(Review))
        .where(Review.sku_id == sku_id)
        .group_by(Review.rating, verified)
    )
    return summarize((rating, bool(is_verified), many) for rating, is_verified, many in rows)


async def record_purchase(session: AsyncSession, paid: OrderPaid) -> None:
    """Remember each SKU the customer paid for (the first order that had it): from then on
    their reviews of it are verified. A redelivered event or a later order changes nothing."""
    for sku_id in dict.fromkeys(line.sku_id for line in paid.lines):
        await session.execute(
            insert_for(session, Purchase)
            .values(
                customer_id=paid.customer_id,
                sku_id=sku_id,
                order_id=paid.order_id,
                paid_at=paid.paid_at,
            )
            .on_conflict_do_nothing(index_elements=["customer_id", "sku_id"])
        )


async def _own(session: AsyncSession, review_id: UUID, by: Principal) -> Review:
    """One's own review; another's is a 404, as if it did not exist."""
    review = await session.get(Review, review_id)
    if review is None or review.author != by.user_id:
        raise NotFound(f"No review {review_id}.")
    return review


async def _fill(session: AsyncSession, review: Review, body: ReviewIn | ReviewEdit) -> None:
    findings = screen(await words.current(session), [("text", body.text)])
    if blocked := first_block(findings):
        raise InvalidInput("body.text", f"contains the banned word {blocked.match.term!r}")
    review.rating = body.rating
    review.text = body.text
    review.images = [str(url) for url in body.images]
    review.flags = [f.as_flag() for f in findings]


def _purchase_of(review: type[Review]):
    return and_(Purchase.customer_id == review.author, Purchase.sku_id == review.sku_id)


async def _bought(session: AsyncSession, customer_id: UUID, sku_id: UUID) -> bool:
    found = await session.scalar(
        select(Purchase.order_id).where(
            Purchase.customer_id == customer_id, Purchase.sku_id == sku_id
        )
    )
    return found is not None


async def _bought_pairs(session: AsyncSession, reviews: list[Review]) -> set[tuple[UUID, UUID]]:
    if not reviews:
        return set()
    pairs = {(r.author, r.sku_id) for r in reviews}
    rows = await session.execute(
        select(Purchase.customer_id, Purchase.sku_id).where(
            tuple_(Purchase.customer_id, Purchase.sku_id).in_(pairs)
        )
    )
    return {(customer, sku) for customer, sku in rows}
