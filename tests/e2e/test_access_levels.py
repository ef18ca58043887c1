"""Who may call each route, over real HTTP with every service running: the edge is never
weaker than the service, a route's access level is declared once (in the service) and
reaches the gateway with no edit there, and the staff roles admit whom they should.

The routes come from the services' own OpenAPI documents (`x-flywheel-access`), so a route
added to any service is covered here without a change to this file."""

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import APIRouter
from stack import Platform, start_gateway

from chassis.auth.deps import OperatorDep
from chassis.ids import new_id
from chassis.metrics import http_requests
from chassis.testing import ServiceServer, eventually
from contracts.manifest import SERVICES
from gateway.settings import GatewaySettings, RateLimit

REFUSED = (401, 403)
BODY_METHODS = {"POST", "PUT", "PATCH"}
ACCESS = "x-flywheel-access"


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    template: str
    access: str

    @property
    def path(self) -> str:
        """The template with a fresh id in each parameter: checks of who may call run
        before the id is looked up or the body validated, so any id and `{}` will do."""
        return re.sub(r"\{[^}]+\}", lambda _: str(new_id()), self.template)

    def __str__(self) -> str:
        return f"{self.method} {self.template} ({self.access})"


async def operations(platform) -> list[Operation]:
    """Every documented operation under `/api/v1/<service>` of every running service."""
    found = []
    for name, server in platform.servers.items():
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            document = (await client.get(f"/api/v1/{name}/openapi.json")).json()
        for template, item in document["paths"].items():
            if not template.startswith(f"/api/v1/{name}/"):
                continue
            for method, operation in item.items():
                found.append(Operation(name, method.upper(), template, operation[ACCESS]))
    return found


class Caller:
    """Calls operations with one keep-alive client per base URL, at most `CONCURRENCY` at
    once: several hundred operations, each called by several kinds of caller."""

    CONCURRENCY = 16

    def __init__(self) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._slots = asyncio.Semaphore(self.CONCURRENCY)

    async def __aenter__(self) -> "Caller":
        return self

    async def __aexit__(self, *_) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def __call__(self, base_url: str, operation: Operation, token: str | None) -> int:
        client = self._clients.get(base_url)
        if client is None:
            client = self._clients[base_url] = httpx.AsyncClient(base_url=base_url, timeout=30)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {} if operation.method in BODY_METHODS else None
        async with self._slots:
            response = await client.request(
                operation.method, operation.path, json=body, headers=headers
            )
        return response.status_code


