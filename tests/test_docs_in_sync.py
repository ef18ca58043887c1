"""Generated documentation matches the code it is generated from."""

from pathlib import Path

from contracts import load_contracts
from gateway import asyncapi, eventdocs

ROOT = Path(__file__).resolve().parent.parent


def test_the_event_catalogue_matches_the_registry():
    generated = eventdocs.markdown(asyncapi.build(load_contracts()))
    assert (ROOT / "docs" / "events.md").read_text() == generated, "run `make docs`"


def test_the_configuration_reference_matches_the_settings_classes():
    from deploy import configref

    assert (ROOT / "docs" / "configuration.md").read_text() == configref.markdown(), (
        "run `python -m deploy.configref`"
    )
