"""The listing review over real HTTP: each step a route, four eyes, illegal steps 409, events,
and what the storefront then sees."""

import asyncio

import pytest

from chassis.ids import new_id
from chassis.testing import eventually

PRODUCTS = "/api/v1/catalog/products"


async def _draft(catalog) -> dict:
    body = {"name": f"Tea {new_id().hex[-6:]}", "price": {"amount": 1200, "currency": "CNY"}}
    created = await catalog.post(PRODUCTS, json=body)
    assert created.status_code == 201
    return created.json()


async def test_draft_to_listed_to_delisted_and_back(platform, operators, operator_token):
    submitter, reviewer = operators
    async with (
        platform.client("catalog", submitter) as mine,
        platform.client("catalog", reviewer) as theirs,
        platform.client("catalog") as storefront,
    ):
        product = await _draft(mine)
        pid = product["id"]
        submitted = await mine.post(f"{PRODUCTS}/{pid}/submit")
        hidden = await storefront.get(f"{PRODUCTS}/{pid}")
        approved = await theirs.post(f"{PRODUCTS}/{pid}/approve", json={"note": "ok"})
        shown = await storefront.get(f"{PRODUCTS}/{pid}")
        delisted = await mine.post(f"{PRODUCTS}/{pid}/delist")
        gone = await storefront.get(f"{PRODUCTS}/{pid}")
        relisted = await mine.post(f"{PRODUCTS}/{pid}/relist")
    assert submitted.json()["state"] == "in_review"
    assert hidden.status_code == 404
    assert approved.status_code == 200
    assert approved.json()["state"] == "listed"
    assert approved.json()["review_note"] == "ok"
    assert shown.status_code == 200
    assert "cost" not in shown.json()["skus"][0]
    assert "submitted_by" not in shown.json()
    assert delisted.json()["state"] == "delisted"
    assert gone.status_code == 404
    assert relisted.json()["state"] == "listed"

    async def published(type_):
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": type_, "subject": pid}
            )
        return response.json()["items"]

    listed = await eventually(lambda: _at_least(published("flywheel.catalog.product.listed.v1"), 2))
    (delisting,) = await eventually(lambda: published("flywheel.catalog.product.delisted.v1"))
    listed.sort(key=lambda e: e["time"])
    assert [e["data"]["approved_by"] is None for e in listed] == [False, True]
    assert listed[0]["data"]["skus"][0]["sku_id"] == pid
    assert delisting["data"]["product_id"] == pid


async def _at_least(items, n):
    found = await items
    return found if len(found) >= n else None


async def test_the_submitter_may_not_approve(platform, operators):
    async with platform.client("catalog", operators[0]) as mine:
        product = await _draft(mine)
        await mine.post(f"{PRODUCTS}/{product['id']}/submit")
        own = await mine.post(f"{PRODUCTS}/{product['id']}/approve")
        state = (await mine.get(f"{PRODUCTS}/{product['id']}")).json()["state"]
    assert own.status_code == 403
    assert own.json()["type"].endswith("four-eyes")
    assert state == "in_review"


async def test_a_rejection_returns_to_draft_with_the_reason(platform, operators):
    submitter, reviewer = operators
    async with (
        platform.client("catalog", submitter) as mine,
        platform.client("catalog", reviewer) as theirs,
    ):
        product = await _draft(mine)
        await mine.post(f"{PRODUCTS}/{product['id']}/submit")
        no_reason = await theirs.post(f"{PRODUCTS}/{product['id']}/reject", json={})
        rejected = await theirs.post(
            f"{PRODUCTS}/{product['id']}/reject", json={"note": "photos missing"}
        )
        again = await mine.post(f"{PRODUCTS}/{product['id']}/submit")
    assert no_reason.status_code == 422
    assert (rejected.json()["state"], rejected.json()["review_note"]) == ("draft", "photos missing")
    assert again.json()["state"] == "in_review"


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], "approve"),
        ([], "delist"),
        ([], "relist"),
        (["submit"], "submit"),
        (["submit"], "delist"),
        (["submit", "approve"], "approve"),
        (["submit", "approve"], "relist"),
        (["submit", "approve", "delist"], "delist"),
        (["submit", "approve", "delist"], "submit"),
    ],
)
async def test_illegal_steps_are_409(platform, operators, steps, illegal):
    submitter, reviewer = operators
    async with (
        platform.client("catalog", submitter) as mine,
        platform.client("catalog", reviewer) as theirs,
    ):
        product = await _draft(mine)
        for step in steps:
            client = theirs if step == "approve" else mine
            assert (await client.post(f"{PRODUCTS}/{product['id']}/{step}")).status_code == 200
        refused = await theirs.post(f"{PRODUCTS}/{product['id']}/{illegal}")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("illegal-transition")


async def test_a_product_without_skus_cannot_be_submitted(platform, operators):
    async with platform.client("catalog", operators[0]) as mine:
        product = (await mine.post(PRODUCTS, json={"name": "Empty"})).json()
        refused = await mine.post(f"{PRODUCTS}/{product['id']}/submit")
    assert refused.status_code == 409


async def test_of_concurrent_approvals_one_wins(platform, operators):
    submitter, reviewer = operators
    async with (
        platform.client("catalog", submitter) as mine,
        platform.client("catalog", reviewer) as theirs,
    ):
        product = await _draft(mine)
        await mine.post(f"{PRODUCTS}/{product['id']}/submit")
        results = await asyncio.gather(
            *(theirs.post(f"{PRODUCTS}/{product['id']}/approve") for _ in range(5))
        )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409, 409]


async def test_customers_may_not_review(platform, operators):
    _, customer = await platform.customer()
    async with platform.client("catalog", operators[0]) as mine:
        product = await _draft(mine)
    async with platform.client("catalog", customer) as catalog:
        refused = await catalog.post(f"{PRODUCTS}/{product['id']}/submit")
    assert refused.status_code == 403
