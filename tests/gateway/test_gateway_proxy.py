"""Forwarding through a real gateway to fake upstreams: routing, streaming both ways, the
headers that go upstream and come back."""

import hashlib
import re

from chassis.http.problems import MEDIA_TYPE
from gateway.proxy import Proxy
from gateway.ratelimit import LocalLimiter
from gateway.routes import ROUTES, RoutingTable

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_routes_to_the_service_named_in_the_path(gw_client):
    response = await gw_client.get("/api/v1/catalog/products/42?expand=price&q=a%20b")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "catalog"
    assert body["path"] == "/api/v1/catalog/products/42"
    assert body["query"] == "expand=price&q=a%20b"


async def test_unknown_service_is_a_problem_and_reaches_nothing(gw_stack, gw_client):
    mark = gw_stack.journal.mark()
    response = await gw_client.get("/api/v1/nowhere/things")
    assert response.status_code == 404
    assert response.headers["content-type"] == MEDIA_TYPE
    assert gw_stack.journal.since(mark) == []


async def test_streams_a_large_response_intact(gw_stack, gw_client):
    chunks, size = 64, 16_384
    response = await gw_client.get(
        "/api/v1/users/stream",
        params={"chunks": chunks, "size": size},
        headers=gw_stack.signer.bearer(),
    )
    assert response.status_code == 200
    assert response.content == b"".join(bytes([i % 256]) * size for i in range(chunks))


async def test_streams_a_chunked_request_body_intact(gw_stack, gw_client):
    parts = [bytes([i]) * 10_000 for i in range(20)]

    async def upload():
        for part in parts:
            yield part

    response = await gw_client.post(
        "/api/v1/orders/uploads", content=upload(), headers=gw_stack.signer.bearer()
    )
    assert response.status_code == 200
    body = response.json()
    assert body["body_length"] == 200_000
    assert body["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()


async def test_small_body_arrives_with_its_length(gw_stack, gw_client):
    response = await gw_client.put(
        "/api/v1/orders/orders/1", json={"note": "hi"}, headers=gw_stack.signer.bearer()
    )
    assert response.json()["body_length"] == len(b'{"note":"hi"}')


async def test_sets_forwarded_headers_and_strips_hop_by_hop(gw_client):
    response = await gw_client.get(
        "/api/v1/catalog/products",
        headers={
            "Connection": "keep-alive, X-Hop-Secret",
            "X-Hop-Secret": "only for the next hop",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic c2VjcmV0",
            "X-Custom": "kept",
        },
    )
    seen = response.json()["headers"]
    assert seen["x-custom"] == "kept"
    for hop in ("x-hop-secret", "keep-alive", "te", "proxy-authorization"):
        assert hop not in seen
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == response.request.headers["host"]


async def test_propagates_a_valid_request_id(gw_client):
    response = await gw_client.get("/api/v1/catalog/products", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["headers"]["x-request-id"] == "abc-123"
    assert response.headers.get_list("x-request-id") == ["abc-123"]


async def test_creates_a_request_id_when_missing_or_unsafe(gw_client):
    for headers in ({}, {"X-Request-ID": "<script>alert(1)</script>"}):
        response = await gw_client.get("/api/v1/catalog/products", headers=headers)
        created = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", created)
        assert response.json()["headers"]["x-request-id"] == created


async def test_continues_the_callers_trace_with_its_own_span(gw_client):
    incoming = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    response = await gw_client.get(
        "/api/v1/catalog/products", headers={"traceparent": incoming, "tracestate": "vendor=x"}
    )
    seen = response.json()["headers"]
    version, trace, span, flags = seen["traceparent"].split("-")
    assert (version, trace, flags) == ("00", TRACE_ID, "01")
    assert re.fullmatch(r"[0-9a-f]{16}", span)
    assert span != "00f067aa0ba902b7"
    assert seen["tracestate"] == "vendor=x"


async def test_starts_a_trace_when_none_or_invalid(gw_client):
    for headers in ({}, {"traceparent": "00-zzz-bad-01", "tracestate": "vendor=x"}):
        seen = (await gw_client.get("/api/v1/catalog/products", headers=headers)).json()
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", seen["headers"]["traceparent"])
        assert "tracestate" not in seen["headers"]


async def test_security_headers_on_proxied_and_own_responses(gw_client):
    for path in ("/api/v1/catalog/products", "/healthz", "/api/v1/nowhere"):
        headers = (await gw_client.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["strict-transport-security"].startswith("max-age=")


async def test_one_date_and_server_header_not_the_upstreams_too(gw_client):
    response = await gw_client.get("/api/v1/catalog/products")
    assert len(response.headers.get_list("date")) == 1
    assert len(response.headers.get_list("server")) <= 1


async def test_cors_preflight_for_a_storefront_origin(gw_stack, gw_client):
    mark = gw_stack.journal.mark()
    response = await gw_client.options(
        "/api/v1/orders/orders",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert gw_stack.journal.since(mark) == []  # answered at the edge, no token needed
    simple = await gw_client.get(
        "/api/v1/catalog/products", headers={"Origin": "https://shop.example"}
    )
    assert simple.headers["access-control-allow-origin"] == "https://shop.example"
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


async def test_cors_lets_a_storefront_send_the_headers_its_commands_take(gw_client):
    response = await gw_client.options(
        "/api/v1/orders/carts/anonymous/items/x",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-cart-token, idempotency-key",
        },
    )
    assert response.status_code == 200, response.text
    named = response.headers["access-control-allow-headers"].split(",")
    allowed = {header.strip().lower() for header in named}
    assert {"x-cart-token", "idempotency-key"} <= allowed


async def test_cors_refuses_other_origins(gw_client):
    response = await gw_client.options(
        "/api/v1/catalog/products",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


async def test_an_unexpected_failure_is_a_500_problem(gw_stack):
    class Broken:
        async def admit(self, *args):
            raise RuntimeError("a bug")

    proxy = Proxy(
        app=None,
        table=RoutingTable(ROUTES),
        upstreams={},
        gatekeeper=Broken(),
        limiter=LocalLimiter(gw_stack.settings.rate_limits),
        settings=gw_stack.settings,
    )
    sent = []
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/catalog/products",
        "raw_path": b"/api/v1/catalog/products",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1234),
        "scheme": "http",
    }

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    await proxy(scope, receive, send)
    assert sent[0]["status"] == 500
    assert (b"content-type", MEDIA_TYPE.encode()) in sent[0]["headers"]
