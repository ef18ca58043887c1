"""The catalog service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.catalog import api
from services.catalog.consumers import on_order_placed
from services.catalog.models import Base
from services.catalog.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="catalog",
        settings=settings or Settings(),
        routers=[api.router],
        schema=SCHEMA,
        consumers=[on_order_placed],
        description="Product operations: products, prices, listing, inventory.",
    )
