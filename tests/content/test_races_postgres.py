"""Races on PostgreSQL: moderators approving one post at once, a customer reviewing one SKU
many times at once, likes and unlikes at once, best answers chosen at once, two schedulers
publishing the same due post; and the revisions build the models' schema."""

import asyncio
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from content_drafts import POSTS, article, guide
from drift import drift
from sqlalchemy import func, select, update

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.testing import ServiceServer
from services.content.app import SCHEMA, create_app
from services.content.interactions.models import Reaction
from services.content.models import Base
from services.content.posts import service
from services.content.posts.models import LinkedProduct, Post
from services.content.settings import Settings

pytestmark = pytest.mark.asyncio
REVIEWS = "/api/v1/content/reviews"
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


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


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
async def test_concurrent_reviews_of_one_sku_by_one_customer_keep_one(
    platform, customer, content_on
):
    server, db = content_on
    _, token = customer
    headers = {"Authorization": f"Bearer {token}"}
    sku = str(new_id())
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
        answers = await asyncio.gather(
            *(
                client.post(REVIEWS, json={"sku_id": sku, "rating": 5, "text": "ok"})
                for _ in range(10)
            )
        )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 9
    (kept,) = [r.json()["id"] for r in answers if r.status_code == 201]
    assert await _outbox_count(db, "flywheel.content.review.posted.v1", kept) == 1


@ON_POSTGRES
async def test_concurrent_best_answer_choices_keep_the_first(platform, customer, content_on):
    server, db = content_on
    async with db.session() as session:  # what the catalog's event would have said
        product = LinkedProduct(product_id=new_id(), name="Tea set")
        session.add(product)
        await session.commit()
    _, token = customer
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as asker:
        asked = await asker.post(
            "/api/v1/content/questions", json={"product_id": str(product.product_id), "text": "?"}
        )
        question = f"/api/v1/content/questions/{asked.json()['id']}"
        answers = [
            (await asker.post(f"{question}/answers", json={"text": f"#{i}"})).json()["id"]
            for i in range(10)
        ]
        choices = await asyncio.gather(
            *(asker.post(f"{question}/best-answer", json={"answer_id": a}) for a in answers)
        )
        final = (await asker.get(question)).json()["best_answer_id"]
    assert sorted(r.status_code for r in choices) == [200] + [409] * 9
    (winner,) = [r.json()["best_answer_id"] for r in choices if r.status_code == 200]
    assert final == winner


@ON_POSTGRES
async def test_concurrent_likes_and_unlikes_keep_the_counter_true(
    platform, operator, customer, content_on
):
    server, db = content_on
    _, token = customer
    async with (
        httpx.AsyncClient(base_url=server.url, headers=_bearer(operator), timeout=30) as staff,
        httpx.AsyncClient(base_url=server.url, headers=_bearer(token), timeout=30) as user,
    ):
        post = (await staff.post(POSTS, json=article())).json()["id"]
        await staff.post(f"{POSTS}/{post}/submit")
        await staff.post(f"{POSTS}/{post}/approve", json={})
        likes = await asyncio.gather(
            *(user.post(f"{POSTS}/{post}/interactions", json={"kind": "like"}) for _ in range(20))
        )
        assert sum(r.json()["recorded"] for r in likes) == 1
        assert (await user.get(f"{POSTS}/{post}/stats")).json()["likes"] == 1
        mixed = await asyncio.gather(
            *(
                user.delete(f"{POSTS}/{post}/reactions/like")
                if i % 2
                else user.post(f"{POSTS}/{post}/interactions", json={"kind": "like"})
                for i in range(30)
            )
        )
        assert all(r.status_code == 200 for r in mixed)
        stats = (await user.get(f"{POSTS}/{post}/stats")).json()
    async with db.session() as session:
        rows = await session.scalar(
            select(func.count()).select_from(Reaction).where(Reaction.post_id == UUID(post))
        )
    assert stats["likes"] == rows == (1 if stats["liked"] else 0)


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
        assert await drift(db, SCHEMA, Base.metadata) == []
    finally:
        await db.dispose()
