"""Interactions over real HTTP: a second like is a no-op, counters follow, click-throughs go
to linked products, every interaction reaches the broker; comments are threaded, held for
flagged words, refused for blocked ones, and shown as inert text."""

import pytest
from content_drafts import POSTS, article, image_post, published
from observe import events_on

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio


async def _stats(client, post_id: str) -> dict:
    return (await client.get(f"{POSTS}/{post_id}/stats")).json()


async def test_a_second_like_is_a_no_op_and_counters_follow(platform, operator, customer):
    user_id, token = customer
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as user,
        platform.client("content") as anonymous,
    ):
        post = (await published(staff, staff, article()))["id"]
        url = f"{POSTS}/{post}/interactions"
        assert (await user.post(url, json={"kind": "like"})).json() == {"recorded": True}
        assert (await user.post(url, json={"kind": "like"})).json() == {"recorded": False}
        await user.post(url, json={"kind": "favourite"})
        await user.post(url, json={"kind": "share"})
        await user.post(url, json={"kind": "share"})
        await user.post(url, json={"kind": "view", "dwell_ms": 4200})
        await user.post(url, json={"kind": "view", "dwell_ms": 800})
        mine = await _stats(user, post)
        assert {k: mine[k] for k in ("views", "likes", "favourites", "shares", "liked")} == {
            "views": 2,
            "likes": 1,
            "favourites": 1,
            "shares": 2,
            "liked": True,
        }
        assert (await _stats(anonymous, post))["liked"] is None
        favourites = (await user.get("/api/v1/content/me/favourites")).json()["items"]
        assert [p["id"] for p in favourites] == [post]

        undone = await user.delete(f"{POSTS}/{post}/reactions/like")
        assert undone.json() == {"recorded": True}
        again = await user.delete(f"{POSTS}/{post}/reactions/like")
        assert again.json() == {"recorded": False}
        after = await _stats(user, post)
    assert (after["likes"], after["liked"]) == (0, False)

    async def published_events() -> list | None:
        events = await events_on(platform.broker.bootstrap_servers, "flywheel.content.interaction")
        mine = [e["data"] for e in events if e["subject"] == post]
        return mine if len(mine) == 7 else None

    recorded = await eventually(published_events)
    assert sorted((e["kind"], e["undone"]) for e in recorded) == [
        ("favourite", False),
        ("like", False),
        ("like", True),
        ("share", False),
        ("share", False),
        ("view", False),
        ("view", False),
    ]
    assert {e["user_id"] for e in recorded} == {user_id}
    assert sorted(e["dwell_ms"] for e in recorded if e["kind"] == "view") == [800, 4200]


async def test_a_click_through_goes_to_a_product_the_post_links(platform, operator, customer):
    _, token = customer
    sku = str(new_id())
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as user,
    ):
        post = (await published(staff, staff, image_post(sku_ids=[sku])))["id"]
        url = f"{POSTS}/{post}/interactions"
        assert (await user.post(url, json={"kind": "click", "sku_id": sku})).status_code == 200
        elsewhere = await user.post(url, json={"kind": "click", "sku_id": str(new_id())})
        assert [e["field"] for e in elsewhere.json()["errors"]] == ["body.click.sku_id"]
        nowhere = await user.post(url, json={"kind": "click"})
        assert nowhere.status_code == 422
        assert (await _stats(user, post))["clicks"] == 1
    events = await events_on(platform.broker.bootstrap_servers, "flywheel.content.interaction")
    clicks = [e["data"] for e in events if e["subject"] == post and e["data"]["kind"] == "click"]
    assert [c["sku_id"] for c in clicks] in ([], [sku])  # [] until the relay has sent it


async def test_interactions_need_a_signed_in_user_and_a_published_post(
    platform, operator, customer
):
    _, token = customer
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as user,
        platform.client("content") as anonymous,
    ):
        draft = (await staff.post(POSTS, json=article())).json()["id"]
        live = (await published(staff, staff, article()))["id"]
        assert (
            await anonymous.post(f"{POSTS}/{live}/interactions", json={"kind": "like"})
        ).status_code == 401
        assert (
            await user.post(f"{POSTS}/{draft}/interactions", json={"kind": "like"})
        ).status_code == 404
        assert (await user.get(f"{POSTS}/{draft}/stats")).status_code == 404
        bad = await user.post(f"{POSTS}/{live}/interactions", json={"kind": "view", "dwell_ms": -1})
        assert [e["field"] for e in bad.json()["errors"]] == ["body.view.dwell_ms"]
        unknown = await user.post(f"{POSTS}/{live}/interactions", json={"kind": "poke"})
    assert unknown.status_code == 422


