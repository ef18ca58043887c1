"""The routing table: path prefix → upstream, with auth policy, timeout and rate class."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from contracts.manifest import SERVICES

API_PREFIX = "/api/v1/"
READS = frozenset({"GET", "HEAD"})
POSTS = frozenset({"POST"})
SLOWER = {"analytics": 10.0, "orders": 10.0}  # seconds: reports and checkout do more work


class Policy(StrEnum):
    """Who may call a route (see `gateway.access.admits`)."""

    PUBLIC = "public"
    CUSTOMER = "customer"
    OPERATOR = "operator"
    ADMIN = "admin"
    PARTNER = "partner"


@dataclass(frozen=True)
class Route:
    prefix: str
    upstream: str
    policy: Policy
    timeout: float = 5.0  # seconds to wait for each read, the response head included
    rate_class: str = "default"
    methods: frozenset[str] | None = None  # None: every method
    connect_timeout: float | None = None  # None: GATEWAY_CONNECT_TIMEOUT

    @property
    def path(self) -> str:
        """The label metrics use for this route (Starlette routes name theirs `path` too)."""
        return self.prefix

    def covers(self, method: str, path: str) -> bool:
        return (self.methods is None or method in self.methods) and under(path, self.prefix)


def under(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or below it, on a segment boundary."""
    return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")


ROUTES: tuple[Route, ...] = (
    Route("/api/v1/users/register", "users", Policy.PUBLIC, rate_class="auth"),
    Route("/api/v1/users/auth/keys", "users", Policy.ADMIN),
    Route("/api/v1/users/auth", "users", Policy.PUBLIC, rate_class="auth"),
    Route("/api/v1/users/.well-known/jwks.json", "users", Policy.PUBLIC, 2.0, "public", READS),
    Route("/api/v1/catalog/products", "catalog", Policy.PUBLIC, 3.0, "public", READS),
    Route("/api/v1/content/articles", "content", Policy.PUBLIC, 3.0, "public", READS),
    Route("/api/v1/campaigns/campaigns", "campaigns", Policy.PUBLIC, 3.0, "public", READS),
    Route("/api/v1/analytics/events", "analytics", Policy.OPERATOR, 10.0),
    # Storefronts report behaviour before anyone signs in (an anonymous id then names them).
    Route("/api/v1/analytics/behaviour", "analytics", Policy.PUBLIC, 3.0, "public", POSTS),
    # The rest of each service: any signed-in caller; the service checks roles and ownership.
    *(
        Route(f"/api/v1/{s.name}", s.name, Policy.CUSTOMER, SLOWER.get(s.name, 5.0))
        for s in SERVICES
    ),
)


class RoutingTable:
    """Matches a request to the most specific route (longest prefix) that allows its method."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: Sequence[Route] = sorted(routes, key=lambda r: len(r.prefix), reverse=True)

    def match(self, method: str, path: str) -> Route | None:
        for route in self.routes:
            if route.covers(method, path):
                return route
        return None

    @property
    def upstreams(self) -> set[str]:
        return {route.upstream for route in self.routes}


class BadPath(ValueError):
    """A request path that could address something other than what it seems to."""


_FORBIDDEN_ENCODED = ("%2f", "%5c", "%00")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def checked_path(raw_path: bytes) -> str:
    """The decoded path of a request target, refusing every trick that could route a request
    past the table: dot segments, encoded slashes and backslashes, empty segments, control
    characters. Refusing beats resolving: `/catalog/products/../../users` never gets the
    public policy of `/catalog/products` nor reaches `/users`."""
    try:
        raw = raw_path.decode("ascii")
    except UnicodeDecodeError:
        raise BadPath("the path must be ASCII (percent-encode other characters)") from None
    lowered = raw.lower()
    if any(token in lowered for token in _FORBIDDEN_ENCODED):
        raise BadPath("encoded slashes, backslashes and NUL are not allowed in the path")
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadPath("percent-encoded bytes must be valid UTF-8") from None
    if not path.startswith("/") or "\\" in path:
        raise BadPath("the path must be absolute and use forward slashes")
    if _CONTROL.search(path):
        raise BadPath("control characters are not allowed in the path")
    segments = path[1:].split("/")
    if any(s in (".", "..") for s in segments):
        raise BadPath("dot segments are not allowed in the path")
    if "" in segments[:-1]:
        raise BadPath("empty path segments are not allowed")
    return path
