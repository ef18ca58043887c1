"""The routing table: what the services' OpenAPI documents say of each operation (who may call
it, and its tuning), a small bootstrap table, and a safe default for everything else."""

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from chassis.auth.access import (
    ACCESS_EXTENSION,
    RATE_CLASS_EXTENSION,
    TIMEOUT_EXTENSION,
    Access,
)
from contracts.manifest import SERVICES

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
READS = frozenset({"GET", "HEAD"})
POSTS = frozenset({"POST"})
SLOWER = {"analytics": 10.0, "orders": 10.0}  # seconds: reports and checkout do more work
OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Rate classes of operations that declare none and no bootstrap route tunes.
DEFAULT_RATE_CLASS = {Access.PUBLIC: "public"}


@dataclass(frozen=True)
class Route:
    """Where a request goes and what it takes to get there. A route of the gateway's own
    table covers `prefix` and the paths below it; one learned from a service's document
    covers exactly its path template (`pattern`)."""

    prefix: str
    upstream: str
    policy: Access
    timeout: float = 5.0  # seconds to wait for each read, the response head included
    rate_class: str = "default"
    methods: frozenset[str] | None = None  # None: every method
    connect_timeout: float | None = None  # None: GATEWAY_CONNECT_TIMEOUT
    pattern: re.Pattern[str] | None = None

    @property
    def path(self) -> str:
        """The label metrics use for this route (Starlette routes name theirs `path` too)."""
        return self.prefix

    def covers(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.pattern is not None:
            return self.pattern.fullmatch(path) is not None
        return under(path, self.prefix)


def under(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or below it, on a segment boundary."""
    return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")


# Signing up, signing in and the signing keys must work before the users service's document
# is known (nothing else can be called without them), and they take the `auth` rate class
# that limits credential guessing. Everything else is the services' to declare.
BOOTSTRAP: tuple[Route, ...] = (
    Route("/api/v1/users/register", "users", Access.PUBLIC, rate_class="auth", methods=POSTS),
    *(
        Route(
            f"/api/v1/users/auth/{name}", "users", Access.PUBLIC, rate_class="auth", methods=POSTS
        )
        for name in ("token", "refresh", "logout")
    ),
    Route("/api/v1/users/.well-known/jwks.json", "users", Access.PUBLIC, 2.0, "public", READS),
)
# Any other path of a service, until its document says otherwise: a signed-in caller.
DEFAULTS: tuple[Route, ...] = tuple(
    Route(f"/api/v1/{s.name}", s.name, Access.CUSTOMER, SLOWER.get(s.name, 5.0)) for s in SERVICES
)
ROUTES: tuple[Route, ...] = (*BOOTSTRAP, *DEFAULTS)


def template_pattern(template: str) -> re.Pattern[str]:
    """The paths an OpenAPI path template matches: each `{name}` is one non-empty segment."""
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile(
        "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts if part)
    )


class RoutingTable:
    """Matches a request to a route: an operation of the upstream's OpenAPI document first
    (in the document's order, as the service's router does), then the gateway's own table
    (longest prefix that allows the method)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.static: Sequence[Route] = sorted(routes, key=lambda r: len(r.prefix), reverse=True)
        self.learned: dict[str, tuple[Route, ...]] = {}

    @property
    def routes(self) -> list[Route]:
        return [*self.static, *(route for ops in self.learned.values() for route in ops)]

    @property
    def upstreams(self) -> set[str]:
        return {route.upstream for route in self.static}

    def match(self, method: str, path: str) -> Route | None:
        service = path[len(API_PREFIX) :].partition("/")[0] if path.startswith(API_PREFIX) else ""
        lookup = "GET" if method == "HEAD" else method  # a GET route answers HEAD too
        for route in self.learned.get(service, ()):
            if route.covers(lookup, path):
                return route
        return self._static(method, path)

    def _static(self, method: str, path: str) -> Route | None:
        for route in self.static:
            if route.covers(method, path):
                return route
        return None

    def learn(self, service: str, document: Mapping[str, Any], rate_classes: set[str]) -> None:
        """Take the operations of `service`'s document under `/api/v1/<service>`. An operation
        that states no access level is left to the gateway's own table (signed-in by default)."""
        learned = []
        for template, item in document.get("paths", {}).items():
            if not under(template, f"/api/v1/{service}"):
                continue
            for method in OPERATIONS:
                operation = item.get(method)
                if not isinstance(operation, dict) or ACCESS_EXTENSION not in operation:
                    continue
                route = self._learned(service, method.upper(), template, operation, rate_classes)
                if route is not None:
                    learned.append(route)
        self.learned[service] = tuple(learned)

    def _learned(
        self, service: str, method: str, template: str, operation: dict, rate_classes: set[str]
    ) -> Route | None:
        try:
            access = Access(operation[ACCESS_EXTENSION])
        except ValueError:
            log.warning("%s %s of %s: unknown access level", method, template, service)
            return None
        # A bootstrap or default route of the same access level lends its tuning.
        base = self._static(method, template)
        agrees = base is not None and base.policy is access
        rate_class = operation.get(RATE_CLASS_EXTENSION) or (
            base.rate_class if agrees else DEFAULT_RATE_CLASS.get(access, "default")
        )
        if rate_class not in rate_classes:
            log.warning("%s %s of %s: unknown rate class %r", method, template, service, rate_class)
            rate_class = "default"
        timeout = operation.get(TIMEOUT_EXTENSION)
        if not isinstance(timeout, int | float) or not 0 < timeout <= 60:
            timeout = base.timeout if base is not None else SLOWER.get(service, 5.0)
        return Route(
            template,
            service,
            access,
            float(timeout),
            rate_class,
            frozenset({method}),
            pattern=template_pattern(template),
        )


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
