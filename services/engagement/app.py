"""The engagement service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.engagement import api, emails
from services.engagement.consumers import (
    on_password_reset_requested,
    on_user_erased,
    on_user_registered,
)
from services.engagement.models import Base
from services.engagement.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="engagement",
        settings=settings or Settings(),
        routers=[api.router],
        schema=SCHEMA,
        consumers=[on_user_registered, on_password_reset_requested, on_user_erased],
        background=[emails.send_pending],
        description="Engagement: reaching users, the in-app inbox and email.",
    )
