"""Segments in the service: the SQL evaluator and the in-memory one agree on random users and
random rules (hypothesis, on SQLite and PostgreSQL); previews count and sample; operators only."""

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.ids import new_id
from contracts.users import Gender, LifecycleStage, Tier
from services.users.accounts.models import User
from services.users.checkins.models import CheckIn
from services.users.lifecycle.models import LifecycleState
from services.users.membership.models import Membership
from services.users.metrics.models import PaidOrder, UserActivity
from services.users.profiles.models import Profile
from services.users.rfm.models import RfmScore
from services.users.segments import predicate, rules, sql
from services.users.segments import service as segments
from services.users.tags.models import TagOrigin, UserTag

CITIES = ("Hangzhou", "Hefei", "Chengdu", "Changsha", "Xi'an")
TAGS = ("brand:acme", "category:tents", "vip")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = (0, 1, 7, 29, 30, 31, 60, 90)  # whole days back: windows' edges fall on them exactly


def days_ago(rng: random.Random) -> datetime:
    return NOW - timedelta(days=rng.choice(DAYS), seconds=rng.choice((0, 0, 1, -1)))


def random_user(rng: random.Random, session: AsyncSession) -> None:
    """A user with each domain's row present or missing at random."""
    user_id = new_id()
    last_login = days_ago(rng) if rng.random() < 0.6 else None
    email = f"{user_id.hex}@example.com"
    session.add(User(id=user_id, email=email, password_hash="x", last_login_at=last_login))
    if rng.random() < 0.7:
        session.add(
            Profile(
                user_id=user_id,
                gender=rng.choice([None, *Gender]),
                birth_year=rng.choice([None, *range(1960, 2010, 7)]),
                city=rng.choice([None, *CITIES]),
                updated_at=NOW,
            )
        )
    if rng.random() < 0.7:
        stage = rng.choice(list(LifecycleStage))
        session.add(LifecycleState(user_id=user_id, stage=stage, since=NOW, rule_version=1))
    if rng.random() < 0.5:
        session.add(Membership(user_id=user_id, tier=rng.choice(list(Tier)), since=NOW))
    if rng.random() < 0.6:
        r, f, m = (rng.randint(1, 5) for _ in range(3))
        session.add(
            RfmScore(
                user_id=user_id,
                recency_days=1,
                frequency=1,
                monetary=1,
                r=r,
                f=f,
                m=m,
                scored_at=NOW,
            )
        )
    if rng.random() < 0.6:
        session.add(
            UserActivity(
                user_id=user_id,
                paid_orders=rng.randint(0, 6),
                net_spend=rng.choice((0, 999, 5_000, 120_000)),
                last_paid_at=days_ago(rng) if rng.random() < 0.7 else None,
                last_active_at=days_ago(rng),
            )
        )
    for _ in range(rng.choice((0, 0, 1, 2, 3, 4))):
        paid_at = days_ago(rng)
        session.add(
            PaidOrder(order_id=new_id(), user_id=user_id, amount=1, currency="CNY", paid_at=paid_at)
        )
    for day in range(rng.choice((0, 1, 2, 3))):
        at = days_ago(rng)  # the local date is not what counts: any distinct one will do
        local = NOW.date() - timedelta(days=day)
        session.add(
            CheckIn(user_id=user_id, local_date=local, streak=1, points=1, checked_in_at=at)
        )
    for tag in rng.sample(TAGS, rng.choice((0, 0, 1, 2))):
        origin = rng.choice(list(TagOrigin))
        session.add(UserTag(user_id=user_id, tag=tag, origin=origin, set_at=NOW))


@pytest.fixture
async def population(users) -> dict[UUID, dict]:
    rng = random.Random(18)
    async with users.db.session() as session, session.begin():
        for _ in range(60):
            random_user(rng, session)
    async with users.db.session() as session:
        return await segments.values_of(session, None, set(rules.FIELDS))


INTEGERS = {
    "profile.birth_year": st.integers(1955, 2012),
    "rfm.r": st.integers(0, 6),
    "rfm.f": st.integers(0, 6),
    "rfm.m": st.integers(0, 6),
    "metrics.paid_orders": st.integers(-1, 7),
    "metrics.net_spend": st.sampled_from((0, 999, 1_000, 5_000, 120_000)),
    "events.paid_orders": st.integers(-1, 5),
    "events.check_ins": st.integers(-1, 4),
    **dict.fromkeys(
        ("metrics.last_paid_at", "metrics.last_active_at", "logins.last_login_at"),
        st.sampled_from((1, 7, 29, 30, 31, 60, 90)),
    ),
}
TEXTS = {
    "profile.gender": st.sampled_from(list(Gender)).map(str),
    "lifecycle.stage": st.sampled_from(list(LifecycleStage)).map(str),
    "membership.tier": st.sampled_from(list(Tier)).map(str),
    "profile.city": st.sampled_from((*CITIES, "H", "Ch", "hangzhou", "Lhasa")),
    "tags": st.sampled_from((*TAGS, "VIP", "topic:camping")),
}
WINDOW_DAYS = st.sampled_from((1, 7, 29, 30, 31, 60, 90))


