"""The service app factory: every Flywheel service is wired by one call to `build_service`."""

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta

import stamina
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chassis import idempotency, migrations, tracing
from chassis.auth.openapi import declare_access, optional_auth_in_openapi
from chassis.auth.tokens import JwksKeys
from chassis.background import HOURLY, every
from chassis.db import Database
from chassis.events import kafka, relay
from chassis.events.consumer import GroupConsumer
from chassis.events.handlers import Handler
from chassis.events.registry import registry
from chassis.events.relay import OutboxRelay
from chassis.http import draining, openapi, problems, readiness
from chassis.http.context import RequestContext
from chassis.http.text import refuse_nul
from chassis.logs import configure_logging
from chassis.settings import ServiceSettings

log = logging.getLogger(__name__)

Hook = Callable[["Runtime"], Awaitable[None]]


@dataclass
class Runtime:
    """What a running service holds: its database, its broker link, its background tasks."""

    name: str
    settings: ServiceSettings
    db: Database
    jwks: JwksKeys
    relay: OutboxRelay | None = None
    consumers: list[GroupConsumer] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)
    producer: object | None = None
    broker_started: asyncio.Event = field(default_factory=asyncio.Event)
    # starting -> serving (-> draining) -> stopping; readiness holds only while serving.
    phase: str = "starting"


def build_service(
    *,
    name: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    schema: migrations.Schema,
    consumers: Sequence[Handler] = (),
    on_start: Sequence[Hook] = (),
    background: Sequence[Hook] = (),
    title: str | None = None,
    description: str = "",
) -> FastAPI:
    """Build a service app: routes, problem+json errors, probes, metrics, outbox relay and
    idempotent consumers, migrations at start in development.

    `on_start` hooks run once before the service serves; `background` ones run as long as it
    does (each its own task, cancelled at stop), so they must handle their own failures."""
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runtime = await _start(app, name, settings, schema, consumers, on_start, background)
        runtime.phase = "serving"
        draining.drain_on_sigterm(runtime, settings.shutdown_drain_seconds)
        try:
            yield
        finally:
            runtime.phase = "stopping"
            await _stop(runtime)

    app = FastAPI(
        title=title or f"Flywheel {name}",
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_url=f"/api/v1/{name}/openapi.json",
        docs_url=f"/api/v1/{name}/docs",
        redoc_url=None,
        dependencies=[Depends(refuse_nul)],
    )
    problems.install(app)
    generate_openapi = app.openapi
    app.openapi = lambda: openapi.complete(
        declare_access(app, optional_auth_in_openapi(generate_openapi()))
    )
    prefix = f"/api/v1/{name}"
    app.add_middleware(RequestContext, service=name, prefix=prefix)
    traced = tracing.asgi_middleware(name)
    if traced:
        middleware, options = traced
        app.add_middleware(middleware, **options)
    for router in routers:
        app.include_router(router, prefix=prefix)
    app.include_router(_probes())
    return app


async def _start(app, name, settings, schema, handlers, on_start, background) -> Runtime:
    db = Database.from_settings(settings, service=name)
    if settings.migrate_on_start:
        await db.create_database_if_missing()
        await migrations.upgrade(db, schema)
    runtime = Runtime(name=name, settings=settings, db=db, jwks=JwksKeys(settings.jwks_url))
    app.state.runtime = runtime
    app.state.db = db
    app.state.jwks = runtime.jwks
    for hook in on_start:
        await hook(runtime)
    # What is loaded at start lives as long as the process; keeping it out of the
    # collector's scans takes long full collections off the request path (p99).
    gc.collect()
    gc.freeze()
    if settings.kafka_enabled:
        runtime.tasks.append(asyncio.create_task(_run_messaging(runtime, handlers)))
    runtime.tasks += [asyncio.create_task(work(runtime)) for work in background]
    if schema.messaging:  # the chassis' tables are there
        prune_keys = every(HOURLY, lambda: idempotency.prune(db), what="idempotency prune")
        runtime.tasks.append(asyncio.create_task(prune_keys))
    return runtime


async def _run_messaging(runtime: Runtime, handlers: Sequence[Handler]) -> None:
    """Connect to the broker (retrying while it is down), then run the relay and consumers.

    The HTTP API serves meanwhile: the outbox holds events until the broker is there.
    """
    settings = runtime.settings
    publishes = {spec.topic for spec in registry.all() if spec.service == runtime.name}
    topics = sorted(publishes.union(*(h.topics() for h in handlers)))
    producer = kafka.producer(settings.kafka_bootstrap_servers)

    async def ensure_topics() -> None:
        await kafka.ensure_topics(
            settings.kafka_bootstrap_servers, topics, partitions=settings.topic_partitions
        )

    # Until the broker answers, however long that takes (stamina: exponential backoff with
    # jitter, each retry logged and counted in `stamina_retries_total`).
    async for attempt in stamina.retry_context(
        on=Exception, attempts=None, timeout=None, wait_initial=0.5, wait_max=5.0, wait_jitter=0.5
    ):
        with attempt:
            try:
                await ensure_topics()
                await producer.start()
            except Exception as error:
                log.warning("broker unreachable; retrying", extra={"error": repr(error)})
                raise
    runtime.producer = producer
    runtime.relay = OutboxRelay(
        runtime.db, producer, service=runtime.name, batch_size=settings.relay_batch_size
    )
    groups: dict[str, list[Handler]] = {}
    for handler in handlers:
        groups.setdefault(handler.group or runtime.name, []).append(handler)
    runtime.consumers = [
        GroupConsumer(
            group,
            members,
            db=runtime.db,
            producer=producer,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            service=runtime.name,
            max_attempts=settings.consumer_max_attempts,
            retry_backoff=settings.consumer_retry_backoff_ms / 1000,
            session_timeout_ms=settings.consumer_session_timeout_ms,
            fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
            inbox_retention=timedelta(days=settings.inbox_retention_days),
        )
        for group, members in groups.items()
    ]
    runtime.broker_started.set()

    async def start_over() -> None:
        await ensure_topics()
        for consumer in runtime.consumers:
            consumer.start_over()

    watch = kafka.ClusterWatch(settings.kafka_bootstrap_servers, start_over)
    try:
        await asyncio.gather(
            runtime.relay.run(),
            watch.run(),
            *(c.run() for c in runtime.consumers),
            every(HOURLY, runtime.relay.prune, what="outbox prune"),
            *(every(HOURLY, c.prune_inbox, what="inbox prune") for c in runtime.consumers),
        )
    finally:
        with suppress(Exception):
            await asyncio.wait_for(producer.stop(), 10.0)


async def _stop(runtime: Runtime) -> None:
    for task in runtime.tasks:
        task.cancel()
    # Bounded: a client that hangs on a broker gone away must not hold the shutdown.
    if runtime.tasks:
        await asyncio.wait(runtime.tasks, timeout=15.0)
    await runtime.jwks.aclose()
    await runtime.db.dispose()


def _probes() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/healthz", summary="Liveness: the process serves requests", include_in_schema=False
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: started, not stopping, own database reachable (a broker outage "
        "only degrades)",
        include_in_schema=False,
    )
    async def readyz(request: Request) -> JSONResponse:
        report = await readiness.check(request.app.state.runtime)
        return JSONResponse(report.body(), status_code=200 if report.ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        with suppress(Exception):
            await asyncio.wait_for(relay.backlog(runtime.db, runtime.name), readiness.TIMEOUT)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
