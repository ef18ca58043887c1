"""The content service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.content import api
from services.content.consumers import on_product_created
from services.content.models import Base
from services.content.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="content",
        settings=settings or Settings(),
        routers=[api.router],
        schema=SCHEMA,
        consumers=[on_product_created],
        description="Content operations: articles linked to products, drafted then published.",
    )
