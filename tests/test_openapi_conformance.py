"""Every service's OpenAPI document, and the gateway's merged one, is true: schemathesis
finds nothing (`--checks all`)."""

import asyncio
import os
import sys
from pathlib import Path

import pytest

from chassis.testing import ServiceServer
from contracts.manifest import NAMES
from gateway.app import create_app
from gateway.settings import GatewaySettings, RateLimit

TESTS = Path(__file__).resolve().parent
EXAMPLES = os.environ.get("FLYWHEEL_SCHEMATHESIS_EXAMPLES", "10")


async def schemathesis(url: str, token: str, report: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "schemathesis.cli"]
    command += ["--config-file", str(TESTS / "schemathesis.toml"), "run", url]
    command += ["--checks", "all", "--max-examples", EXAMPLES, "--seed", "20261201"]
    command += ["--phases", "examples,coverage,fuzzing", "--request-timeout", "10"]
    command += ["--header", f"Authorization: Bearer {token}"]
    command += ["--generation-with-security-parameters", "false"]  # the token is given
    # A new signing key retires the oldest after two rotations, and with it every token the
    # other tests hold; rotation has its own tests (tests/users/test_keys.py).
    command += ["--exclude-path", "/api/v1/users/auth/keys/rotate"]
    command += ["--report", "junit", "--report-junit-path", str(report)]
    done = await asyncio.create_subprocess_exec(
        *command,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await done.communicate()
    text = out.decode(errors="replace")
    return done.returncode, text[max(0, text.find("= FAILURES =")) :][:20_000]


@pytest.mark.parametrize("service", NAMES)
async def test_schemathesis_finds_nothing(platform, service, tmp_path):
    # A staff user of its own: fuzzed password changes with wrong old passwords lock the
    # account they are made with, which must not be the admin the other tests sign in as.
    _, token = await platform.staff("admin", "operator")
    url = f"{platform.servers[service].url}/api/v1/{service}/openapi.json"
    code, out = await schemathesis(url, token, tmp_path / "junit.xml")
    assert code == 0, out


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
    server = await ServiceServer(create_app(settings)).start()
    yield server
    await server.stop()


async def test_schemathesis_finds_nothing_at_the_gateway(platform, gateway, tmp_path):
    """The merged document, with the gateway's own answers (edge auth, 413, 429, 5xx)."""
    _, token = await platform.staff("admin", "operator")
    code, out = await schemathesis(f"{gateway.url}/openapi.json", token, tmp_path / "junit.xml")
    assert code == 0, out
