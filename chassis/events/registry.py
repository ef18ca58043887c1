"""The registry of event types: each declared once with its topic, key and payload model."""

import re
from dataclasses import dataclass

from chassis.events.envelope import EventData

TYPE_PATTERN = re.compile(r"^flywheel\.([a-z]+)\.([a-z_]+)\.([a-z_]+)\.v(\d+)$")


@dataclass(frozen=True)
class EventSpec:
    type: str
    topic: str
    key: str
    model: type[EventData]
    summary: str
    # A batch event carries many events of this type in its `events` field, on their topic
    # and under their key; consumers receive the items, never the batch (chassis.events.batches).
    batch_of: type[EventData] | None = None

    @property
    def service(self) -> str:
        return self.type.split(".")[1]

    @property
    def version(self) -> int:
        return int(self.type.rsplit(".v", 1)[1])

    def key_of(self, data: EventData) -> str:
        return str(getattr(data, self.key))


class EventRegistry:
    def __init__(self) -> None:
        self._by_type: dict[str, EventSpec] = {}
        self._by_model: dict[type[EventData], EventSpec] = {}

    def register(self, spec: EventSpec) -> None:
        match = TYPE_PATTERN.match(spec.type)
        if not match:
            raise ValueError(f"{spec.type!r} is not flywheel.<service>.<aggregate>.<verb>.vN")
        service = match.group(1)
        if not spec.topic.startswith(f"flywheel.{service}."):
            raise ValueError(f"topic {spec.topic!r} does not belong to service {service!r}")
        if spec.key not in spec.model.model_fields:
            raise ValueError(f"key {spec.key!r} is not a field of {spec.model.__name__}")
        if spec.batch_of is not None:
            if "events" not in spec.model.model_fields:
                raise ValueError(f"batch event {spec.type!r} has no `events` field")
            if spec.key not in spec.batch_of.model_fields:
                raise ValueError(
                    f"key {spec.key!r} of batch event {spec.type!r} is not a field of its items"
                )
        existing = self._by_type.get(spec.type)
        # `!=` for `is not` is the same (make mutants): classes compare by identity.
        if existing and existing.model is not spec.model:  # pragma: no mutate
            raise ValueError(f"event type {spec.type!r} is declared twice")
        self._by_type[spec.type] = spec
        self._by_model[spec.model] = spec

    def get(self, type_: str) -> EventSpec | None:
        return self._by_type.get(type_)

    def of(self, model: type[EventData] | EventData) -> EventSpec:
        cls = model if isinstance(model, type) else type(model)
        try:
            return self._by_model[cls]
        except KeyError:
            raise LookupError(f"{cls.__name__} is not a registered event") from None

    def all(self) -> list[EventSpec]:
        return sorted(self._by_type.values(), key=lambda spec: spec.type)

    def topics(self) -> list[str]:
        return sorted({spec.topic for spec in self._by_type.values()})


registry = EventRegistry()


def event(
    type_: str,
    *,  # pragma: no mutate (`/` is the same: every declaration names topic and key)
    topic: str,
    key: str,
    batch_of: type[EventData] | None = None,
):
    """Declare a payload model as the event `type_`, published on `topic`, keyed by `key`.

    `batch_of`: the model is a batch of events of that (registered) type, on their topic
    and keyed like each of them, for a publisher whose cost is per message rather than per
    event; consumers receive the items (chassis.events.batches)."""

    def declare(model: type[EventData]) -> type[EventData]:
        summary = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        if batch_of is not None and registry.of(batch_of).topic != topic:
            raise ValueError(f"batch event {type_!r} is not on the topic of its items")
        registry.register(EventSpec(type_, topic, key, model, summary, batch_of))
        return model

    return declare
