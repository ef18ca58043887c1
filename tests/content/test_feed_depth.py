"""A home feed a hundred posts deep, over real HTTP on a fresh database (SQLite and
PostgreSQL): page after page, no post comes twice and none is skipped, while counters move
under the reader, the reader views a post again, and a post they were shown is archived."""

from datetime import timedelta

import pytest
from content_drafts import POSTS
from sqlalchemy import update

from chassis.clock import now
from chassis.ids import new_id
from services.content.interactions.models import PostStats, Reaction, ReactionKind
from services.content.posts.models import Post, PostKind
from services.content.posts.workflow import PostState

pytestmark = pytest.mark.asyncio
HOME = "/api/v1/content/feeds/home"
PUBLISHED = 140
CROWD = 30


async def _catalogue(db) -> list[Post]:
    """PUBLISHED posts over four days by ten authors in seven topics, and a crowd whose
    likes the recommender learns from (a factory: the volume is not the flow under test)."""
    at, authors = now(), [new_id() for _ in range(10)]
    posts = [
        Post(
            kind=PostKind.ARTICLE,
            state=PostState.PUBLISHED,
            author=authors[n % 10],
            title=f"post {n}",
            body="",
            body_html="<p></p>",
            tags=[f"tag{n % 5}"],
            topics=[f"topic{n % 7}"],
            published_at=at - timedelta(minutes=40 * n + 1),
        )
        for n in range(PUBLISHED)
    ]
    async with db.session() as session:
        session.add_all(posts)
        await session.flush()
        session.add_all(
            PostStats(post_id=p.id, views=n % 13, likes=n % 5) for n, p in enumerate(posts)
        )
        for user in range(CROWD):
            crowd = new_id()
            session.add_all(
                Reaction(user_id=crowd, post_id=posts[(user * 7 + k * 11) % PUBLISHED].id,
                         kind=ReactionKind.LIKE)
                for k in range(8)
            )  # fmt: skip
        await session.commit()
    return posts


async def test_the_home_feed_pages_a_hundred_posts_deep_once_each(platform, lone_content, operator):
    # No shelf: what keeps the pages apart is the cursor alone.
    server = await lone_content(feed_cache_seconds=0)
    db = server.server.app.state.db
    posts = await _catalogue(db)
    _, token = await platform.customer()
    async with server.client(token) as reader, server.client(operator) as staff:
        liked = [posts[3], posts[50], posts[90]]
        for post in liked:
            done = await reader.post(f"{POSTS}/{post.id}/interactions", json={"kind": "like"})
            assert done.status_code == 200, done.text
        assert (await staff.post("/api/v1/content/recommender/retrain")).status_code == 200

        served, cursor, pages = [], None, 0
        while True:
            params = {"limit": 20} | ({"cursor": cursor} if cursor else {})
            response = await reader.get(HOME, params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            served += [item["post"]["id"] for item in page["items"]]
            cursor, pages = page["next_cursor"], pages + 1
            if cursor is None:
                break
            # Meanwhile: the posts not yet served climb (others engage with them), the
            # reader views again a post they were shown, and one they were shown is archived.
            left = [p.id for p in posts if str(p.id) not in served]
            async with db.session() as session:
                await session.execute(
                    update(PostStats).where(PostStats.post_id.in_(left[-15:]))
                    .values(likes=PostStats.likes + 1000)
                )  # fmt: skip
                await session.commit()
            again = await reader.post(f"{POSTS}/{served[0]}/interactions", json={"kind": "view"})
            assert again.status_code == 200, again.text
            if pages == 2:
                archived = await staff.post(f"{POSTS}/{served[5]}/archive", json={})
                assert archived.status_code == 200, archived.text
    assert len(served) >= 100
    assert len(served) == len(set(served))  # nothing twice
    assert not {str(p.id) for p in liked} & set(served)
    # Nothing skipped: every one of the newest hundred (always ranked) the reader had not
    # liked came, the climbers included.
    assert {str(p.id) for p in posts[:100]} - {str(p.id) for p in liked} <= set(served)


async def test_a_feed_cursor_that_is_not_one_is_a_422_naming_it(lone_content):
    server = await lone_content()
    async with server.client() as anonymous:
        for cursor in ("nope", "AAAA", "x" * 2049):
            response = await anonymous.get(HOME, params={"cursor": cursor})
            assert response.status_code == 422, cursor
            assert [e["field"] for e in response.json()["errors"]] == ["query.cursor"]
