"""Community Q&A over real HTTP: questions on known products, answers by customers and staff,
the best answer chosen once and only by the asker, answers deleted only by their authors."""

import pytest

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

QUESTIONS = "/api/v1/content/questions"


@pytest.fixture(scope="module")
async def product(platform, operator_token) -> str:
    """A catalog product that the content service has heard of."""
    async with platform.client("catalog", operator_token) as catalog:
        created = await catalog.post("/api/v1/catalog/products", json={"name": "Tea set"})
    product_id = created.json()["id"]
    _, token = await platform.customer()
    async with platform.client("content", token) as customer:

        async def known():
            asked = await customer.post(QUESTIONS, json={"product_id": product_id, "text": "?"})
            return asked.status_code == 201

        await eventually(known)
    return product_id


async def test_the_asker_chooses_one_best_answer_once(platform, operator, product):
    _, asker_token = await platform.customer()
    _, helper_token = await platform.customer()
    async with (
        platform.client("content", asker_token) as asker,
        platform.client("content", helper_token) as helper,
        platform.client("content", operator) as staff,
        platform.client("content") as shop,
    ):
        asked = await asker.post(
            QUESTIONS, json={"product_id": product, "text": "Is the pot dishwasher-safe?"}
        )
        question = asked.json()["id"]
        by_customer = (
            await helper.post(f"{QUESTIONS}/{question}/answers", json={"text": "Mine survived."})
        ).json()
        by_staff = (
            await staff.post(f"{QUESTIONS}/{question}/answers", json={"text": "Hand-wash it."})
        ).json()
        assert (by_customer["by_staff"], by_staff["by_staff"]) == (False, True)

        not_asker = await helper.post(
            f"{QUESTIONS}/{question}/best-answer", json={"answer_id": by_customer["id"]}
        )
        assert not_asker.status_code == 404
        chosen = await asker.post(
            f"{QUESTIONS}/{question}/best-answer", json={"answer_id": by_customer["id"]}
        )
        assert chosen.json()["best_answer_id"] == by_customer["id"]
        again = await asker.post(
            f"{QUESTIONS}/{question}/best-answer", json={"answer_id": by_staff["id"]}
        )
        assert again.status_code == 409

        public = (await shop.get(f"{QUESTIONS}/{question}")).json()
        assert [a["id"] for a in public["answers"]] == [by_customer["id"], by_staff["id"]]
        listed = (await shop.get(QUESTIONS, params={"product_id": product})).json()["items"]
        assert question in [q["id"] for q in listed]

        kept = await helper.delete(f"/api/v1/content/answers/{by_customer['id']}")
        assert kept.status_code == 409  # the best answer stays
        assert (await helper.delete(f"/api/v1/content/answers/{by_staff['id']}")).status_code == 404
        assert (await staff.delete(f"/api/v1/content/answers/{by_staff['id']}")).status_code == 204


async def test_a_best_answer_must_answer_the_question(platform, product):
    _, token = await platform.customer()
    async with platform.client("content", token) as asker:
        first = (await asker.post(QUESTIONS, json={"product_id": product, "text": "a?"})).json()
        second = (await asker.post(QUESTIONS, json={"product_id": product, "text": "b?"})).json()
        elsewhere = (
            await asker.post(f"{QUESTIONS}/{second['id']}/answers", json={"text": "yes"})
        ).json()
        response = await asker.post(
            f"{QUESTIONS}/{first['id']}/best-answer", json={"answer_id": elsewhere["id"]}
        )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.answer_id"]


async def test_questions_need_a_known_product_and_a_signed_in_asker(platform, product):
    _, token = await platform.customer()
    async with platform.client("content", token) as asker, platform.client("content") as anon:
        unknown = await asker.post(QUESTIONS, json={"product_id": str(new_id()), "text": "?"})
        assert [e["field"] for e in unknown.json()["errors"]] == ["body.product_id"]
        empty = await asker.post(QUESTIONS, json={"product_id": product, "text": " "})
        assert [e["field"] for e in empty.json()["errors"]] == ["body.text"]
        assert (
            await anon.post(QUESTIONS, json={"product_id": product, "text": "?"})
        ).status_code == 401
        assert (await anon.get(f"{QUESTIONS}/{new_id()}")).status_code == 404
        missing = await asker.post(f"{QUESTIONS}/{new_id()}/answers", json={"text": "x"})
    assert missing.status_code == 404
