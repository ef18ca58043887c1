"""The gateway's merged OpenAPI document is true: schemathesis finds nothing (`--checks all`)
against the gateway in front of the platform. Its own file, so that xdist runs it beside the
services' conformance tests (tests/test_openapi_conformance.py) rather than after them."""

import pytest
from conformance import EXAMPLES, schemathesis
from stack import start_gateway

from gateway.settings import GatewaySettings, RateLimit


@pytest.fixture(scope="module")
async def gateway(platform, sqlite_dir):
    """The gateway in front of the platform, with rate limits out of the fuzzer's way (they
    are tested on their own in tests/gateway)."""
    roomy = RateLimit(limit=100_000, window=60)
    settings = GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{sqlite_dir / 'gateway-conformance'}.db",
        upstreams={name: server.url for name, server in platform.servers.items()},
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
        rate_limits={name: roomy for name in ("auth", "public", "default", "partner")},
    )
    server = await start_gateway(settings)
    yield server
    await server.stop()


async def test_schemathesis_finds_nothing_at_the_gateway(platform, gateway, tmp_path):
    """The merged document, with the gateway's own answers (edge auth, 413, 429, 5xx)."""
    _, token = await platform.staff("admin", "operator")
    # Fewer examples per operation than the services' runs, and no coverage phase: those runs
    # already cover the same operations without the gateway; here the merged document and the
    # edge's own answers are tested.
    examples = str(max(1, int(EXAMPLES) // 3))
    url = f"{gateway.url}/openapi.json"
    report = tmp_path / "junit.xml"
    code, out = await schemathesis(url, token, report, examples, phases="examples,fuzzing")
    assert code == 0, out
