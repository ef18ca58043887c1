"""Partner API keys: issued by admins, stored hashed, scoped to routes, rotated and revoked."""

import hashlib
import sqlite3
import uuid
from datetime import datetime, timedelta

import httpx
import pytest

PARTNERS = "/api/v1/gateway/partners"
FEED = "/api/v1/orders/partner-feed"  # a route only partners (and admins) may call


@pytest.fixture
async def gw_partner(gw_stack, gw_client):
    """A registered partner: its JSON, with the secret of its first key."""
    response = await gw_client.post(
        PARTNERS,
        json={"name": f"acme-{uuid.uuid4().hex[:8]}", "scopes": [f"GET {FEED}", "/api/v1/catalog"]},
        headers=gw_stack.signer.bearer("admin"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _key(secret: str) -> dict[str, str]:
    return {"X-API-Key": secret}


async def test_a_key_calls_the_routes_in_its_scopes_as_its_partner(gw_client, gw_partner):
    secret = gw_partner["key"]["secret"]
    response = await gw_client.get(f"{FEED}/latest", headers=_key(secret))
    assert response.status_code == 200
    seen = response.json()["headers"]
    assert seen["x-flywheel-partner"] == gw_partner["id"]
    assert "x-api-key" not in seen  # the secret stops at the edge
    response = await gw_client.post("/api/v1/catalog/products", headers=_key(secret), json={})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", FEED, 403),  # scoped to GET only
        ("GET", "/api/v1/users/me", 403),  # not in its scopes
        ("GET", "/api/v1/analytics/events", 403),  # an operator route: never for keys
        ("GET", "/api/v1/gateway/partners", 401),  # the admin API takes tokens only
    ],
)
async def test_a_key_is_refused_outside_its_scopes(
    gw_stack, gw_client, gw_partner, method, path, status
):
    mark = gw_stack.journal.mark()
    response = await gw_client.request(method, path, headers=_key(gw_partner["key"]["secret"]))
    assert response.status_code == status
    assert gw_stack.journal.since(mark) == []


async def test_unknown_keys_are_unauthorized(gw_client):
    response = await gw_client.get(FEED, headers=_key("fwk_" + "x" * 43))
    assert response.status_code == 401


async def test_users_need_the_partner_or_admin_role_for_partner_routes(gw_stack, gw_client):
    statuses = [
        (await gw_client.get(FEED, headers=gw_stack.signer.bearer(role))).status_code
        for role in ("customer", "operator", "partner", "admin")
    ]
    assert statuses == [403, 403, 200, 200]


async def test_client_supplied_partner_identity_is_dropped(gw_stack, gw_client, gw_partner):
    forged = {"X-Flywheel-Partner": "someone-else", "x-flywheel-roles": "admin"}
    seen = (await gw_client.get("/api/v1/catalog/products", headers=forged)).json()["headers"]
    assert "x-flywheel-partner" not in seen
    assert "x-flywheel-roles" not in seen
    with_key = forged | _key(gw_partner["key"]["secret"])
    seen = (await gw_client.get(f"{FEED}/x", headers=with_key)).json()["headers"]
    assert seen["x-flywheel-partner"] == gw_partner["id"]


async def test_only_the_hash_of_a_key_is_stored(gw_stack, gw_partner):
    secret = gw_partner["key"]["secret"]
    database = gw_stack.settings.database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT prefix, secret_hash FROM gateway_partner_keys").fetchall()
        dump = "\n".join(conn.iterdump())
    assert secret not in dump
    assert (secret[:12], hashlib.sha256(secret.encode()).hexdigest()) in rows


async def test_rotation_with_grace_keeps_both_keys_working(gw_stack, gw_client, gw_partner):
    admin = gw_stack.signer.bearer("admin")
    old = gw_partner["key"]["secret"]
    response = await gw_client.post(
        f"{PARTNERS}/{gw_partner['id']}/keys", json={"grace_seconds": 3600}, headers=admin
    )
    assert response.status_code == 201
    new = response.json()["secret"]
    assert new != old
    for secret in (old, new):
        assert (await gw_client.get(FEED, headers=_key(secret))).status_code == 200
    keys = (await gw_client.get(f"{PARTNERS}/{gw_partner['id']}", headers=admin)).json()["keys"]
    assert [k["expires_at"] is not None for k in keys] == [True, False]
    # Times read back from the gateway's SQLite database are UTC with their offset, as on
    # PostgreSQL: a naive time would be read by clients in their own zone.
    for moment in (keys[0]["expires_at"], keys[0]["created_at"], keys[1]["created_at"]):
        assert datetime.fromisoformat(moment).utcoffset() == timedelta(0)


async def test_rotation_without_grace_retires_the_old_key_at_once(gw_stack, gw_client, gw_partner):
    admin = gw_stack.signer.bearer("admin")
    old = gw_partner["key"]["secret"]
    assert (await gw_client.get(FEED, headers=_key(old))).status_code == 200  # now cached
    response = await gw_client.post(
        f"{PARTNERS}/{gw_partner['id']}/keys", json={"grace_seconds": 0}, headers=admin
    )
    new = response.json()["secret"]
    assert (await gw_client.get(FEED, headers=_key(old))).status_code == 401
    assert (await gw_client.get(FEED, headers=_key(new))).status_code == 200


