"""The `/events` page: the AsyncAPI document rendered as one self-contained HTML page."""

import re
from html import escape
from typing import Any

from gateway import asyncapi

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #dde3ee;padding-bottom:.3rem}
h3{margin-top:1.6rem}code{background:#f1f4f9;padding:.1rem .3rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem}
th,td{border:1px solid #dde3ee;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fc}nav ul{columns:2}.muted{color:#5b6475}
"""
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
_CODE = re.compile(r"`([^`]+)`")


def _text(markdown: str) -> str:
    """Escaped text, with the `code` spans of descriptions shown as code."""
    return _CODE.sub(r"<code>\1</code>", escape(markdown))


def render(document: dict[str, Any]) -> str:
    messages = document["components"]["messages"]
    info = document["info"]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        f"<title>{escape(info['title'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(info['title'])}</h1>",
        f"<p class=muted>AsyncAPI {escape(document['asyncapi'])} · machine-readable at "
        "<a href='/asyncapi.json'>/asyncapi.json</a> · HTTP APIs at <a href='/docs'>/docs</a></p>",
        "".join(f"<p>{_text(p)}</p>" for p in info["description"].split("\n\n")),
    ]
    channels = document["channels"]
    if not channels:
        parts.append("<p><em>No events are declared yet.</em></p>")
    else:
        parts.append("<nav><h2>Topics</h2><ul>")
        parts += [f"<li><a href='#{escape(t)}'><code>{escape(t)}</code></a></li>" for t in channels]
        parts.append("</ul></nav>")
    for topic, channel in channels.items():
        types = [ref["$ref"].rsplit("/", 1)[-1] for ref in channel["messages"].values()]
        parts += [
            f"<h2 id='{escape(topic)}'><code>{escape(topic)}</code></h2>",
            f"<p>{_text(channel['description'])}</p>",
            "<table><tr><th>event type</th><th>version</th><th>Kafka key</th><th>summary</th></tr>",
        ]
        for name in types:
            message = messages[name]
            parts.append(
                f"<tr><td><a href='#{escape(name)}'><code>{escape(name)}</code></a></td>"
                f"<td>{message['x-version']}</td>"
                f"<td>{_text(message['bindings']['kafka']['key']['description'])}</td>"
                f"<td>{_text(message['summary'])}</td></tr>"
            )
        parts.append("</table>")
        for name in types:
            schema = asyncapi.payload_schema_name(messages[name])
            parts += [
                f"<h3 id='{escape(name)}'><code>{escape(name)}</code></h3>",
                f"<p>{_text(messages[name]['summary'])}</p>",
                f"<p>Payload <code>{escape(schema)}</code>, the envelope's <code>data</code>:</p>",
                _table(document, schema),
            ]
            for nested in asyncapi.nested_schemas(document, schema):
                parts += [f"<p><code>{escape(nested)}</code>:</p>", _table(document, nested)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(document: dict[str, Any], schema: str) -> str:
    if not asyncapi.fields(document, schema):  # an enum or another schema without properties
        return f"<p>{escape(asyncapi.type_name(document['components']['schemas'][schema]))}</p>"
    rows = "".join(
        f"<tr><td><code>{escape(f.name)}</code></td><td>{escape(f.type)}</td>"
        f"<td>{'yes' if f.required else 'no'}</td><td>{escape(f.description)}</td></tr>"
        for f in asyncapi.fields(document, schema)
    )
    return (
        "<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>"
        f"{rows}</table>"
    )
