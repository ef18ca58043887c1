"""The banned-words filter: Aho-Corasick over text with its separators taken out.

Writers dodge a list by putting spaces or punctuation between the characters of a word
("f.u.c.k", "法 轮 功", "法-轮-功"), or by writing it in full-width letters. So text and terms
are both folded (NFKC, case-folded) and stripped of whitespace, punctuation and symbols,
and the automaton runs once over what is left; a map back to the original text gives the
moderator the span as it was written. A Latin term must also stand as a word in the
original text, so that "ass" is not found in "class".
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import ahocorasick


class Severity(StrEnum):
    FLAG = "flag"  # goes through, shown to the moderator
    BLOCK = "block"  # refused until changed


@dataclass(frozen=True)
class Term:
    text: str
    severity: Severity


@dataclass(frozen=True)
class Match:
    term: str
    severity: Severity
    found: str  # the span as written, separators included
    start: int  # index in the original text


def fold(text: str) -> tuple[str, list[int]]:
    """`text` folded and without separators, with the original index of each character."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if _is_separator(piece):
                continue
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def _is_separator(char: str) -> bool:
    return unicodedata.category(char)[0] in "ZPSC"


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class BannedWords:
    """An automaton built once from the operators' list; `find` is pure and thread-safe."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._automaton = ahocorasick.Automaton()
        for term in terms:
            key, _ = fold(term.text)
            if not key:
                continue
            known = self._automaton.get(key, None)
            # The same folded word listed twice keeps its stricter severity.
            if known is None or term.severity is Severity.BLOCK:
                self._automaton.add_word(key, (len(key), term))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Match]:
        if self._empty or not text:
            return []
        folded, origin = fold(text)
        matches: list[Match] = []
        for end, (length, term) in self._automaton.iter(folded):
            start, stop = origin[end - length + 1], origin[end] + 1
            if _latin(term.text) and not _stands_alone(text, start, stop):
                continue
            matches.append(Match(term.text, term.severity, text[start:stop], start))
        return matches


def _latin(term: str) -> bool:
    return any(_is_word_char(c) for c in term) and all(c.isascii() for c in term)


def _stands_alone(text: str, start: int, stop: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[stop] if stop < len(text) else " "
    return not _is_word_char(before) and not _is_word_char(after)


def verdict(matches: Iterable[Match]) -> Severity | None:
    """The strongest severity among `matches`, None when the text is clean."""
    severities = {match.severity for match in matches}
    if Severity.BLOCK in severities:
        return Severity.BLOCK
    return Severity.FLAG if severities else None