def served() -> Counter[tuple[str, str, str]]:
    """Requests each service has answered, by (service, method, route template), from its
    own counter: a request refused at the edge never moves it."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for metric in http_requests.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                labels = sample.labels
                counts[labels["service"], labels["method"], labels["route"]] += sample.value
    return counts


async def served_since(before: Counter, expected: Counter) -> Counter:
    """What the services answered since `before`, once it is at least `expected` (a service
    counts a request just after answering it, so a count may trail the response)."""

    async def settled():
        since = served() - before
        return since if all(since[key] >= n for key, n in expected.items()) else None

    try:
        return await eventually(settled)
    except AssertionError:
        since = served() - before
        short = {key: (since[key], n) for key, n in expected.items() if since[key] < n}
        raise AssertionError(
            f"answered fewer than expected (answered, expected): {short}"
        ) from None


def gateway_settings(platform, tmp_path, upstreams: dict[str, str]) -> GatewaySettings:
    generous = RateLimit(limit=100_000, window=60)
    return GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        upstreams=upstreams,
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
        redis_url=None,
        rate_limits=dict.fromkeys(("auth", "public", "default", "partner"), generous),
    )


@pytest.fixture(scope="module")
async def gateway(platform, tmp_path_factory) -> AsyncIterator[ServiceServer]:
    upstreams = {name: server.url for name, server in platform.servers.items()}
    settings = gateway_settings(platform, tmp_path_factory.mktemp("gateway"), upstreams)
    server = await start_gateway(settings)
    yield server
    await server.stop()


async def tokens(platform) -> dict[str, str | None]:
    """A token for each kind of caller, each holding exactly the one role it is about."""
    return {
        "anonymous": None,
        "customer": (await platform.customer())[1],
        "operator": (await platform.staff("operator"))[1],
        "admin": (await platform.staff("admin"))[1],
    }


@pytest.fixture(scope="module")
async def callers(platform) -> dict[str, str | None]:
    return await tokens(platform)


@pytest.fixture(scope="module")
async def staff_platform(broker, tmp_path_factory) -> AsyncIterator[Platform]:
    """Every service again, on databases of its own and off the broker: admitted staff calls
    have effects (an admin rotating the signing keys retires keys that the session's other
    tokens were signed with), so they run where nothing else looks."""
    directory = tmp_path_factory.mktemp("staff-platform")
    running = Platform(broker, lambda name: f"sqlite+aiosqlite:///{directory / name}.db")
    for service in SERVICES:
        await running.start(service.name, kafka_enabled=False)
    yield running
    await running.stop()


async def test_the_edge_is_never_weaker_than_the_service(platform, gateway, callers):
    """Anonymous and customer calls to every operation: what the service refuses, the gateway
    refuses with the same status before the service sees it; what it admits gets through."""
    before, expected, refusing = served(), Counter(), set()
    cases = [(op, kind) for op in await operations(platform) for kind in ("anonymous", "customer")]

    async def both(call: Caller, operation: Operation, kind: str) -> tuple[int, int]:
        token = callers[kind]
        at_service = await call(platform.servers[operation.service].url, operation, token)
        return at_service, await call(gateway.url, operation, token)

    async with Caller() as call:
        answers = await asyncio.gather(*(both(call, op, kind) for op, kind in cases))
    for (operation, kind), (at_service, at_edge) in zip(cases, answers, strict=True):
        # Called all at once: a route that cannot take concurrent callers shows here.
        assert max(at_service, at_edge) < 500, f"{kind} on {operation}: {at_service}, {at_edge}"
        key = (operation.service, operation.method, operation.template)
        expected[key] += 1
        if at_service in REFUSED:
            assert at_edge == at_service, f"{kind} on {operation}"
            refusing.add(key)
        else:
            assert at_edge not in REFUSED, f"{kind} refused ({at_edge}) on {operation}"
            expected[key] += 1  # forwarded
    assert refusing  # some operation refuses someone: the comparison is not empty
    # On the routes that refused someone, exactly the admitted calls arrived (other routes,
    # such as the signing keys, also serve the services' own fetches meanwhile).
    since = await served_since(before, expected)
    assert {key: since[key] for key in refusing} == {key: expected[key] for key in refusing}


async def test_each_access_level_is_declared_by_the_services(platform):
    levels = {operation.access for operation in await operations(platform)}
    # Each level the staff test below relies on is in use (a check labelled wrongly, e.g.
    # OperatorDep declaring admin, would empty one of them).
    assert {"public", "customer", "operator", "admin"} <= levels


async def test_staff_roles_on_every_role_checked_route(staff_platform, tmp_path):
    """An operator-only token passes operator checks and is refused admin ones, an
    admin-only token passes both, a customer token neither: at each service, and the same
    at the edge."""
    expected = {
        "operator": {"operator": True, "admin": False},
        "admin": {"operator": True, "admin": True},
        "customer": {"operator": False, "admin": False},
    }
    callers = await tokens(staff_platform)
    found = await operations(staff_platform)
    role_checked = [op for op in found if op.access in ("operator", "admin")]
    assert {op.access for op in role_checked} == {"operator", "admin"}
    upstreams = {name: server.url for name, server in staff_platform.servers.items()}
    edge = await start_gateway(gateway_settings(staff_platform, tmp_path, upstreams))
    cases = [
        (operation, where, kind)
        for operation in role_checked
        for where in ("service", "gateway")
        for kind in expected
    ]
    try:
        async with Caller() as call:
            statuses = await asyncio.gather(
                *(
                    call(
                        edge.url if where == "gateway" else upstreams[op.service], op, callers[kind]
                    )
                    for op, where, kind in cases
                )
            )
    finally:
        await edge.stop()
    for (operation, where, kind), status in zip(cases, statuses, strict=True):
        assert status < 500, f"{kind} got {status} on {operation} at {where}"
        if expected[kind][operation.access]:
            assert status not in REFUSED, f"{kind} refused ({status}) on {operation} at {where}"
        else:
            assert status == 403, f"{kind} got {status} on {operation} at {where}"


@pytest.fixture(scope="module")
async def grown_catalog(platform, tmp_path_factory) -> AsyncIterator[ServiceServer]:
    """The catalog service with two routes the gateway has never heard of: one anyone may
    read, one for operators (declared with `OperatorDep`, nothing else)."""
    from services.catalog.app import create_app as catalog_app

    router = APIRouter()

    @router.get("/test-only/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "anyone"}

    @router.get("/test-only/report")
    async def report(by: OperatorDep) -> dict[str, str]:
        return {"for": str(by.user_id)}

    directory = tmp_path_factory.mktemp("grown-catalog")
    # Its own database, and off the broker: the platform's catalog does the event work.
    settings = platform.settings("catalog", kafka_enabled=False).model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{directory / 'catalog.db'}"}
    )
    app = catalog_app(settings)
    app.include_router(router, prefix="/api/v1/catalog")
    server = await ServiceServer(app).start()
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def grown_gateway(platform, grown_catalog, tmp_path_factory):
    upstreams = {name: server.url for name, server in platform.servers.items()}
    upstreams["catalog"] = grown_catalog.url
    settings = gateway_settings(platform, tmp_path_factory.mktemp("grown-gateway"), upstreams)
    server = await start_gateway(settings)
    yield server
    await server.stop()


async def test_a_new_public_route_is_open_at_the_edge_with_no_gateway_edit(grown_gateway):
    async with httpx.AsyncClient(base_url=grown_gateway.url, timeout=10) as anonymous:
        response = await anonymous.get("/api/v1/catalog/test-only/hello")
    assert response.status_code == 200
    assert response.json() == {"hello": "anyone"}


async def test_a_new_operator_route_is_closed_to_customers_at_the_edge(grown_gateway, callers):
    route = "/api/v1/catalog/test-only/report"
    before = served()
    async with httpx.AsyncClient(base_url=grown_gateway.url, timeout=10) as client:
        customer = await client.get(
            route, headers={"Authorization": f"Bearer {callers['customer']}"}
        )
        anonymous = await client.get(route)
        operator = await client.get(
            route, headers={"Authorization": f"Bearer {callers['operator']}"}
        )
    assert (customer.status_code, anonymous.status_code) == (403, 401)
    # Only the operator's call reached the service.
    key = ("catalog", "GET", route)
    assert (await served_since(before, Counter({key: 1})))[key] == 1
    assert operator.status_code == 200
