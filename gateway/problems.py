"""The gateway's own problems (RFC 9457), beside those of the chassis."""

from starlette.types import Receive, Scope, Send

from chassis.http.problems import Problem, ServiceUnavailable, render


class UnsafePath(Problem):
    status, slug = 400, "unsafe-path"


class PayloadTooLarge(Problem):
    status, slug = 413, "payload-too-large"


class HeadersTooLarge(Problem):
    status, slug = 431, "headers-too-large"


class BadGateway(Problem):
    status, slug = 502, "bad-gateway"


class UpstreamUnavailable(ServiceUnavailable):
    slug = "upstream-unavailable"


class GatewayTimeout(Problem):
    status, slug = 504, "gateway-timeout"


async def send_problem(problem: Problem, scope: Scope, receive: Receive, send: Send) -> int:
    """Answer with `problem` from ASGI middleware (outside FastAPI's exception handlers)."""
    await render(problem, scope["path"])(scope, receive, send)
    return problem.status
