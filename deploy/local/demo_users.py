"""Demo users for `make run`: a population of customers with profiles across cities, ages
and consents, daily check-ins, operators' manual tags, and the segments an operator would
save over them (by city, tag, age, check-ins, recent orders, sign-ins), via the gateway.

Deterministic (one seeded random), and safe to load twice: an address already registered
signs in, a check-in already made today is a 409, a segment name taken is a 409."""

import asyncio
import random

import httpx

from deploy.local.answers import checked

USERS = "/api/v1/users"
PASSWORD = "flywheel-demo"
CITIES = ("Hangzhou", "Shanghai", "Chengdu", "Beijing", "Shenzhen", "Xi'an")
ZONES = {"Hangzhou": "Asia/Shanghai", "Chengdu": "Asia/Shanghai", "Xi'an": "Asia/Shanghai"}
NAMES = ("Mei", "Tom", "Lin", "Hao", "Yu", "Ana", "Jun", "Li", "Wei", "Sara", "Ken", "Ning")
MANUAL_TAGS = (("vip", 5), ("wholesale", 7), ("kol", 9))  # every n-th user
SEGMENTS = {
    "Hangzhou customers": {"field": "profile.city", "op": "eq", "value": "Hangzhou"},
    "VIPs and KOLs": {"field": "tags", "op": "has_any", "value": ["vip", "kol"]},
    "Women born in the 1990s": {
        "all": [
            {"field": "profile.gender", "op": "eq", "value": "female"},
            {"field": "profile.birth_year", "op": "between", "value": [1990, 1999]},
        ]
    },
    "Checked in this week": {"field": "events.check_ins", "op": "gte", "value": 1, "days": 7},
    "3+ paid orders in 30 days": {
        "field": "events.paid_orders",
        "op": "gte",
        "value": 3,
        "days": 30,
    },
    "No sign-in for 14 days": {
        "not": {"field": "logins.last_login_at", "op": "within_days", "value": 14}
    },
}
CONCURRENCY = 4  # each registration and sign-in is a password hash on the users service
# A hundred: 200 password hashes at the production cost keep `make run` quick.
COUNT = 100


def population(count: int) -> list[tuple[dict, bool]]:
    """Each demo user's profile and whether they check in, drawn from one seeded random in
    order, so the population is the same however the registrations interleave."""
    rng = random.Random(18)
    people = []
    for n in range(count):
        city = rng.choice(CITIES)
        details = {
            "display_name": f"{rng.choice(NAMES)} {n:03d}",
            "gender": rng.choice(("female", "male", "female", "other")),
            "birth_year": rng.randint(1965, 2006),
            "city": city,
            "time_zone": ZONES.get(city, "Asia/Shanghai"),
            "locale": rng.choice(("zh-CN", "zh-CN", "en-US")),
            "consent": {"email": rng.random() < 0.6, "sms": rng.random() < 0.3, "push": True},
        }
        people.append((details, rng.random() < 0.4))
    return people


async def _customer(client: httpx.AsyncClient, n: int, details: dict, checks_in: bool, gate):
    """Register (or sign in) demo user `n`, fill in their profile, check in if they do."""
    email = f"demo.user{n:03d}@example.com"
    async with gate:
        registered = await client.post(
            f"{USERS}/register", json={"email": email, "password": PASSWORD}
        )
        if registered.status_code != 409:
            checked(registered)
        signed_in = await client.post(
            f"{USERS}/auth/token", json={"email": email, "password": PASSWORD}
        )
    mine = {"Authorization": f"Bearer {checked(signed_in).json()['access_token']}"}
    me = checked(await client.patch(f"{USERS}/me", json=details, headers=mine)).json()
    if checks_in:
        answer = await client.post(f"{USERS}/me/check-ins", headers=mine)
        if answer.status_code != 409:  # checked in today already
            checked(answer)
    return me["id"]


async def seed_users(
    client: httpx.AsyncClient, staff: dict, count: int = COUNT
) -> tuple[list[str], dict[str, str]]:
    """`count` demo customers, the operators' tags on some, and the demo segments: the
    customers' ids, and the ids of the segments this load saved (by name)."""
    gate = asyncio.Semaphore(CONCURRENCY)
    people = population(count)
    ids = await asyncio.gather(
        *(_customer(client, n, details, checks, gate) for n, (details, checks) in enumerate(people))
    )
    for n, user_id in enumerate(ids):
        for tag, every in MANUAL_TAGS:
            if n % every == 0:
                checked(await client.put(f"{USERS}/users/{user_id}/tags/{tag}", headers=staff))
    saved_ids = {}
    for name, rule in SEGMENTS.items():
        saved = await client.post(
            f"{USERS}/segments", json={"name": name, "rule": rule}, headers=staff
        )
        if saved.status_code != 409:  # saved by an earlier load
            saved_ids[name] = checked(saved).json()["id"]
    return list(ids), saved_ids
