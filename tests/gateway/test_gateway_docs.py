"""API documentation at the gateway: merged OpenAPI, Swagger UI offline, AsyncAPI, events."""

import re
import subprocess
import sys
from pathlib import Path

import httpx

from contracts.manifest import NAMES as SERVICES

ROOT = Path(__file__).resolve().parents[2]


async def test_merged_openapi_has_every_service_and_the_gateway(gw_client):
    document = (await gw_client.get("/openapi.json", params={"refresh": True})).json()
    paths = document["paths"]
    for name in SERVICES:
        assert f"/api/v1/{name}/items/{{item_id}}" in paths
    assert "/api/v1/gateway/partners" in paths
    assert "partnerKey" in document["components"]["securitySchemes"]


async def test_schema_names_that_collide_are_prefixed(gw_client):
    document = (await gw_client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    items = sorted(name for name in schemas if name.endswith("Item"))
    assert len(items) == len(SERVICES)  # each service's different `Item` survives
    for name in SERVICES:
        operation = document["paths"][f"/api/v1/{name}/items/{{item_id}}"]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert f"{name}_field" in schemas[ref.rsplit("/", 1)[-1]]["properties"]


async def test_operations_state_the_gateway_policy(gw_client):
    document = (await gw_client.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/orders/items/{item_id}"]["get"]
    assert operation["x-gateway"] == {
        "policy": "customer",
        "rate_class": "default",
        "timeout_seconds": 10.0,
    }


async def test_a_down_service_is_left_out_and_named(gw_stack, gw_gateway):
    async with (
        gw_gateway(upstreams={"engagement": "http://127.0.0.1:9"}) as gateway,
        httpx.AsyncClient(base_url=gateway.url) as client,
    ):
        document = (await client.get("/openapi.json")).json()
    assert "/api/v1/engagement/items/{item_id}" not in document["paths"]
    assert "/api/v1/catalog/items/{item_id}" in document["paths"]
    assert "engagement" in document["info"]["description"]


async def test_swagger_ui_works_offline(gw_client):
    page = await gw_client.get("/docs")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", page.text)
    assert external == []  # every asset comes from the gateway itself
    for asset in re.findall(r"""(?:src|href)=["'](/docs/assets/[^"']+)""", page.text):
        assert (await gw_client.get(asset)).status_code == 200
    script = await gw_client.get("/docs/assets/swagger-ui-bundle.js")
    assert len(script.content) > 500_000


async def test_asyncapi_document_and_its_page(gw_client):
    document = (await gw_client.get("/asyncapi.json")).json()
    assert document["asyncapi"] == "3.0.0"
    assert document["defaultContentType"] == "application/cloudevents+json"
    page = await gw_client.get("/events")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text
    assert re.findall(r"""(?:src|href)=["']https?://""", page.text) == []
    for topic in document["channels"]:
        assert topic in page.text


def test_the_event_docs_print_markdown():
    result = subprocess.run(
        [sys.executable, "-m", "gateway.eventdocs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.startswith("# Event catalogue")
