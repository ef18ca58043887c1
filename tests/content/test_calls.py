"""Content calls: entries while the call runs (own published posts, once per customer),
judged once after it ends, by operators or by engagement; winners announced for rewards."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from content_drafts import POSTS, image_post, published
from observe import events_on
from sqlalchemy import update

from chassis.db import Database
from chassis.ids import new_id
from chassis.testing import eventually
from services.content.calls.models import Call

pytestmark = pytest.mark.asyncio

CALLS = "/api/v1/content/calls"


def _call(judging: str, seconds: float, **changes) -> dict:
    starts = datetime.now(UTC) - timedelta(minutes=1)
    return {
        "title": "My summer outfit",
        "topic": "summer",
        "starts_at": starts.isoformat(),
        "ends_at": (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(),
        "judging": judging,
        "winners": 1,
        "reward": {"kind": "points", "points": 500},
        **changes,
    }


async def _end(platform, call_id: str) -> None:
    """Its time is up (a window that ends by itself would race a loaded machine)."""
    db = Database(platform.database_url("content"), service="test")
    try:
        async with db.session() as session:
            await session.execute(
                update(Call)
                .where(Call.id == UUID(call_id))
                .values(ends_at=datetime.now(UTC) - timedelta(seconds=1))
            )
            await session.commit()
    finally:
        await db.dispose()


async def test_a_call_judged_by_engagement_rewards_the_most_engaging_entry(platform, operator):
    (a_id, a), (b_id, b) = await platform.customer(), await platform.customer()
    _, fan = await platform.customer()
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", a) as first,
        platform.client("content", b) as second,
        platform.client("content", fan) as liker,
    ):
        call = (await staff.post(CALLS, json=_call("engagement", 3600))).json()
        posts = {}
        for author, client in ((a_id, first), (b_id, second)):
            post = (await client.post(POSTS, json=image_post())).json()["id"]
            await client.post(f"{POSTS}/{post}/submit")
            await staff.post(f"{POSTS}/{post}/approve", json={})
            entered = await client.post(f"{CALLS}/{call['id']}/entries", json={"post_id": post})
            assert entered.status_code == 201, entered.text
            posts[author] = post
        twice = await first.post(f"{CALLS}/{call['id']}/entries", json={"post_id": posts[a_id]})
        assert twice.status_code == 409
        await liker.post(f"{POSTS}/{posts[b_id]}/interactions", json={"kind": "like"})
        early = await staff.post(f"{CALLS}/{call['id']}/winners", json={})
        assert early.status_code == 409

        await _end(platform, call["id"])
        winners = (await staff.post(f"{CALLS}/{call['id']}/winners", json={})).json()
        assert [(w["post_id"], w["rank"]) for w in winners] == [(posts[b_id], 1)]
        again = await staff.post(f"{CALLS}/{call['id']}/winners", json={})
        assert again.status_code == 409
        late = await first.post(f"{CALLS}/{call['id']}/entries", json={"post_id": posts[a_id]})
        assert late.status_code == 409

    async def announced():
        events = await events_on(platform.broker.bootstrap_servers, "flywheel.content.call")
        chosen = [e["data"] for e in events if e["type"].endswith("winner_chosen.v1")]
        return [c for c in chosen if c["call_id"] == call["id"]]

    (chosen,) = await eventually(announced)
    assert chosen["author"] == b_id
    assert chosen["reward"] == {"kind": "points", "coupon_id": None, "points": 500}


async def test_operators_name_the_winners_among_the_entries(platform, operator):
    _, token = await platform.customer()
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as author,
    ):
        coupon = str(new_id())
        body = _call("operators", 3600, reward={"kind": "coupon", "coupon_id": coupon})
        call = (await staff.post(CALLS, json=body)).json()
        post = (await author.post(POSTS, json=image_post())).json()["id"]
        not_published = await author.post(f"{CALLS}/{call['id']}/entries", json={"post_id": post})
        assert not_published.status_code == 404
        await author.post(f"{POSTS}/{post}/submit")
        await staff.post(f"{POSTS}/{post}/approve", json={})
        await author.post(f"{CALLS}/{call['id']}/entries", json={"post_id": post})
        stranger = await published(staff, staff, image_post())
        foreign = await staff.post(
            f"{CALLS}/{call['id']}/entries", json={"post_id": stranger["id"]}
        )
        assert foreign.status_code == 201  # the operator's own post is an entry of theirs

        await _end(platform, call["id"])
        outside = await staff.post(
            f"{CALLS}/{call['id']}/winners", json={"post_ids": [str(new_id())]}
        )
        assert [e["field"] for e in outside.json()["errors"]] == ["body.post_ids.0"]
        chosen = await staff.post(f"{CALLS}/{call['id']}/winners", json={"post_ids": [post]})
        winners = chosen.json()
        entries = (await author.get(f"{CALLS}/{call['id']}/entries")).json()["items"]
    assert [w["post_id"] for w in winners] == [post]
    assert {e["post_id"]: e["rank"] for e in entries} == {post: 1, stranger["id"]: None}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2026-01-01T00:00:00+00:00"}, "body"),
        ({"reward": {"kind": "coupon"}}, "body"),
        ({"reward": {"kind": "points", "points": 0}}, "body.reward.points"),
        ({"winners": 0}, "body.winners"),
        ({"judging": "lottery"}, "body.judging"),
    ],
)
async def test_a_bad_call_is_422(platform, operator, change, field):
    async with platform.client("content", operator) as staff:
        response = await staff.post(CALLS, json={**_call("operators", 60), **change})
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_only_operators_open_and_judge_calls(platform, customer):
    _, token = customer
    async with platform.client("content", token) as user:
        assert (await user.post(CALLS, json=_call("operators", 60))).status_code == 403
        judged = await user.post(f"{CALLS}/{new_id()}/winners", json={})
    assert judged.status_code == 403
