"""The event catalogue `docs/events.md`, generated from the event registry.

`python -m gateway.eventdocs` prints it; `--write` writes it to docs/events.md.
"""

import sys
from pathlib import Path
from typing import Any

from contracts import load_contracts
from gateway import asyncapi

TARGET = Path(__file__).resolve().parent.parent / "docs" / "events.md"


def markdown(document: dict[str, Any]) -> str:
    messages = document["components"]["messages"]
    lines = [
        "# Event catalogue",
        "",
        "Generated from the event registry by `python -m gateway.eventdocs --write`; do not "
        "edit by hand. The same contract is served as AsyncAPI 3.0 by the gateway at "
        "`/asyncapi.json` and readable at `/events`.",
        "",
        document["info"]["description"],
        "",
    ]
    if not document["channels"]:
        lines += ["No events are declared yet.", ""]
    for topic, channel in document["channels"].items():
        types = [ref["$ref"].rsplit("/", 1)[-1] for ref in channel["messages"].values()]
        lines += [f"## `{topic}`", "", channel["description"], ""]
        lines += ["| event type | version | Kafka key | summary |", "|---|---|---|---|"]
        for name in types:
            message = messages[name]
            key = _cell(message["bindings"]["kafka"]["key"]["description"])
            summary = _cell(message["summary"])
            lines.append(f"| `{name}` | {message['x-version']} | {key} | {summary} |")
        lines.append("")
        for name in types:
            schema = asyncapi.payload_schema_name(messages[name])
            lines += [f"### `{name}`", "", f"Payload `{schema}`:", ""]
            lines += _table(document, schema)
            for nested in asyncapi.nested_schemas(document, schema):
                lines += [f"`{nested}`:", "", *_table(document, nested)]
    return "\n".join(lines).rstrip() + "\n"


def _table(document: dict[str, Any], schema: str) -> list[str]:
    rows = asyncapi.fields(document, schema)
    if not rows:  # an enum or another schema without properties
        return [_cell(asyncapi.type_name(document["components"]["schemas"][schema])), ""]
    return [
        "| field | type | required | description |",
        "|---|---|---|---|",
        *(
            f"| `{f.name}` | {_cell(f.type)} | {'yes' if f.required else 'no'} | "
            f"{_cell(f.description)} |"
            for f in rows
        ),
        "",
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str]) -> None:
    text = markdown(asyncapi.build(load_contracts()))
    if "--write" in argv:
        TARGET.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
