"""`make run`'s launcher leaves nothing running after it stops, however it is stopped."""

import asyncio
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from chassis.ids import new_id
from chassis.testing import eventually
from contracts.manifest import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def _processes_with(marker: str) -> list[int]:
    """Every live process whose environment carries `marker` (the launcher's children do)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and f"FLYWHEEL_LAUNCH={marker}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _launch(tmp_path: Path) -> tuple[subprocess.Popen, str, int]:
    marker, offset = (
        new_id().hex,
        random.randrange(11_000, 23_000, 100),
    )  # below the ephemeral ports
    env = {
        **os.environ,
        "FLYWHEEL_LAUNCH": marker,
        "FLYWHEEL_PORT_OFFSET": str(offset),
        "FLYWHEEL_VAR_DIR": str(tmp_path / "var"),
    }
    # Not the test session's: its chDB directory is held by the pytest process's own engine.
    for name in (
        "DATABASE_URL",
        "KAFKA_BOOTSTRAP_SERVERS",
        "FLYWHEEL_SMTP_HOST",
        "ANALYTICS_CHDB_PATH",
    ):
        env.pop(name, None)
    with (tmp_path / "launcher.log").open("wb") as log:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "deploy.local.run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as under `setsid make run`
        )
    return launcher, marker, offset


async def _users_up(
    launcher: subprocess.Popen, offset: int, tmp_path: Path, ports: tuple[int, ...] = (8001,)
) -> None:
    """Until the services on `ports` (users' alone by default) answer their health probe."""

    async def up() -> bool:
        if launcher.poll() is not None:
            log = (tmp_path / "launcher.log").read_text(errors="replace")
            raise AssertionError(f"the launcher exited with {launcher.returncode}:\n{log}")
        try:
            async with httpx.AsyncClient(timeout=1.0) as client:
                for port in ports:
                    response = await client.get(f"http://127.0.0.1:{port + offset}/healthz")
                    if response.status_code != 200:
                        return False
        except httpx.HTTPError:
            return False
        return True

    await eventually(up, within=90, interval=0.5)


async def test_a_repeated_group_sigterm_during_start_up_leaves_nothing_running(tmp_path):
    launcher, marker, offset = _launch(tmp_path)
    try:
        await _users_up(launcher, offset, tmp_path)
        assert len(_processes_with(marker)) >= 3  # launcher, broker, users at least
        os.killpg(launcher.pid, signal.SIGTERM)  # what `timeout`, a supervisor or docker send
        await asyncio.sleep(0.3)
        os.killpg(launcher.pid, signal.SIGTERM)  # again, in the middle of the clean-up
        assert launcher.wait(timeout=60) == 0
        await eventually(_all_gone(marker), within=10)
    finally:
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)


async def test_children_die_with_a_launcher_killed_outright(tmp_path):
    launcher, marker, offset = _launch(tmp_path)
    try:
        # Every service running (one killed in the middle of its start-up is the case of the
        # group SIGTERM test above).
        await _users_up(launcher, offset, tmp_path, tuple(s.port for s in SERVICES))
        children = [pid for pid in _processes_with(marker) if pid != launcher.pid]
        assert children
        launcher.kill()  # SIGKILL: no clean-up runs
        launcher.wait(timeout=10)
        # Each child gets SIGTERM from the kernel at once, the broker too: a service whose
        # consumers can no longer leave their group waits out its 15 s shutdown bound.
        try:
            await eventually(_all_gone(marker), within=60)
        except AssertionError:
            alive = {pid: _command_line(pid) for pid in _processes_with(marker)}
            raise AssertionError(f"still running after the launcher died: {alive}") from None
    finally:
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "(gone)"


def _all_gone(marker: str):
    async def check() -> bool:
        return not _processes_with(marker)

    return check
