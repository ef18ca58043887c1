"""C2M over real HTTP: customers' wants and wishlists (their own, once each), searches that
found nothing arriving through the broker (a redelivered one counted once), demand clusters
with their counts and figures, and proposals to suppliers along their track with their
events."""

import publishing

from chassis.clock import now
from chassis.events.outbox import envelope_for
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.catalog import SearchMissed

PRODUCTS = "/api/v1/catalog/products"
C2M = "/api/v1/catalog/c2m"
MOVED = "flywheel.catalog.proposal.moved.v1"


async def _category(platform, operator, parent_id: str | None = None) -> str:
    async with platform.client("catalog", operator) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/categories",
            json={"name": f"杯 {new_id().hex}", "role": "potential", "parent_id": parent_id},
        )
    return created.json()["id"]


async def _product(
    platform, operators, category_id, *, listed: bool = True, name: str | None = None
) -> dict:
    submitter, reviewer = operators
    body = {
        "name": name or f"保温杯 {new_id().hex[-6:]}",
        "category_id": category_id,
        "attributes": {"颜色": ["红", "蓝"]},
        "skus": [
            {
                "code": f"C-{new_id().hex}",
                "attributes": {"颜色": color},
                "price": {"amount": 9900, "currency": "CNY"},
                "stock": 10,
            }
            for color in ("红", "蓝")
        ],
    }
    async with platform.client("catalog", submitter) as catalog:
        product = (await catalog.post(PRODUCTS, json=body)).json()
        if listed:
            await catalog.post(f"{PRODUCTS}/{product['id']}/submit")
    if listed:
        async with platform.client("catalog", reviewer) as catalog:
            assert (await catalog.post(f"{PRODUCTS}/{product['id']}/approve")).status_code == 200
    return product


async def test_a_want_is_one_per_customer_and_product(platform, operators):
    category = await _category(platform, operators[0])
    product, draft = (
        await _product(platform, operators, category),
        await _product(platform, operators, category, listed=False),
    )
    (_, alice), (_, bob) = await platform.customer(), await platform.customer()
    want = f"{C2M}/products/{product['id']}/want"
    async with platform.client("catalog") as anonymous:
        refused = await anonymous.post(want, json={"attributes": {"颜色": "绿"}})
    async with platform.client("catalog", alice) as catalog:
        first = await catalog.post(want, json={"attributes": {"颜色": "綠"}})
        again = await catalog.post(want, json={"attributes": {"颜色": "黑"}})
        hidden = await catalog.post(f"{C2M}/products/{draft['id']}/want", json={})
        unknown = await catalog.post(f"{C2M}/products/{new_id()}/want", json={})
        blank = await catalog.post(want, json={"attributes": {"颜色": ""}})
    async with platform.client("catalog", bob) as catalog:
        other = await catalog.post(want, json={"attributes": {"颜色": "绿"}})
    assert refused.status_code == 401
    assert first.status_code == 201, first.text
    assert first.json()["attributes"] == {"颜色": "绿"}  # normalized: 綠 is 绿
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert again.json()["attributes"] == {"颜色": "绿"}  # the first stands
    assert (hidden.status_code, unknown.status_code) == (404, 404)
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"].startswith("body.attributes")
    assert other.status_code == 201
    assert other.json()["cluster_id"] == first.json()["cluster_id"]  # one demand

    async with platform.client("catalog", operators[0]) as catalog:
        clusters = (await catalog.get(f"{C2M}/clusters", params={"category": category})).json()
        detail = (await catalog.get(f"{C2M}/clusters/{first.json()['cluster_id']}")).json()
    async with platform.client("catalog", alice) as catalog:
        forbidden = await catalog.get(f"{C2M}/clusters")
    assert forbidden.status_code == 403
    ((cluster,),) = [clusters]
    assert (cluster["category_id"], cluster["attributes"]) == (category, {"颜色": "绿"})
    assert (cluster["signals"], cluster["wants"], cluster["searches"]) == (2, 2, 0)
    assert (cluster["askers"], cluster["last_asked_at"]) == (2, other.json()["created_at"])
    assert (detail["volume"], detail["last_week"], detail["week_before"]) == (2, 2, 0)
    assert (detail["trend"], detail["change"], detail["askers"]) == ("new", None, 2)
    figures = ("volume", "last_week", "week_before", "trend", "change")
    assert {f: cluster[f] for f in figures} == {f: detail[f] for f in figures}  # the list's too
    assert detail["products"] == [{"product_id": product["id"], "signals": 2}]


