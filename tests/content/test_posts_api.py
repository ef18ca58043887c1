"""Posts over real HTTP: every kind drafted, reviewed and published; storefronts see only
what is published; bad input names its field; scheduled posts go live on time."""

from datetime import UTC, datetime, timedelta

import pytest
from content_drafts import POSTS, article, guide, image_post, live_session, published, video
from observe import event_about, events_on

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("draft", [article(), image_post(), video(), live_session(), guide()])
async def test_every_kind_goes_from_draft_through_review_to_the_storefront(
    platform, operator, draft
):
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        created = await staff.post(POSTS, json=draft)
        assert created.status_code == 201, created.text
        post = created.json()
        assert (post["kind"], post["state"], post["published_at"]) == (draft["kind"], "draft", None)
        assert (await shop.get(f"{POSTS}/{post['id']}")).status_code == 404

        submitted = await staff.post(f"{POSTS}/{post['id']}/submit")
        assert submitted.json()["state"] == "in_review"
        assert (await shop.get(f"{POSTS}/{post['id']}")).status_code == 404

        approved = await staff.post(f"{POSTS}/{post['id']}/approve", json={"reason": "fine"})
        assert approved.json()["state"] == "published"
        public = (await shop.get(f"{POSTS}/{post['id']}")).json()
    assert public["tags"] == draft["tags"] if "tags" in draft else public["tags"] == []
    assert "flags" not in public  # moderation notes are for staff and the author
    event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.post",
        "flywheel.content.post.published.v1",
        post["id"],
    )
    assert (event["data"]["kind"], event["data"]["tags"]) == (draft["kind"], public["tags"])


async def test_an_article_is_rendered_to_safe_html_and_keeps_the_old_event(platform, operator):
    body = (
        "# Oolong\n\n<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))"
    )
    async with platform.client("content", operator) as staff:
        post = await published(staff, staff, article(body=body))
    assert post["body"] == body
    assert post["body_html"].startswith("<h1>Oolong</h1>")
    assert "<script" not in post["body_html"]
    assert "onerror" not in post["body_html"]
    assert 'href="javascript' not in post["body_html"]
    old = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.article",
        "flywheel.content.article.published.v1",
        post["id"],
    )
    assert old["data"]["title"] == "Five teas for winter"


async def test_storefronts_list_only_published_posts_by_topic_tag_and_product(
    platform, operator, operator_token
):
    topic = f"topic-{new_id().hex[:8]}"
    sku = str(new_id())
    async with platform.client("content", operator) as staff:
        live = await published(staff, staff, image_post(topics=[topic], sku_ids=[sku]))
        also = await published(staff, staff, video(topics=[topic]))
        draft = (await staff.post(POSTS, json=image_post(topics=[topic]))).json()
        archived = await published(staff, staff, guide(topics=[topic]))
        await staff.post(f"{POSTS}/{archived['id']}/archive", json={"reason": "out of season"})
    async with platform.client("content") as shop:
        by_topic = (await shop.get(POSTS, params={"topic": topic, "limit": 1})).json()
        assert [p["id"] for p in by_topic["items"]] == [also["id"]]  # newest first
        rest = await shop.get(POSTS, params={"topic": topic, "cursor": by_topic["next_cursor"]})
        assert [p["id"] for p in rest.json()["items"]] == [live["id"]]
        assert rest.json()["next_cursor"] is None
        by_sku = (await shop.get(POSTS, params={"sku_id": sku})).json()["items"]
        assert [p["id"] for p in by_sku] == [live["id"]]
        images = (await shop.get(POSTS, params={"topic": topic, "kind": "image"})).json()
        assert [p["id"] for p in images["items"]] == [live["id"]]
        assert (await shop.get(f"{POSTS}/{draft['id']}")).status_code == 404
        assert (await shop.get(f"{POSTS}/{archived['id']}")).status_code == 404
    archived_event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.post",
        "flywheel.content.post.archived.v1",
        archived["id"],
    )
    assert archived_event["data"]["reason"] == "out of season"