def condition(field: str):
    spec = rules.FIELDS[field]
    values = INTEGERS[field] if field in INTEGERS else TEXTS[field]

    def value_for(op: str):
        if op in ("in", "has_any"):
            return st.lists(values, min_size=1, max_size=3)
        if op == "between":
            return st.tuples(values, values).map(sorted)
        return values

    def leaf(op: str):
        plain = value_for(op).map(lambda value: {"field": field, "op": op, "value": value})
        if spec.kind is not rules.Kind.COUNT:
            return plain
        return st.tuples(plain, WINDOW_DAYS).map(lambda pair: {**pair[0], "days": pair[1]})

    return st.sampled_from(rules.OPERATORS[spec.kind]).flatmap(leaf)


LEAVES = st.sampled_from(list(rules.FIELDS)).flatmap(condition)
TREES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=8,
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=TREES)
async def test_sql_and_memory_agree_on_random_users_and_rules(users, population, tree):
    try:
        rule = rules.parse(tree)
    except rules.RuleError:
        return  # nested past the depth limit: refused before either evaluator sees it
    async with users.db.session() as session:
        selected = set(await session.scalars(sql.users().where(sql.condition(rule, NOW))))
    expected = {uid for uid, values in population.items() if predicate.matches(rule, values, NOW)}
    assert selected == expected, tree


async def test_a_preview_counts_and_samples_what_the_rule_selects(users, population):
    _, operator = await users.staff("operator")
    rule = {
        "all": [
            {"field": "profile.city", "op": "starts_with", "value": "H"},
            {"not": {"field": "membership.tier", "op": "eq", "value": "regular"}},
        ]
    }
    node = rules.parse(rule)
    expected = sorted(
        (uid for uid, values in population.items() if predicate.matches(node, values, now())),
        reverse=True,
    )
    assert 0 < len(expected) < len(population)  # the rule divides the population
    async with users.client(operator) as client:
        answer = await client.post(
            "/api/v1/users/segments/preview", json={"rule": rule, "sample_size": 3}
        )
        bad = await client.post(
            "/api/v1/users/segments/preview",
            json={"rule": {"any": [{"field": "rfm.r", "op": "regex", "value": ".*"}]}},
        )
        too_many = await client.post(
            "/api/v1/users/segments/preview", json={"rule": rule, "sample_size": 51}
        )
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == len(expected)
    assert [UUID(u["id"]) for u in body["sample"]] == expected[:3]
    assert body["fields"] == ["membership.tier", "profile.city"]
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["body.rule.any[0].op"]
    assert [e["field"] for e in too_many.json()["errors"]] == ["body.sample_size"]


async def test_previews_are_for_operators_only(users):
    _, customer = await users.customer()
    body = {"rule": {"field": "rfm.r", "op": "eq", "value": 5}}
    async with users.client(customer) as client:
        assert (await client.post("/api/v1/users/segments/preview", json=body)).status_code == 403
    async with users.client() as client:
        assert (await client.post("/api/v1/users/segments/preview", json=body)).status_code == 401


async def save(client, name: str, rule: dict) -> dict:
    response = await client.post("/api/v1/users/segments", json={"name": name, "rule": rule})
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_saved_segment_materializes_its_members_and_lists_them(users, population):
    _, operator = await users.staff("operator")
    rule = {"field": "membership.tier", "op": "in", "value": ["gold", "platinum"]}
    node = rules.parse(rule)
    expected = {uid for uid, values in population.items() if predicate.matches(node, values, now())}
    async with users.client(operator) as client:
        segment = await save(client, "gold and up", rule)
        again = await client.post(
            "/api/v1/users/segments", json={"name": "gold and up", "rule": rule}
        )
        bad = await client.post(
            "/api/v1/users/segments",
            json={"name": "x", "rule": {"not": {"field": "rfm.r", "op": "eq", "value": "5"}}},
        )
        read = (await client.get(f"/api/v1/users/segments/{segment['id']}")).json()
        listed, cursor = [], None
        while True:
            params = {"limit": 4} | ({"cursor": cursor} if cursor else {})
            page = (
                await client.get(f"/api/v1/users/segments/{segment['id']}/members", params=params)
            ).json()
            listed += [UUID(m["user_id"]) for m in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        unknown = await client.get(f"/api/v1/users/segments/{new_id()}/members")
    assert 0 < segment["members"] == len(expected) == read["members"]
    assert segment["fields"] == ["membership.tier"]
    assert again.status_code == 409
    assert [e["field"] for e in bad.json()["errors"]] == ["body.rule.not.value"]
    assert sorted(listed, reverse=True) == listed
    assert set(listed) == expected
    assert unknown.status_code == 404
    entered = await users.events("flywheel.users.segment.entered.v1")
    assert {UUID(e["user_id"]) for e in entered} == expected
    assert len(entered) == len(expected)


async def test_saved_segments_are_for_operators_only(users):
    _, customer = await users.customer()
    body = {"name": "x", "rule": {"field": "rfm.r", "op": "eq", "value": 5}}
    async with users.client(customer) as client:
        assert (await client.post("/api/v1/users/segments", json=body)).status_code == 403
        for path in (
            f"/api/v1/users/segments/{new_id()}",
            f"/api/v1/users/segments/{new_id()}/members",
        ):
            assert (await client.get(path)).status_code == 403
