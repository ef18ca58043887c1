"""Generated documentation matches the code it is generated from."""

from pathlib import Path

from chassis.events.registry import EventRegistry
from contracts import load_contracts
from gateway import asyncapi, eventdocs

ROOT = Path(__file__).resolve().parent.parent


def test_the_event_catalogue_matches_the_registry():
    contracts = EventRegistry()  # the services' events only, not those that tests declare
    for spec in load_contracts().all():
        if spec.model.__module__.startswith("contracts."):
            contracts.register(spec)
    generated = eventdocs.markdown(asyncapi.build(contracts))
    assert (ROOT / "docs" / "events.md").read_text() == generated, "run `make docs`"


def test_the_configuration_reference_matches_the_settings_classes():
    from deploy import configref

    assert (ROOT / "docs" / "configuration.md").read_text() == configref.markdown(), (
        "run `python -m deploy.configref`"
    )
