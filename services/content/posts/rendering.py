"""Markdown to safe HTML: rendered by markdown-it, then sanitized by an allow-list (nh3).

Raw HTML is allowed in the Markdown on purpose, so that the sanitizer, not the renderer's
escaping, is what stands between an author and a reader's browser: one defence, tested
against known payloads, rather than two that each look enough on their own.
"""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")

TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
        "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def render(markdown: str) -> str:
    """The HTML a storefront may insert as it is."""
    return nh3.clean(
        _markdown.render(markdown),
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain(text: str) -> str:
    """Plain text (a comment) as HTML that shows it as written and runs nothing."""
    return nh3.clean_text(text).replace("\n", "<br>")
