"""The content service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.content.calls import api as calls
from services.content.feeds import api as feeds
from services.content.feeds.recommender import Recommender, following, training
from services.content.feeds.shelf import Shelf
from services.content.interactions import api as interactions
from services.content.interactions import quotas
from services.content.models import Base
from services.content.moderation import api as moderation
from services.content.posts import api as posts
from services.content.posts.consumers import (
    on_campaign_cancelled,
    on_campaign_ended,
    on_campaign_scheduled,
    on_campaign_started,
    on_product_created,
)
from services.content.posts.scheduler import publishing
from services.content.qa import api as qa
from services.content.reviews import api as reviews
from services.content.reviews.consumers import on_order_paid
from services.content.segments.consumers import on_segment_entered, on_segment_left
from services.content.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    model = Recommender(settings)
    app = build_service(
        name="content",
        settings=settings,
        routers=[
            posts.router,
            moderation.router,
            reviews.router,
            qa.router,
            interactions.router,
            feeds.router,
            feeds.recommender,
            calls.router,
        ],
        schema=SCHEMA,
        consumers=[
            on_product_created,
            on_campaign_scheduled,
            on_campaign_started,
            on_campaign_ended,
            on_campaign_cancelled,
            on_order_paid,
            on_segment_entered,
            on_segment_left,
        ],
        background=[
            publishing(settings.schedule_poll_seconds),
            training(model, settings.recommender_retrain_seconds),
            following(model, settings.recommender_follow_seconds),
        ],
        description="Content operations: posts of every kind linked to products, their "
        "editorial workflow and scheduled publishing, moderation, reviews verified by "
        "purchases, community Q&A, interactions, feeds ranked by a hybrid recommender "
        "and content calls.",
    )
    app.state.recommender = model
    app.state.shelf = Shelf(settings.feed_cache_seconds)
    app.state.quotas = quotas.limiter(settings)
    return app
