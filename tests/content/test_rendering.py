"""Markdown rendering: what authors write survives, scripts, event handlers and dangerous URLs
never do (known XSS payloads, after the OWASP filter-evasion cheat sheet)."""

from html.parser import HTMLParser

import pytest

from services.content.posts.rendering import render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<IMG SRC="javascript:alert(1);">',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<IMG SRC=`javascript:alert(1)`>",
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC="jav&#x0A;ascript:alert(1);">',
    "<IMG SRC=" + "".join(f"&#{ord(c)};" for c in "javascript:alert(1)") + ">",
    '<img src=x onerror="alert(1)">',
    "<img src=x oNeRrOr=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href=" &#14;  javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](<javascript:alert(1)>)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "[a]: javascript:alert(1)\n\n[click][a]",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    "<body onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<p title="</p><script>alert(1)</script>">x</p>',
    "```\n</code><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
]
DANGEROUS_TAGS = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "button",
    "meta", "link", "base", "body", "details", "frame", "frameset",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background"}


class _Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def _scheme(url: str) -> str:
    # Browsers drop whitespace and control characters inside a scheme.
    squeezed = "".join(c for c in url if c > " ").lower()
    return squeezed.split(":", 1)[0] if ":" in squeezed else ""


def _unsafe(html: str) -> list[str]:
    """What in `html` could run script in a browser."""
    parsed = _elements(html)
    found = [f"<{tag}>" for tag in DANGEROUS_TAGS.intersection(parsed.tags)]
    for name, value in parsed.attributes:
        if name.startswith("on") or name == "style":
            found.append(name)
        elif name in URL_ATTRIBUTES and _scheme(value) not in {"", "http", "https", "mailto"}:
            found.append(f"{name}={value}")
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives(payload):
    assert _unsafe(render(payload)) == []


@pytest.mark.parametrize("payload", PAYLOADS[:16])
def test_the_payloads_are_dangerous_unsanitized(payload):
    """The check above can fail: the renderer's own output, unsanitized, trips it."""
    from markdown_it import MarkdownIt

    raw = MarkdownIt("commonmark", {"html": True}).render(payload)
    assert _unsafe(raw) != [] or "javascript" in raw.lower()


def test_what_authors_write_survives():
    html = render(
        "# 夏日穿搭\n\nA **bold** [link](https://shop.example/p/1) and ![look](https://cdn.example/a.jpg)"
        "\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h1>夏日穿搭</h1>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://shop.example/p/1"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert 'src="https://cdn.example/a.jpg"' in html
    assert "<li>two</li>" in html
    assert "<td>2</td>" in html


def test_code_shows_markup_as_text():
    assert "&lt;script&gt;" in render("`<script>alert(1)</script>`")
