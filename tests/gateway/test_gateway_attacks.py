"""Hostile requests sent as raw bytes: path traversal and header injection must not reach
other upstreams, internal routes, or change who the gateway says is calling."""

import json

import pytest

TRAVERSALS = [
    "/api/v1/catalog/products/../../users/me",
    "/api/v1/catalog/products/./../../../metrics",
    "/api/v1/catalog/products/%2e%2e/%2e%2e/users/me",
    "/api/v1/catalog/products/%2E%2E%2F%2E%2E%2Fusers",
    "/api/v1/catalog/products%2f..%2f..%2fusers%2fme",
    "/api/v1/catalog/products/..%5c..%5cusers",
    "/api/v1/catalog/products/%00/../../metrics",
    "/api/v1/catalog/products/..\\..\\users",
    "/api/v1/catalog/products//..//users",
    "/api/v1/../../readyz",
    "/api/v1/catalog/products/%c0%ae%c0%ae/users",
]


def _get(target: str, *headers: str) -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: gateway", *headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


@pytest.mark.parametrize(
    "target",
    [
        *TRAVERSALS,
        "/api/v1/catalog/products/%0d%0aX-Flywheel-Partner:%20forged",
        "/api/v1/catalog/products%0aHost:%20internal",
    ],
)
async def test_path_traversal_is_refused_and_reaches_nothing(gw_stack, target):
    mark = gw_stack.journal.mark()
    status, body = await gw_stack.raw(_get(target))
    assert status == 400
    assert json.loads(body)["type"].endswith("/unsafe-path")  # the gateway's own refusal
    assert gw_stack.journal.since(mark) == []


@pytest.mark.parametrize(
    "target",
    [
        "/metrics",
        "/readyz",
        "http://127.0.0.1/metrics",
        "/api/v1/catalog",  # the service's root is routed, its internals are not
    ],
)
async def test_internal_routes_of_upstreams_are_not_exposed(gw_stack, target):
    mark = gw_stack.journal.mark()
    status, body = await gw_stack.raw(_get(target, "Authorization: " + _bearer(gw_stack)))
    # Forwarded requests carry X-Forwarded-For; the gateway's own /readyz probes do not.
    forwarded = [e for e in gw_stack.journal.since(mark) if "x-forwarded-for" in dict(e["headers"])]
    assert not {entry["path"] for entry in forwarded} & {"/metrics", "/readyz"}
    assert b'"internal"' not in body
    assert status == 200  # the gateway's own probes and metrics, or the service's root


async def test_injected_header_lines_are_stripped(gw_stack):
    # A client that writes the internal header itself, on its own line after another one.
    request = _get(
        "/api/v1/catalog/products",
        "X-Note: hello",
        "X-Flywheel-Partner: forged",
        "X-Forwarded-For: 6.6.6.6",
        "X-Forwarded-Host: evil.example",
        "Forwarded: for=6.6.6.6;host=evil.example",
        "X-Real-IP: 6.6.6.6",
    )
    mark = gw_stack.journal.mark()
    status, _ = await gw_stack.raw(request)
    assert status == 200
    [entry] = gw_stack.journal.since(mark)
    headers = dict(entry["headers"])
    assert "x-flywheel-partner" not in headers
    assert "forwarded" not in headers
    assert "x-real-ip" not in headers
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-host"] == "gateway"
    assert entry["service"] == "catalog"


@pytest.mark.parametrize(
    "header",
    [
        "X-Note: a\nX-Flywheel-Partner: forged",  # a bare LF inside a field
        "X-Note: a\rX-Flywheel-Partner: forged",  # a bare CR
        " X-Flywheel-Partner: forged",  # obsolete line folding
        "X-Note: a\x00b",
        "Bad Header: name with a space",
    ],
)
async def test_malformed_header_lines_are_rejected(gw_stack, header):
    mark = gw_stack.journal.mark()
    status, _ = await gw_stack.raw(_get("/api/v1/catalog/products", "X-First: 1", header))
    # The HTTP server refuses the whole request: nothing of it goes upstream.
    assert (status, gw_stack.journal.since(mark)) == (400, [])


async def test_a_forged_host_is_not_forwarded(gw_stack):
    mark = gw_stack.journal.mark()
    request = "GET /api/v1/catalog/products HTTP/1.1\r\nHost: evil.example/x?y\r\n"
    status, _ = await gw_stack.raw((request + "Connection: close\r\n\r\n").encode())
    assert status == 200  # served, but the forged host goes nowhere
    [entry] = gw_stack.journal.since(mark)
    headers = dict(entry["headers"])
    assert "x-forwarded-host" not in headers
    assert headers["host"] == f"127.0.0.1:{gw_stack.upstreams['catalog'].port}"


async def test_request_smuggling_framing_is_rejected(gw_stack):
    smuggled = (
        "POST /api/v1/catalog/products HTTP/1.1\r\nHost: gateway\r\n"
        "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n\r\nGET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    mark = gw_stack.journal.mark()
    status, _ = await gw_stack.raw(smuggled.encode())
    assert status == 400
    assert all(e["path"] != "/api/v1/users/me" for e in gw_stack.journal.since(mark))


def _bearer(stack) -> str:
    return stack.signer.bearer("admin")["Authorization"]
