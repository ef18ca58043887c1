"""Message templates: the welcome message, with and without a name."""

import pytest

from services.engagement.templates import Template, welcome


def test_welcome_addresses_the_user_by_name():
    message = welcome("  Mei  ")
    assert message.template is Template.WELCOME
    assert message.title == "Welcome to Flywheel, Mei!"
    assert message.body


@pytest.mark.parametrize("display_name", [None, "", "   "])
def test_welcome_without_a_name_stays_polite(display_name):
    assert welcome(display_name).title == "Welcome to Flywheel!"
