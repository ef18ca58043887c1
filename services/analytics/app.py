"""The analytics service."""

import logging

from fastapi import FastAPI

from chassis.background import HOURLY, every
from chassis.clock import now
from chassis.http.service import Runtime, build_service
from chassis.migrations import Schema
from services.analytics.alerts import api as alerts_api
from services.analytics.alerts.service import evaluate
from services.analytics.alerts.webhooks import send_pending
from services.analytics.campaigns import api as campaigns_api
from services.analytics.cohorts import api as cohorts_api
from services.analytics.collect import api as collect_api
from services.analytics.collect.intake import Intake
from services.analytics.collect.service import prune_keys
from services.analytics.funnels import api as funnels_api
from services.analytics.metrics import api as metrics_api
from services.analytics.models import Base
from services.analytics.settings import Settings
from services.analytics.store import api as store_api
from services.analytics.store import rollups, spool
from services.analytics.store.clickhouse import EventStore, StoreUnavailable, open_store
from services.analytics.store.consumers import recorder

log = logging.getLogger(__name__)
SCHEMA = Schema.beside(__file__, Base.metadata)
SPOOL_DRAIN_S = 10.0


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    store = open_store(settings)
    intake = Intake(store)
    app = build_service(
        name="analytics",
        settings=settings,
        routers=[
            collect_api.router,
            store_api.router,
            metrics_api.router,
            funnels_api.router,
            cohorts_api.router,
            campaigns_api.router,
            alerts_api.router,
        ],
        schema=SCHEMA,
        consumers=[recorder(store)],
        on_start=[_prepare(store)],
        background=[
            _flush_collected(intake),
            _drain_spool(store),
            _prune_collected_keys,
            _evaluate_alerts(store),
            send_pending,
        ],
        description="Data operations: collection, the event store, metrics, funnels, cohorts, "
        "alerts.",
    )
    app.state.store = store
    app.state.intake = intake
    return app


def _prepare(store: EventStore):
    async def prepare(runtime: Runtime) -> None:
        # A store that is down must not keep the service from collecting: its schema is
        # created on first use instead.
        try:
            await store.ensure_schema()
            await rollups.rebuild_if_empty(store)
        except StoreUnavailable as error:
            log.warning("event store unavailable at start: %s", error)

    return prepare


def _flush_collected(intake: Intake):
    async def flush_collected(runtime: Runtime) -> None:
        await intake.run(runtime.db)

    return flush_collected


def _drain_spool(store: EventStore):
    async def drain_spool(runtime: Runtime) -> None:
        await every(SPOOL_DRAIN_S, lambda: spool.drain(store, runtime.db), what="store spool drain")

    return drain_spool


async def _prune_collected_keys(runtime: Runtime) -> None:
    await every(HOURLY, lambda: prune_keys(runtime.db), what="collected keys prune")


def _evaluate_alerts(store: EventStore):
    async def evaluate_alerts(runtime: Runtime) -> None:
        interval = runtime.settings.alert_interval_s
        await every(interval, lambda: evaluate(runtime.db, store, now()), what="alert evaluation")

    return evaluate_alerts
