"""The seeded admin's development password never reaches production."""

import pytest
from pydantic import ValidationError

from services.users.settings import Settings


def test_production_refuses_the_development_admin_password(monkeypatch):
    monkeypatch.delenv("FLYWHEEL_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("FLYWHEEL_ENV", "production")
    with pytest.raises(ValidationError, match="FLYWHEEL_ADMIN_PASSWORD"):
        Settings()
    monkeypatch.setenv("FLYWHEEL_ADMIN_PASSWORD", "a long secret from the vault")
    assert Settings().admin_password == "a long secret from the vault"


def test_development_keeps_the_printed_default(monkeypatch):
    monkeypatch.delenv("FLYWHEEL_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("FLYWHEEL_ENV", raising=False)
    assert Settings().admin_password == "flywheel-admin"
