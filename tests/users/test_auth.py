"""Registration, login, refresh rotation and the profile, over real HTTP."""

import pytest

pytestmark = pytest.mark.asyncio


async def test_register_login_and_me(platform):
    user_id, token = await platform.customer()
    async with platform.client("users", token) as users:
        me = await users.get("/api/v1/users/me")
    assert me.status_code == 200
    assert me.json()["id"] == user_id
    assert me.json()["roles"] == ["customer"]


async def test_duplicate_email_is_409_and_case_insensitive(platform):
    async with platform.client("users") as users:
        body = {"email": "Dup.User@Example.com", "password": "long enough"}
        assert (await users.post("/api/v1/users/register", json=body)).status_code == 201
        body["email"] = "dup.user@example.COM"
        again = await users.post("/api/v1/users/register", json=body)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


async def test_bad_registration_names_the_field(platform):
    async with platform.client("users") as users:
        response = await users.post(
            "/api/v1/users/register", json={"email": "not-an-email", "password": "short"}
        )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"body.email", "body.password"}


async def test_wrong_password_is_401(platform):
    async with platform.client("users") as users:
        response = await users.post(
            "/api/v1/users/auth/token",
            json={"email": "admin@flywheel.local", "password": "wrong-password"},
        )
    assert response.status_code == 401


async def test_refresh_rotates_and_reuse_revokes_the_login(platform):
    async with platform.client("users") as users:
        login = await users.post(
            "/api/v1/users/auth/token",
            json={"email": "admin@flywheel.local", "password": "flywheel-admin"},
        )
        first = login.json()["refresh_token"]
        rotated = await users.post("/api/v1/users/auth/refresh", json={"refresh_token": first})
        assert rotated.status_code == 200
        second = rotated.json()["refresh_token"]
        reused = await users.post("/api/v1/users/auth/refresh", json={"refresh_token": first})
        assert reused.status_code == 401
        # the theft response ends the whole login, including the newest token
        after = await users.post("/api/v1/users/auth/refresh", json={"refresh_token": second})
        assert after.status_code == 401


async def test_me_needs_a_valid_token(platform):
    async with platform.client("users") as users:
        assert (await users.get("/api/v1/users/me")).status_code == 401
        forged = await users.get("/api/v1/users/me", headers={"Authorization": "Bearer not.a.jwt"})
        assert forged.status_code == 401


async def test_rotated_key_is_picked_up_by_other_services(platform, admin_token):
    async with platform.client("users", admin_token) as users:
        rotated = await users.post("/api/v1/users/auth/keys/rotate")
        assert rotated.status_code == 200
        jwks = (await users.get("/api/v1/users/.well-known/jwks.json")).json()
    assert rotated.json()["kid"] in {key["kid"] for key in jwks["keys"]}
    fresh = await platform.token("admin@flywheel.local", "flywheel-admin")
    async with platform.client("catalog", fresh) as catalog:
        created = await catalog.post("/api/v1/catalog/products", json={"name": "Rotated"})
    assert created.status_code == 201
