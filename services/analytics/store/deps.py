"""The running service's event store, as a route dependency."""

from typing import Annotated

from fastapi import Depends, Request

from services.analytics.store.clickhouse import EventStore


def _store(request: Request) -> EventStore:
    return request.app.state.store


StoreDep = Annotated[EventStore, Depends(_store)]
