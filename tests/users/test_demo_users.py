"""The demo population of `make run` loads against the users service: profiles, check-ins,
operators' tags and the demo segments, materialized over it; loading twice adds nothing."""

import pytest

from deploy.local.demo_users import MANUAL_TAGS, population, seed_users

pytestmark = pytest.mark.asyncio
COUNT = 20


async def test_the_demo_population_loads_with_its_segments(platform, admin_token):
    staff = {"Authorization": f"Bearer {admin_token}"}
    people = population(COUNT)
    async with platform.client("users") as users:
        ids, segments = await seed_users(users, staff, count=COUNT)
        again, saved_again = await seed_users(users, staff, count=COUNT)

        async def members(name: str) -> set[str]:
            page = await users.get(
                f"/api/v1/users/segments/{segments[name]}/members",
                params={"limit": 100},
                headers=staff,
            )
            assert page.status_code == 200, page.text
            # Other tests' customers share this users service: only the demo's are judged.
            return {m["user_id"] for m in page.json()["items"]} & set(ids)

        hangzhou = await members("Hangzhou customers")
        vips = await members("VIPs and KOLs")
        checked_in = await members("Checked in this week")
        paid = await members("3+ paid orders in 30 days")
        tagged = await users.get(
            "/api/v1/users/users", params={"tag": "wholesale", "limit": 100}, headers=staff
        )
    assert (again, saved_again) == (ids, {})  # the same customers; every segment was saved
    assert len(set(ids)) == COUNT
    assert hangzhou == {ids[n] for n, (p, _) in enumerate(people) if p["city"] == "Hangzhou"}
    assert hangzhou  # the seed draws some
    every = dict(MANUAL_TAGS)
    assert vips == {ids[n] for n in range(COUNT) if n % every["vip"] == 0 or n % every["kol"] == 0}
    assert checked_in == {ids[n] for n, (_, checks) in enumerate(people) if checks}
    assert paid == set()  # no demo user has paid yet
    wholesale = {u["id"] for u in tagged.json()["items"]} & set(ids)
    assert wholesale == {ids[n] for n in range(0, COUNT, every["wholesale"])}
