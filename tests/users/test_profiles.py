"""Profiles: the caller reads and edits only their own; consent per channel; events; search."""

import pytest


async def test_a_customer_edits_their_profile_and_consent_with_events(users):
    user_id, token = await users.customer()
    async with users.client(token) as client:
        before = (await client.get("/api/v1/users/me")).json()
        patched = await client.patch(
            "/api/v1/users/me",
            json={
                "display_name": "Mei",
                "gender": "female",
                "birth_year": 1994,
                "city": "Hangzhou",
                "time_zone": "Asia/Shanghai",
                "locale": "zh-Hans-CN",
                "consent": {"email": True, "sms": False},
            },
        )
        cleared = await client.patch("/api/v1/users/me", json={"city": None, "consent": {}})
        again = await client.patch("/api/v1/users/me", json={"gender": "female"})
    assert before["consent"] == {"email": False, "sms": False, "push": False, "in_app": False}
    assert patched.status_code == 200
    body = patched.json()
    assert (body["display_name"], body["city"], body["time_zone"]) == (
        "Mei",
        "Hangzhou",
        "Asia/Shanghai",
    )
    assert body["consent"] == {"email": True, "sms": False, "push": False, "in_app": False}
    assert (cleared.json()["city"], cleared.json()["birth_year"]) == (None, 1994)
    assert again.status_code == 200

    updates = await users.events("flywheel.users.profile.updated.v1")
    assert [u["changed"] for u in updates] == [
        ["display_name", "gender", "birth_year", "city", "time_zone", "locale"],
        ["city"],
    ]  # the unchanged gender published nothing
    assert (updates[0]["user_id"], updates[1]["city"]) == (user_id, None)
    consents = await users.events("flywheel.users.consent.changed.v1")
    # sms was not given before, so refusing it again is no change
    assert [(c["channel"], c["granted"]) for c in consents] == [("email", True)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "body.time_zone"),
        ({"locale": "english"}, "body.locale"),
        ({"birth_year": 3000}, "body.birth_year"),
        ({"birth_year": "1990"}, "body.birth_year"),
        ({"birth_year": True}, "body.birth_year"),
        ({"gender": "robot"}, "body.gender"),
        ({"consent": {"email": 1}}, "body.consent.email"),
        ({"consent": {"fax": True}}, "body.consent.fax"),
        ({"email": "new@example.com"}, "body.email"),
    ],
)
async def test_bad_profile_fields_are_422_naming_the_field(users, body, field):
    _, token = await users.customer()
    async with users.client(token) as client:
        response = await client.patch("/api/v1/users/me", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_the_profile_needs_a_token(users):
    async with users.client() as client:
        assert (await client.get("/api/v1/users/me")).status_code == 401
        assert (await client.patch("/api/v1/users/me", json={"city": "X"})).status_code == 401


async def test_one_customer_never_changes_another(users):
    a_id, a = await users.customer()
    _, b = await users.customer()
    async with users.client(b) as client:
        await client.patch("/api/v1/users/me", json={"city": "Chengdu"})
    async with users.client(a) as client:
        mine = (await client.get("/api/v1/users/me")).json()
    assert (mine["id"], mine["city"]) == (a_id, None)


async def test_operators_search_users_by_email_and_role_in_pages(users):
    operator_id, operator = await users.staff("operator")
    _, customer = await users.customer()
    ids = [(await users.register(f"find-{i}@Search.example"))[0] for i in range(3)]
    async with users.client(customer) as client:
        assert (await client.get("/api/v1/users/users")).status_code == 403
    async with users.client(operator) as client:
        first = (
            await client.get("/api/v1/users/users", params={"email": "FIND-", "limit": 2})
        ).json()
        second = (
            await client.get(
                "/api/v1/users/users",
                params={"email": "find-", "limit": 2, "cursor": first["next_cursor"]},
            )
        ).json()
        operators = (await client.get("/api/v1/users/users", params={"role": "operator"})).json()
        literal = (await client.get("/api/v1/users/users", params={"email": "find_"})).json()
        bad = await client.get("/api/v1/users/users", params={"role": "emperor"})
    assert [u["id"] for u in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    # the operator, and the seeded admin, who holds every staff role
    found = [(u["id"], u["roles"]) for u in operators["items"]]
    assert found[0] == (operator_id, ["operator"])
    assert [roles for _, roles in found[1:]] == [["admin", "operator"]]
    assert literal["items"] == []  # "_" is a character here, not a LIKE wildcard
    assert bad.json()["errors"][0]["field"] == "query.role"
