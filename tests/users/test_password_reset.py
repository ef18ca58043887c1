"""Password resets: the same answer whether the account exists, a token that works once and
before it expires (concurrent uses on PostgreSQL: one wins), weak passwords refused without
using it up, every login ended; and through the platform, the token mailed by engagement."""

import asyncio
import re

from alone import PASSWORD

from chassis.ids import new_id
from chassis.testing import eventually

REQUESTED = "flywheel.users.password_reset.requested.v1"
NEW_PASSWORD = "another horse battery staple"


async def request(client, email: str):
    return await client.post("/api/v1/users/password-reset", json={"email": email})


async def confirm(client, token: str, password: str = NEW_PASSWORD):
    return await client.post(
        "/api/v1/users/password-reset/confirm", json={"token": token, "new_password": password}
    )


def errors(answer) -> list[str]:
    return [e["field"] for e in answer.json()["errors"]]


async def test_a_reset_token_works_once_before_it_expires_and_ends_every_login(users):
    user_id, email = await users.register()
    login = await users.login(email)
    async with users.client() as client:
        assert (await request(client, email.upper())).status_code == 202
        assert (await request(client, f"nobody-{new_id().hex}@example.com")).status_code == 202
        assert errors(await request(client, "not an email")) == ["body.email"]
        [event] = await users.events(REQUESTED)  # nothing for the unknown address
        assert (event["user_id"], event["email"]) == (user_id, email)
        token = event["token"]

        weak = await confirm(client, token, "password")
        assert errors(weak) == ["body.new_password"]  # and the token is still good
        assert (await confirm(client, token)).status_code == 204
        again = await confirm(client, token, "yet another horse battery")
        assert errors(again) == ["body.token"]
        assert errors(await confirm(client, "made-up")) == ["body.token"]
        refreshed = await client.post(
            "/api/v1/users/auth/refresh", json={"refresh_token": login["refresh_token"]}
        )
        assert refreshed.status_code == 401  # the old login ended
    assert await users.login(email, NEW_PASSWORD)

    async with users.client() as client:
        await request(client, email)
        await request(client, email)  # a newer request replaces the first token
        first, second = [e["token"] for e in await users.events(REQUESTED)][1:]
        assert errors(await confirm(client, first)) == ["body.token"]
        await users.sql("UPDATE password_resets SET expires_at = requested_at")  # expired
        assert errors(await confirm(client, second)) == ["body.token"]


async def test_concurrent_uses_of_one_token_change_the_password_once(users):
    _, email = await users.register()
    async with users.client() as client:
        await request(client, email)
        [event] = await users.events(REQUESTED)
        answers = await asyncio.gather(
            *(confirm(client, event["token"], f"{NEW_PASSWORD} {i}") for i in range(10))
        )
    assert sorted(a.status_code for a in answers) == [204] + [422] * 9
    winner = next(i for i, a in enumerate(answers) if a.status_code == 204)
    assert await users.login(email, f"{NEW_PASSWORD} {winner}")


async def test_the_reset_token_is_mailed_through_engagement(platform, mailbox):
    email = f"reset-{new_id().hex}@example.com"
    async with platform.client("users") as client:
        registered = await client.post(
            "/api/v1/users/register", json={"email": email, "password": PASSWORD}
        )
        assert registered.status_code == 201
        assert (await request(client, email)).status_code == 202

    async def reset_mail():
        found = [m for m in mailbox.messages(to=email) if "password" in m["Subject"].lower()]
        return found or None

    [mail] = await eventually(reset_mail, within=30)
    token = re.search(r"reset code is (\S+)", mail.get_content()).group(1)
    async with platform.client("users") as client:
        assert (await confirm(client, token)).status_code == 204
    assert await platform.token(email, NEW_PASSWORD)
