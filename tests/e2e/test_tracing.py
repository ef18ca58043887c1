"""One trace follows an order placement from the gateway through orders and the outbox to
every service that consumed its event (OpenTelemetry, in-memory exporter)."""

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from stack import ADMIN, Platform

from chassis import tracing
from chassis.broker import TansuBroker
from chassis.testing import ServiceServer, eventually
from contracts import load_contracts
from contracts.manifest import NAMES
from gateway.app import create_app
from gateway.settings import GatewaySettings

PLACED = "flywheel.orders.order.placed.v1"


def consumers_of(platform: Platform, event_type: str) -> set[str]:
    """The services running a handler of `event_type` (catch-all handlers included)."""
    return {
        name
        for name, server in platform.servers.items()
        for consumer in server.app.state.runtime.consumers
        for handler in consumer.handlers
        if handler.types is None or event_type in handler.types
    }


@pytest.fixture(scope="module")
async def traced(tmp_path_factory):
    """Services and a gateway built with tracing on, and what they export."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    databases = tmp_path_factory.mktemp("traced")
    try:
        with TansuBroker(topics=load_contracts().topics()) as broker:
            platform = Platform(broker, lambda name: f"sqlite+aiosqlite:///{databases / name}.db")
            for service in NAMES:  # users first: the others fetch its signing keys
                await platform.start(service)
            for server in platform.servers.values():
                await server.app.state.runtime.broker_started.wait()
            settings = GatewaySettings(
                database_url=f"sqlite+aiosqlite:///{databases / 'gateway'}.db",
                upstreams={name: server.url for name, server in platform.servers.items()},
                jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
            )
            gateway = await ServiceServer(create_app(settings)).start()
            yield platform, gateway, exporter
            await gateway.stop()
            await platform.stop()
    finally:
        tracing.install(None)


async def test_an_order_placement_is_one_trace_across_every_service(traced):
    platform, gateway, exporter = traced
    admin = await platform.token(ADMIN["email"], ADMIN["password"])
    async with platform.client("catalog", admin) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products",
            json={"name": "Oolong", "price": {"amount": 5600, "currency": "CNY"}},
        )
    assert created.status_code == 201, created.text
    _, token = await platform.customer()
    body = {"lines": [{"product_id": created.json()["id"], "quantity": 1}]}
    async with platform.client("orders", token) as orders:
        await eventually(  # orders learns the product from catalog's event first
            lambda: _status(orders.post("/api/v1/orders/orders", json=body), 201), within=20
        )
    exporter.clear()
    client = platform.client("orders", token)
    client.base_url = gateway.url
    async with client:
        placed = await client.post("/api/v1/orders/orders", json=body)
    assert placed.status_code == 201, placed.text

    edge = next(
        s
        for s in exporter.get_finished_spans()
        if s.kind == SpanKind.SERVER and s.attributes.get(tracing.SERVICE) == "gateway"
    )
    trace_id = edge.context.trace_id

    every_consumer = consumers_of(platform, PLACED)
    assert {"catalog", "campaigns", "users", "analytics"} <= every_consumer

    async def consumed() -> set[str]:
        spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
        handled = {
            s.attributes[tracing.SERVICE]
            for s in spans
            if s.kind == SpanKind.CONSUMER and s.attributes["cloudevents.event_type"] == PLACED
        }
        return handled if handled >= every_consumer else set()

    await eventually(consumed, within=20)
    spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
    served = {s.attributes.get(tracing.SERVICE) for s in spans if s.kind == SpanKind.SERVER}
    assert {"gateway", "orders"} <= served
    orders_span = next(
        s
        for s in spans
        if s.kind == SpanKind.SERVER and s.attributes.get(tracing.SERVICE) == "orders"
    )
    # The service's span is a child of the gateway's, not a trace of its own.
    assert orders_span.parent is not None
    assert orders_span.parent.span_id in {s.context.span_id for s in spans}


async def _status(request, expected: int) -> bool:
    return (await request).status_code == expected
