"""The orders service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.orders import api
from services.orders.consumers import on_product_created
from services.orders.models import Base
from services.orders.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="orders",
        settings=settings or Settings(),
        routers=[api.router],
        schema=SCHEMA,
        consumers=[on_product_created],
        description="Trade: orders priced from the catalog, placed once per idempotency key.",
    )
