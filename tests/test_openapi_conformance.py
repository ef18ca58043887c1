"""Every service's OpenAPI document is true: schemathesis finds nothing (`--checks all`)."""

import asyncio
import os
import sys
from pathlib import Path

import pytest

from contracts.manifest import NAMES

TESTS = Path(__file__).resolve().parent
EXAMPLES = os.environ.get("FLYWHEEL_SCHEMATHESIS_EXAMPLES", "10")


async def schemathesis(url: str, token: str, report: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "schemathesis.cli"]
    command += ["--config-file", str(TESTS / "schemathesis.toml"), "run", url]
    command += ["--checks", "all", "--max-examples", EXAMPLES, "--seed", "20261201"]
    command += ["--phases", "examples,coverage,fuzzing", "--request-timeout", "10"]
    command += ["--header", f"Authorization: Bearer {token}"]
    command += ["--report", "junit", "--report-junit-path", str(report)]
    done = await asyncio.create_subprocess_exec(
        *command,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await done.communicate()
    return done.returncode, out.decode(errors="replace")


@pytest.mark.parametrize("service", NAMES)
async def test_schemathesis_finds_nothing(platform, service, tmp_path):
    # A staff user of its own: fuzzed password changes with wrong old passwords lock the
    # account they are made with, which must not be the admin the other tests sign in as.
    _, token = await platform.staff("admin", "operator")
    url = f"{platform.servers[service].url}/api/v1/{service}/openapi.json"
    code, out = await schemathesis(url, token, tmp_path / "junit.xml")
    assert code == 0, out[-8000:]