async def test_a_wishlist_is_ones_own_and_once_per_product(platform, operators):
    category = await _category(platform, operators[0])
    product, other = (
        await _product(platform, operators, category),
        await _product(platform, operators, category),
    )
    blue = product["skus"][1]["id"]
    (_, alice), (_, bob) = await platform.customer(), await platform.customer()
    wished = f"{C2M}/wishlist/{product['id']}"
    async with platform.client("catalog", alice) as catalog:
        added = await catalog.put(wished, json={"sku_id": blue})
        repeat = await catalog.put(wished, json={})
        wrong = await catalog.put(f"{C2M}/wishlist/{other['id']}", json={"sku_id": blue})
        mine = (await catalog.get(f"{C2M}/wishlist")).json()["items"]
    async with platform.client("catalog", bob) as catalog:
        theirs = (await catalog.get(f"{C2M}/wishlist")).json()["items"]
        await catalog.put(f"{C2M}/wishlist/{other['id']}", json={})
    assert (added.status_code, repeat.status_code) == (201, 200)
    assert repeat.json()["id"] == added.json()["id"]
    assert added.json()["attributes"] == {"颜色": "蓝"}  # the SKU's: what the wish asks for
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["body.sku_id"]
    assert [w["product_id"] for w in mine] == [product["id"]]
    assert theirs == []
    async with platform.client("catalog", operators[0]) as catalog:
        before = (await catalog.get(f"{C2M}/clusters", params={"category": category})).json()
    async with platform.client("catalog", alice) as catalog:
        removed = await catalog.delete(wished)
        removed_again = await catalog.delete(wished)
        after = (await catalog.get(f"{C2M}/wishlist")).json()["items"]
    async with platform.client("catalog", operators[0]) as catalog:
        left = (await catalog.get(f"{C2M}/clusters", params={"category": category})).json()
        emptied = (await catalog.get(f"{C2M}/clusters/{added.json()['cluster_id']}")).json()
    assert (removed.status_code, removed_again.status_code, after) == (204, 204, [])
    assert sorted((str(c["attributes"]), c["wishlists"]) for c in before) == [
        ("{'颜色': '蓝'}", 1),
        ("{}", 1),
    ]
    assert [(c["attributes"], c["wishlists"]) for c in left] == [({}, 1)]  # bob's stays
    # Alice's is out of the list (no signal left), taken out once; she did ask.
    assert (emptied["signals"], emptied["wishlists"], emptied["askers"]) == (0, 0, 1)


async def test_a_search_that_found_nothing_joins_its_cluster_through_the_broker(
    platform, operators
):
    category = await _category(platform, operators[0])
    word = f"zq{new_id().hex[-8:]}"
    async with platform.client("catalog") as storefront:
        for query in (f"折叠 {word}", f"{word} 折疊"):  # one demand, worded twice
            found = await storefront.get(PRODUCTS, params={"q": query, "category": category})
            assert found.json()["items"] == []
    async with platform.client("catalog", operators[0]) as catalog:

        async def clustered():
            found = (await catalog.get(f"{C2M}/clusters", params={"category": category})).json()
            return found if found and found[0]["searches"] == 2 else None

        (cluster,) = await eventually(clustered, within=30)
    assert sorted(cluster["keywords"]) == sorted([word, "折叠"])  # no attribute value
    assert (cluster["signals"], cluster["wants"], cluster["attributes"]) == (2, 0, {})
    assert cluster["askers"] == 0  # searches have no customer


async def test_a_redelivered_search_counts_once(platform, operators):
    """The same search.missed twice (a redelivery), then another of the same words typed
    otherwise: two searches on the cluster's row. The three are one partition's (one key),
    in order, so once the last is in the cluster the repeat has been seen."""
    category = await _category(platform, operators[0])
    word = f"zq{new_id().hex[-8:]}"

    def missed(typed: str):
        data = SearchMissed(
            query=typed,
            normalized=f"{word} 加厚",
            tokens=[word, "加厚"],
            category_id=category,
            at=now(),
        )
        return envelope_for(data, source="/flywheel/catalog")

    first, last = missed(f"{word} 加厚"), missed(f"{word.upper()}  加厚")
    await publishing.publish(platform, first, first, last)
    async with platform.client("catalog", operators[0]) as catalog:

        async def arrived():
            found = (await catalog.get(f"{C2M}/clusters", params={"category": category})).json()
            if not found:
                return None
            detail = (await catalog.get(f"{C2M}/clusters/{found[0]['id']}")).json()
            return found if last.data["query"] in [q["query"] for q in detail["queries"]] else None

        (cluster,) = await eventually(arrived, within=30)
    assert (cluster["searches"], cluster["signals"]) == (2, 2)


