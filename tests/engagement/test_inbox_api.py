"""The in-app inbox over real HTTP: a welcome message for every registration (through the
broker), visible and readable by its owner only."""

import httpx
import pytest
from observe import event_about

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

INBOX = "/api/v1/engagement/inbox"


async def _welcomed(inbox: httpx.AsyncClient) -> dict:
    """The inbox once the welcome message has arrived."""

    async def arrived() -> dict | None:
        page = (await inbox.get(INBOX)).json()
        return page if page["items"] else None

    return await eventually(arrived)


async def test_a_new_user_finds_a_welcome_message_by_name(platform):
    email, password = f"mei-{new_id().hex}@example.com", "correct horse battery"
    async with platform.client("users") as users:
        registered = await users.post(
            "/api/v1/users/register",
            json={"email": email, "password": password, "display_name": "Mei"},
        )
    user_id = registered.json()["id"]
    async with platform.client("engagement", await platform.token(email, password)) as inbox:
        page = await _welcomed(inbox)

    (message,) = page["items"]
    assert (message["template"], message["title"]) == ("welcome", "Welcome to Flywheel, Mei!")
    assert message["read_at"] is None
    assert page["next_cursor"] is None

    event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.engagement.message",
        "flywheel.engagement.message.sent.v1",
        message["id"],
    )
    assert event["data"]["user_id"] == user_id
    assert (event["data"]["channel"], event["data"]["template"]) == ("in_app", "welcome")


async def test_only_the_owner_sees_and_reads_a_message(platform):
    _, owner_token = await platform.customer()
    _, other_token = await platform.customer()
    async with (
        platform.client("engagement", owner_token) as owner,
        platform.client("engagement", other_token) as other,
    ):
        mine = (await _welcomed(owner))["items"][0]
        theirs = (await _welcomed(other))["items"][0]
        assert mine["id"] != theirs["id"]

        hidden = await other.post(f"{INBOX}/{mine['id']}/read")
        assert hidden.status_code == 404
        assert hidden.headers["content-type"] == "application/problem+json"
        assert (await other.post(f"{INBOX}/{new_id()}/read")).status_code == 404

        read = await owner.post(f"{INBOX}/{mine['id']}/read")
        assert read.status_code == 200
        assert read.json()["read_at"] is not None
        again = await owner.post(f"{INBOX}/{mine['id']}/read")
        assert again.json()["read_at"] == read.json()["read_at"]
        assert (await owner.get(INBOX)).json()["items"][0]["read_at"] == read.json()["read_at"]


async def test_the_inbox_needs_a_token(platform):
    async with platform.client("engagement") as anonymous:
        for response in (
            await anonymous.get(INBOX),
            await anonymous.post(f"{INBOX}/{new_id()}/read"),
        ):
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 0}, "query.limit"), ({"cursor": "%%%"}, "query.cursor")]
)
async def test_bad_paging_parameters_are_422(platform, params, field):
    _, token = await platform.customer()
    async with platform.client("engagement", token) as inbox:
        response = await inbox.get(INBOX, params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
