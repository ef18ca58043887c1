"""The users service."""

from fastapi import FastAPI

from chassis.http.service import Runtime, build_service
from chassis.migrations import Schema
from services.users import accounts, api, signing
from services.users.consumers import on_order_placed
from services.users.models import Base
from services.users.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


async def _prepare(runtime: Runtime) -> None:
    """Make sure a signing key and the admin account exist; verify our own tokens locally."""
    settings: Settings = runtime.settings
    async with runtime.db.session() as session:
        await signing.ensure_key(session)
        await accounts.ensure_admin(session, settings.admin_email, settings.admin_password)
        runtime.jwks.preload(signing.jwks(await signing.active_keys(session)))


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="users",
        settings=settings or Settings(),
        routers=[api.router],
        schema=SCHEMA,
        consumers=[on_order_placed],
        on_start=[_prepare],
        description="User operations: accounts, auth, profiles, segments, membership.",
    )
