"""The rules of referrals, pure: codes as typed, self-referral and loops refused."""

import pytest

from chassis.ids import new_id
from services.users.referrals import rules


def test_a_code_is_made_of_the_unambiguous_alphabet_and_read_back_as_typed():
    code = rules.new_code()
    assert rules.well_formed(code)
    assert not set(code) & set("01OIL")
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert rules.normalise(typed) == code
    assert not rules.well_formed(code[:-1])
    assert not rules.well_formed(code[:-1] + "0")


def test_a_claim_of_ones_own_code_or_closing_a_loop_is_refused():
    me, owner, between = new_id(), new_id(), new_id()
    rules.check_claim(me, owner, [])  # nobody referred the owner
    rules.check_claim(me, owner, [between])  # someone else did
    with pytest.raises(rules.Refused, match="own code"):
        rules.check_claim(me, me, [])
    with pytest.raises(rules.Refused, match="referred"):
        rules.check_claim(me, owner, [me])  # I referred the owner: a loop of two
    with pytest.raises(rules.Refused, match="referred"):
        rules.check_claim(me, owner, [between, me])  # I referred who referred the owner
