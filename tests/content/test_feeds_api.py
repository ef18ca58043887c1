"""Feeds over real HTTP: anyone gets one; a reader's likes change their next feed, seen posts
leave it; topic, product-page and live feeds; cursor pages that neither skip nor repeat."""

import pytest
from content_drafts import POSTS, article, image_post, live_session, published, video

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

FEEDS = "/api/v1/content/feeds"


async def _everything(client, url: str, limit: int = 100) -> list[dict]:
    """Every item of a feed, page after page."""
    items, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(url, params=params)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_anyone_gets_a_home_feed_of_published_posts_with_reasons(platform, operator):
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        post = await published(staff, staff, article())
        draft = (await staff.post(POSTS, json=article())).json()
        feed = await _everything(shop, f"{FEEDS}/home")
    ids = [item["post"]["id"] for item in feed]
    assert post["id"] in ids
    assert draft["id"] not in ids
    assert len(ids) == len(set(ids))
    codes = {"because_you_like", "new_in_your_topic", "popular_in", "popular", "new"}
    assert {item["reason"]["code"] for item in feed} <= codes


async def test_a_like_changes_the_next_feed_and_seen_posts_leave_it(platform, operator, customer):
    tag = f"tag{new_id().hex[-6:]}"
    _, token = customer
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as reader,
        platform.client("content") as anonymous,
    ):
        liked = await published(staff, staff, image_post(tags=[tag]))
        related = await published(staff, staff, video(tags=[tag]))
        before = {i["post"]["id"]: i for i in await _everything(reader, f"{FEEDS}/home")}
        assert before[related["id"]]["reason"]["code"] != "because_you_like"

        await reader.post(f"{POSTS}/{liked['id']}/interactions", json={"kind": "like"})
        await reader.post(f"{POSTS}/{liked['id']}/interactions", json={"kind": "view"})
        after = {i["post"]["id"]: i for i in await _everything(reader, f"{FEEDS}/home")}
        assert after[related["id"]]["reason"] == {
            "code": "because_you_like",
            "label": tag,
            "post_id": None,
        }
        assert after[related["id"]]["score"] > before[related["id"]]["score"]
        assert liked["id"] not in after  # seen
        public = {i["post"]["id"] for i in await _everything(anonymous, f"{FEEDS}/home")}
    assert liked["id"] in public


async def test_a_topic_feed_pages_through_its_posts_once_each(platform, operator):
    topic = f"topic{new_id().hex[-6:]}"
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        posts = [await published(staff, staff, article(topics=[topic])) for _ in range(5)]
        pages = await _everything(shop, f"{FEEDS}/topics/{topic}", limit=2)
        garbled = await shop.get(f"{FEEDS}/topics/{topic}", params={"cursor": "nope"})
    assert sorted(i["post"]["id"] for i in pages) == sorted(p["id"] for p in posts)
    assert [e["field"] for e in garbled.json()["errors"]] == ["query.cursor"]


async def test_a_product_page_shows_the_posts_linking_its_sku(platform, operator):
    sku = str(new_id())
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        linking = await published(staff, staff, image_post(sku_ids=[sku]))
        await published(staff, staff, image_post(sku_ids=[str(new_id())]))
        feed = (await shop.get(f"{FEEDS}/skus/{sku}")).json()
    assert [i["post"]["id"] for i in feed["items"]] == [linking["id"]]


async def test_the_live_feed_shows_sessions_on_air_and_upcoming(platform, operator):
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        on_air = await published(staff, staff, live_session())
        await staff.post(f"{POSTS}/{on_air['id']}/live/start")
        upcoming = await published(staff, staff, live_session())
        feed = (await shop.get(f"{FEEDS}/live")).json()
        await staff.post(f"{POSTS}/{on_air['id']}/live/end", json={})
        after = (await shop.get(f"{FEEDS}/live")).json()
    assert on_air["id"] in [p["id"] for p in feed["live_now"]]
    assert upcoming["id"] in [p["id"] for p in feed["upcoming"]]
    assert on_air["id"] not in [p["id"] for p in after["live_now"] + after["upcoming"]]


async def test_a_live_session_in_a_feed_shows_its_broadcast_as_it_moves(platform, operator):
    """Feeds keep what a published post shows, but a live session's broadcast moves: the
    feed shows it on air, then ended with its replay, as soon as this replica changed it."""
    topic = f"topic{new_id().hex[-6:]}"
    url = f"{FEEDS}/topics/{topic}"
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        live = await published(staff, staff, live_session(topics=[topic]))
        await published(staff, staff, article(topics=[topic]))

        async def shown() -> dict:
            items = (await shop.get(url)).json()["items"]
            assert len(items) == 2
            return next(item["post"] for item in items if item["post"]["id"] == live["id"])

        assert (await shown())["live_state"] == "scheduled"
        await staff.post(f"{POSTS}/{live['id']}/live/start")
        assert (await shown())["live_state"] == "live"
        replay = "https://cdn.example/replay.m3u8"
        await staff.post(f"{POSTS}/{live['id']}/live/end", json={"replay_url": replay})
        assert ((await shown())["live_state"], (await shown())["replay_url"]) == ("ended", replay)


async def test_a_feed_ranks_by_counters_at_most_the_cache_time_old(platform, operator):
    """A replica keeps each candidate with its counters for CONTENT_FEED_CACHE_SECONDS:
    once they are older, the next feed ranks by the counters as they are now."""
    topic = f"topic{new_id().hex[-6:]}"
    url = f"{FEEDS}/topics/{topic}"
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        liked = await published(staff, staff, article(topics=[topic]))
        newer = await published(staff, staff, article(topics=[topic]))

        async def order() -> list[str]:
            return [item["post"]["id"] for item in (await shop.get(url)).json()["items"]]

        assert await order() == [newer["id"], liked["id"]]  # no engagement: the newer first
        for _ in range(3):
            _, token = await platform.customer()
            async with platform.client("content", token) as fan:
                done = await fan.post(f"{POSTS}/{liked['id']}/interactions", json={"kind": "like"})
                assert done.status_code == 200

        async def liked_first() -> bool:
            return await order() == [liked["id"], newer["id"]]

        await eventually(liked_first, within=10)
