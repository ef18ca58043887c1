"""The event contract: every event payload, declared once, one module per publishing service.

Publishers and consumers import the same declarations from here; the registry they fill is
what the AsyncAPI document, `docs/events.md` and the broker's topics are made from.
"""

import importlib

from chassis.events.registry import EventRegistry, registry
from contracts.manifest import SERVICES


def load_contracts() -> EventRegistry:
    """The whole contract: every event declared here, and nothing else (the process-wide
    registry also holds what tests declare for themselves)."""
    for service in SERVICES:
        importlib.import_module(f"contracts.{service.name}")
    contract = EventRegistry()
    for spec in registry.all():
        if spec.model.__module__.startswith(f"{__name__}."):
            contract.register(spec)
    return contract
