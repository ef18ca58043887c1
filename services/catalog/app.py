"""The catalog service."""

from datetime import timedelta

from fastapi import FastAPI

from chassis.background import every
from chassis.http.service import Runtime, build_service
from chassis.migrations import Schema
from services.catalog import scheduler
from services.catalog.c2m import api as c2m
from services.catalog.c2m.consumers import HANDLERS as demand_handlers
from services.catalog.categories import api as categories
from services.catalog.insights import api as insights
from services.catalog.insights.consumers import HANDLERS as signal_handlers
from services.catalog.inventory import api as inventory
from services.catalog.inventory.consumers import saga_handlers
from services.catalog.inventory.service import release_expired
from services.catalog.models import Base
from services.catalog.pricing import api as pricing
from services.catalog.products import api as products
from services.catalog.search import api as search
from services.catalog.settings import Settings
from services.catalog.suppliers import api as suppliers

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def sweep_expired_reservations(runtime: Runtime) -> None:
        await every(
            settings.reservation_sweep_seconds,
            lambda: release_expired(runtime.db),
            what="expired reservations",
        )

    return build_service(
        name="catalog",
        settings=settings,
        routers=[
            categories.router,
            search.router,
            products.router,
            pricing.router,
            inventory.router,
            suppliers.router,
            insights.router,
            c2m.router,
        ],
        schema=SCHEMA,
        consumers=[
            *saga_handlers(timedelta(seconds=settings.reservation_ttl_seconds)),
            *signal_handlers,
            *demand_handlers,
        ],
        background=[sweep_expired_reservations, scheduler.run],
        description="Product operations: categories, products, pricing, listing, inventory, "
        "suppliers, search, hot items, C2M demand and proposals.",
    )
