"""Events the content service publishes."""

from datetime import datetime
from uuid import UUID

from chassis.events import EventData, event


@event("flywheel.content.article.published.v1", topic="flywheel.content.article", key="article_id")
class ArticlePublished(EventData):
    """An article went live, linking to catalog products."""

    article_id: UUID
    title: str
    product_ids: list[UUID]
    author: UUID
    published_at: datetime
