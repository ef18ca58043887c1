"""Resilience: a dead upstream is a fast 503 for its routes only and recovers by itself, a
hanging one a 504 within the route timeout; retries, the circuit breaker, size limits."""

import asyncio
import time

import httpx

from chassis.http.problems import MEDIA_TYPE
from chassis.testing import eventually


async def test_an_upstream_killed_mid_test_then_restarted(gw_stack, gw_client):
    victim = gw_stack.upstreams["campaigns"]
    headers = gw_stack.signer.bearer()
    path = "/api/v1/campaigns/budgets"
    assert (await gw_client.get(path, headers=headers)).status_code == 200
    await victim.stop()
    try:
        started = time.monotonic()
        for _ in range(6):
            response = await gw_client.get(path, headers=headers)
            assert response.status_code == 503
            assert response.headers["content-type"] == MEDIA_TYPE
            problem = response.json()
            assert problem["upstream"] == "campaigns"
            assert "campaigns" in problem["detail"]
            assert (await gw_client.get("/api/v1/catalog/products")).status_code == 200
        assert time.monotonic() - started < 5.0  # refused at once, never waits for a timeout
        assert int(response.headers["retry-after"]) >= 1  # the breaker is open by now
        ready = (await gw_client.get("/readyz")).json()
        assert ready["status"] == "degraded"
        assert ready["upstreams"]["campaigns"]["status"].startswith("down")
        assert ready["upstreams"]["catalog"] == {"status": "up", "breaker": "closed"}
    finally:
        await victim.start()

    async def served():
        return (await gw_client.get(path, headers=headers)).status_code == 200

    await eventually(served, within=5.0)  # the same gateway, never restarted
    assert (await gw_client.get("/readyz")).json()["upstreams"]["campaigns"]["status"] == "up"


async def test_a_hanging_upstream_is_a_504_within_the_route_timeout(gw_stack, gw_client):
    started = time.monotonic()
    response = await gw_client.get("/api/v1/content/hang")
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.json()["upstream"] == "content"
    assert elapsed < 2 * gw_stack.hang_timeout
    # The service's other routes keep working (and the success closes the count of failures).
    assert (await gw_client.get("/api/v1/content/articles/1")).status_code == 200


async def test_the_breaker_opens_after_consecutive_failures(gw_stack, gw_gateway):
    headers = gw_stack.signer.bearer()
    dead = {"engagement": "http://127.0.0.1:9"}
    async with (
        gw_gateway(upstreams=dead, breaker_open_seconds=30) as gateway,
        _client(gateway, headers) as client,
    ):
        statuses = [(await client.get("/api/v1/engagement/journeys")).status_code for _ in range(5)]
        response = await client.get("/api/v1/engagement/journeys")
        metrics = (await client.get("/metrics")).text
    assert statuses == [503] * 5
    assert "retry in" in response.json()["detail"]
    assert 'flywheel_gateway_breaker_open{upstream="engagement"} 1.0' in metrics
    assert 'reason="circuit_open",upstream="engagement"' in metrics


def _client(gateway, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=10)


class FlakyUpstream:
    """A raw HTTP server that drops the first `drops` connections without an answer."""

    def __init__(self, drops: int) -> None:
        self.drops = drops
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *_) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if b"/openapi.json " in head.partition(b"\r\n")[0]:
            # The gateway asking for the routes' policies: it has none, and is not counted.
            writer.write(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            await writer.drain()
            writer.close()
            return
        self.connections += 1
        if self.connections > self.drops:
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n"
                b"connection: close\r\n\r\n{}"
            )
            await writer.drain()
        writer.close()


async def test_an_idempotent_request_is_retried_once_on_connection_failure(gw_stack, gw_gateway):
    async with (
        FlakyUpstream(drops=1) as url,
        gw_gateway(upstreams={"catalog": url}) as gateway,
        _client(gateway, gw_stack.signer.bearer()) as client,
    ):
        response = await client.get("/api/v1/catalog/products/1")
    assert response.status_code == 200


async def test_a_non_idempotent_request_is_never_retried(gw_stack, gw_gateway):
    flaky = FlakyUpstream(drops=1)
    async with (
        flaky as url,
        gw_gateway(upstreams={"orders": url}) as gateway,
        _client(gateway, gw_stack.signer.bearer()) as client,
    ):
        response = await client.post("/api/v1/orders/orders", json={})
    assert response.status_code == 502
    assert response.json()["upstream"] == "orders"
    assert flaky.connections == 1


async def test_a_declared_oversized_body_is_refused_before_the_upstream(gw_stack, gw_client):
    mark = gw_stack.journal.mark()
    limit = gw_stack.settings.max_body_bytes
    response = await gw_client.post(
        "/api/v1/orders/orders", content=b"x" * (limit + 1), headers=gw_stack.signer.bearer()
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == MEDIA_TYPE
    assert gw_stack.journal.since(mark) == []
    at_limit = await gw_client.post(
        "/api/v1/orders/orders", content=b"x" * limit, headers=gw_stack.signer.bearer()
    )
    assert at_limit.json()["body_length"] == limit


async def test_a_streamed_oversized_body_is_cut_off(gw_stack, gw_client):
    async def upload():
        for _ in range(40):
            yield b"x" * 10_000

    response = await gw_client.post(
        "/api/v1/orders/orders", content=upload(), headers=gw_stack.signer.bearer()
    )
    assert response.status_code == 413
    assert response.json()["title"] == "Request Entity Too Large"


async def test_oversized_headers_are_refused(gw_stack, gw_client):
    mark = gw_stack.journal.mark()
    big = await gw_client.get("/api/v1/catalog/products", headers={"X-Big": "x" * 20_000})
    many = await gw_client.get(
        "/api/v1/catalog/products", headers={f"X-H{i}": "1" for i in range(150)}
    )
    assert (big.status_code, many.status_code) == (431, 431)
    assert big.headers["content-type"] == MEDIA_TYPE
    assert gw_stack.journal.since(mark) == []


async def test_a_hanging_upstream_holds_only_its_own_connections(gw_stack, gw_gateway):
    async with (
        gw_gateway(upstream_max_connections=1, connect_timeout=0.2) as gateway,
        _client(gateway) as client,
    ):
        mark = gw_stack.journal.mark()
        hanging = asyncio.create_task(client.get("/api/v1/content/hang"))

        async def arrived():  # the content pool's one connection is now taken
            return any(e["path"] == "/api/v1/content/hang" for e in gw_stack.journal.since(mark))

        await eventually(arrived, within=5.0, interval=0.01)
        waiting = await client.get("/api/v1/content/articles/1")
        other = await client.get("/api/v1/catalog/products/1")
        assert (await hanging).status_code == 504
    assert waiting.status_code == 503  # no connection within the connect timeout
    assert waiting.json()["upstream"] == "content"
    assert other.status_code == 200
