"""Readiness: may this pod take traffic? Only what stops it serving fails the probe.

The outbox exists so that writes go on while the broker is away, so a broker outage (or a
consumer reconnecting) makes the service `degraded`, not unready: a probe that failed on it
would pull every pod out of rotation at once. Each check waits at most `TIMEOUT` seconds,
and they run together, so the probe answers within about that long.
"""

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chassis import metrics
from chassis.events import kafka, relay

if TYPE_CHECKING:
    from chassis.http.service import Runtime

TIMEOUT = 1.0


@dataclass
class Report:
    phase: str
    database: str
    broker: str | None  # None: the service runs without a broker
    consumers: dict[str, str]
    backlog: relay.Backlog | None

    @property
    def ready(self) -> bool:
        return self.phase == "serving" and self.database == "ok"

    @property
    def degraded(self) -> bool:
        return self.broker not in (None, "ok") or any(
            state != "running" for state in self.consumers.values()
        )

    def body(self) -> dict:
        status = "not ready" if not self.ready else "degraded" if self.degraded else "ready"
        checks = {"database": self.database}
        if self.broker is not None:
            checks["broker"] = self.broker
        body: dict = {"status": status, "checks": checks}
        if self.phase != "serving":
            body["phase"] = self.phase
        if self.consumers:
            body["consumers"] = self.consumers
        if self.backlog is not None:
            body["outbox"] = {
                "pending": self.backlog.pending,
                "oldest_age_seconds": self.backlog.oldest_age_seconds,
            }
        return body


async def check(runtime: "Runtime") -> Report:
    (database, backlog), broker = await asyncio.gather(_database(runtime), _broker(runtime))
    return Report(
        phase=runtime.phase,
        database=database,
        broker=broker,
        consumers={c.group: c.state for c in runtime.consumers},
        backlog=backlog,
    )


async def _database(runtime: "Runtime") -> tuple[str, relay.Backlog | None]:
    """Reading the outbox backlog is the database check: if it answers, the database does."""
    try:
        if runtime.settings.kafka_enabled:
            backlog = await asyncio.wait_for(
                relay.backlog_report(runtime.db, runtime.name), TIMEOUT
            )
        else:
            backlog = None
            await asyncio.wait_for(runtime.db.ping(), TIMEOUT)
    except TimeoutError:
        return f"down: no answer within {TIMEOUT:g} s", None
    except Exception as error:
        return f"down: {error!r}"[:200], None
    return "ok", backlog


async def _broker(runtime: "Runtime") -> str | None:
    if not runtime.settings.kafka_enabled:
        return None
    if runtime.producer is None:
        state = "connecting"
    else:
        state = "ok" if await kafka.reachable(runtime.producer, TIMEOUT) else "down"
    metrics.broker_up.labels(runtime.name).set(state == "ok")
    return state
