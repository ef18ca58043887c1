"""The banned-words filter: Chinese and English terms, found through inserted spaces,
punctuation and full-width letters, shown as written; Latin words only as whole words."""

import pytest

from services.content.moderation.filter import BannedWords, Severity, Term, verdict

WORDS = BannedWords(
    [
        Term("法轮功", Severity.BLOCK),
        Term("假货", Severity.FLAG),
        Term("scam", Severity.FLAG),
        Term("Free Money", Severity.BLOCK),
        Term("ass", Severity.FLAG),
    ]
)


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("这是假货吗", "假货", "假货"),
        ("这是假 货吗", "假货", "假 货"),
        ("这是假、货吗", "假货", "假、货"),
        ("这是假·货", "假货", "假·货"),
        ("法 轮 功", "法轮功", "法 轮 功"),
        ("法-轮_功!", "法轮功", "法-轮_功"),
        ("It is a scam.", "scam", "scam"),
        ("It is a S.C.A.M!", "scam", "S.C.A.M"),
        ("s c a m", "scam", "s c a m"),
        ("\uff53\uff43\uff41\uff4d", "scam", "\uff53\uff43\uff41\uff4d"),  # full-width
        ("SCAM", "scam", "SCAM"),
        ("get free money now", "Free Money", "free money"),
        ("get freemoney now", "Free Money", "freemoney"),
        ("get f*r*e*e m.o.n.e.y", "Free Money", "f*r*e*e m.o.n.e.y"),
    ],
)
def test_a_term_is_found_through_separators_and_shown_as_written(text, term, found):
    (match,) = WORDS.find(text)
    assert (match.term, match.found, text[match.start : match.start + len(found)]) == (
        term,
        found,
        found,
    )


@pytest.mark.parametrize("text", ["a class act", "scammer", "passport", "正品保证", "", "   "])
def test_clean_text_and_words_that_merely_contain_a_term_pass(text):
    assert WORDS.find(text) == []
    assert verdict(WORDS.find(text)) is None


def test_the_strongest_severity_decides():
    matches = WORDS.find("假货 and 法轮功")
    assert {m.term for m in matches} == {"假货", "法轮功"}
    assert verdict(matches) is Severity.BLOCK
    assert verdict(WORDS.find("假货")) is Severity.FLAG


def test_a_term_listed_twice_keeps_its_stricter_severity():
    words = BannedWords([Term("bad", Severity.BLOCK), Term("B A D", Severity.FLAG)])
    assert [m.severity for m in words.find("so bad")] == [Severity.BLOCK]


def test_an_empty_list_finds_nothing():
    assert BannedWords([]).find("法轮功") == []
