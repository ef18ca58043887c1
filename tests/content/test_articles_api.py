"""Articles over real HTTP: staff draft and publish, links only to known products, the public
reads published articles only, and publishing reaches the broker."""

import pytest
from observe import event_about

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

ARTICLES = "/api/v1/content/articles"


def _draft(*product_ids: str) -> dict:
    return {
        "title": "Five teas for winter",
        "body": "Start with oolong.",
        "product_ids": product_ids,
    }


@pytest.fixture(scope="module")
async def linkable(platform, admin_token) -> str:
    """A catalog product that the content service knows."""
    async with platform.client("catalog", admin_token) as catalog:
        created = await catalog.post("/api/v1/catalog/products", json={"name": "Oolong"})
    product_id = created.json()["id"]
    async with platform.client("content", admin_token) as content:

        async def linked() -> bool:
            return (await content.post(ARTICLES, json=_draft(product_id))).status_code == 201

        await eventually(linked)
    return product_id


async def test_staff_draft_then_publish_once(platform, admin_token, linkable):
    async with platform.client("content", admin_token) as staff:
        created = await staff.post(ARTICLES, json=_draft(linkable))
        assert created.status_code == 201
        article = created.json()
        assert (article["state"], article["published_at"]) == ("draft", None)
        assert article["product_ids"] == [linkable]

        published = await staff.post(f"{ARTICLES}/{article['id']}/publish")
        assert published.status_code == 200
        assert published.json()["state"] == "published"
        assert published.json()["published_at"] is not None

        again = await staff.post(f"{ARTICLES}/{article['id']}/publish")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"

    event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.article",
        "flywheel.content.article.published.v1",
        article["id"],
    )
    assert event["data"]["product_ids"] == [linkable]


async def test_the_public_reads_published_articles_and_never_drafts(platform, admin_token):
    async with platform.client("content", admin_token) as staff:
        draft = (await staff.post(ARTICLES, json=_draft())).json()["id"]
        live = (await staff.post(ARTICLES, json=_draft())).json()["id"]
        await staff.post(f"{ARTICLES}/{live}/publish")
        assert (await staff.get(f"{ARTICLES}/{draft}")).json()["state"] == "draft"
    _, token = await platform.customer()
    async with platform.client("content") as anonymous, platform.client("content", token) as user:
        for reader in (anonymous, user):
            assert (await reader.get(f"{ARTICLES}/{live}")).json()["id"] == live
            hidden = await reader.get(f"{ARTICLES}/{draft}")
            assert hidden.status_code == 404
            assert hidden.headers["content-type"] == "application/problem+json"
        forged = await anonymous.get(f"{ARTICLES}/{live}", headers={"Authorization": "Bearer x"})
    assert forged.status_code == 401


async def test_only_staff_write_articles(platform):
    _, token = await platform.customer()
    async with platform.client("content") as anonymous, platform.client("content", token) as user:
        assert (await anonymous.post(ARTICLES, json=_draft())).status_code == 401
        assert (await user.post(ARTICLES, json=_draft())).status_code == 403
        assert (await user.post(f"{ARTICLES}/{new_id()}/publish")).status_code == 403


async def test_unknown_articles_are_404(platform, admin_token):
    async with platform.client("content", admin_token) as staff:
        assert (await staff.get(f"{ARTICLES}/{new_id()}")).status_code == 404
        assert (await staff.post(f"{ARTICLES}/{new_id()}/publish")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**_draft(), "title": "  "}, "body.title"),
        ({**_draft(), "body": ""}, "body.body"),
        ({**_draft(), "product_ids": ["nope"]}, "body.product_ids.0"),
        ({**_draft(), "state": "published"}, "body.state"),
    ],
)
async def test_malformed_drafts_are_422_naming_the_field(platform, admin_token, body, field):
    async with platform.client("content", admin_token) as staff:
        response = await staff.post(ARTICLES, json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_link_to_an_unknown_product_is_422_naming_it(platform, admin_token, linkable):
    async with platform.client("content", admin_token) as staff:
        response = await staff.post(ARTICLES, json=_draft(linkable, str(new_id())))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.product_ids.1"
    assert "not a known product" in error["message"]
