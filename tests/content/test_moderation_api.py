"""Moderation over real HTTP: the operators' banned words flag or block posts (also spelled
with spaces or punctuation between characters), users' reports queue posts, and every
decision is recorded with its reason."""

import pytest
from content_drafts import POSTS, article, image_post, published
from observe import event_about

from chassis.ids import new_id

pytestmark = pytest.mark.asyncio

WORDS = "/api/v1/content/moderation/banned-words"
QUEUE = "/api/v1/content/moderation/queue"


async def _ban(staff, term: str, severity: str) -> dict:
    response = await staff.post(WORDS, json={"term": term, "severity": severity})
    assert response.status_code == 201, response.text
    return response.json()


def _unique(word: str) -> str:
    """A term no other test bans (the list is shared by the session's service)."""
    return f"{word}{new_id().hex[-6:]}"


async def test_a_blocked_word_is_422_naming_the_field_and_the_term(platform, operator):
    term = _unique("假货")
    spaced = " ".join(term)  # 假 货 a b c ...
    async with platform.client("content", operator) as staff:
        await _ban(staff, term, "block")
        response = await staff.post(POSTS, json=image_post(images=[
            {"url": "https://cdn.example/1.jpg", "caption": "fine"},
            {"url": "https://cdn.example/2.jpg", "caption": f"绝对不是 {spaced}!"},
        ]))  # fmt: skip
        assert response.status_code == 422
        (error,) = response.json()["errors"]
        assert error["field"] == "body.images.1.caption"
        assert term in error["message"]

        draft = (await staff.post(POSTS, json=article())).json()["id"]
        revised = await staff.put(f"{POSTS}/{draft}", json=article(title=f"a {term}."))
    assert revised.status_code == 422
    assert [e["field"] for e in revised.json()["errors"]] == ["body.title"]


async def test_a_word_banned_after_drafting_blocks_the_submission(platform, operator):
    term = _unique("scam")
    async with platform.client("content", operator) as staff:
        draft = (await staff.post(POSTS, json=article(body=f"Not a {term}."))).json()["id"]
        await _ban(staff, term, "block")
        response = await staff.post(f"{POSTS}/{draft}/submit")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["post.body"]
        assert (await staff.get(f"{POSTS}/{draft}")).json()["state"] == "draft"


async def test_a_flagged_word_reaches_the_moderator_with_the_terms_as_written(platform, operator):
    term = _unique("fake")
    dotted = ".".join(term.upper())
    async with platform.client("content", operator) as staff:
        await _ban(staff, term, "flag")
        post = (await staff.post(POSTS, json=article(body=f"Is it {dotted}?"))).json()
        assert post["flags"] == [
            {"field": "body", "term": term, "found": dotted, "severity": "flag"}
        ]
        await staff.post(f"{POSTS}/{post['id']}/submit")
        queue = (await staff.get(QUEUE, params={"limit": 100})).json()["items"]
        (item,) = [i for i in queue if i["post"]["id"] == post["id"]]
        assert item["post"]["flags"][0]["found"] == dotted
        approved = await staff.post(
            f"{POSTS}/{post['id']}/approve", json={"reason": "a question, not a claim"}
        )
        assert approved.json()["state"] == "published"
        queue = (await staff.get(QUEUE, params={"limit": 100})).json()["items"]
        assert post["id"] not in [i["post"]["id"] for i in queue]
        decisions = await staff.get(f"/api/v1/content/moderation/posts/{post['id']}/decisions")
    assert [(d["decision"], d["reason"]) for d in decisions.json()] == [
        ("approved", "a question, not a claim")
    ]
    event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.post",
        "flywheel.content.post.moderated.v1",
        post["id"],
    )
    assert (event["data"]["decision"], event["data"]["flagged_terms"]) == ("approved", [term])


async def test_reports_queue_a_post_until_a_moderator_decides(platform, operator):
    _, first = await platform.customer()
    _, second = await platform.customer()
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", first) as one,
        platform.client("content", second) as two,
    ):
        kept = await published(staff, staff, article())
        taken_down = await published(staff, staff, article())
        for reader in (one, two):
            filed = await reader.post(f"{POSTS}/{kept['id']}/reports", json={"reason": "spam"})
            assert filed.status_code == 201
        twice = await one.post(f"{POSTS}/{kept['id']}/reports", json={"reason": "spam!"})
        assert twice.status_code == 409
        await two.post(f"{POSTS}/{taken_down['id']}/reports", json={"reason": "fake reviews"})

        queue = {
            i["post"]["id"]: i
            for i in (await staff.get(QUEUE, params={"limit": 100})).json()["items"]
        }
        assert (queue[kept["id"]]["open_reports"], queue[kept["id"]]["report_reasons"]) == (
            2,
            ["spam", "spam"],
        )
        dismissed = await staff.post(
            f"/api/v1/content/moderation/posts/{kept['id']}/dismiss-reports",
            json={"reason": "a fair review"},
        )
        assert dismissed.json()["state"] == "published"
        again = await staff.post(
            f"/api/v1/content/moderation/posts/{kept['id']}/dismiss-reports",
            json={"reason": "again"},
        )
        assert again.status_code == 409
        await staff.post(f"{POSTS}/{taken_down['id']}/archive", json={"reason": "fake reviews"})
        queue = (await staff.get(QUEUE, params={"limit": 100})).json()["items"]
        assert {kept["id"], taken_down["id"]}.isdisjoint(i["post"]["id"] for i in queue)
        decided = await staff.get(f"/api/v1/content/moderation/posts/{taken_down['id']}/decisions")
    assert [(d["decision"], d["reason"]) for d in decided.json()][-1] == (
        "archived",
        "fake reviews",
    )


async def test_only_published_posts_can_be_reported(platform, operator, customer):
    _, token = customer
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as user,
    ):
        draft = (await staff.post(POSTS, json=article())).json()["id"]
        assert (
            await user.post(f"{POSTS}/{draft}/reports", json={"reason": "x"})
        ).status_code == 404
        missing = await user.post(f"{POSTS}/{new_id()}/reports", json={"reason": "x"})
        assert missing.status_code == 404
        live = await published(staff, staff, article())
        empty = await user.post(f"{POSTS}/{live['id']}/reports", json={"reason": " "})
    assert [e["field"] for e in empty.json()["errors"]] == ["body.reason"]


async def test_the_list_is_the_operators(platform, operator, customer):
    _, token = customer
    term = _unique("spam")
    async with (
        platform.client("content", operator) as staff,
        platform.client("content", token) as user,
    ):
        assert (await user.post(WORDS, json={"term": "x", "severity": "flag"})).status_code == 403
        assert (await user.get(QUEUE)).status_code == 403
        word = await _ban(staff, term, "flag")
        duplicate = await staff.post(WORDS, json={"term": term, "severity": "block"})
        assert duplicate.status_code == 409
        bad = await staff.post(WORDS, json={"term": term, "severity": "shout"})
        assert [e["field"] for e in bad.json()["errors"]] == ["body.severity"]
        assert (await staff.delete(f"{WORDS}/{word['id']}")).status_code == 204
        assert (await staff.delete(f"{WORDS}/{word['id']}")).status_code == 404
        clean = await staff.post(POSTS, json=article(body=f"about {term}"))
    assert clean.json()["flags"] == []
