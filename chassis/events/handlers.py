"""Declaring event handlers: `@consumes(Model)` and `@consumes_all()`.

A handler belongs to the consumer group named after its service unless it names another
(`group=`): a service that needs two independent cursors over one topic declares two.

A batch handler (`batch=True`) is called once per transaction with the list of the events
that are new in it, in order: for sinks whose cost is per write (a column store), not per
event. A handler whose failure is not the event's fault (a store it writes to is down)
raises `DependencyDown`: the event is retried later, never dead-lettered for it."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.envelope import EventData
from chassis.events.registry import registry

HandlerFn = Callable[[Any, AsyncSession], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """One handler of one consumer group.

    `group` None means the group of the service that runs it; `types` is the set of event
    types it handles, or None for every registered type but the `excluded` ones; typed
    handlers receive the validated payload, catch-all handlers the CloudEvent; batch
    handlers a list of those.
    """

    group: str | None
    fn: HandlerFn
    types: frozenset[str] | None
    batch: bool = False
    excluded: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"

    def topics(self) -> set[str]:
        if self.types is None:
            # A topic whose every type is excluded is not read at all; a batch event is
            # read as its items (chassis.events.batches).
            return {
                s.topic
                for s in registry.all()
                if s.type not in self.excluded and s.batch_of is None
            }
        return {registry.get(t).topic for t in self.types}

    def handles(self, type_: str) -> bool:
        if self.types is None:
            return type_ not in self.excluded
        return type_ in self.types

    async def __call__(self, message: Any, session: AsyncSession) -> None:
        await self.fn(message, session)


class DependencyDown(Exception):
    """Raised by a handler when something it needs besides its database does not answer."""


def consumes(
    *models: type[EventData], group: str | None = None, batch: bool = False
) -> Callable[[HandlerFn], Handler]:
    types = frozenset(registry.of(model).type for model in models)

    def declare(fn: HandlerFn) -> Handler:
        return Handler(group, fn, types, batch)

    return declare


def consumes_all(
    *, group: str | None = None, batch: bool = False, excluding: tuple[type[EventData], ...] = ()
) -> Callable[[HandlerFn], Handler]:
    """Every registered event type, but those of `excluding` (a sink that gets them another
    way)."""
    excluded = frozenset(registry.of(model).type for model in excluding)

    def declare(fn: HandlerFn) -> Handler:
        return Handler(group, fn, None, batch, excluded)

    return declare
