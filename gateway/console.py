"""The ops console: its static files at /console, beside the proxy and under a content
security policy that lets the page load and call this origin only."""

from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

PATH = "/console"
REPO_DIR = Path(__file__).resolve().parents[1] / "console"
# No inline script or style, no other origin: the console's code, styles, ECharts and its
# API calls all come from the gateway. ECharts styles its elements through the CSSOM, which
# a policy does not govern.
CONSOLE_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    b"frame-ancestors 'none'"
)


class ConsoleFiles:
    """The files of `directory` (`index.html` for a folder), each with the console's policy;
    revalidated on every load so an upgrade of the console is seen at once."""

    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=directory, html=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"content-security-policy", CONSOLE_CSP),
                    (b"cache-control", b"no-cache"),
                ]
            await send(message)

        await self.files(scope, receive, with_policy)
