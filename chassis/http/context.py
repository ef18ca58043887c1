"""Request context middleware: request id in and out, access metrics, access log."""

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis import metrics
from chassis.http.problems import unexpected
from chassis.ids import new_id
from chassis.logs import current_request_id

log = logging.getLogger("flywheel.access")
REQUEST_ID = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_QUIET = {"/healthz", "/readyz", "/metrics"}


class RequestContext:
    """Pure ASGI middleware, so it costs little on every request."""

    def __init__(self, app: ASGIApp, *, service: str, prefix: str = "") -> None:
        self.app = app
        self.service = service
        self.prefix = prefix  # where the service's routers are mounted (`/api/v1/<service>`)
        self._series: dict[tuple[str, str, int], tuple] = {}

    def _observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        # Labelled children are cached: `.labels()` on every request costs more than the count.
        series = self._series.get((method, route, status))
        if series is None:
            series = self._series[(method, route, status)] = (
                metrics.http_requests.labels(self.service, method, route, str(status)),
                metrics.http_latency.labels(self.service, method, route),
            )
        series[0].inc()
        series[1].observe(elapsed)

    def _route_template(self, scope: Scope) -> str:
        """The matched route's path template, so metrics do not explode with ids, written as
        the OpenAPI document writes it (`{segment_id}`, not `{segment_id:uuid}`). A route of
        an included router knows only its path within the router: the prefix goes first."""
        path = getattr(scope.get("route"), "path_format", None)
        if path is None:
            return "unmatched"
        if (
            self.prefix
            and scope["path"].startswith(self.prefix)
            and not path.startswith(self.prefix)
        ):
            return self.prefix + path
        return path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID.encode())
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else new_id().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answered here, inside the request's context, rather than by Starlette's
            # outermost error middleware: the 500 then carries the request id, and so does
            # the log line with the traceback that the response does not reveal.
            if responded:
                raise
            log.exception("unexpected error serving %s %s", scope["method"], scope["path"])
            await unexpected(scope["path"])(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = self._route_template(scope)
            method = scope["method"]
            self._observe(method, route, status, elapsed)
            if scope["path"] not in _QUIET:
                log.info(
                    "%s %s %d",
                    method,
                    scope["path"],
                    status,
                    extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
                )
            current_request_id.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None
