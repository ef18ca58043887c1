"""Every service's OpenAPI document is true: schemathesis finds nothing (`--checks all`).
The gateway's merged document has its own file, tests/test_gateway_conformance.py."""

import pytest
from conformance import schemathesis

from contracts.manifest import NAMES


@pytest.mark.parametrize("service", NAMES)
async def test_schemathesis_finds_nothing(platform, service, tmp_path):
    # A staff user of its own: fuzzed password changes with wrong old passwords lock the
    # account they are made with, which must not be the admin the other tests sign in as.
    _, token = await platform.staff("admin", "operator")
    url = f"{platform.servers[service].url}/api/v1/{service}/openapi.json"
    code, out = await schemathesis(url, token, tmp_path / "junit.xml")
    assert code == 0, out
