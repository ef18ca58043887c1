"""Races on PostgreSQL: moderators approving one post at once, users reporting twice at once,
two schedulers publishing the same due post; and the revisions build the models' schema."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from content_drafts import POSTS, article, guide
from sqlalchemy import func, select, update

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.testing import ServiceServer
from services.content.app import SCHEMA, create_app
from services.content.models import Base
from services.content.posts import service
from services.content.posts.models import Post
from services.content.settings import Settings

pytestmark = pytest.mark.asyncio
ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
async def content_on(platform, database_url):
    """The content service alone on a fresh database (no broker: its events stay in the
    outbox, where the tests count them), trusting the platform's tokens."""
    url = database_url("content")
    users = platform.servers["users"].url
    settings = Settings(
        database_url=url,
        kafka_enabled=False,
        jwks_url=f"{users}/api/v1/users/.well-known/jwks.json",
        schedule_poll_seconds=3600,  # the tests run the scheduler's step themselves
    )
    server = await ServiceServer(create_app(settings)).start()
    db = Database(url, service="test")
    yield server, db
    await db.dispose()
    await server.stop()


async def _outbox_count(db: Database, type_: str, subject: str) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == type_, outbox.c.key == subject)
        )


@ON_POSTGRES
async def test_concurrent_approvals_publish_once(platform, operator, content_on):
    server, db = content_on
    headers = {"Authorization": f"Bearer {operator}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as staff:
        post = (await staff.post(POSTS, json=article())).json()["id"]
        await staff.post(f"{POSTS}/{post}/submit")
        answers = await asyncio.gather(
            *(staff.post(f"{POSTS}/{post}/approve", json={}) for _ in range(20))
        )
    assert sorted(r.status_code for r in answers) == [200] + [409] * 19
    assert await _outbox_count(db, "flywheel.content.post.published.v1", post) == 1
    assert await _outbox_count(db, "flywheel.content.post.moderated.v1", post) == 1


@ON_POSTGRES
async def test_racing_schedulers_publish_a_due_post_once(platform, operator, content_on):
    server, db = content_on
    headers = {"Authorization": f"Bearer {operator}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as staff:
        post = (await staff.post(POSTS, json=guide())).json()["id"]
        await staff.post(f"{POSTS}/{post}/submit")
        later = (now() + timedelta(hours=1)).isoformat()
        await staff.post(f"{POSTS}/{post}/approve", json={"publish_at": later})
    async with db.session() as session:  # its time has come
        await session.execute(
            update(Post).where(Post.id == post).values(publish_at=now() - timedelta(seconds=1))
        )
        await session.commit()
    published = await asyncio.gather(*(service.publish_due(db) for _ in range(8)))
    assert sum(published) == 1
    assert await _outbox_count(db, "flywheel.content.post.published.v1", post) == 1
    assert await service.publish_due(db) == 0


async def test_the_revisions_build_exactly_the_models_schema(database_url):
    db = Database(database_url("content_schema"), service="test")
    try:
        await db.create_database_if_missing()
        await migrations.upgrade(db, SCHEMA)
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await db.dispose()
    assert [d for d in diff if not _chassis_table(d)] == []


def _chassis_table(difference) -> bool:
    """The outbox and inbox belong to the chassis revisions, not to the content models."""
    item = difference[1]
    table = item if difference[0] == "remove_table" else getattr(item, "table", None)
    return getattr(table, "name", None) in {"outbox", "inbox"}
