"""Articles: drafting with links to known catalog products, and publishing."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import InvalidInput, NotFound
from contracts.content import ArticlePublished
from services.content import workflow
from services.content.models import Article, LinkedProduct
from services.content.schemas import ArticleDraft
from services.content.workflow import ArticleState


async def create_draft(session: AsyncSession, draft: ArticleDraft, author: UUID) -> Article:
    await _check_links(session, draft.product_ids)
    article = Article(
        title=draft.title,
        body=draft.body,
        product_ids=[str(product_id) for product_id in draft.product_ids],
        author=author,
    )
    session.add(article)
    await session.commit()
    return article


async def publish(session: AsyncSession, article_id: UUID) -> Article:
    """Publish a draft and stage ArticlePublished in the same transaction."""
    article = await session.get(Article, article_id, with_for_update=True)
    if article is None:
        raise NotFound(f"No article {article_id}.")
    article.state = workflow.transition(article.state, ArticleState.PUBLISHED)
    article.published_at = now()
    await outbox.add(
        session,
        ArticlePublished(
            article_id=article.id,
            title=article.title,
            product_ids=article.product_ids,
            author=article.author,
            published_at=article.published_at,
        ),
    )
    await session.commit()
    return article


async def _check_links(session: AsyncSession, product_ids: Sequence[UUID]) -> None:
    """Articles link only products the catalog has announced; a 422 names the first other."""
    known = set(
        await session.scalars(
            select(LinkedProduct.product_id).where(LinkedProduct.product_id.in_(product_ids))
        )
    )
    for index, product_id in enumerate(product_ids):
        if product_id not in known:
            raise InvalidInput(f"body.product_ids.{index}", f"{product_id} is not a known product")
