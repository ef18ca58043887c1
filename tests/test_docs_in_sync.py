"""Generated documentation matches the code it is generated from."""

from pathlib import Path

from chassis.events.registry import load_contracts
from gateway import asyncapi, catalogue

ROOT = Path(__file__).resolve().parent.parent


def test_the_event_catalogue_matches_the_registry():
    generated = catalogue.markdown(asyncapi.build(load_contracts()))
    assert (ROOT / "docs" / "events.md").read_text() == generated, "run `make docs`"
