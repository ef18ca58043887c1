"""A flash session's life as pure rules: catalog's answers decide whether it is on sale, and
each way it ends leaves only the states it may."""

import pytest

from services.campaigns.flash.lifecycle import (
    ENDS_FROM,
    FINAL,
    HoldState,
    SessionState,
    after_answers,
    not_sellable,
    refusal,
)

H, R, P = HoldState.HELD, HoldState.REFUSED, HoldState.PENDING


@pytest.mark.parametrize(
    ("holds", "state"),
    [
        ([H], SessionState.HELD),
        ([H, H, H], SessionState.HELD),
        ([P], SessionState.PENDING),
        ([H, P], SessionState.PENDING),
        ([], SessionState.PENDING),
        ([R], SessionState.REFUSED),
        ([H, R], SessionState.REFUSED),
        ([P, R, H], SessionState.REFUSED),
    ],
)
def test_on_sale_once_every_item_is_held_refused_at_the_first_refusal(holds, state):
    assert after_answers(holds) == state


def test_only_a_held_session_is_sellable_and_the_others_say_why():
    assert not_sellable(SessionState.HELD, "s") is None
    reasons = {state: not_sellable(state, "s") for state in SessionState if state != "held"}
    assert "not on sale yet" in reasons[SessionState.PENDING]
    assert "could not set its stock aside" in reasons[SessionState.REFUSED]
    assert "cancelled" in reasons[SessionState.CANCELLED]
    assert "not open" in reasons[SessionState.ENDED]


def test_each_end_leaves_only_live_states_and_is_never_left():
    live = {SessionState.PENDING, SessionState.HELD}
    assert set(ENDS_FROM) == FINAL
    assert all(set(leaves) <= live for leaves in ENDS_FROM.values())
    # A held session was not refused: its every item was held already.
    assert ENDS_FROM[SessionState.REFUSED] == (SessionState.PENDING,)


def test_the_refusal_names_the_sku_and_what_the_catalog_had():
    assert refusal("sku-1", 5, 3) == (
        "SKU sku-1: catalog could set aside 3 of the 5 units asked (0: unknown or not listed)"
    )
    assert "aside 0 of the 5" in refusal("sku-1", 5, None)
