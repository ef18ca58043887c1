"""Which requests the gateway writes to its access log.

Every service logs each request it serves, under the same X-Request-ID the gateway sends,
so a gateway line for a forwarded success repeats what the service wrote. What only the
gateway knows are the requests it answered itself or that went wrong (401, 403, 429, 503,
504...) and the slow ones; by default it logs those, which takes a JSON line off the
edge's hot path. `GATEWAY_ACCESS_LOG=all` logs every request.
"""

import logging

ACCESS_LOGGER = "flywheel.access"  # the logger of chassis.http.context.RequestContext


class ProblemsAndSlowOnly(logging.Filter):
    def __init__(self, slow_ms: float) -> None:
        super().__init__()
        self.slow_ms = slow_ms

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status", 500)
        return status >= 400 or getattr(record, "duration_ms", 0.0) >= self.slow_ms


def apply(policy: str, slow_ms: float) -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    for existing in [f for f in logger.filters if isinstance(f, ProblemsAndSlowOnly)]:
        logger.removeFilter(existing)
    if policy == "problems":
        logger.addFilter(ProblemsAndSlowOnly(slow_ms))
