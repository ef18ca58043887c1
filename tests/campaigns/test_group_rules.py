"""Share codes of group buys: unambiguous, unguessable in form, read back as typed."""

from services.campaigns.groups import rules


def test_a_share_code_is_eight_unambiguous_characters():
    codes = {rules.share_code() for _ in range(2_000)}
    assert len(codes) == 2_000  # drawn, not counted
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(rules.CODE_ALPHABET)
        assert not set(code) & set("01OIL")


def test_a_typed_code_is_read_back_in_any_case_and_spacing():
    code = rules.share_code()
    assert rules.normal_code(f"  {code.lower()} ") == code
    assert rules.normal_code(code) == code


def test_text_that_cannot_be_a_code_is_none():
    assert rules.normal_code("ABC") is None
    assert rules.normal_code("ABCDEFGH9") is None
    assert rules.normal_code("ABCDEFG0") is None  # 0 is not in the alphabet
    assert rules.normal_code("ABCDEF-H") is None
