"""The gateway's pure rules, without I/O: route matching, path checks, admission, the
circuit breaker, token bucket arithmetic, header rewriting, scope validation."""

import pytest

from chassis.auth.principal import Role
from chassis.http.problems import InvalidInput
from gateway.access import Caller, CallerKind, Scope, admits
from gateway.breaker import BreakerState, CircuitBreaker
from gateway.forwarding import (
    Incoming,
    client_chain,
    downstream_headers,
    next_traceparent,
    upstream_headers,
)
from gateway.partners import checked_scopes
from gateway.ratelimit import LocalLimiter, headers, refill_and_take
from gateway.routes import ROUTES, BadPath, Policy, Route, RoutingTable, checked_path
from gateway.settings import RateLimit

TABLE = RoutingTable(ROUTES)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- routes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "prefix", "policy"),
    [
        ("GET", "/api/v1/catalog/products", "/api/v1/catalog/products", Policy.PUBLIC),
        ("GET", "/api/v1/catalog/products/9", "/api/v1/catalog/products", Policy.PUBLIC),
        ("POST", "/api/v1/catalog/products", "/api/v1/catalog", Policy.CUSTOMER),
        ("GET", "/api/v1/catalog/productsx", "/api/v1/catalog", Policy.CUSTOMER),
        ("POST", "/api/v1/users/auth/token", "/api/v1/users/auth", Policy.PUBLIC),
        ("POST", "/api/v1/users/auth/keys/rotate", "/api/v1/users/auth/keys", Policy.ADMIN),
        ("GET", "/api/v1/analytics/events", "/api/v1/analytics/events", Policy.OPERATOR),
        ("POST", "/api/v1/analytics/behaviour", "/api/v1/analytics/behaviour", Policy.PUBLIC),
        ("GET", "/api/v1/analytics/behaviour", "/api/v1/analytics", Policy.CUSTOMER),
        ("GET", "/api/v1/orders", "/api/v1/orders", Policy.CUSTOMER),
    ],
)
def test_the_most_specific_route_allowing_the_method_wins(method, path, prefix, policy):
    route = TABLE.match(method, path)
    assert (route.prefix, route.policy) == (prefix, policy)


@pytest.mark.parametrize(
    "path", ["/api/v1/catalogue/x", "/api/v1/gateway/partners", "/api/v1", "/metrics"]
)
def test_paths_outside_the_table_match_nothing(path):
    assert TABLE.match("GET", path) is None


def test_every_service_is_routed_with_sane_settings():
    assert TABLE.upstreams == {
        "users",
        "catalog",
        "content",
        "campaigns",
        "analytics",
        "engagement",
        "orders",
    }
    assert all(route.prefix.startswith("/api/v1/") for route in ROUTES)
    assert all(0 < route.timeout <= 30 for route in ROUTES)


@pytest.mark.parametrize(
    "raw",
    [
        b"/api/v1/catalog/../users",
        b"/api/v1/catalog/./x",
        b"/api/v1/catalog/%2e%2e/users",
        b"/api/v1/catalog%2Fusers",
        b"/api/v1/catalog%5cusers",
        b"/api/v1/catalog/a\\b",
        b"/api/v1/catalog/%00",
        b"/api/v1/catalog/%0d%0aX-Injected:%201",
        b"/api/v1//catalog",
        b"/api/v1/catalog/%ff",
        b"api/v1/catalog",
        "/api/v1/caf\u00e9".encode(),
    ],
)
def test_unsafe_paths_are_refused(raw):
    with pytest.raises(BadPath):
        checked_path(raw)


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b"/api/v1/catalog/products/", "/api/v1/catalog/products/"),
        (b"/api/v1/catalog/a%20b", "/api/v1/catalog/a b"),
        (b"/api/v1/content/caf%C3%A9", "/api/v1/content/caf\u00e9"),
        (b"/api/v1/users/.well-known/jwks.json", "/api/v1/users/.well-known/jwks.json"),
        (b"/api/v1/catalog/%252e%252e", "/api/v1/catalog/%2e%2e"),
    ],
)
def test_safe_paths_decode(raw, path):
    assert checked_path(raw) == path


# --- admission --------------------------------------------------------------------------

ANONYMOUS = Caller(CallerKind.ANONYMOUS, "10.0.0.1")
PARTNER = Caller(CallerKind.PARTNER, "p1", scopes=(Scope.parse("GET /api/v1/catalog"),))


