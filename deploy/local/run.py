"""`make run`: the whole platform on this machine, one process per service.

Starts a Tansu broker (unless KAFKA_BOOTSTRAP_SERVERS is set), an SMTP sink that keeps mail
in var/mail/ (unless FLYWHEEL_SMTP_HOST is set), the users service, the other services, then
the gateway; loads demo data; and stops everything on Ctrl-C or SIGTERM.
Each process writes to var/log/<name>.log. `FLYWHEEL_PORT_OFFSET` (0) shifts every port, so
a second copy (a test of this launcher, say) can run beside the usual one.

The first SIGINT, SIGTERM or SIGHUP stops everything; the ones after it are ignored until the
clean-up is done, and every child dies with the launcher even if it is killed outright. The
signal only sets a flag that the launcher's waits look at: an exception raised wherever the
signal lands (inside a lock of subprocess, say) could leave the clean-up hanging.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from chassis.broker import BrokerError, TansuBroker, port_is_free
from chassis.mailbox import Mailbox
from chassis.processes import die_with_parent
from chassis.settings import VAR_DIR
from contracts import load_contracts
from contracts.manifest import GATEWAY_PORT, SERVICES

ROOT = Path(__file__).resolve().parents[2]
LOGS = VAR_DIR / "log"
MAIL = VAR_DIR / "mail"
HOST = "127.0.0.1"
OFFSET = int(os.environ.get("FLYWHEEL_PORT_OFFSET", "0"))
BROKER_PORT = 9092 + OFFSET
SMTP_PORT = 1025 + OFFSET
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


STOP = threading.Event()


class Stopped(Exception):
    """A stop signal arrived; the launcher unwinds into its clean-up."""


def check_stop(seconds: float = 0.0) -> None:
    if STOP.wait(seconds):
        raise Stopped


class StartupError(Exception):
    """The stack could not be brought up (or a process died while it ran)."""


@dataclass
class Child:
    name: str
    app: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log_path(self) -> Path:
        return LOGS / f"{self.name}.log"

    def start(self, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "uvicorn", "--factory", self.app, "--host", HOST]
        command += ["--port", str(self.port), "--log-level", "warning", "--no-proxy-headers"]
        with self.log_path.open("wb") as log:
            # Own process group: Ctrl-C reaches only the launcher, which stops it before the broker.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=die_with_parent,
            )

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            tail = "".join(self.log_path.read_text(errors="replace").splitlines(True)[-30:])
            raise StartupError(
                f"{self.name} exited with code {self.process.returncode}; "
                f"last lines of {self.log_path}:\n{tail}"
            )

    def answers(self, path: str) -> bool:
        try:
            return httpx.get(self.url + path, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False


def wait_ready(children: list[Child]) -> None:
    """Poll /readyz until every child says 200; after the timeout, /healthz 200 is enough."""
    pending = list(children)
    deadline = time.monotonic() + READY_TIMEOUT
    while pending and time.monotonic() < deadline:
        check_stop(0.2)
        for child in pending:
            child.check_alive()
        pending = [child for child in pending if not child.answers("/readyz")]
    for child in pending:
        if not child.answers("/healthz"):
            raise StartupError(f"{child.name} did not become healthy; see {child.log_path}")
        print(f"warning: {child.name} is up but not ready (is the broker reachable?)")


def stop_all(children: list[Child], broker: TansuBroker | None, mailbox: Mailbox | None) -> None:
    running = [c.process for c in children if c.process and c.process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in running:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if broker is not None:
        broker.stop()
    if mailbox is not None:
        mailbox.stop()


def start_mailbox() -> Mailbox:
    if not port_is_free(SMTP_PORT):
        raise StartupError(
            f"port {SMTP_PORT} for the mail sink is in use "
            "(set FLYWHEEL_SMTP_HOST and FLYWHEEL_SMTP_PORT to use a server already running)"
        )
    mailbox = Mailbox(MAIL, SMTP_PORT)
    mailbox.start()
    return mailbox


def seed_demo_data(gateway_url: str, admin_email: str, admin_password: str) -> None:
    if importlib.util.find_spec("deploy.local.demo") is None:
        return
    demo = importlib.import_module("deploy.local.demo")
    try:
        asyncio.run(demo.seed(gateway_url, admin_email, admin_password))
    except Exception as error:
        print(f"warning: loading demo data failed: {error!r}")


def print_banner(services: list[Child], env: dict[str, str], mailbox: Mailbox | None) -> None:
    gateway = f"http://{HOST}:{GATEWAY_PORT + OFFSET}"
    urls = "\n".join(f"  {c.name:<11}{c.url}" for c in services)
    smtp = f"SMTP {env['FLYWHEEL_SMTP_HOST']}:{env.get('FLYWHEEL_SMTP_PORT', SMTP_PORT)}"
    mail = f"{mailbox.directory} ({smtp})" if mailbox else smtp
    print(
        f"""