async def test_illegal_moves_are_409(platform, operator):
    async with platform.client("content", operator) as staff:
        draft = (await staff.post(POSTS, json=article())).json()["id"]
        for move in ("approve", "reject", "archive"):
            body = {"reason": "no"} if move == "reject" else {}
            response = await staff.post(f"{POSTS}/{draft}/{move}", json=body)
            assert response.status_code == 409, move
            assert response.headers["content-type"] == "application/problem+json"
        post = await published(staff, staff, article())
        assert (await staff.post(f"{POSTS}/{post['id']}/submit")).status_code == 409
        assert (await staff.post(f"{POSTS}/{post['id']}/approve", json={})).status_code == 409
        assert (await staff.put(f"{POSTS}/{post['id']}", json=article())).status_code == 409
        await staff.post(f"{POSTS}/{post['id']}/archive", json={})
        again = await staff.post(f"{POSTS}/{post['id']}/archive", json={})
    assert again.status_code == 409
    assert "archived" in again.json()["detail"]


async def test_a_rejected_post_goes_back_to_its_author_with_the_reason(
    platform, operator, customer
):
    _, token = customer
    async with (
        platform.client("content", token) as author,
        platform.client("content", operator) as staff,
    ):
        post = (await author.post(POSTS, json=image_post())).json()["id"]
        await author.post(f"{POSTS}/{post}/submit")
        rejected = await staff.post(f"{POSTS}/{post}/reject", json={"reason": "blurry photos"})
        assert rejected.json()["state"] == "draft"
        mine = (await author.get(f"{POSTS}/{post}")).json()
        assert (mine["state"], mine["review_note"]) == ("draft", "blurry photos")
        revised = await author.put(f"{POSTS}/{post}", json=image_post(count=2))
        assert len(revised.json()["images"]) == 2
        assert (await author.post(f"{POSTS}/{post}/submit")).json()["state"] == "in_review"


async def test_customers_write_only_their_own_posts_and_never_moderate(platform, customer):
    _, token = customer
    _, other_token = await platform.customer()
    async with (
        platform.client("content", token) as author,
        platform.client("content", other_token) as other,
        platform.client("content") as anonymous,
    ):
        assert (await anonymous.post(POSTS, json=image_post())).status_code == 401
        post = (await author.post(POSTS, json=image_post())).json()["id"]
        assert (await other.get(f"{POSTS}/{post}")).status_code == 404
        assert (await other.put(f"{POSTS}/{post}", json=image_post())).status_code == 404
        assert (await other.post(f"{POSTS}/{post}/submit")).status_code == 404
        await author.post(f"{POSTS}/{post}/submit")
        for move in ("approve", "reject", "archive", "live/start"):
            response = await author.post(f"{POSTS}/{post}/{move}", json={"reason": "mine"})
            assert response.status_code == 403, move
        assert (await author.post(POSTS, json=live_session())).status_code == 403


async def test_a_live_session_goes_on_air_then_off_with_its_replay(platform, operator):
    sku = str(new_id())
    async with platform.client("content", operator) as staff:
        post = await published(staff, staff, live_session(sku_ids=[sku]))
        assert post["live_state"] == "scheduled"
        on_air = await staff.post(f"{POSTS}/{post['id']}/live/start")
        assert on_air.json()["live_state"] == "live"
        assert (await staff.post(f"{POSTS}/{post['id']}/live/start")).status_code == 409
        replay = "https://cdn.example/replay.m3u8"
        ended = await staff.post(f"{POSTS}/{post['id']}/live/end", json={"replay_url": replay})
        assert (ended.json()["live_state"], ended.json()["replay_url"]) == ("ended", replay)
        assert (await staff.post(f"{POSTS}/{post['id']}/live/end", json={})).status_code == 409
        not_live = await published(staff, staff, video())
        assert (await staff.post(f"{POSTS}/{not_live['id']}/live/start")).status_code == 404
    started = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.live",
        "flywheel.content.live.started.v1",
        post["id"],
    )
    assert started["data"]["sku_ids"] == [sku]
    ended_event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.live",
        "flywheel.content.live.ended.v1",
        post["id"],
    )
    assert ended_event["data"]["replay_url"] == replay


