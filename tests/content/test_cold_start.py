"""Cold start by segment, through the broker: a reader without history gets the favourites
of their segments first (users' segment events), then what is popular with everyone; leaving
the segment takes its favourites away at the next feed."""

from uuid import UUID

import publishing
import pytest
from content_drafts import POSTS, image_post, published

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.users import SegmentEntered, SegmentLeft

pytestmark = pytest.mark.asyncio
HOME = "/api/v1/content/feeds/home"
SEGMENT_REASON = "popular_in_your_segment"


async def _segment_event(platform, data) -> None:
    await publishing.publish_as(platform, "/flywheel/users", data)


async def test_a_reader_without_history_gets_their_segments_favourites_first(platform, operator):
    ours, theirs = new_id(), new_id()
    async with platform.client("content", operator) as staff:
        posts = [await published(staff, staff, image_post(title=f"look {n}")) for n in range(4)]
        favourites = {ours: posts[:2], theirs: posts[2:]}
        for segment, liked in favourites.items():
            for _ in range(3):  # three members like the segment's two posts
                user_id, token = await platform.customer()
                await _segment_event(
                    platform,
                    SegmentEntered(segment_id=segment, user_id=UUID(user_id), entered_at=now()),
                )
                async with platform.client("content", token) as member:
                    for post in liked:
                        done = await member.post(
                            f"{POSTS}/{post['id']}/interactions", json={"kind": "like"}
                        )
                        assert done.status_code == 200, done.text
        reader_id, token = await platform.customer()
        await _segment_event(
            platform, SegmentEntered(segment_id=ours, user_id=UUID(reader_id), entered_at=now())
        )

        async with platform.client("content", token) as reader:

            async def first_two() -> list[dict]:
                response = await reader.get(HOME, params={"limit": 2})
                assert response.status_code == 200, response.text
                return response.json()["items"]

            async def segment_served() -> list[dict] | None:
                # The consumers may not have the members yet: train again until they have.
                assert (await staff.post("/api/v1/content/recommender/retrain")).status_code == 200
                items = await first_two()
                return items if {i["reason"]["code"] for i in items} == {SEGMENT_REASON} else None

            items = await eventually(segment_served, within=30, interval=0.5)
            assert {i["post"]["id"] for i in items} == {p["id"] for p in favourites[ours]}

            await _segment_event(
                platform, SegmentLeft(segment_id=ours, user_id=UUID(reader_id), left_at=now())
            )

            async def popular_only() -> bool:
                return all(i["reason"]["code"] != SEGMENT_REASON for i in await first_two())

            await eventually(popular_only, within=20, interval=0.2)  # no retrain needed
