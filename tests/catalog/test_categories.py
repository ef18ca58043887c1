"""Categories over real HTTP: the tree, its moves and archiving, roles, who may change it."""

import pytest

from chassis.ids import new_id
from chassis.testing import eventually

CATEGORIES = "/api/v1/catalog/categories"


async def _category(catalog, name: str, parent_id: str | None = None, role: str = "core") -> dict:
    response = await catalog.post(
        CATEGORIES, json={"name": name, "parent_id": parent_id, "role": role}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_operator_builds_a_tree_with_roles(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        home = await _category(catalog, f"家居 {new_id().hex[-6:]}")
        cups = await _category(catalog, "杯具", home["id"], role="advantage")
        tree = (await catalog.get(CATEGORIES)).json()["items"]
    assert home["depth"] == 1
    assert (cups["parent_id"], cups["depth"], cups["role_label"]) == (home["id"], 2, "优势")
    ids = [c["id"] for c in tree]
    assert ids.index(home["id"]) < ids.index(cups["id"])


async def test_rename_and_role_change_publish_the_new_state(platform, operator, operator_token):
    async with platform.client("catalog", operator) as catalog:
        category = await _category(catalog, "Tea", role="potential")
        changed = await catalog.patch(
            f"{CATEGORIES}/{category['id']}", json={"name": "Teas", "role": "to_eliminate"}
        )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["role_label"]) == ("Teas", "淘汰")

    async def published():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events",
                params={"type": "flywheel.catalog.category.updated.v1", "subject": category["id"]},
            )
        return response.json()["items"]

    (updated,) = await eventually(published)
    assert updated["data"]["role"] == "to_eliminate"
    assert updated["data"]["name"] == "Teas"


async def test_a_subtree_moves_whole(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        a = await _category(catalog, "A")
        b = await _category(catalog, "B", a["id"])
        c = await _category(catalog, "C", b["id"])
        other = await _category(catalog, "Other")
        moved = await catalog.post(f"{CATEGORIES}/{b['id']}/move", json={"parent_id": other["id"]})
        c_after = (await catalog.get(f"{CATEGORIES}/{c['id']}")).json()
        to_root = await catalog.post(f"{CATEGORIES}/{b['id']}/move", json={"parent_id": None})
    assert moved.status_code == 200
    assert (moved.json()["parent_id"], moved.json()["depth"]) == (other["id"], 2)
    assert (c_after["parent_id"], c_after["depth"]) == (b["id"], 3)
    assert (to_root.json()["parent_id"], to_root.json()["depth"]) == (None, 1)


@pytest.mark.parametrize("under", ["self", "child", "grandchild"])
async def test_moving_under_its_own_descendant_is_422_naming_the_parent(platform, operator, under):
    async with platform.client("catalog", operator) as catalog:
        top = await _category(catalog, "Top")
        child = await _category(catalog, "Child", top["id"])
        grandchild = await _category(catalog, "Grandchild", child["id"])
        target = {"self": top, "child": child, "grandchild": grandchild}[under]
        response = await catalog.post(
            f"{CATEGORIES}/{top['id']}/move", json={"parent_id": target["id"]}
        )
        unchanged = (await catalog.get(f"{CATEGORIES}/{top['id']}")).json()
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.parent_id"]
    assert unchanged["parent_id"] is None


async def test_archiving_archives_the_subtree_and_nothing_goes_in(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        top = await _category(catalog, "Seasonal")
        child = await _category(catalog, "Mooncakes", top["id"])
        archived = await catalog.post(f"{CATEGORIES}/{top['id']}/archive")
        child_after = (await catalog.get(f"{CATEGORIES}/{child['id']}")).json()
        again = await catalog.post(f"{CATEGORIES}/{top['id']}/archive")
        under = await catalog.post(
            CATEGORIES, json={"name": "x", "parent_id": child["id"], "role": "core"}
        )
        product = await catalog.post(
            "/api/v1/catalog/products", json={"name": "Mooncake", "category_id": child["id"]}
        )
        visible = [c["id"] for c in (await catalog.get(CATEGORIES)).json()["items"]]
        everything = await catalog.get(CATEGORIES, params={"include_archived": True})
    assert archived.json()["archived"] is True
    assert child_after["archived"] is True
    assert again.status_code == 409
    assert under.status_code == 422
    assert [e["field"] for e in under.json()["errors"]] == ["body.parent_id"]
    assert product.status_code == 422
    assert [e["field"] for e in product.json()["errors"]] == ["body.category_id"]
    assert child["id"] not in visible
    assert child["id"] in [c["id"] for c in everything.json()["items"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x"}, "body.role"),
        ({"name": "x", "role": "hero"}, "body.role"),
        ({"name": " ", "role": "core"}, "body.name"),
        ({"name": "x", "role": "core", "parent_id": str(new_id())}, "body.parent_id"),
    ],
)
async def test_bad_input_is_422_naming_the_field(platform, operator, body, field):
    async with platform.client("catalog", operator) as catalog:
        response = await catalog.post(CATEGORIES, json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_customers_may_read_but_not_change_the_tree(platform, operator):
    _, customer = await platform.customer()
    async with platform.client("catalog", operator) as catalog:
        category = await _category(catalog, "Read only")
    async with platform.client("catalog", customer) as catalog:
        refused = await catalog.post(CATEGORIES, json={"name": "x", "role": "core"})
        moved = await catalog.post(f"{CATEGORIES}/{category['id']}/move", json={"parent_id": None})
        read = await catalog.get(f"{CATEGORIES}/{category['id']}")
    assert (refused.status_code, moved.status_code, read.status_code) == (403, 403, 200)


async def test_unknown_category_is_404(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        response = await catalog.patch(f"{CATEGORIES}/{new_id()}", json={"name": "x"})
    assert response.status_code == 404
