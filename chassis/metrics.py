"""Prometheus metrics of the chassis, labelled by service (one registry per process)."""

from prometheus_client import Counter, Enum, Gauge, Histogram

http_requests = Counter(
    "flywheel_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
http_latency = Histogram(
    "flywheel_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
outbox_backlog = Gauge("flywheel_outbox_backlog", "Outbox rows not yet published", ["service"])
outbox_oldest_age = Gauge(
    "flywheel_outbox_oldest_pending_age_seconds",
    "How long the oldest unpublished outbox row has waited (0 when none waits)",
    ["service"],
)
broker_up = Gauge(
    "flywheel_broker_up", "1 if the broker answered the last readiness check", ["service"]
)
consumer_state = Enum(
    "flywheel_consumer_state",
    "State of a consumer group's consumer",
    ["service", "group"],
    states=["starting", "joining", "running", "reconnecting"],
)
events_published = Counter(
    "flywheel_events_published_total", "Events published from the outbox", ["service", "topic"]
)
events_consumed = Counter(
    "flywheel_events_consumed_total",
    "Events handled by consumers, by outcome",
    ["service", "group", "outcome"],
)
consumer_lag = Gauge(
    "flywheel_consumer_lag",
    "Messages behind the partition end",
    ["service", "group", "topic", "partition"],
)
dlq_messages = Counter(
    "flywheel_dlq_messages_total",
    "Messages sent to a dead-letter topic",
    ["service", "group", "reason"],
)
email_pending = Gauge(
    "flywheel_email_pending", "Emails recorded and not yet sent (nor refused)", ["service"]
)
