"""The documents the gateway builds: the merged OpenAPI and the AsyncAPI of the events, with
the event catalogue and page made from it."""

import re
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from chassis.events.envelope import EventData
from chassis.events.registry import EventRegistry, EventSpec
from gateway import asyncapi, eventdocs, eventspage
from gateway.openapi import merge
from gateway.routes import ROUTES, RoutingTable

TABLE = RoutingTable(ROUTES)


def _service(name: str, schema: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": name, "version": "1"},
        "paths": {
            f"/api/v1/{name}/things": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            }
                        }
                    }
                }
            },
            "/healthz": {"get": {"responses": {}}},
            "/metrics": {"get": {"responses": {}}},
        },
        "components": {
            "schemas": {
                "Thing": schema,
                "Shared": {"type": "string"},
                "Box": {"properties": {"thing": {"$ref": "#/components/schemas/Thing"}}},
            }
        },
        "tags": [{"name": name}],
    }


OWN = {"openapi": "3.1.0", "info": {"title": "Flywheel API", "version": "1"}, "paths": {}}


def test_merge_takes_only_service_paths_and_renames_colliding_schemas():
    catalog = _service("catalog", {"properties": {"sku": {"type": "string"}}})
    orders = _service("orders", {"properties": {"total": {"type": "integer"}}})
    merged = merge(OWN, {"orders": orders, "catalog": catalog}, TABLE)
    assert set(merged["paths"]) == {"/api/v1/catalog/things", "/api/v1/orders/things"}
    schemas = merged["components"]["schemas"]
    assert set(schemas) == {"Thing", "Shared", "Box", "orders_Thing", "orders_Box"}
    assert schemas["Thing"]["properties"] == {"sku": {"type": "string"}}
    assert schemas["orders_Box"]["properties"]["thing"]["$ref"].endswith("/orders_Thing")
    ref = merged["paths"]["/api/v1/orders/things"]["get"]["responses"]["200"]
    assert ref["content"]["application/json"]["schema"]["$ref"].endswith("/orders_Thing")
    assert [t["name"] for t in merged["tags"]] == ["catalog", "orders"]
    assert OWN["paths"] == {}  # the gateway's own document is left as it was


def test_merge_names_missing_services_and_annotates_policies():
    catalog = _service("catalog", {"type": "object"})
    merged = merge(OWN, {"catalog": catalog, "orders": None}, TABLE)
    assert "orders" in merged["info"]["description"]
    operation = merged["paths"]["/api/v1/catalog/things"]["get"]
    assert operation["x-gateway"]["policy"] == "customer"
    assert {"partnerKey": []} in operation["security"]


class Line(BaseModel):
    sku: str
    quantity: int = Field(description="How many units")


class Channel(StrEnum):
    WEB = "web"
    APP = "app"


class OrderPlaced(EventData):
    """An order was placed by a customer."""

    order_id: UUID
    channel: Channel
    lines: list[Line]
    placed_at: datetime
    note: str | None = None


class OrderCancelled(EventData):
    """An order was cancelled."""

    order_id: UUID


def _registry() -> EventRegistry:
    events = EventRegistry()
    for type_, model in (
        ("flywheel.orders.order.placed.v1", OrderPlaced),
        ("flywheel.orders.order.cancelled.v1", OrderCancelled),
    ):
        events.register(EventSpec(type_, "flywheel.orders.order", "order_id", model, model.__doc__))
    return events


def test_asyncapi_has_a_channel_per_topic_with_cloudevents_messages():
    document = asyncapi.build(_registry(), broker="kafka:9092")
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["kafka"]["protocol"] == "kafka"
    channel = document["channels"]["flywheel.orders.order"]
    assert channel["address"] == "flywheel.orders.order"
    assert set(channel["messages"]) == {
        "flywheel.orders.order.placed.v1",
        "flywheel.orders.order.cancelled.v1",
    }
    operation = document["operations"]["publish-flywheel.orders.order"]
    assert operation["action"] == "send"
    message = document["components"]["messages"]["flywheel.orders.order.placed.v1"]
    assert message["contentType"] == "application/cloudevents+json"
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    envelope, specific = message["payload"]["allOf"]
    assert envelope == {"$ref": "#/components/schemas/CloudEvent"}
    assert specific["properties"]["type"] == {"const": "flywheel.orders.order.placed.v1"}
    assert specific["properties"]["data"] == {"$ref": "#/components/schemas/OrderPlaced"}
    schemas = document["components"]["schemas"]
    assert {"CloudEvent", "OrderPlaced", "OrderCancelled", "Line"} <= set(schemas)


def test_payload_fields_read_types_for_people():
    document = asyncapi.build(_registry())
    fields = {f.name: f for f in asyncapi.fields(document, "OrderPlaced")}
    assert fields["order_id"].type == "string (uuid)"
    assert fields["lines"].type == "array of Line"
    assert fields["note"].type == "string | null"
    assert not fields["note"].required
    assert asyncapi.nested_schemas(document, "OrderPlaced") == ["Channel", "Line"]
    assert asyncapi.fields(document, "Line")[1].description == "How many units"


def test_catalogue_has_a_section_per_topic_with_event_and_field_tables():
    text = eventdocs.markdown(asyncapi.build(_registry()))
    assert "## `flywheel.orders.order`" in text
    assert "| `flywheel.orders.order.placed.v1` | 1 | The payload's `order_id`. |" in text
    assert "### `flywheel.orders.order.cancelled.v1`" in text
    assert "| `note` | string \\| null | no |" in text
    assert "| `quantity` | integer | yes | How many units |" in text
    assert "`Channel`:\n\none of 'web', 'app'" in text


def test_events_page_is_self_contained_and_escaped():
    events = _registry()
    events.register(
        EventSpec(
            "flywheel.orders.note.added.v1",
            "flywheel.orders.note",
            "order_id",
            OrderCancelled,
            "<script>alert(1)</script>",
        )
    )
    page = eventspage.render(asyncapi.build(events))
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "flywheel.orders.order.placed.v1" in page
    assert "http" not in page.replace("href='/", "")


def test_catalogue_without_events_says_so():
    assert "No events are declared yet." in eventdocs.markdown(asyncapi.build(EventRegistry()))


def test_free_text_path_parameters_say_what_the_edge_refuses_in_them():
    catalog = _service("catalog", {"type": "object"})
    parameters = [
        {"name": "topic", "in": "path", "required": True, "schema": {"type": "string"}},
        {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        },
        {"name": "q", "in": "query", "schema": {"type": "string"}},
    ]
    catalog["paths"]["/api/v1/catalog/things"]["get"]["parameters"] = parameters
    merged = merge(OWN, {"catalog": catalog}, TABLE)
    topic, id_, q = merged["paths"]["/api/v1/catalog/things"]["get"]["parameters"]
    segment = re.compile(topic["schema"]["pattern"])
    assert segment.match("茶室 & 布置")
    assert not any(segment.match(f"a{c}b") for c in ("\x7f", "\x00", "\x1f", "/", "\\"))
    assert "pattern" not in id_["schema"]  # a UUID's format already keeps it clean
    assert "pattern" not in q["schema"]  # the query string is not the path
    assert "pattern" not in parameters[0]["schema"]  # the service's document is left alone