async def test_a_scheduled_post_is_published_by_the_service_when_its_time_comes(platform, operator):
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        post = (await staff.post(POSTS, json=guide())).json()["id"]
        await staff.post(f"{POSTS}/{post}/submit")
        publish_at = datetime.now(UTC) + timedelta(seconds=8)  # room for a loaded machine
        scheduled = await staff.post(
            f"{POSTS}/{post}/approve", json={"publish_at": publish_at.isoformat()}
        )
        assert scheduled.json()["state"] == "scheduled"
        assert (await shop.get(f"{POSTS}/{post}")).status_code == 404

        async def live() -> dict | None:
            response = await shop.get(f"{POSTS}/{post}")
            return response.json() if response.status_code == 200 else None

        public = await eventually(live, within=60)
    assert datetime.fromisoformat(public["published_at"]) >= publish_at
    events = await events_on(platform.broker.bootstrap_servers, "flywheel.content.post")
    published_events = [
        e for e in events if e["subject"] == post and e["type"].endswith("published.v1")
    ]
    assert len(published_events) <= 1  # the relay may not have sent it yet, never twice


async def test_a_publish_time_in_the_past_is_422(platform, operator):
    async with platform.client("content", operator) as staff:
        post = (await staff.post(POSTS, json=guide())).json()["id"]
        await staff.post(f"{POSTS}/{post}/submit")
        past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        response = await staff.post(f"{POSTS}/{post}/approve", json={"publish_at": past})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.publish_at"]


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (image_post(count=10), "body.image.images"),
        (image_post(count=0), "body.image.images"),
        (article(body="x" * 100_001), "body.article.body"),
        (article(title=" "), "body.article.title"),
        (article(tags=["t"] * 11), "body.article.tags"),
        (article(kind="podcast"), "body"),
        (video(video={"url": "https://v", "duration_seconds": 3600, "cover_url": "https://c"}),
         "body.video.video.duration_seconds"),
        (image_post(images=[{"url": "javascript:alert(1)", "caption": ""}]),
         "body.image.images.0.url"),
        (live_session(starts_at="2026-12-01T10:00:00"), "body.live.starts_at"),
        (guide(scenario="garden"), "body.guide.scenario"),
        (article(product_ids=["nope"]), "body.article.product_ids.0"),
        (article(state="published"), "body.article.state"),
    ],
)  # fmt: skip
async def test_bad_drafts_are_422_naming_the_field(platform, operator, draft, field):
    async with platform.client("content", operator) as staff:
        response = await staff.post(POSTS, json=draft)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_a_body_larger_than_any_post_is_413(platform, operator):
    async with platform.client("content", operator) as staff:
        response = await staff.post(POSTS, json=article(body="茶" * 200_000))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_posts_link_only_products_the_catalog_announced(platform, operator_token, operator):
    async with platform.client("catalog", operator_token) as catalog:
        created = await catalog.post("/api/v1/catalog/products", json={"name": "Oolong"})
    product_id = created.json()["id"]
    async with platform.client("content", operator) as staff:

        async def linked():
            response = await staff.post(POSTS, json=article(product_ids=[product_id]))
            return response if response.status_code == 201 else None

        assert (await eventually(linked)).json()["product_ids"] == [product_id]
        unknown = await staff.post(POSTS, json=article(product_ids=[product_id, str(new_id())]))
    assert unknown.status_code == 422
    (error,) = unknown.json()["errors"]
    assert error["field"] == "body.product_ids.1"
    assert "not a known product" in error["message"]


async def test_unknown_posts_are_404(platform, operator):
    async with platform.client("content", operator) as staff:
        assert (await staff.get(f"{POSTS}/{new_id()}")).status_code == 404
        assert (await staff.post(f"{POSTS}/{new_id()}/approve", json={})).status_code == 404