def user(*roles: Role) -> Caller:
    return Caller(CallerKind.USER, "u1", frozenset(roles))


@pytest.mark.parametrize(
    ("policy", "caller", "admitted"),
    [
        (Policy.PUBLIC, ANONYMOUS, True),
        (Policy.CUSTOMER, ANONYMOUS, False),
        (Policy.CUSTOMER, user(Role.CUSTOMER), True),
        (Policy.CUSTOMER, user(Role.PARTNER), True),
        (Policy.CUSTOMER, PARTNER, True),
        (Policy.OPERATOR, user(Role.CUSTOMER), False),
        (Policy.OPERATOR, user(Role.OPERATOR), True),
        (Policy.OPERATOR, user(Role.ADMIN), True),
        (Policy.OPERATOR, PARTNER, False),
        (Policy.ADMIN, user(Role.OPERATOR), False),
        (Policy.ADMIN, user(Role.ADMIN), True),
        (Policy.PARTNER, user(Role.CUSTOMER), False),
        (Policy.PARTNER, user(Role.OPERATOR), False),
        (Policy.PARTNER, user(Role.PARTNER), True),
        (Policy.PARTNER, user(Role.ADMIN), True),
        (Policy.PARTNER, PARTNER, True),
        (Policy.PARTNER, ANONYMOUS, False),
    ],
)
def test_admission(policy, caller, admitted):
    route = Route("/api/v1/catalog", "catalog", policy)
    assert admits(route, caller, "GET", "/api/v1/catalog/x") is admitted


def test_partner_keys_stay_within_their_scopes():
    route = Route("/api/v1", "catalog", Policy.CUSTOMER)
    assert admits(route, PARTNER, "GET", "/api/v1/catalog/products")
    assert not admits(route, PARTNER, "POST", "/api/v1/catalog/products")
    assert not admits(route, PARTNER, "GET", "/api/v1/catalogue")
    assert not admits(route, PARTNER, "GET", "/api/v1/orders")


def test_scopes_parse_and_print():
    assert Scope.parse(" get /api/v1/orders/ ") == Scope("/api/v1/orders", "GET")
    assert str(Scope.parse("/api/v1/orders")) == "/api/v1/orders"


def test_checked_scopes_are_canonical_and_deduplicated():
    scopes = ["get /api/v1/catalog/products", "/api/v1/orders/", "/api/v1/orders"]
    assert checked_scopes(TABLE, scopes) == ["/api/v1/orders", "GET /api/v1/catalog/products"]
    with pytest.raises(InvalidInput):
        checked_scopes(TABLE, ["/api/v1/users/auth/keys"])  # admins only


# --- circuit breaker --------------------------------------------------------------------


def test_breaker_opens_after_consecutive_failures_only():
    breaker = CircuitBreaker(failures=3, open_seconds=5, clock=Clock())
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_breaker_half_opens_for_one_probe_then_closes_on_success():
    clock = Clock()
    changes = []
    breaker = CircuitBreaker(failures=1, open_seconds=5, clock=clock, on_change=changes.append)
    breaker.record_failure()
    clock.now += 2
    assert breaker.retry_after() == pytest.approx(3)
    clock.now += 3
    assert breaker.allow()  # the probe
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.allow()  # one probe at a time
    breaker.record_success()
    assert breaker.allow()
    assert changes == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]


