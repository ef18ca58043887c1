"""Message templates: the welcome message, with and without a name; the password reset."""

from datetime import UTC, datetime

import pytest

from services.engagement.templates import Template, password_reset, welcome


def test_welcome_addresses_the_user_by_name():
    message = welcome("  Mei  ")
    assert message.template is Template.WELCOME
    assert message.title == "Welcome to Flywheel, Mei!"
    assert message.body


@pytest.mark.parametrize("display_name", [None, "", "   "])
def test_welcome_without_a_name_stays_polite(display_name):
    assert welcome(display_name).title == "Welcome to Flywheel!"


def test_a_password_reset_carries_the_token_and_until_when_it_works():
    message = password_reset("tok-123", datetime(2026, 12, 1, 15, 30, tzinfo=UTC))
    assert message.template is Template.PASSWORD_RESET
    assert "tok-123" in message.body
    assert "2026-12-01 15:30 UTC" in message.body
