"""Attributes read out of a searched query, without I/O: which of its words are values the
catalog knows (颜色=绿 in 绿色 保温杯, 容量=1l in 1L thermos), and what is left of it (the
product asked for), so that a search that found nothing clusters with the wants of the same
thing.

The vocabulary is the attribute names and values the catalog knows: those its products vary
by and those customers asked for in their wants. Words and values are compared as search text
is (`search.text.normalize`: 綠 is 绿, 1L is 1l) and without spaces, over up to three
consecutive query words (jieba cuts 深空灰 into 深空 灰). A value matches with or without one
of the suffixes Chinese puts on such words (绿色 is 绿, 大号 is 大), and a quantity in Chinese
units matches the same in Latin ones (1升 is 1l, 500毫升 is 500ml)."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from services.catalog.search.text import normalize

SPAN = 3  # consecutive words a value may take
SUFFIXES = ("色", "号", "款")  # 绿色 = 绿, 大号 = 大, 新款 stays 新款 unless 新 is a value
FILLER = frozenset({"的", "和", "与", "带", "有"})  # 红色的保温杯: 的 asks for nothing
# Units after a number, longest first (毫升 before 升): 1升 is 1l; 升级 is no unit.
UNITS = (("毫升", "ml"), ("千克", "kg"), ("公斤", "kg"), ("升", "l"), ("克", "g"))
_UNIT = re.compile(r"(?<=\d)(" + "|".join(chinese for chinese, _ in UNITS) + ")")


def _compact(text: str) -> str:
    return normalize(text).replace(" ", "")


def _spelling(text: str) -> str:
    """How a value or a run of query words is compared: compact, units in Latin letters."""
    return _UNIT.sub(lambda m: dict(UNITS)[m.group(1)], text.replace(" ", ""))


def _forms(value: str) -> set[str]:
    """The ways a query may spell a value: itself, and with or without a suffix."""
    forms = {value}
    for suffix in SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix):
            forms.add(value[: -len(suffix)])
        else:
            forms.add(value + suffix)
    return forms


@dataclass(frozen=True)
class ReadQuery:
    """What a query asks for: attribute values by name, and the words that are not one."""

    attributes: dict[str, str]
    words: tuple[str, ...]


@dataclass
class Vocabulary:
    """The attribute names and values known, by how a query may spell each value."""

    names: set[str] = field(default_factory=set)
    # a spelling → {name: the value as known}; an exact spelling before a suffixed one
    exact: dict[str, dict[str, str]] = field(default_factory=dict)
    loose: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, declared: Iterable[Mapping[str, str | Iterable[str]]]) -> "Vocabulary":
        """From attribute declarations: a product's ({"颜色": ["红", "蓝"]}) or a want's
        ({"颜色": "绿"})."""
        known = cls()
        for attributes in declared:
            for name, values in attributes.items():
                name = normalize(name)
                if not name:
                    continue
                for value in [values] if isinstance(values, str) else values:
                    # kept as clusters keep it (`normalize`), found by its compact spelling
                    value = normalize(value)
                    if not value:
                        continue
                    known.names.add(name.replace(" ", ""))
                    spelling = _spelling(value)
                    known.exact.setdefault(spelling, {})[name] = value
                    for form in _forms(spelling) - {spelling}:
                        known.loose.setdefault(form, {})[name] = value
        return known

    def _named(self, spelling: str, mentioned: set[str]) -> tuple[str, str] | None:
        """The (name, value) a spelling stands for: exact spellings first; a value known
        under several names only if the query names one of them (颜色 绿)."""
        for table in (self.exact, self.loose):
            candidates = table.get(spelling)
            if not candidates:
                continue
            if len(candidates) == 1:
                return next(iter(candidates.items()))
            named = [(n, v) for n, v in candidates.items() if n.replace(" ", "") in mentioned]
            return named[0] if len(named) == 1 else None
        return None

    def read(self, tokens: Iterable[str]) -> ReadQuery:
        """The query's attribute values (the longest spans first, left to right; one value
        per name, a second stays a word) and the rest of its words; names given before or
        after their value (颜色 绿) and filler words (的) are not words of the product."""
        words = [w for w in (_compact(t) for t in tokens) if w]
        mentioned = {w for w in words if w in self.names}
        found: dict[str, str] = {}
        left: list[str] = []
        i = 0
        while i < len(words):
            for width in range(min(SPAN, len(words) - i), 0, -1):
                match = self._named(_spelling("".join(words[i : i + width])), mentioned)
                if match is not None and match[0] not in found:
                    found[match[0]] = match[1]
                    i += width
                    break
            else:
                left.append(words[i])
                i += 1
        named = {name.replace(" ", "") for name in found}
        rest = tuple(w for w in left if w not in FILLER and w not in named)
        return ReadQuery(attributes=found, words=rest)
