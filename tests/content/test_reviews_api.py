"""Reviews over real HTTP: verified only when a paid order shows the author bought the SKU
(also when the payment comes after the review), unverified ones shown as such and never
counted as verified; customers edit and delete only their own."""

from uuid import UUID

import publishing
import pytest

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import eventually
from contracts.orders import OrderLine, OrderPaid

pytestmark = pytest.mark.asyncio

REVIEWS = "/api/v1/content/reviews"
PRICE = Money(amount=3900, currency="CNY")


async def _pay(platform, customer_id: str, *sku_ids: UUID) -> None:
    """The orders service's word that `customer_id` paid for `sku_ids`."""
    lines = [
        OrderLine(sku_id=sku, quantity=1, list_price=PRICE, unit_price=PRICE, paid=PRICE)
        for sku in sku_ids
    ]
    paid = OrderPaid(
        order_id=new_id(),
        customer_id=UUID(customer_id),
        lines=lines,
        total=Money(amount=3900 * len(lines), currency="CNY"),
        paid_at=now(),
    )
    await publishing.publish_as(platform, "/flywheel/orders", paid)


def _review(sku, rating: int = 5, **changes) -> dict:
    return {"sku_id": str(sku), "rating": rating, "text": "Smooth and fragrant.", **changes}


async def _verified(client, review_id: str, sku) -> bool:
    reviews = (await client.get(REVIEWS, params={"sku_id": str(sku)})).json()["items"]
    return next(r["verified"] for r in reviews if r["id"] == review_id)


async def test_a_buyer_review_is_verified_and_a_non_buyer_one_shown_unverified(platform):
    sku, other_sku = new_id(), new_id()
    buyer_id, buyer_token = await platform.customer()
    _, stranger_token = await platform.customer()
    await _pay(platform, buyer_id, other_sku, sku)
    async with (
        platform.client("content", buyer_token) as buyer,
        platform.client("content", stranger_token) as stranger,
        platform.client("content") as shop,
    ):
        stranger_review = (await stranger.post(REVIEWS, json=_review(sku, 1))).json()
        assert stranger_review["verified"] is False

        async def buyer_verified() -> dict | None:
            """Once the paid order is in (probed with the order's other SKU)."""
            probe = await buyer.post(REVIEWS, json=_review(other_sku, 4))
            if probe.status_code == 201 and probe.json()["verified"]:
                return probe.json()
            if probe.status_code == 201:
                await buyer.delete(f"{REVIEWS}/{probe.json()['id']}")
            return None

        await eventually(buyer_verified)
        buyer_review = (await buyer.post(REVIEWS, json=_review(sku, 5))).json()
        assert buyer_review["verified"] is True

        listed = (await shop.get(REVIEWS, params={"sku_id": str(sku)})).json()["items"]
        assert {r["id"]: r["verified"] for r in listed} == {
            buyer_review["id"]: True,
            stranger_review["id"]: False,
        }
        only_verified = await shop.get(REVIEWS, params={"sku_id": str(sku), "verified": True})
        assert [r["id"] for r in only_verified.json()["items"]] == [buyer_review["id"]]
        summary = (await shop.get(f"{REVIEWS}/summary/{sku}")).json()
    assert summary == {
        "sku_id": str(sku),
        "count": 2,
        "average": 3.0,
        "verified_count": 1,
        "verified_average": 5.0,
        "distribution": {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1},
    }


async def test_a_payment_after_the_review_verifies_it(platform):
    sku = new_id()
    customer_id, token = await platform.customer()
    async with platform.client("content", token) as customer:
        review = (await customer.post(REVIEWS, json=_review(sku))).json()
        assert review["verified"] is False
        await _pay(platform, customer_id, sku)

        async def verified() -> bool:
            return await _verified(customer, review["id"], sku)

        await eventually(verified)


async def test_customers_edit_and_delete_only_their_own_reviews(platform):
    sku = new_id()
    _, token = await platform.customer()
    _, other_token = await platform.customer()
    async with (
        platform.client("content", token) as author,
        platform.client("content", other_token) as other,
        platform.client("content") as anonymous,
    ):
        assert (await anonymous.post(REVIEWS, json=_review(sku))).status_code == 401
        review = (await author.post(REVIEWS, json=_review(sku))).json()
        assert (await author.post(REVIEWS, json=_review(sku))).status_code == 409
        edit = {"rating": 1, "text": "Went stale.", "images": []}
        assert (await other.put(f"{REVIEWS}/{review['id']}", json=edit)).status_code == 404
        assert (await other.delete(f"{REVIEWS}/{review['id']}")).status_code == 404
        edited = await author.put(f"{REVIEWS}/{review['id']}", json=edit)
        assert (edited.json()["rating"], edited.json()["text"]) == (1, "Went stale.")
        assert (await author.delete(f"{REVIEWS}/{review['id']}")).status_code == 204
        gone = (await anonymous.get(REVIEWS, params={"sku_id": str(sku)})).json()["items"]
    assert gone == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rating": 0}, "body.rating"),
        ({"rating": 6}, "body.rating"),
        ({"text": " "}, "body.text"),
        ({"text": "x" * 5001}, "body.text"),
        ({"images": [f"https://cdn.example/{i}.jpg" for i in range(10)]}, "body.images"),
        ({"images": ["javascript:alert(1)"]}, "body.images.0"),
        ({"verified": True}, "body.verified"),
    ],
)
async def test_bad_reviews_are_422_naming_the_field(platform, change, field):
    _, token = await platform.customer()
    async with platform.client("content", token) as customer:
        response = await customer.post(REVIEWS, json=_review(new_id(), **change))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
