"""The analytics service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from services.analytics import api
from services.analytics.consumers import record
from services.analytics.models import Base
from services.analytics.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="analytics",
        settings=settings or Settings(),
        routers=[api.router],
        metadata=Base.metadata,
        consumers=[record],
        description="Data operations: event store, behaviour collection, metrics.",
    )
