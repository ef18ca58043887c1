"""The analytics service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.analytics import api
from services.analytics.consumers import record
from services.analytics.models import Base
from services.analytics.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="analytics",
        settings=settings or Settings(),
        routers=[api.router],
        schema=SCHEMA,
        consumers=[record],
        description="Data operations: event store, behaviour collection, metrics.",
    )
