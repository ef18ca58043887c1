"""Domain events: envelope, registry, transactional outbox, idempotent consumers."""

from chassis.events.envelope import CloudEvent, EventData
from chassis.events.registry import EventSpec, event, registry

__all__ = ["CloudEvent", "EventData", "EventSpec", "event", "registry"]
