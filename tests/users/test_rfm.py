"""RFM in the service: quintiles recomputed over the population, incremental scoring as
payments arrive, operator cut-offs, the distribution, the daily claim, who may read it."""

import asyncio
from datetime import UTC, datetime, time, timedelta

import orders
from deliver import deliver

from chassis.testing import eventually
from services.users.jobs import service as jobs

CUTS_CHANGED = "flywheel.users.rfm.cuts_changed.v1"


def paid_days_ago(user_id: str, days: int, amount: int = 1000):
    event = orders.paid(orders.placed(user_id, 0, paid=amount))
    return event.model_copy(update={"paid_at": datetime.now(UTC) - timedelta(days=days)})


async def population(users) -> list[str]:
    """Five buyers: the first bought 5 times, most recently a day ago; the last once, 200
    days ago (each order 10.00). The first payment made the first quintiles (of the first
    buyer alone); the others were scored against them."""
    buyers = [(await users.register())[0] for _ in range(5)]
    for rank, (user_id, days) in enumerate(zip(buyers, (1, 10, 30, 90, 200), strict=True)):
        await deliver(users, *(paid_days_ago(user_id, days) for _ in range(5 - rank)))
    return buyers


async def scores(client, user_id: str) -> dict:
    response = await client.get(f"/api/v1/users/users/{user_id}/rfm")
    assert response.status_code == 200
    return response.json()


