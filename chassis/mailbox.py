"""A local SMTP sink: the email server of development and tests (DESIGN.md section 5).

It accepts every message sent to 127.0.0.1:`port` and writes it to `directory` as an .eml
file (named by a time-ordered id, so names sort by arrival), with the SMTP envelope in
`X-MailFrom` and `X-RcptTo` headers on top. `make run` keeps them in var/mail/.
"""

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from chassis.broker import HOST, free_port
from chassis.ids import new_id


class _Spool:
    """The aiosmtpd handler: one file per message, written whole before it is visible."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        trace = f"X-MailFrom: {envelope.mail_from}\nX-RcptTo: {', '.join(envelope.rcpt_tos)}\n"
        content = envelope.original_content.replace(b"\r\n", b"\n")  # a text file to read
        path = self.directory / f"{new_id()}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(trace.encode() + content)
        partial.replace(path)
        return "250 OK: kept as " + path.name


class Mailbox:
    """An SMTP sink on 127.0.0.1:`port` (a free port by default) that can stop and start
    again on the same port, keeping what it received."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self._controller: Controller | None = None

    @property
    def host(self) -> str:
        return HOST

    def start(self) -> None:
        """Listen; returns once the sink answers SMTP."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(_Spool(self.directory), hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """The messages received so far, oldest first; only those for `to` if given."""
        received = [
            message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(self.directory.glob("*.eml"))
        ]
        return [m for m in received if to is None or to in m["X-RcptTo"].split(", ")]

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
