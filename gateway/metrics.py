"""Prometheus metrics of the gateway, by route and upstream (beside the chassis's own)."""

from prometheus_client import Counter, Gauge, Histogram

requests = Counter(
    "flywheel_gateway_requests_total",
    "Requests the gateway answered for a routed path, by outcome",
    ["route", "upstream", "method", "status"],
)
upstream_latency = Histogram(
    "flywheel_gateway_upstream_duration_seconds",
    "Time from sending a request upstream to its response headers",
    ["upstream"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
upstream_failures = Counter(
    "flywheel_gateway_upstream_failures_total",
    "Requests that got no answer from an upstream, by reason",
    ["upstream", "reason"],
)
retries = Counter(
    "flywheel_gateway_retries_total", "Idempotent requests retried once", ["upstream"]
)
breaker_state = Gauge(
    "flywheel_gateway_breaker_open",
    "Circuit breaker of an upstream: 0 closed, 0.5 half-open, 1 open",
    ["upstream"],
)
rate_limited = Counter(
    "flywheel_gateway_rate_limited_total", "Requests refused with 429", ["rate_class"]
)
ratelimit_backend_errors = Counter(
    "flywheel_gateway_ratelimit_backend_errors_total",
    "Redis failures during rate limiting (the request was limited in process instead)",
)
