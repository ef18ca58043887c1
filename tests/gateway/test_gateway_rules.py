"""The gateway's pure rules, without I/O: route matching, path checks, admission, the
circuit breaker, token bucket arithmetic, header rewriting, scope validation."""

import re

import pytest

from chassis.auth.access import Access
from chassis.auth.principal import Principal, Role
from chassis.http.problems import InvalidInput
from chassis.ids import new_id
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
from gateway.routes import ROUTES, BadPath, Route, RoutingTable, checked_path
from gateway.settings import RateLimit

RATE_CLASSES = {"auth", "public", "default", "partner", "bulk"}


def document(*operations: tuple[str, str, str], **extra: object) -> dict:
    """A service's OpenAPI document declaring each (method, path template, access level)."""
    paths: dict = {}
    for method, template, access in operations:
        operation = {"responses": {}, "x-flywheel-access": access, **extra}
        paths.setdefault(template, {})[method.lower()] = operation
    return {"openapi": "3.1.0", "paths": paths}


def learned_table() -> RoutingTable:
    table = RoutingTable(ROUTES)
    catalog = document(
        ("GET", "/api/v1/catalog/products/{product_id}", "public"),
        ("POST", "/api/v1/catalog/products", "operator"),
        ("GET", "/healthz", "public"),  # not under the service's prefix: never learned
        ("GET", "/api/v1/orders/orders", "public"),  # another service's path: never learned
    )
    users = document(
        ("POST", "/api/v1/users/auth/token", "public"),
        ("POST", "/api/v1/users/auth/keys/rotate", "admin"),
        ("GET", "/api/v1/users/me", "customer"),
    )
    analytics = document(
        ("GET", "/api/v1/analytics/events", "operator"),
        ("POST", "/api/v1/analytics/behaviour", "public"),
    )
    for name, doc in {"catalog": catalog, "users": users, "analytics": analytics}.items():
        table.learn(name, doc, RATE_CLASSES)
    return table


TABLE = learned_table()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- routes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "policy", "rate_class"),
    [
        ("GET", "/api/v1/catalog/products/9", Access.PUBLIC, "public"),
        ("HEAD", "/api/v1/catalog/products/9", Access.PUBLIC, "public"),  # as its GET
        ("POST", "/api/v1/catalog/products", Access.OPERATOR, "default"),
        ("GET", "/api/v1/catalog/products", Access.CUSTOMER, "default"),  # not declared
        ("GET", "/api/v1/catalog/products/9/x", Access.CUSTOMER, "default"),  # one segment
        ("GET", "/api/v1/catalog/productsx", Access.CUSTOMER, "default"),
        ("POST", "/api/v1/users/auth/token", Access.PUBLIC, "auth"),  # tuned by the bootstrap
        ("POST", "/api/v1/users/auth/keys/rotate", Access.ADMIN, "default"),
        ("GET", "/api/v1/analytics/events", Access.OPERATOR, "default"),
        ("POST", "/api/v1/analytics/behaviour", Access.PUBLIC, "public"),
        ("GET", "/api/v1/analytics/behaviour", Access.CUSTOMER, "default"),  # other method
        ("GET", "/api/v1/orders/orders", Access.CUSTOMER, "default"),
    ],
)
def test_operations_of_the_services_documents_decide(method, path, policy, rate_class):
    route = TABLE.match(method, path)
    assert (route.policy, route.rate_class) == (policy, rate_class)


@pytest.mark.parametrize(
    ("method", "path", "policy", "rate_class"),
    [
        ("POST", "/api/v1/users/register", Access.PUBLIC, "auth"),
        ("POST", "/api/v1/users/auth/token", Access.PUBLIC, "auth"),
        ("POST", "/api/v1/users/auth/refresh", Access.PUBLIC, "auth"),
        ("GET", "/api/v1/users/.well-known/jwks.json", Access.PUBLIC, "public"),
        ("GET", "/api/v1/users/register", Access.CUSTOMER, "default"),
        ("POST", "/api/v1/users/auth/keys/rotate", Access.CUSTOMER, "default"),
        ("GET", "/api/v1/catalog/products/9", Access.CUSTOMER, "default"),
        ("GET", "/api/v1/analytics/events", Access.CUSTOMER, "default"),
    ],
)
def test_until_a_document_is_known_only_the_bootstrap_is_open(method, path, policy, rate_class):
    route = RoutingTable(ROUTES).match(method, path)
    assert (route.policy, route.rate_class) == (policy, rate_class)


def test_the_first_operation_of_the_document_that_matches_wins_as_in_the_service():
    table = RoutingTable(ROUTES)
    table.learn(
        "catalog",
        document(
            ("GET", "/api/v1/catalog/items/{item_id}", "operator"),
            ("GET", "/api/v1/catalog/items/search", "public"),
        ),
        RATE_CLASSES,
    )
    # The service's router tries its routes in this order too: `search` is an item id there.
    assert table.match("GET", "/api/v1/catalog/items/search").policy is Access.OPERATOR


def test_operations_may_declare_their_rate_class_and_timeout():
    table = RoutingTable(ROUTES)
    table.learn(
        "orders",
        document(
            ("POST", "/api/v1/orders/exports", "operator"),
            **{"x-flywheel-rate-class": "bulk", "x-flywheel-timeout": 30},
        ),
        RATE_CLASSES,
    )
    table.learn(
        "catalog",
        document(("GET", "/api/v1/catalog/x", "public"), **{"x-flywheel-rate-class": "nope"}),
        RATE_CLASSES,
    )
    exports = table.match("POST", "/api/v1/orders/exports")
    assert (exports.rate_class, exports.timeout) == ("bulk", 30.0)
    assert table.match("GET", "/api/v1/catalog/x").rate_class == "default"  # unknown class


