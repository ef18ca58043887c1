"""Declaring event handlers: `@consumes(Model)` and `@consumes_all()`.

A handler belongs to the consumer group named after its service unless it names another
(`group=`): a service that needs two independent cursors over one topic declares two."""

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
    types it handles, or None for every registered type; typed handlers receive the validated
    payload, catch-all handlers the CloudEvent.
    """

    group: str | None
    fn: HandlerFn
    types: frozenset[str] | None

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"

    def topics(self) -> set[str]:
        if self.types is None:
            return set(registry.topics())
        return {registry.get(t).topic for t in self.types}

    def handles(self, type_: str) -> bool:
        return self.types is None or type_ in self.types

    async def __call__(self, message: Any, session: AsyncSession) -> None:
        await self.fn(message, session)


def consumes(*models: type[EventData], group: str | None = None) -> Callable[[HandlerFn], Handler]:
    types = frozenset(registry.of(model).type for model in models)

    def declare(fn: HandlerFn) -> Handler:
        return Handler(group, fn, types)

    return declare


def consumes_all(*, group: str | None = None) -> Callable[[HandlerFn], Handler]:
    def declare(fn: HandlerFn) -> Handler:
        return Handler(group, fn, None)

    return declare