Flywheel is running. Ctrl-C stops it.

  gateway    {gateway}
  API docs   {gateway}/docs
  events     {gateway}/events

{urls}

  broker     {env["KAFKA_BOOTSTRAP_SERVERS"]}
  mail       {mail}
  logs       {LOGS}
  admin      {env["FLYWHEEL_ADMIN_EMAIL"]} / {env["FLYWHEEL_ADMIN_PASSWORD"]}
""",
        flush=True,
    )


def _stop_requested(signum, frame) -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)  # a repeat must not cut the clean-up short
    STOP.set()


def main() -> int:
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop_requested)
    LOGS.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("FLYWHEEL_ENV", "dev")
    services = [Child(spec.name, spec.app, spec.port + OFFSET) for spec in SERVICES]
    users = next(child for child in services if child.name == "users")
    env.setdefault("FLYWHEEL_JWKS_URL", f"{users.url}/api/v1/users/.well-known/jwks.json")
    env.setdefault("GATEWAY_UPSTREAMS", json.dumps({c.name: c.url for c in services}))
    url_of = {child.name: child.url for child in services}
    for spec in SERVICES:  # the services each calls, at their ports (ports shift)
        for name, url in spec.url_settings(url_of.__getitem__).items():
            env.setdefault(name, url)
    env.setdefault("FLYWHEEL_ADMIN_EMAIL", "admin@flywheel.local")
    env.setdefault("FLYWHEEL_ADMIN_PASSWORD", "flywheel-admin")
    gateway = Child("gateway", "gateway.app:create_app", GATEWAY_PORT + OFFSET)
    everyone = [users, *(c for c in services if c is not users), gateway]
    broker = mailbox = None
    try:
        taken = [c.port for c in everyone if not port_is_free(c.port)]
        if taken:
            raise StartupError(f"ports already in use: {taken} (is another `make run` up?)")
        if "KAFKA_BOOTSTRAP_SERVERS" not in env:
            broker = TansuBroker(BROKER_PORT, LOGS / "broker.log", topics=load_contracts().topics())
            broker.start()
            env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
        check_stop()
        if "FLYWHEEL_SMTP_HOST" not in env:
            mailbox = start_mailbox()
            env.update(FLYWHEEL_SMTP_HOST=mailbox.host, FLYWHEEL_SMTP_PORT=str(mailbox.port))
        everyone[0].start(env)  # users first: the others fetch its signing keys
        wait_ready(everyone[:1])
        for child in everyone[1:]:
            check_stop()
            child.start(env)
        wait_ready(everyone)
        check_stop()
        seed_demo_data(
            gateway.url,
            env["FLYWHEEL_ADMIN_EMAIL"],
            env["FLYWHEEL_ADMIN_PASSWORD"],
        )
        print_banner(services, env, mailbox)
        while True:
            for child in everyone:
                child.check_alive()
            check_stop(1.0)
    except (StartupError, BrokerError) as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1
    except Stopped:
        print("\nstopping...", flush=True)
        return 0
    finally:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # a signal now must not cut the clean-up short
        stop_all(everyone, broker, mailbox)


if __name__ == "__main__":
    sys.exit(main())
