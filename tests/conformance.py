"""Running schemathesis (`--checks all`) against an OpenAPI document, for the conformance
tests. Imported as `conformance` (pytest puts `tests/` on the path for its root conftest)."""

import asyncio
import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
EXAMPLES = os.environ.get("FLYWHEEL_SCHEMATHESIS_EXAMPLES", "10")


async def schemathesis(
    url: str,
    token: str,
    report: Path,
    examples: str = EXAMPLES,
    phases: str = "examples,coverage,fuzzing",
) -> tuple[int, str]:
    command = [sys.executable, "-m", "schemathesis.cli"]
    command += ["--config-file", str(TESTS / "schemathesis.toml"), "run", url]
    command += ["--checks", "all", "--max-examples", examples, "--seed", "20261201"]
    command += ["--phases", phases, "--request-timeout", "10"]
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