async def test_a_search_naming_no_product_joins_the_category_its_words_name(platform, operators):
    """No product is named by the words searched, and none asks for an attribute: the
    category whose name they name (traditional characters in it, simplified in the search)
    is the cluster's, though the search was made in the whole shop."""
    word = f"zq{new_id().hex[-8:]}"
    async with platform.client("catalog", operators[0]) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/categories", json={"name": f"摺疊椅 {word}", "role": "potential"}
        )
    chairs = created.json()["id"]
    async with platform.client("catalog") as storefront:
        found = await storefront.get(PRODUCTS, params={"q": f"加厚 折叠椅 {word}"})
        assert found.json()["items"] == []
    async with platform.client("catalog", operators[0]) as catalog:

        async def clustered():
            found = (await catalog.get(f"{C2M}/clusters", params={"category": chairs})).json()
            return found or None

        (cluster,) = await eventually(clustered, within=30)
    assert (cluster["category_id"], cluster["attributes"], cluster["searches"]) == (chairs, {}, 1)
    assert sorted(cluster["keywords"]) == sorted(["加厚", "折叠椅", word])


async def test_a_search_for_an_attribute_value_joins_the_wants_of_it(platform, operators):
    """绿色 <cup> found nothing (the cup is red or blue): its 绿 is a value customers asked
    for, so the search joins their wants' cluster, in the cup's category, whether it was
    searched in the whole shop or in the category's parent."""
    parent = await _category(platform, operators[0])
    cups = await _category(platform, operators[0], parent)
    word = f"zq{new_id().hex[-8:]}"
    product = await _product(platform, operators, cups, name=f"{word} 保温杯")
    (_, alice), (_, bob) = await platform.customer(), await platform.customer()
    for customer in (alice, bob):
        async with platform.client("catalog", customer) as catalog:
            wanted = await catalog.post(
                f"{C2M}/products/{product['id']}/want", json={"attributes": {"颜色": "绿"}}
            )
            assert wanted.status_code == 201, wanted.text
    cluster_id = wanted.json()["cluster_id"]
    searches = [({"q": f"绿色 {word}"}), ({"q": f"{word} 綠色的", "category": parent})]
    async with platform.client("catalog") as storefront:
        for params in searches:
            assert (await storefront.get(PRODUCTS, params=params)).json()["items"] == []
    async with platform.client("catalog", operators[0]) as catalog:

        async def joined():
            found = (await catalog.get(f"{C2M}/clusters", params={"category": parent})).json()
            return found if found and found[0]["searches"] == 2 else None

        (cluster,) = await eventually(joined, within=30)
        detail = (await catalog.get(f"{C2M}/clusters/{cluster_id}")).json()
    assert cluster["id"] == cluster_id
    assert (cluster["category_id"], cluster["attributes"], cluster["keywords"]) == (
        cups,
        {"颜色": "绿"},
        [],
    )
    assert (cluster["signals"], cluster["wants"], cluster["searches"]) == (4, 2, 2)
    assert sorted(q["query"] for q in detail["queries"]) == sorted(p["q"] for p in searches)
    assert detail["products"] == [{"product_id": product["id"], "signals": 2}]