def test_an_operation_without_a_known_access_level_stays_signed_in_only():
    table = RoutingTable(ROUTES)
    catalog = document(("GET", "/api/v1/catalog/a", "everyone"))
    catalog["paths"]["/api/v1/catalog/b"] = {"get": {"responses": {}}}
    table.learn("catalog", catalog, RATE_CLASSES)
    assert table.match("GET", "/api/v1/catalog/a").policy is Access.CUSTOMER
    assert table.match("GET", "/api/v1/catalog/b").policy is Access.CUSTOMER


def test_a_newer_document_replaces_what_the_service_declared_before():
    table = learned_table()
    table.learn("catalog", document(("POST", "/api/v1/catalog/products", "admin")), RATE_CLASSES)
    assert table.match("POST", "/api/v1/catalog/products").policy is Access.ADMIN
    assert table.match("GET", "/api/v1/catalog/products/9").policy is Access.CUSTOMER


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
        (Access.PUBLIC, ANONYMOUS, True),
        (Access.CUSTOMER, ANONYMOUS, False),
        (Access.CUSTOMER, user(Role.CUSTOMER), True),
        (Access.CUSTOMER, user(Role.PARTNER), True),
        (Access.CUSTOMER, PARTNER, True),
        (Access.OPERATOR, user(Role.CUSTOMER), False),
        (Access.OPERATOR, user(Role.OPERATOR), True),
        (Access.OPERATOR, user(Role.ADMIN), True),
        (Access.OPERATOR, PARTNER, False),
        (Access.ADMIN, user(Role.OPERATOR), False),
        (Access.ADMIN, user(Role.ADMIN), True),
        (Access.PARTNER, user(Role.CUSTOMER), False),
        (Access.PARTNER, user(Role.OPERATOR), False),
        (Access.PARTNER, user(Role.PARTNER), True),
        (Access.PARTNER, user(Role.ADMIN), True),
        (Access.PARTNER, PARTNER, True),
        (Access.PARTNER, ANONYMOUS, False),
    ],
)
def test_admission(policy, caller, admitted):
    route = Route("/api/v1/catalog", "catalog", policy)
    assert admits(route, caller, "GET", "/api/v1/catalog/x") is admitted


def test_partner_keys_stay_within_their_scopes():
    route = Route("/api/v1", "catalog", Access.CUSTOMER)
    assert admits(route, PARTNER, "GET", "/api/v1/catalog/products")
    assert not admits(route, PARTNER, "POST", "/api/v1/catalog/products")
    assert not admits(route, PARTNER, "GET", "/api/v1/catalogue")
    assert not admits(route, PARTNER, "GET", "/api/v1/orders")


@pytest.mark.parametrize(
    ("scope", "method", "covered"),
    [
        ("GET /api/v1/orders", "GET", True),
        ("GET /api/v1/orders", "POST", False),
        ("POST /api/v1/orders", "GET", False),  # POST sorts after GET: not a range of methods
        ("/api/v1/orders", "DELETE", True),
    ],
)
def test_a_scope_with_a_method_covers_that_method_only(scope, method, covered):
    assert Scope.parse(scope).covers(method, "/api/v1/orders/o-1") is covered


def test_a_signed_in_user_is_a_caller_with_their_roles_and_a_bucket_of_their_own():
    user_id = new_id()
    caller = Caller.user(Principal(user_id=user_id, roles=frozenset({Role.OPERATOR})))
    assert (caller.kind, caller.id, caller.roles) == (
        CallerKind.USER,
        str(user_id),
        frozenset({Role.OPERATOR}),
    )
    assert caller.bucket == f"user:{user_id}"
    assert Caller(CallerKind.ANONYMOUS, "203.0.113.9").bucket == "anonymous:203.0.113.9"


def test_scopes_parse_and_print():
    assert Scope.parse(" get /api/v1/orders/ ") == Scope("/api/v1/orders", "GET")
    assert str(Scope.parse("/api/v1/orders")) == "/api/v1/orders"


def test_checked_scopes_are_canonical_and_deduplicated():
    scopes = ["get /api/v1/catalog/products", "/api/v1/orders/", "/api/v1/orders"]
    assert checked_scopes(TABLE, scopes) == ["/api/v1/orders", "GET /api/v1/catalog/products"]
    with pytest.raises(InvalidInput):
        checked_scopes(TABLE, ["POST /api/v1/users/auth/keys/rotate"])  # admins only


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


TRACE, CLIENT_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


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
        (b"traceparent", f"00-{TRACE}-{CLIENT_SPAN}-01".encode()),
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
    headers = dict(sent)
    # The client's trace goes on, with the gateway's own span as the parent.
    trace = re.fullmatch(f"00-{TRACE}-([0-9a-f]{{16}})-01", headers.pop("traceparent"))
    assert trace is not None
    assert trace.group(1) != CLIENT_SPAN
    assert headers == {
        "accept": "application/json",
        "x-forwarded-for": "198.51.100.1",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "shop.example",
        "x-request-id": "rid",
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
