"""Rate limits on interactions and comments, over real HTTP: per user, a 429 problem with
`Retry-After` before anything is written, another user unaffected; through Redis, one budget
for every replica that concurrent requests cannot overspend (PostgreSQL)."""

import asyncio

import pytest
from content_drafts import POSTS, article

from chassis.http.problems import MEDIA_TYPE
from chassis.testing import need

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
LIMITS = {
    "interaction_rate_limit": {"limit": 3, "window": 3600},
    "comment_rate_limit": {"limit": 2, "window": 3600},
}


async def _post(server, operator: str) -> str:
    async with server.client(operator) as staff:
        post = (await staff.post(POSTS, json=article())).json()["id"]
        await staff.post(f"{POSTS}/{post}/submit")
        await staff.post(f"{POSTS}/{post}/approve", json={})
    return post


async def _views(server, post: str) -> int:
    async with server.client() as anyone:
        return (await anyone.get(f"{POSTS}/{post}/stats")).json()["views"]


async def test_a_user_past_the_limit_gets_a_429_with_retry_after_and_nothing_is_written(
    platform, lone_content, operator
):
    server = await lone_content(**LIMITS)
    post = await _post(server, operator)
    (_, flooding), (_, calm) = await platform.customer(), await platform.customer()
    async with server.client(flooding) as flood, server.client(calm) as other:
        like = await flood.post(f"{POSTS}/{post}/interactions", json={"kind": "like"})
        again = await flood.post(f"{POSTS}/{post}/interactions", json={"kind": "like"})
        view = await flood.post(f"{POSTS}/{post}/interactions", json={"kind": "view"})
        refused = await flood.post(f"{POSTS}/{post}/interactions", json={"kind": "view"})
        unlike = await flood.delete(f"{POSTS}/{post}/reactions/like")
        served = await other.post(f"{POSTS}/{post}/interactions", json={"kind": "view"})
        comments = [
            await flood.post(f"{POSTS}/{post}/comments", json={"text": f"nice {n}"})
            for n in range(3)
        ]
    assert like.json() == {"recorded": True}
    assert again.json() == {"recorded": False}  # a second like is a no-op (and a token)
    assert view.status_code == 200
    for response in (refused, unlike, comments[2]):
        assert response.status_code == 429
        assert response.headers["content-type"] == MEDIA_TYPE
        assert response.json()["type"].endswith("/rate-limited")
        assert int(response.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-policy"] == '"interaction";q=3;w=3600'
    assert comments[2].headers["ratelimit-policy"] == '"comment";q=2;w=3600'
    assert [c.status_code for c in comments[:2]] == [201, 201]
    assert served.status_code == 200
    assert await _views(server, post) == 2  # the refused view left no trace
    async with server.client(flooding) as flood:
        stats = (await flood.get(f"{POSTS}/{post}/stats")).json()
    assert stats["likes"] == 1
    assert stats["liked"] is True  # the refused unlike took nothing back


@ON_POSTGRES
async def test_replicas_share_one_budget_that_concurrent_requests_cannot_overspend(
    platform, lone_content, operator
):
    need("Redis", 6379)
    shared = {**LIMITS, "interaction_rate_limit": {"limit": 5, "window": 3600}}
    one = await lone_content(redis_url="redis://127.0.0.1:6379/0", **shared)
    two = await lone_content(redis_url="redis://127.0.0.1:6379/0", **shared)
    post = await _post(one, operator)
    _, token = await platform.customer()  # a fresh user: a bucket nobody has touched
    async with one.client(token) as first, two.client(token) as second:
        responses = await asyncio.gather(
            *(
                client.post(f"{POSTS}/{post}/interactions", json={"kind": "view"})
                for _ in range(10)
                for client in (first, second)
            )
        )
    assert sorted(r.status_code for r in responses) == [200] * 5 + [429] * 15
    assert await _views(one, post) == 5
