"""The catalog service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.catalog.categories import api as categories
from services.catalog.inventory.consumers import on_order_placed
from services.catalog.models import Base
from services.catalog.products import api as products
from services.catalog.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="catalog",
        settings=settings or Settings(),
        routers=[categories.router, products.router],
        schema=SCHEMA,
        consumers=[on_order_placed],
        description="Product operations: categories, products, prices, listing, inventory.",
    )