COMMENT_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '"><svg/onload=alert(1)>',
]


async def test_comments_are_threaded_and_shown_as_inert_text(platform, operator, customer):
    _, token = customer
    _, other_token = await platform.customer()
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as user,
        platform.client("content", other_token) as other,
        platform.client("content") as anonymous,
    ):
        post = (await published(staff, staff, article()))["id"]
        url = f"{POSTS}/{post}/comments"
        first = (await user.post(url, json={"text": "Which oolong?"})).json()
        assert first["state"] == "visible"
        reply = await other.post(url, json={"text": "Tieguanyin.", "parent_id": first["id"]})
        assert reply.json()["parent_id"] == first["id"]
        for payload in COMMENT_PAYLOADS:
            written = (await user.post(url, json={"text": payload})).json()
            assert written["text"] == payload
            assert "<" not in written["html"]
            assert ">" not in written["html"]
        elsewhere = (await published(staff, staff, article()))["id"]
        stray = await user.post(
            f"{POSTS}/{elsewhere}/comments", json={"text": "x", "parent_id": first["id"]}
        )
        assert [e["field"] for e in stray.json()["errors"]] == ["body.parent_id"]

        assert (await other.delete(f"/api/v1/content/comments/{first['id']}")).status_code == 404
        assert (await user.delete(f"/api/v1/content/comments/{first['id']}")).status_code == 204
        shown = {
            c["id"]: c for c in (await anonymous.get(url, params={"limit": 100})).json()["items"]
        }
        assert (shown[first["id"]]["state"], shown[first["id"]]["text"]) == ("deleted", "")
        assert shown[reply.json()["id"]]["parent_id"] == first["id"]
        assert (await _stats(anonymous, post))["comments"] == 1 + len(COMMENT_PAYLOADS)


async def test_a_flagged_comment_is_held_for_a_moderator_and_a_blocked_one_refused(
    platform, operator, customer
):
    _, token = customer
    flagged, blocked = f"meh{new_id().hex[-6:]}", f"bad{new_id().hex[-6:]}"
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as user,
        platform.client("content") as anonymous,
    ):
        for term, severity in ((flagged, "flag"), (blocked, "block")):
            await staff.post(
                "/api/v1/content/moderation/banned-words", json={"term": term, "severity": severity}
            )
        post = (await published(staff, staff, article()))["id"]
        url = f"{POSTS}/{post}/comments"
        refused = await user.post(url, json={"text": f"so {' '.join(blocked)}"})
        assert [e["field"] for e in refused.json()["errors"]] == ["body.text"]
        held = (await user.post(url, json={"text": f"so {flagged}"})).json()
        assert held["state"] == "held"
        assert held["flags"][0]["term"] == flagged
        assert [c["id"] for c in (await user.get(url)).json()["items"]] == [held["id"]]
        assert (await anonymous.get(url)).json()["items"] == []
        queue = (
            await staff.get("/api/v1/content/moderation/comments", params={"limit": 100})
        ).json()
        assert held["id"] in [c["id"] for c in queue["items"]]

        released = await staff.post(f"/api/v1/content/moderation/comments/{held['id']}/release")
        assert released.json()["state"] == "visible"
        again = await staff.post(f"/api/v1/content/moderation/comments/{held['id']}/release")
        assert again.status_code == 409
        assert [c["id"] for c in (await anonymous.get(url)).json()["items"]] == [held["id"]]
        assert (await _stats(anonymous, post))["comments"] == 1
        removed = await staff.post(
            f"/api/v1/content/moderation/comments/{held['id']}/remove", json={"reason": "rude"}
        )
        assert removed.json()["state"] == "removed"
        assert (await anonymous.get(url)).json()["items"] == []
        assert (await _stats(anonymous, post))["comments"] == 0
        assert (
            await user.post(f"/api/v1/content/moderation/comments/{held['id']}/release")
        ).status_code == 403
