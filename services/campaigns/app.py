"""The campaigns service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.campaigns import api
from services.campaigns.consumers import on_product_created
from services.campaigns.models import Base
from services.campaigns.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="campaigns",
        settings=settings or Settings(),
        routers=[api.campaigns, api.prices],
        schema=SCHEMA,
        consumers=[on_product_created],
        description="Campaign operations: the campaign calendar and the SKU prices it starts from.",
    )
