"""Search text, without I/O: normalization (full-width, traditional, case), Chinese word
segmentation, and the pinyin that suggestions match.

Text is segmented at index and at query time with the same dictionary (jieba's, through its
Rust port `rjieba`), so a query word matches the words of a document however they are run
together: 保温杯 finds 不锈钢真空保温杯. Documents are cut in search mode (every dictionary
word inside a longer one too: 不锈, 不锈钢, 保温, 保温杯), queries precisely.
"""

import unicodedata

import opencc
import rjieba

MAX_QUERY_TOKENS = 10
MAX_TERM_LENGTH = 40
_TO_SIMPLIFIED = opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """One form for comparing text: full-width to half-width (NFKC), traditional characters to
    simplified (保溫杯 → 保温杯), lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_TO_SIMPLIFIED.convert(text).lower().split())


def _words(tokens: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for token in tokens:
        token = token.strip()
        if token and any(ch.isalnum() for ch in token):
            seen.setdefault(token)
    return list(seen)


def document_tokens(*texts: str) -> list[str]:
    """The words a product is found by, from its name, brand, keywords..."""
    return _words([t for text in texts for t in rjieba.cut_for_search(normalize(text))])


def query_tokens(query: str) -> list[str]:
    """The words of a query, all of which a document must have."""
    return _words(rjieba.cut(normalize(query)))[:MAX_QUERY_TOKENS]


def suggestion_terms(name: str, keywords: list[str]) -> list[str]:
    """What a product offers to the suggestion box: its keywords, the words of its name (two
    characters or more), and its name itself when short."""
    terms = [normalize(k) for k in keywords]
    terms += [t for t in rjieba.cut(normalize(name)) if len(t.strip()) >= 2]
    if len(name) <= MAX_TERM_LENGTH:
        terms.append(normalize(name))
    return [t for t in _words(terms) if len(t) <= MAX_TERM_LENGTH]


def pinyin(term: str) -> tuple[str, str]:
    """A term's full pinyin without tones and its initials: 保温杯 → (baowenbei, bwb); other
    characters are kept (iPhone 杯 → iphonebei, ib)."""
    # Imported on first use: its phrase dictionary takes seconds to load, which the service's
    # start (and `make run`'s) need not wait for.
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(term)).replace(" ", "")
    initials = "".join(
        syllable[0] for syllable in lazy_pinyin(term, style=Style.FIRST_LETTER) if syllable.strip()
    )
    return full.lower(), initials.lower()


def synonym_term(term: str) -> str:
    """A synonym as operators give it, in the form queries are compared in: 手機 → 手机."""
    return normalize(term)


def expand(tokens: list[str], groups: dict[str, list[str]]) -> list[list[str]]:
    """A query's words with their synonyms: for each word, the alternatives any of which a
    document may have (the word first, then the other terms of its group, each as the words
    a query of it would have, space-separated): 手机 with 手机 = 移动电话 → [手机, 移动电话]."""
    expanded = []
    for token in tokens:
        alternatives = [token]
        for term in groups.get(token, []):
            words = " ".join(query_tokens(term))
            if words and words not in alternatives:
                alternatives.append(words)
        expanded.append(alternatives)
    return expanded
