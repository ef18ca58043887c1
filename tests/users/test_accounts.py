"""Accounts: password strength and change, the lockout, roles granted by admins, sessions."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from alone import PASSWORD
from sqlalchemy import select

from services.users.accounts.models import RoleChange
from services.users.accounts.strength import weakness
from services.users.logins.lockout import AccountLocked
from services.users.logins.models import LoginFailure

NEW_PASSWORD = "a brand new passphrase"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Password123", "common"),
        ("aaaabbbb", "different characters"),
        ("1234567891234", "digits only"),
        ("meiling-secret", "email address"),
    ],
)
def test_weak_passwords_are_named(password, reason):
    assert reason in weakness(password, "MeiLing@example.com")


def test_a_decent_password_passes():
    assert weakness("correct horse battery", "meiling@example.com") is None


def test_a_lock_says_when_it_ends():
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    locked = AccountLocked(at + timedelta(seconds=90.2), at)
    assert (locked.status, locked.headers["Retry-After"]) == (423, "91")
    assert locked.extra["unlock_at"] == "2026-12-01T08:01:30.200000+00:00"


async def test_registration_refuses_a_weak_password_naming_the_field(users):
    async with users.client() as client:
        response = await client.post(
            "/api/v1/users/register", json={"email": "w@example.com", "password": "password123"}
        )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.password"]


async def test_password_change_needs_the_old_one_and_ends_every_login(users):
    _, email = await users.register()
    login = await users.login(email)
    async with users.client(login["access_token"]) as client:
        wrong = await client.post(
            "/api/v1/users/me/password",
            json={"old_password": "not it at all", "new_password": NEW_PASSWORD},
        )
        weak = await client.post(
            "/api/v1/users/me/password",
            json={"old_password": PASSWORD, "new_password": "12345678"},
        )
        changed = await client.post(
            "/api/v1/users/me/password",
            json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        refreshed = await client.post(
            "/api/v1/users/auth/refresh", json={"refresh_token": login["refresh_token"]}
        )
        old = await client.post(
            "/api/v1/users/auth/token", json={"email": email, "password": PASSWORD}
        )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "body.old_password"
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "body.new_password"
    assert changed.status_code == 204
    assert refreshed.status_code == 401
    assert old.status_code == 401
    assert (await users.login(email, NEW_PASSWORD))["access_token"]


async def test_repeated_failures_lock_the_email_even_for_the_right_password(users):
    _, email = await users.register()
    _, bystander = await users.register()
    async with users.client() as client:
        for _ in range(2):
            failed = await client.post(
                "/api/v1/users/auth/token", json={"email": email, "password": "wrong guess"}
            )
            assert failed.status_code == 401
        third = await client.post(
            "/api/v1/users/auth/token", json={"email": email, "password": "wrong guess"}
        )
        right = await client.post(
            "/api/v1/users/auth/token", json={"email": email.upper(), "password": PASSWORD}
        )
        other = await client.post(
            "/api/v1/users/auth/token", json={"email": bystander, "password": PASSWORD}
        )
    assert third.status_code == 423
    assert right.status_code == 423
    assert right.headers["content-type"] == "application/problem+json"
    unlock_at = datetime.fromisoformat(right.json()["unlock_at"])
    assert timedelta(minutes=14) < unlock_at - datetime.now(UTC) <= timedelta(minutes=15)
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60
    assert other.status_code == 200


async def test_a_success_forgets_earlier_failures(users):
    _, email = await users.register()
    async with users.client() as client:
        for _ in range(2):
            await client.post(
                "/api/v1/users/auth/token", json={"email": email, "password": "wrong guess"}
            )
        await users.login(email)
        for _ in range(2):
            failed = await client.post(
                "/api/v1/users/auth/token", json={"email": email, "password": "wrong guess"}
            )
            assert failed.status_code == 401


async def test_an_expired_lock_counts_from_one_again(users):
    _, email = await users.register()
    past = datetime.now(UTC) - timedelta(minutes=1)
    async with users.db.session() as session:
        session.add(LoginFailure(email=email, failures=3, last_failed_at=past, locked_until=past))
        await session.commit()
    async with users.client() as client:
        failed = await client.post(
            "/api/v1/users/auth/token", json={"email": email, "password": "wrong guess"}
        )
    assert failed.status_code == 401
    assert (await users.sql("SELECT failures FROM login_failures WHERE email = :e", e=email))[
        0
    ].failures == 1


async def test_concurrent_failures_are_all_counted(start_users):
    users = await start_users(lockout_failures=100)
    _, email = await users.register()
    async with users.client() as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/users/auth/token", json={"email": email, "password": "wrong guess"}
                )
                for _ in range(20)
            )
        )
    rows = await users.sql("SELECT failures FROM login_failures WHERE email = :e", e=email)
    assert rows[0].failures == 20
    assert {r.status_code for r in responses} == {401}


async def test_admins_grant_and_revoke_roles_audited(users):
    admin_id, admin = await users.staff("admin")
    _, operator = await users.staff("operator")
    _, customer = await users.customer()
    target, email = await users.register()
    path = f"/api/v1/users/users/{target}/roles/operator"
    for token in (operator, customer):
        async with users.client(token) as client:
            assert (await client.put(path)).status_code == 403
    async with users.client(admin) as client:
        granted = await client.put(path)
        again = await client.put(path)
        unknown = await client.put(f"/api/v1/users/users/{target[:-4]}beef/roles/operator")
        bad = await client.put(f"/api/v1/users/users/{target}/roles/emperor")
    assert granted.status_code == again.status_code == 200
    assert granted.json()["roles"] == ["customer", "operator"]
    assert unknown.status_code == 404
    assert bad.json()["errors"][0]["field"] == "path.role"
    promoted = (await users.login(email))["access_token"]
    async with users.client(promoted) as client:
        assert (await client.get("/api/v1/users/users")).status_code == 200
    async with users.client(admin) as client:
        revoked = await client.delete(path)
    assert revoked.json()["roles"] == ["customer"]
    demoted = (await users.login(email))["access_token"]
    async with users.client(demoted) as client:
        assert (await client.get("/api/v1/users/users")).status_code == 403
    async with users.db.session() as session:
        audit = await session.scalars(
            select(RoleChange).where(RoleChange.user_id == UUID(target)).order_by(RoleChange.at)
        )
        changes = [(c.role, c.action, str(c.by_user_id)) for c in audit]
    assert changes == [("operator", "granted", admin_id), ("operator", "revoked", admin_id)]


async def test_an_admin_cannot_revoke_their_own_admin_role(users):
    admin_id, admin = await users.staff("admin")
    async with users.client(admin) as client:
        response = await client.delete(f"/api/v1/users/users/{admin_id}/roles/admin")
    assert response.status_code == 409


async def test_owners_list_and_end_their_sessions(users):
    _, email = await users.register()
    first, second = await users.login(email), await users.login(email)
    _, stranger = await users.customer()
    async with users.client(first["access_token"]) as client:
        rotated = await client.post(
            "/api/v1/users/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        listed = (await client.get("/api/v1/users/me/sessions")).json()["items"]
    assert len(listed) == 2
    newest, oldest = listed
    assert newest["refreshed_at"] > newest["started_at"]  # the first login, refreshed
    assert oldest["started_at"] == oldest["refreshed_at"]
    async with users.client(stranger) as client:
        foreign = await client.delete(f"/api/v1/users/me/sessions/{newest['id']}")
    assert foreign.status_code == 404
    async with users.client(second["access_token"]) as client:
        ended = await client.delete(f"/api/v1/users/me/sessions/{newest['id']}")
        again = await client.delete(f"/api/v1/users/me/sessions/{newest['id']}")
        dead = await client.post(
            "/api/v1/users/auth/refresh",
            json={"refresh_token": rotated.json()["refresh_token"]},
        )
        alive = await client.post(
            "/api/v1/users/auth/refresh", json={"refresh_token": second["refresh_token"]}
        )
        remaining = (await client.get("/api/v1/users/me/sessions")).json()["items"]
    assert (ended.status_code, again.status_code) == (204, 404)
    assert (dead.status_code, alive.status_code) == (401, 200)
    assert [s["id"] for s in remaining] == [oldest["id"]]


async def test_one_refresh_token_presented_concurrently_is_exchanged_once(users):
    _, email = await users.register()
    pair = await users.login(email)
    body = {"refresh_token": pair["refresh_token"]}
    async with users.client() as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/users/auth/refresh", json=body) for _ in range(10))
        )
        statuses = sorted(r.status_code for r in responses)
        winner = next(r.json() for r in responses if r.status_code == 200)
        # The duplicates look like a leaked token being replayed: the login is ended.
        after = await client.post(
            "/api/v1/users/auth/refresh", json={"refresh_token": winner["refresh_token"]}
        )
    assert statuses == [200] + [401] * 9
    assert after.status_code == 401
