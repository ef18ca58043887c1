"""The lifecycle, RFM and campaigns routes' shared query checks over real HTTP: a query
beyond the plan is a problem+json 422 naming the field, and only operators read them."""

import pytest

DAYS = {"from": "2026-11-02", "to": "2026-11-04"}
TIMES = {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
DAILY = ("/metrics/lifecycle", "/metrics/rfm")
ROUTES = dict.fromkeys(DAILY, DAYS) | {"/campaigns": TIMES}  # each with a query it answers
BAD_DAYS = [
    (DAYS | {"to": "2027-12-01"}, "query.to", "at most 370 days"),
    (DAYS | {"to": DAYS["from"]}, "query.to", "after"),
    (DAYS | {"from": "yesterday"}, "query.from", "date"),
    (DAYS | {"to": "2026-13-01"}, "query.to", "date"),
    ({"from": "1969-12-30", "to": "1970-01-02"}, "query.from", "1970-01-01 or later"),
    ({"from": "2149-06-01", "to": "2149-06-08"}, "query.to", "2149-06-06 or earlier"),
]
BAD_QUERIES = [
    *((path, *bad) for path in DAILY for bad in BAD_DAYS),
    ("/metrics/rfm", DAYS | {"by": "segment"}, "query.by", "'layer' or 'code'"),
    ("/campaigns", TIMES | {"to": "2027-12-01T00:00:00Z"}, "query.to", "at most 370 days"),
    ("/campaigns", TIMES | {"to": TIMES["from"]}, "query.to", "after"),
    ("/campaigns", TIMES | {"limit": 0}, "query.limit", "greater than or equal to 1"),
    ("/campaigns", {"from": TIMES["from"]}, "query.to", "required"),
]


@pytest.mark.parametrize(
    ("path", "params", "field", "words"),
    [pytest.param(*bad, id=f"{bad[0]} {bad[2]} {bad[3]}") for bad in BAD_QUERIES],
)
async def test_a_query_beyond_the_plan_is_422_naming_the_field(
    platform, operator_token, path, params, field, words
):
    async with platform.client("analytics", operator_token) as api:
        response = await api.get(f"/api/v1/analytics{path}", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]


@pytest.mark.parametrize("path", ROUTES)
async def test_only_operators_read_them(platform, path):
    params = ROUTES[path]
    _, customer = await platform.customer()
    async with platform.client("analytics", customer) as api:
        assert (await api.get(f"/api/v1/analytics{path}", params=params)).status_code == 403
    async with platform.client("analytics") as api:
        assert (await api.get(f"/api/v1/analytics{path}", params=params)).status_code == 401
