"""Interest tags in the service: system tags earned by behaviour (through the consumer's
path) with their evidence, counted once per touch; manual tags by operators, audited;
operators' search by tag and segment; segments reading tags."""

import asyncio

import tagging
from deliver import deliver

from chassis.ids import new_id
from contracts.analytics import Action

VIEW, CONTENT = Action.PRODUCT_VIEW, Action.CONTENT_INTERACTION


async def tags_of(users, operator: str, user_id: str) -> dict:
    async with users.client(operator) as client:
        response = await client.get(f"/api/v1/users/users/{user_id}/tags")
    assert response.status_code == 200, response.text
    return response.json()


def system(body: dict) -> dict[str, int]:
    return {t["tag"]: t["score"] for t in body["tags"] if t["origin"] == "system"}


async def test_product_views_earn_brand_and_category_tags_with_their_evidence(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    tents = tagging.category("Tents")
    tent = tagging.product("Acme", tents.category_id)
    await deliver(users, tents, tent)
    views = [tagging.touched(user_id, VIEW, str(tent.product_id)) for _ in range(5)]
    await deliver(users, *views[:4])
    assert system(await tags_of(users, operator, user_id)) == {}  # 4 views weigh 4
    await asyncio.gather(*(deliver(users, views[4]) for _ in range(5)))  # redelivered: once
    await deliver(users, tagging.touched(user_id, VIEW, str(tent.product_id), bot=True))
    await deliver(users, tagging.touched(user_id, VIEW, "not-a-product"))
    body = await tags_of(users, operator, user_id)
    assert system(body) == {"brand:acme": 5, "category:tents": 5}
    evidence = {(e["tag"], e["source"]): e for e in body["evidence"]}
    assert set(evidence) == {("brand:acme", "product_view"), ("category:tents", "product_view")}
    assert evidence["brand:acme", "product_view"]["count"] == 5
    seen = evidence["brand:acme", "product_view"]
    assert seen["first_seen_at"] <= seen["last_seen_at"]


async def test_a_paid_order_and_content_interactions_earn_tags(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    tent = tagging.product("Acme", None, skus=2)
    guide = tagging.post(["Camping"], ["教程"])
    await deliver(users, tent, guide)
    paid = tagging.bought(user_id, tent.skus[1].sku_id)
    paid = paid.model_copy(update={"lines": [*paid.lines, *paid.lines]})
    await deliver(users, paid, paid)  # one order: counted once, each label once
    for _ in range(3):
        await deliver(users, tagging.touched(user_id, CONTENT, str(guide.post_id)))
    body = await tags_of(users, operator, user_id)
    assert system(body) == {"brand:acme": 5, "topic:camping": 6, "scene:教程": 6}
    counts = {(e["tag"], e["source"]): e["count"] for e in body["evidence"]}
    assert counts == {
        ("brand:acme", "paid_order"): 1,
        ("topic:camping", "content"): 3,
        ("scene:教程", "content"): 3,
    }


async def test_a_renamed_category_names_the_evidence_that_follows(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    tents = tagging.category("Tents")
    tent = tagging.product(None, tents.category_id)
    renamed = tagging.renamed(tents, "Shelters")
    await deliver(users, tents, tent, tagging.touched(user_id, VIEW, str(tent.product_id)))
    await deliver(users, renamed, tagging.touched(user_id, VIEW, str(tent.product_id)))
    counts = {e["tag"]: e["count"] for e in (await tags_of(users, operator, user_id))["evidence"]}
    assert counts == {"category:tents": 1, "category:shelters": 1}


async def test_operators_tag_users_by_hand_audited_and_search_by_tag(users):
    operator_id, operator = await users.staff("operator")
    tagged, _ = await users.register()
    other, _ = await users.register()
    async with users.client(operator) as client:
        first = await client.put(f"/api/v1/users/users/{tagged}/tags/  VIP  Buyer ")
        again = await client.put(f"/api/v1/users/users/{tagged}/tags/vip buyer")
        found = await client.get("/api/v1/users/users", params={"tag": "VIP buyer"})
        none = await client.get("/api/v1/users/users", params={"tag": "other"})
        removed = await client.delete(f"/api/v1/users/users/{tagged}/tags/vip buyer")
        twice = await client.delete(f"/api/v1/users/users/{tagged}/tags/vip buyer")
        after = await client.get("/api/v1/users/users", params={"tag": "vip buyer"})
        unknown = await client.put(f"/api/v1/users/users/{new_id()}/tags/vip")
        blank = await client.put(f"/api/v1/users/users/{other}/tags/%20%20")
        long = await client.put(f"/api/v1/users/users/{other}/tags/{'x' * 61}")
    assert (first.status_code, again.status_code) == (201, 200)
    [tag] = first.json()["tags"]
    assert (tag["tag"], tag["origin"], tag["set_by"]) == ("vip buyer", "manual", operator_id)
    assert [u["id"] for u in found.json()["items"]] == [tagged]
    assert none.json()["items"] == []
    assert (removed.status_code, twice.status_code) == (204, 404)
    assert after.json()["items"] == []
    assert unknown.status_code == 404
    for bad in (blank, long):
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "path.tag"
    changes = (await tags_of(users, operator, tagged))["changes"]
    assert [(c["tag"], c["added"], c["by"]) for c in changes] == [
        ("vip buyer", True, operator_id),
        ("vip buyer", False, operator_id),
    ]


async def test_tags_are_for_operators_only(users):
    user_id, token = await users.customer()
    _, partner = await users.staff("partner")
    for who in (token, partner):
        async with users.client(who) as client:
            assert (await client.get(f"/api/v1/users/users/{user_id}/tags")).status_code == 403
            put = await client.put(f"/api/v1/users/users/{user_id}/tags/vip")
            assert put.status_code == 403
            delete = await client.delete(f"/api/v1/users/users/{user_id}/tags/vip")
            assert delete.status_code == 403
            search = await client.get("/api/v1/users/users", params={"tag": "vip"})
            assert search.status_code == 403
    rows = await users.sql("SELECT count(*) AS n FROM user_tags")
    assert rows[0].n == 0


async def test_segments_on_tags_follow_earned_and_manual_tags(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    tent = tagging.product("Acme", None)
    await deliver(users, tent)
    async with users.client(operator) as client:
        saved = await client.post(
            "/api/v1/users/segments",
            json={
                "name": "acme or vip",
                "rule": {"field": "tags", "op": "has_any", "value": ["Brand:Acme", "vip"]},
            },
        )
        assert saved.status_code == 201, saved.text
        segment_id = saved.json()["id"]
        await client.put(f"/api/v1/users/users/{user_id}/tags/vip")
        members = await client.get("/api/v1/users/users", params={"segment": segment_id})
        assert [u["id"] for u in members.json()["items"]] == [user_id]
        await client.delete(f"/api/v1/users/users/{user_id}/tags/vip")
        members = await client.get("/api/v1/users/users", params={"segment": segment_id})
        assert members.json()["items"] == []
        for _ in range(5):
            await deliver(users, tagging.touched(user_id, VIEW, str(tent.product_id)))
        members = await client.get("/api/v1/users/users", params={"segment": segment_id})
        assert [u["id"] for u in members.json()["items"]] == [user_id]
        why = await client.get(f"/api/v1/users/segments/{segment_id}/why/{user_id}")
    assert why.json()["explanation"]["seen"] == ["brand:acme"]
    entered = await users.events("flywheel.users.segment.entered.v1")
    left = await users.events("flywheel.users.segment.left.v1")
    assert (len(entered), len(left)) == (2, 1)


async def test_a_plain_view_counts_as_the_item_it_is_of(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    tent, guide = tagging.product("Acme", None), tagging.post(["Camping"], [])
    await deliver(users, tent, guide)
    await deliver(users, tagging.touched(user_id, Action.VIEW, str(tent.product_id)))
    await deliver(users, tagging.touched(user_id, Action.VIEW, str(guide.post_id)))
    await deliver(users, tagging.touched(user_id, Action.VIEW, str(new_id())))  # unknown
    body = await tags_of(users, operator, user_id)
    counts = {(e["tag"], e["source"]): e["count"] for e in body["evidence"]}
    assert counts == {("brand:acme", "product_view"): 1, ("topic:camping", "content"): 1}
