"""The event contract: every event payload, declared once, one module per publishing service.

Publishers and consumers import the same declarations from here; the registry they fill is
what the AsyncAPI document, `docs/events.md` and the broker's topics are made from.
"""

import importlib

from chassis.events.registry import EventRegistry, registry
from contracts.manifest import SERVICES


def load_contracts() -> EventRegistry:
    """Import every publishing service's module, so the registry holds the whole contract."""
    for service in SERVICES:
        importlib.import_module(f"contracts.{service.name}")
    return registry
