"""Edge guard: header and body size limits before anything else runs, and security headers
on every response."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.http.problems import BadRequest
from gateway.problems import HeadersTooLarge, PayloadTooLarge, send_problem

API_CSP = b"default-src 'none'; frame-ancestors 'none'"


class EdgeGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_header_bytes: int,
        max_header_count: int,
        hsts_seconds: int,
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.max_header_count = max_header_count
        self.security_headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", API_CSP),
        ]
        if hsts_seconds:
            self.security_headers.append(
                (
                    b"strict-transport-security",
                    f"max-age={hsts_seconds}; includeSubDomains".encode(),
                )
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_security_headers(send)
        headers = scope["headers"]
        if (
            len(headers) > self.max_header_count
            or sum(len(name) + len(value) for name, value in headers) > self.max_header_bytes
        ):
            detail = (
                f"Request headers exceed {self.max_header_count} fields "
                f"or {self.max_header_bytes} bytes."
            )
            await send_problem(HeadersTooLarge(detail), scope, receive, send)
            return
        length = next((value for name, value in headers if name == b"content-length"), None)
        if length is not None:
            if not length.isdigit():
                await send_problem(BadRequest("Invalid Content-Length."), scope, receive, send)
                return
            if int(length) > self.max_body:
                await send_problem(self._too_large(), scope, receive, send)
                return
        else:
            receive = self._counting(receive)
        await self.app(scope, receive, send)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The request body exceeds {self.max_body} bytes.")

    def _counting(self, receive: Receive) -> Receive:
        """A body without Content-Length (chunked) is counted as it streams in."""
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise self._too_large()
            return message

        return counted

    def _with_security_headers(self, send: Send) -> Send:
        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self.security_headers if h[0] not in present]
                message["headers"] = headers
            await send(message)

        return secured
