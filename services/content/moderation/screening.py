"""Screening a post's text against the banned-words list: which field holds which term."""

from collections.abc import Iterable
from dataclasses import dataclass

from services.content.moderation.filter import BannedWords, Match, Severity


@dataclass(frozen=True)
class Finding:
    field: str  # the draft's field, e.g. "title", "images.2.caption"
    match: Match

    def as_flag(self) -> dict:
        return {
            "field": self.field,
            "term": self.match.term,
            "found": self.match.found,
            "severity": self.match.severity.value,
        }


def screen(words: BannedWords, texts: Iterable[tuple[str, str]]) -> list[Finding]:
    """Every banned word in `texts` (pairs of field and text), in field order."""
    return [Finding(field, match) for field, text in texts for match in words.find(text)]


def first_block(findings: Iterable[Finding]) -> Finding | None:
    return next((f for f in findings if f.match.severity is Severity.BLOCK), None)