async def test_quintiles_over_the_population_score_every_buyer(users):
    _, operator = await users.staff("operator")
    buyers = await population(users)
    never, _ = await users.register()
    async with users.client(operator) as client:
        before = (await client.get("/api/v1/users/rfm")).json()
        provisional = await scores(client, buyers[0])
        computed = (await client.post("/api/v1/users/rfm/recompute")).json()
        codes = [(await scores(client, b))["code"] for b in buyers]
        first = await scores(client, buyers[0])
        nobody = await scores(client, never)
    # before the first nightly run: the first payment's quintiles, of its buyer alone
    assert (before["cuts"]["population"], before["cuts"]["monetary"]) == (1, [1000] * 4)
    assert provisional["code"] == "555"
    cuts = computed["cuts"]
    assert (cuts["basis"], cuts["population"]) == ("quintiles", 5)
    assert cuts["recency_days"] == [1, 10, 30, 90]
    assert cuts["frequency"] == [1, 2, 3, 4]
    assert cuts["monetary"] == [1000, 2000, 3000, 4000]
    assert codes == ["555", "444", "333", "222", "111"]
    assert (first["recency_days"], first["frequency"], first["monetary"]) == (1, 5, 5000)
    assert nobody["code"] is None
    assert computed["recency"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    assert computed["codes"] == {"111": 1, "222": 1, "333": 1, "444": 1, "555": 1}
    changed = await users.events(CUTS_CHANGED)
    assert [(c["basis"], c["frequency"]) for c in changed] == [
        ("quintiles", [1, 1, 1, 1]),  # the first payment's
        ("quintiles", [1, 2, 3, 4]),  # the population's
    ]


async def test_a_payment_rescores_its_buyer_at_once_against_the_cuts_in_force(users):
    _, operator = await users.staff("operator")
    buyers = await population(users)
    async with users.client(operator) as client:
        await client.post("/api/v1/users/rfm/recompute")
        newcomer, _ = await users.register()
        await deliver(users, paid_days_ago(newcomer, 0, amount=2500))
        fresh = await scores(client, newcomer)
        refund = orders.refunded(orders.placed(buyers[0], 0), 1)  # of an unknown order
        await deliver(users, refund)
        kept = await scores(client, buyers[0])
        overview = (await client.get("/api/v1/users/rfm")).json()
    assert (fresh["code"], fresh["monetary"]) == ("513", 2500)
    assert kept["code"] == "555"
    assert overview["cuts"]["population"] == 5  # the cuts wait for the nightly run


async def test_operators_set_their_own_cut_offs_and_go_back_to_quintiles(users):
    _, operator = await users.staff("operator")
    buyers = await population(users)
    mine = {
        "recency_days": [7, 30, 90, 180],
        "frequency": [1, 2, 4, 8],
        "monetary": [999, 1999, 9999, 99999],
    }
    async with users.client(operator) as client:
        put = await client.put("/api/v1/users/rfm/cuts", json=mine)
        first = await scores(client, buyers[0])
        nightly = (await client.post("/api/v1/users/rfm/recompute")).json()
        cleared = (await client.delete("/api/v1/users/rfm/cuts")).json()
        back = await scores(client, buyers[0])
    assert put.status_code == 200
    assert put.json()["cuts"]["basis"] == "operator"
    # 1 day: 5; 5 orders (4 < 5 <= 8): 4; 50.00 (19.99 < 50.00 <= 99.99): 3
    assert first["code"] == "543"
    assert nightly["cuts"]["recency_days"] == mine["recency_days"]  # kept by the nightly run
    assert (cleared["cuts"]["basis"], back["code"]) == ("quintiles", "555")
    # the first payment's quintiles, the operator's, quintiles again (the nightly run kept
    # the operator's: no event)
    basis = [c["basis"] for c in await users.events(CUTS_CHANGED)]
    assert basis == ["quintiles", "operator", "quintiles"]


async def test_bad_cut_offs_are_422_naming_the_field(users):
    _, operator = await users.staff("operator")
    good = {"recency_days": [7, 30, 90, 180], "frequency": [1, 2, 4, 8], "monetary": [1, 2, 3, 4]}
    async with users.client(operator) as client:
        for field, value in (
            ("recency_days", [180, 90, 30, 7]),
            ("frequency", [1, 2, 2, 8]),
            ("monetary", [1, 2, 3]),
            ("monetary", [1, 2, 3, 4.5]),
            ("frequency", [-1, 2, 3, 4]),
        ):
            response = await client.put("/api/v1/users/rfm/cuts", json={**good, field: value})
            assert response.status_code == 422, (field, value)
            assert response.json()["errors"][0]["field"].startswith(f"body.{field}")
        assert (await client.get("/api/v1/users/rfm")).json()["cuts"] is None


async def test_rfm_routes_are_for_operators_only(users):
    _, customer = await users.customer()
    user_id, _ = await users.register()
    async with users.client(customer) as client:
        for method, path in (
            ("GET", "/api/v1/users/rfm"),
            ("PUT", "/api/v1/users/rfm/cuts"),
            ("DELETE", "/api/v1/users/rfm/cuts"),
            ("POST", "/api/v1/users/rfm/recompute"),
            ("GET", f"/api/v1/users/users/{user_id}/rfm"),
        ):
            assert (await client.request(method, path)).status_code == 403, path
    _, operator = await users.staff("operator")
    async with users.client(operator) as client:
        unknown = await client.get(f"/api/v1/users/users/{user_id[:-4]}beef/rfm")
    assert unknown.status_code == 404


async def test_one_replica_claims_each_days_run(users):
    at = time(2, 0)
    day = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    claims = await asyncio.gather(*(jobs.claim(users.db, "test_job", at, day) for _ in range(10)))
    assert sorted(claims) == [False] * 9 + [True]
    assert not await jobs.claim(users.db, "test_job", at, day + timedelta(hours=22))
    assert await jobs.claim(users.db, "test_job", at, day + timedelta(hours=23))


async def test_first_recomputes_at_once_make_one_set_of_cuts(users):
    _, operator = await users.staff("operator")  # nobody paid: no cut-offs yet
    async with users.client(operator) as client:
        answers = await asyncio.gather(
            *(client.post("/api/v1/users/rfm/recompute") for _ in range(4)),
            client.delete("/api/v1/users/rfm/cuts"),
        )
    assert [a.status_code for a in answers] == [200] * 5
    assert {a.json()["cuts"]["population"] for a in answers} == {0}
    assert len(await users.events(CUTS_CHANGED)) == 1  # the first made them; the rest agreed


async def test_the_scheduler_recomputes_the_quintiles_itself(start_users):
    users = await start_users(schedule_seconds=0.2)
    _, operator = await users.staff("operator")

    async def computed():
        async with users.client(operator) as client:
            return (await client.get("/api/v1/users/rfm")).json()["cuts"]

    # never run before (nobody paid, so no payment made cut-offs): due on the first turn
    assert (await eventually(computed, within=20))["basis"] == "quintiles"