def test_a_failed_probe_opens_the_breaker_again():
    clock = Clock()
    breaker = CircuitBreaker(failures=3, open_seconds=5, clock=clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.retry_after() == pytest.approx(5)


def test_a_probe_that_never_reports_stops_blocking():
    clock = Clock()
    breaker = CircuitBreaker(failures=1, open_seconds=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    clock.now += 4
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


# --- token buckets ----------------------------------------------------------------------

LIMIT = RateLimit(limit=10, window=10)  # one token a second, bursts of ten


def test_a_full_bucket_allows_a_burst_then_refuses():
    tokens, decision = 10.0, None
    for _ in range(10):
        tokens, decision = refill_and_take(tokens, 0.0, 0.0, LIMIT)
        assert decision.allowed
    assert decision.remaining == 0
    tokens, decision = refill_and_take(tokens, 0.0, 0.0, LIMIT)
    assert not decision.allowed
    assert decision.retry_after == pytest.approx(1.0)
    assert decision.reset == pytest.approx(10.0)


def test_tokens_come_back_with_time_but_never_beyond_the_limit():
    tokens, decision = refill_and_take(0.0, 0.0, 2.5, LIMIT)
    assert decision.allowed
    assert tokens == pytest.approx(1.5)
    tokens, decision = refill_and_take(0.0, 0.0, 1_000.0, LIMIT)
    assert tokens == pytest.approx(9.0)
    _, refused = refill_and_take(0.25, 0.0, 0.0, LIMIT)
    assert refused.retry_after == pytest.approx(0.75)


def test_a_clock_going_backwards_adds_nothing():
    tokens, decision = refill_and_take(0.0, 10.0, 5.0, LIMIT)
    assert not decision.allowed
    assert tokens == 0.0


def test_headers_follow_the_ratelimit_draft():
    _, allowed = refill_and_take(10.0, 0.0, 0.0, LIMIT)
    assert headers("public", LIMIT, allowed) == [
        (b"ratelimit-policy", b'"public";q=10;w=10'),
        (b"ratelimit", b'"public";r=9;t=1'),
    ]
    _, refused = refill_and_take(0.5, 0.0, 0.0, LIMIT)
    assert headers("public", LIMIT, refused)[1:] == [
        (b"ratelimit", b'"public";r=0;t=1'),
        (b"retry-after", b"1"),
    ]


async def test_local_buckets_are_per_class_and_key_and_bounded():
    clock = Clock()
    limiter = LocalLimiter({"a": RateLimit(limit=2, window=60)}, clock=clock, max_keys=4)
    assert [(await limiter.take("a", "x")).allowed for _ in range(3)] == [True, True, False]
    assert (await limiter.take("a", "y")).allowed
    for key in range(10):  # a flood of distinct keys cannot grow memory without bound
        await limiter.take("a", f"k{key}")
    assert len(limiter._buckets) <= 4
    clock.now += 60
    assert (await limiter.take("a", "x")).allowed


# --- headers ----------------------------------------------------------------------------


def test_client_address_trusts_only_the_configured_proxies():
    assert client_chain("10.0.0.9", "6.6.6.6", 0) == ["10.0.0.9"]
    assert client_chain("10.0.0.9", "203.0.113.7", 1) == ["203.0.113.7", "10.0.0.9"]
    spoofed = "6.6.6.6, 203.0.113.7"
    assert client_chain("10.0.0.9", spoofed, 1) == ["203.0.113.7", "10.0.0.9"]
    assert client_chain("10.0.0.9", None, 1) == ["10.0.0.9"]


def test_traceparent_continues_valid_traces_only():
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    continued, ok = next_traceparent(f"00-{trace}-00f067aa0ba902b7-00")
    assert ok
    assert continued.startswith(f"00-{trace}-")
    assert continued.endswith("-00")
    for bad in (None, "", f"00-{'0' * 32}-00f067aa0ba902b7-01", f"01-{trace}-00f067aa0ba902b7-01"):
        fresh, ok = next_traceparent(bad)
        assert not ok
        assert trace not in fresh


def test_upstream_headers_drop_what_only_the_gateway_may_set():
    raw = [
        (b"host", b"shop.example"),
        (b"connection", b"keep-alive, x-hop"),
        (b"x-hop", b"1"),
        (b"transfer-encoding", b"chunked"),
        (b"x-api-key", b"fwk_secret"),
        (b"x-flywheel-partner", b"forged"),
        (b"x-forwarded-for", b"6.6.6.6"),
        (b"x-request-id", b"client"),
        (b"expect", b"100-continue"),
        (b"accept", b"application/json"),
    ]
    sent = upstream_headers(
        raw,
        Incoming.read(raw),
        chain=["198.51.100.1"],
        scheme="https",
        request_id="rid",
        trusted_hops=0,
        partner_id="p1",
    )
    assert dict(sent) == {
        "accept": "application/json",
        "x-forwarded-for": "198.51.100.1",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "shop.example",
        "x-request-id": "rid",
        "traceparent": dict(sent)["traceparent"],
        "x-flywheel-partner": "p1",
    }


def test_downstream_headers_drop_hop_by_hop_and_the_servers_own():
    sent = downstream_headers(
        [
            (b"Content-Type", b"application/json"),
            (b"Connection", b"close, X-Internal"),
            (b"X-Internal", b"1"),
            (b"Server", b"uvicorn"),
            (b"Date", b"today"),
            (b"X-Request-ID", b"upstream"),
            (b"Set-Cookie", b"a=1"),
        ]
    )
    assert sent == [(b"content-type", b"application/json"), (b"set-cookie", b"a=1")]
