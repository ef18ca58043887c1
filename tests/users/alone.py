"""The users service alone on a fresh database, broker off (imported as `alone`): for tests
about its own rules, concurrency above all. Events stay in its outbox, where tests read them."""

import json

import httpx
from sqlalchemy import text

from chassis.ids import new_id
from chassis.testing import ServiceServer

PASSWORD = "correct horse battery"


class Users:
    """A running users service and shortcuts to its API and database."""

    def __init__(self, server: ServiceServer) -> None:
        self.server = server
        self.db = server.app.state.db

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # generous: 20 concurrent argon2 checks on a loaded 2-core machine take long
        return httpx.AsyncClient(base_url=self.server.url, headers=headers, timeout=120)

    async def register(self, email: str | None = None) -> tuple[str, str]:
        email = email or f"u-{new_id().hex}@example.com"
        async with self.client() as client:
            response = await client.post(
                "/api/v1/users/register", json={"email": email, "password": PASSWORD}
            )
        response.raise_for_status()
        return response.json()["id"], email

    async def login(self, email: str, password: str = PASSWORD) -> dict:
        async with self.client() as client:
            response = await client.post(
                "/api/v1/users/auth/token", json={"email": email, "password": password}
            )
        response.raise_for_status()
        return response.json()

    async def customer(self) -> tuple[str, str]:
        """A fresh customer: (user id, access token)."""
        user_id, email = await self.register()
        return user_id, (await self.login(email))["access_token"]

    async def staff(self, *roles: str) -> tuple[str, str]:
        """A fresh user holding exactly `roles`: (user id, access token)."""
        user_id, email = await self.register()
        await self.sql(
            "UPDATE users SET roles = :roles WHERE email = :email",
            roles=json.dumps(list(roles)),
            email=email,
        )
        return user_id, (await self.login(email))["access_token"]

    async def sql(self, statement: str, **params) -> list:
        async with self.db.engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return list(result) if result.returns_rows else []

    async def events(self, type_: str) -> list[dict]:
        """Payloads of the events of `type_` staged in the outbox, oldest first."""
        rows = await self.sql(
            "SELECT payload FROM outbox WHERE type = :type ORDER BY created_at", type=type_
        )
        return [json.loads(row.payload)["data"] for row in rows]
