"""The AsyncAPI 3.0 document of Flywheel's domain events, built from the event registry, and
the reading of its payload schemas that the event pages and the catalogue share."""

from dataclasses import dataclass
from typing import Any

from pydantic.json_schema import models_json_schema

from chassis.events.envelope import CONTENT_TYPE, CloudEvent
from chassis.events.registry import EventRegistry

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SCHEMA_REF = "#/components/schemas/"
DESCRIPTION = """\
Domain events of the Flywheel platform. Every message is a CloudEvents 1.0 envelope in
structured JSON mode (`application/cloudevents+json`): the event type names the service, the
aggregate, what happened and the payload version (`flywheel.<service>.<aggregate>.<verb>.vN`),
and `data` holds the payload. A topic carries the events of one aggregate; the Kafka key is the
aggregate's id (also in `subject`), so the events of one aggregate arrive in order. A breaking
change to a payload is a new version, published beside the old one for a deprecation window;
an optional field may be added within a version, so consumers ignore fields they do not know.
Delivery is at least once: consumers deduplicate by the envelope's `id`."""


def build(events: EventRegistry, *, broker: str | None = None) -> dict[str, Any]:
    specs = events.all()
    refs, definitions = models_json_schema(
        [(CloudEvent, "validation"), *((spec.model, "validation") for spec in specs)],
        ref_template=SCHEMA_REF + "{model}",
    )
    envelope_ref = refs[(CloudEvent, "validation")]
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in events.topics():
        on_topic = [spec for spec in specs if spec.topic == topic]
        channels[topic] = {
            "address": topic,
            "title": topic,
            "description": f"Events of the {on_topic[0].service} service, keyed by "
            f"`{on_topic[0].key}`.",
            "messages": {
                spec.type: {"$ref": f"#/components/messages/{spec.type}"} for spec in on_topic
            },
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"publish-{topic}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "summary": f"The {on_topic[0].service} service publishes on {topic}.",
            "messages": [{"$ref": f"#/channels/{topic}/messages/{spec.type}"} for spec in on_topic],
        }
        for spec in on_topic:
            messages[spec.type] = {
                "name": spec.type,
                "title": spec.model.__name__,
                "summary": spec.summary,
                "contentType": CONTENT_TYPE,
                "tags": [{"name": spec.service}],
                "x-version": spec.version,
                "payload": {
                    "allOf": [
                        envelope_ref,
                        {
                            "type": "object",
                            "required": ["type", "source", "subject", "data"],
                            "properties": {
                                "type": {"const": spec.type},
                                "source": {"const": f"/flywheel/{spec.service}"},
                                "subject": {
                                    "type": "string",
                                    "description": f"The aggregate's id: the payload's "
                                    f"`{spec.key}`, also the Kafka key.",
                                },
                                "data": refs[(spec.model, "validation")],
                            },
                        },
                    ]
                },
                "bindings": {
                    "kafka": {
                        "key": {"type": "string", "description": f"The payload's `{spec.key}`."},
                        "bindingVersion": KAFKA_BINDING_VERSION,
                    }
                },
            }
    document: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "Flywheel domain events", "version": "1.0.0", "description": DESCRIPTION},
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"schemas": definitions.get("$defs", {}), "messages": messages},
    }
    if broker:
        document["servers"] = {
            "kafka": {"host": broker, "protocol": "kafka", "description": "Flywheel's Kafka."}
        }
    return document


@dataclass(frozen=True)
class PayloadField:
    name: str
    type: str
    required: bool
    description: str


def payload_schema_name(message: dict[str, Any]) -> str:
    """The component name of a message's payload (`data`) schema."""
    ref = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
    return ref.removeprefix(SCHEMA_REF)


def fields(document: dict[str, Any], schema_name: str) -> list[PayloadField]:
    schema = document["components"]["schemas"][schema_name]
    required = set(schema.get("required", ()))
    return [
        PayloadField(name, type_name(prop), name in required, prop.get("description", ""))
        for name, prop in schema.get("properties", {}).items()
    ]


def nested_schemas(document: dict[str, Any], schema_name: str) -> list[str]:
    """The named schemas a schema uses, directly or deeper, in order of first use."""
    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
                name = ref.removeprefix(SCHEMA_REF)
                if name not in found and name != schema_name:
                    found.append(name)
                    visit(document["components"]["schemas"].get(name, {}))
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(document["components"]["schemas"][schema_name])
    return found


def type_name(schema: dict[str, Any]) -> str:
    """A short readable name of a JSON schema's type: `array of Line`, `string (uuid) | null`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return " | ".join(type_name(option) for option in schema[combinator])
    if "const" in schema:
        return repr(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {type_name(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {type_name(schema['additionalProperties'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)
