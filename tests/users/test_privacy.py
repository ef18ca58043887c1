"""Privacy: a customer exports only their own data; erasure (confirmed by the password)
anonymizes them once, ends their logins, keeps the ledger's sums and publishes user.erased."""

import orders
import tagging
from alone import PASSWORD
from deliver import deliver

ERASED = "flywheel.users.user.erased.v1"


async def test_an_export_holds_the_callers_data_and_no_one_elses(users):
    user_id, token = await users.customer()
    other_id, other = await users.customer()
    await deliver(users, orders.paid(orders.placed(user_id, 0, paid=5000)))
    async with users.client(token) as client:
        await client.patch("/api/v1/users/me", json={"city": "Hangzhou"})
        answer = await client.get("/api/v1/users/me/export")
    async with users.client() as client:
        assert (await client.get("/api/v1/users/me/export")).status_code == 401
    assert answer.status_code == 200
    document = answer.json()
    assert document["account"]["id"] == user_id
    assert "password_hash" not in document["account"]
    assert document["profile"]["city"] == "Hangzhou"
    assert [row["amount"] for row in document["paid_orders"]] == [5000]
    assert document["activity"]["paid_orders"] == 1
    assert other_id not in answer.text
    assert other  # the other customer exists and is not in it


async def test_erasure_anonymizes_once_keeps_the_ledger_and_is_announced(users):
    user_id, email = await users.register()
    login = await users.login(email)
    token = login["access_token"]
    order = orders.placed(user_id, 0, paid=2000)
    await deliver(users, order, orders.paid(order), orders.completed(order))
    async with users.client(token) as client:
        await client.patch("/api/v1/users/me", json={"city": "Hangzhou", "display_name": "Mei"})
        await client.get("/api/v1/users/me/referral")  # has an invite code
        before = (await client.get("/api/v1/users/me/points")).json()["balance"]
        wrong = await client.post("/api/v1/users/me/erase", json={"password": "not it at all"})
        erased = await client.post("/api/v1/users/me/erase", json={"password": PASSWORD})
        again = await client.post("/api/v1/users/me/erase", json={"password": PASSWORD})
        after = (await client.get("/api/v1/users/me/points")).json()["balance"]
        export = (await client.get("/api/v1/users/me/export")).json()
        refreshed = await client.post(
            "/api/v1/users/auth/refresh", json={"refresh_token": login["refresh_token"]}
        )
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["body.password"]
    assert erased.status_code == 204
    assert again.status_code == 409
    assert before == after == 20  # the ledger keeps its sum
    assert export["account"]["email"].endswith("@erased.invalid")
    assert export["account"]["display_name"] is None
    assert export["profile"] is None
    assert export["referral_code"] is None
    assert refreshed.status_code == 401
    [event] = await users.events(ERASED)
    assert event["user_id"] == user_id
    async with users.client() as client:
        gone = await client.post(
            "/api/v1/users/auth/token", json={"email": email, "password": PASSWORD}
        )
    assert gone.status_code == 401
    assert (await users.register(email))[0] != user_id  # the address is free again


async def test_interest_tags_are_exported_and_erased_with_the_person(users):
    _, operator = await users.staff("operator")
    user_id, token = await users.customer()
    tent = tagging.product("Acme", None)
    await deliver(users, tent, orders.paid(orders.placed(user_id, 0)))  # no label: the SKU
    await deliver(users, tagging.bought(user_id, tent.skus[0].sku_id))
    async with users.client(operator) as client:
        await client.put(f"/api/v1/users/users/{user_id}/tags/vip")
    async with users.client(token) as client:
        exported = (await client.get("/api/v1/users/me/export")).json()
        await client.post("/api/v1/users/me/erase", json={"password": PASSWORD})
    assert sorted((t["tag"], t["origin"]) for t in exported["tags"]) == [
        ("brand:acme", "system"),
        ("vip", "manual"),
    ]
    assert [(e["tag"], e["count"]) for e in exported["tag_evidence"]] == [("brand:acme", 1)]
    assert [c["tag"] for c in exported["tag_changes"]] == ["vip"]
    async with users.client(operator) as client:
        after = (await client.get(f"/api/v1/users/users/{user_id}/tags")).json()
    assert (after["tags"], after["evidence"]) == ([], [])
    assert len(after["changes"]) == 1  # the audit of what operators did stays
    for table in ("tag_evidence_days", "tag_timers"):  # the evidence's days, its timer
        assert await users.sql(f"SELECT * FROM {table}") == []