async def test_a_cluster_proposed_to_a_supplier_goes_along_its_track(
    platform, operators, operator_token
):
    category = await _category(platform, operators[0])
    product = await _product(platform, operators, category)
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        signal = await catalog.post(
            f"{C2M}/products/{product['id']}/want", json={"attributes": {"容量": "2L"}}
        )
    cluster_id = signal.json()["cluster_id"]
    async with platform.client("catalog", operators[0]) as catalog:
        supplier = (
            await catalog.post(
                "/api/v1/catalog/suppliers",
                json={"name": f"义乌杯厂 {new_id().hex[-6:]}", "lead_time_days": 20},
            )
        ).json()
        no_cluster = await catalog.post(
            f"{C2M}/proposals", json={"cluster_id": str(new_id()), "supplier_id": supplier["id"]}
        )
        no_supplier = await catalog.post(
            f"{C2M}/proposals", json={"cluster_id": cluster_id, "supplier_id": str(new_id())}
        )
        created = await catalog.post(
            f"{C2M}/proposals",
            json={
                "cluster_id": cluster_id,
                "supplier_id": supplier["id"],
                "note": "2L 款",
                "quantity": 500,
            },
        )
        proposal = created.json()
        path = f"{C2M}/proposals/{proposal['id']}"
        too_early = await catalog.post(f"{path}/launch")
        accepted = await catalog.post(f"{path}/accept")
        accepted_twice = await catalog.post(f"{path}/accept")
        not_here = await catalog.post(f"{path}/sample", json={"product_id": product["id"]})
        sampled = await catalog.post(f"{path}/sample", json={"note": "样品合格"})
        unknown = await catalog.post(f"{path}/launch", json={"product_id": str(new_id())})
        launched = await catalog.post(f"{path}/launch", json={"product_id": product["id"]})
        ended = await catalog.post(f"{path}/decline", json={"note": "too late"})
        listed = (await catalog.get(f"{C2M}/proposals", params={"cluster_id": cluster_id})).json()
    async with platform.client("catalog", customer) as catalog:
        refused = await catalog.post(f"{path}/accept")
    assert [e["field"] for e in no_cluster.json()["errors"]] == ["body.cluster_id"]
    assert [e["field"] for e in no_supplier.json()["errors"]] == ["body.supplier_id"]
    assert created.status_code == 201, created.text
    assert (proposal["state"], proposal["volume"], proposal["quantity"]) == ("proposed", 1, 500)
    assert (too_early.status_code, accepted_twice.status_code) == (409, 409)
    assert accepted.json()["state"] == "accepted"
    assert [e["field"] for e in not_here.json()["errors"]] == ["body.product_id"]
    assert sampled.json()["state"] == "sampled"
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.product_id"]
    assert launched.status_code == 200, launched.text
    assert (launched.json()["state"], launched.json()["product_id"]) == ("launched", product["id"])
    assert [(s["from_state"], s["to_state"], s["note"]) for s in launched.json()["steps"]] == [
        (None, "proposed", "2L 款"),
        ("proposed", "accepted", None),
        ("accepted", "sampled", "样品合格"),
        ("sampled", "launched", None),
    ]
    assert ended.status_code == 409  # launched is an end
    assert refused.status_code == 403
    assert [p["id"] for p in listed["items"]] == [proposal["id"]]

    async def published():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": MOVED, "subject": proposal["id"]}
            )
        items = response.json()["items"]
        return items if len(items) >= 3 else None

    events = sorted(await eventually(published, within=60), key=lambda e: e["time"])
    assert [e["data"]["to_state"] for e in events] == ["accepted", "sampled", "launched"]


async def test_a_declined_proposal_needs_its_reason_and_ends_there(platform, operators):
    category = await _category(platform, operators[0])
    product = await _product(platform, operators, category)
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        signal = await catalog.post(f"{C2M}/products/{product['id']}/want", json={})
    async with platform.client("catalog", operators[1]) as catalog:
        supplier = (
            await catalog.post(
                "/api/v1/catalog/suppliers",
                json={"name": f"杯厂 {new_id().hex[-6:]}", "lead_time_days": 5},
            )
        ).json()
        proposal = (
            await catalog.post(
                f"{C2M}/proposals",
                json={"cluster_id": signal.json()["cluster_id"], "supplier_id": supplier["id"]},
            )
        ).json()
        path = f"{C2M}/proposals/{proposal['id']}"
        await catalog.post(f"{path}/accept")
        no_reason = await catalog.post(f"{path}/decline")
        declined = await catalog.post(f"{path}/decline", json={"note": "MOQ 太高"})
        reopened = await catalog.post(f"{path}/accept")
        bad_action = await catalog.post(f"{path}/reopen")
        missing = await catalog.get(f"{C2M}/proposals/{new_id()}")
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["body.note"]
    assert declined.json()["state"] == "declined"
    assert declined.json()["steps"][-1] == {
        **declined.json()["steps"][-1],
        "from_state": "accepted",
        "note": "MOQ 太高",
    }
    assert reopened.status_code == 409
    assert reopened.headers["content-type"].startswith("application/problem+json")
    assert (bad_action.status_code, missing.status_code) == (422, 404)
