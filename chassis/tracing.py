"""Tracing with OpenTelemetry: one trace follows a command through the outbox to every
consumer, and on through the events those consumers publish.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set (then spans go out over OTLP/HTTP, named by
`OTEL_SERVICE_NAME` or the service) or a test has installed a tracer provider (`install`);
while off, no middleware is installed and no span is made, so the hot paths pay nothing.
The provider is this module's, not OpenTelemetry's process-wide one, so a test can turn
tracing on for the apps it builds and off again. The
context travels over HTTP in `traceparent` and in each event as the CloudEvents
`traceparent` extension attribute, written into the envelope when the event is staged.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind

SERVICE = "flywheel.service"  # the span's service: one process may run several in tests
_provider: TracerProvider | None = None


def install(provider: TracerProvider | None) -> None:
    """Trace the apps built from now on with `provider` (None: stop tracing new ones)."""
    global _provider
    _provider = provider


def enabled(service: str) -> bool:
    """Whether spans are recorded; installs the OTLP exporter at the first call of a process
    where the endpoint is set."""
    if _provider is not None:
        return True
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME") or f"flywheel-{service}"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    install(provider)
    return True


def asgi_middleware(service: str):
    """The ASGI middleware (class, options) that makes a server span per request, or None
    while tracing is off."""
    if not enabled(service):
        return None
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    def tag(span, scope) -> None:
        if span.is_recording():
            span.set_attribute(SERVICE, service)

    return OpenTelemetryMiddleware, {"server_request_hook": tag, "tracer_provider": _provider}


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the span now active, to carry on; None outside a trace."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def consuming(
    traceparent: str | None, *, event_type: str, topic: str, service: str, group: str
) -> Iterator[None]:
    """A consumer span for handling one event, child of the span that staged it."""
    if _provider is None:
        yield
        return
    parent = propagate.extract({"traceparent": traceparent}) if traceparent else None
    with _provider.get_tracer("flywheel").start_as_current_span(
        f"{group} handle {event_type}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            SERVICE: service,
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.consumer.group.name": group,
            "cloudevents.event_type": event_type,
        },
    ):
        yield
