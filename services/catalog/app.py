"""The catalog service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from services.catalog import api
from services.catalog.consumers import on_order_placed
from services.catalog.models import Base
from services.catalog.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="catalog",
        settings=settings or Settings(),
        routers=[api.router],
        metadata=Base.metadata,
        consumers=[on_order_placed],
        description="Product operations: products, prices, listing, inventory.",
    )