async def test_revoking_a_key_or_the_partner(gw_stack, gw_client, gw_partner):
    admin = gw_stack.signer.bearer("admin")
    partner_id, key = gw_partner["id"], gw_partner["key"]
    assert (await gw_client.get(FEED, headers=_key(key["secret"]))).status_code == 200
    response = await gw_client.delete(f"{PARTNERS}/{partner_id}/keys/{key['id']}", headers=admin)
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert (await gw_client.get(FEED, headers=_key(key["secret"]))).status_code == 401

    second = await gw_client.post(f"{PARTNERS}/{partner_id}/keys", json={}, headers=admin)
    secret = second.json()["secret"]
    assert (await gw_client.get(FEED, headers=_key(secret))).status_code == 200
    revoked = await gw_client.delete(f"{PARTNERS}/{partner_id}", headers=admin)
    assert revoked.json()["revoked_at"] is not None
    assert (await gw_client.get(FEED, headers=_key(secret))).status_code == 401
    again = await gw_client.post(f"{PARTNERS}/{partner_id}/keys", json={}, headers=admin)
    assert again.status_code == 409


async def test_only_admins_manage_partners(gw_stack, gw_client):
    body = {"name": "nope", "scopes": ["/api/v1/catalog"]}
    assert (await gw_client.post(PARTNERS, json=body)).status_code == 401
    for role in ("customer", "operator", "partner"):
        headers = gw_stack.signer.bearer(role)
        assert (await gw_client.post(PARTNERS, json=body, headers=headers)).status_code == 403
        assert (await gw_client.get(PARTNERS, headers=headers)).status_code == 403


@pytest.mark.parametrize(
    "scope",
    [
        "/api/v1/analytics/events",  # operators only
        "/api/v1/gateway/partners",  # the gateway's own admin API
        "/api/v1/catalog/../users",
        "FETCH /api/v1/catalog",
        "catalog",
    ],
)
async def test_scopes_must_be_routes_partners_may_call(gw_stack, gw_client, scope):
    response = await gw_client.post(
        PARTNERS,
        json={"name": f"bad-{uuid.uuid4().hex[:8]}", "scopes": [scope]},
        headers=gw_stack.signer.bearer("admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scopes"


async def test_names_are_unique(gw_stack, gw_client, gw_partner):
    response = await gw_client.post(
        PARTNERS,
        json={"name": gw_partner["name"], "scopes": ["/api/v1/catalog"]},
        headers=gw_stack.signer.bearer("admin"),
    )
    assert response.status_code == 409


async def test_listing_pages_with_a_cursor(gw_stack, gw_client, gw_partner):
    admin = gw_stack.signer.bearer("admin")
    for _ in range(2):
        await gw_client.post(
            PARTNERS,
            json={"name": f"page-{uuid.uuid4().hex[:8]}", "scopes": ["/api/v1/catalog"]},
            headers=admin,
        )
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await gw_client.get(PARTNERS, params=params, headers=admin)).json()
        seen += [p["id"] for p in page["items"]]
        assert all("secret" not in key for p in page["items"] for key in p["keys"])
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) >= 3
    assert seen == sorted(seen)
    assert gw_partner["id"] in seen
    bad = await gw_client.get(PARTNERS, params={"cursor": "nope"}, headers=admin)
    assert bad.status_code == 422


@pytest.mark.postgres
async def test_partner_keys_on_postgresql(gw_stack, gw_gateway, gw_postgres):
    admin = gw_stack.signer.bearer("admin")
    async with (
        gw_gateway(database_url=gw_postgres) as gateway,
        httpx.AsyncClient(base_url=gateway.url, timeout=10) as client,
    ):
        created = await client.post(
            PARTNERS, json={"name": "acme", "scopes": [FEED]}, headers=admin
        )
        assert created.status_code == 201, created.text
        partner, first = created.json(), created.json()["key"]["secret"]
        assert (await client.get(FEED, headers=_key(first))).status_code == 200
        rotated = await client.post(
            f"{PARTNERS}/{partner['id']}/keys", json={"grace_seconds": 0}, headers=admin
        )
        second = rotated.json()["secret"]
        assert (await client.get(FEED, headers=_key(first))).status_code == 401
        assert (await client.get(FEED, headers=_key(second))).status_code == 200
        duplicate = await client.post(
            PARTNERS, json={"name": "acme", "scopes": [FEED]}, headers=admin
        )
        assert duplicate.status_code == 409
        assert (await client.get("/readyz")).json()["checks"] == {"database": "ok"}


async def test_a_name_with_a_nul_character_is_refused_naming_the_field(gw_stack, gw_client):
    response = await gw_client.post(
        PARTNERS,
        json={"name": "nul\u0000partner", "scopes": ["/api/v1/catalog"]},
        headers=gw_stack.signer.bearer("admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.name"
