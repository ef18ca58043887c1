"""Sending email over SMTP: to a relay or provider in production, to the dev sink otherwise.

The development and test sink is `chassis.mailbox` (DESIGN.md section 5).
"""

from dataclasses import dataclass
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from chassis.clock import now
from chassis.settings import ServiceSettings

TIMEOUT = 10.0


@dataclass(frozen=True)
class Email:
    """One message to one recipient.

    `id` stays the same each time the same message is sent again (a retry): the Message-ID
    is made from it, so a receiver can drop a repeat."""

    id: str
    to: str
    subject: str
    text: str
    html: str | None = None


class MailRejected(Exception):
    """The server refused the message for good (a 5xx reply to its recipient or its content):
    sending it again cannot succeed. Any other error is worth retrying."""


class Mailer:
    """Sends each email over its own SMTP connection (STARTTLS when the server offers it)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "Mailer":
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password and settings.smtp_password.get_secret_value(),
        )

    def message_id(self, email_id: str) -> str:
        return f"<{email_id}@{self.domain}>"

    def compose(self, email: Email) -> EmailMessage:
        message = EmailMessage()
        message["Message-ID"] = self.message_id(email.id)
        message["Date"] = format_datetime(now())
        message["From"] = self.sender
        message["To"] = Address(addr_spec=email.to)
        message["Subject"] = email.subject
        message.set_content(email.text)
        if email.html is not None:
            message.add_alternative(email.html, subtype="html")
        return message

    async def send(self, email: Email) -> str:
        """Send `email`; return its Message-ID. Raises MailRejected, or the error to retry."""
        try:
            message = self.compose(email)
        except (ValueError, IndexError, MessageError) as error:  # an address no header can hold
            raise MailRejected(f"cannot address {email.to!r}: {error!r}") from error
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                timeout=TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            if all(refused.code >= 500 for refused in error.recipients):
                raise MailRejected(str(error)) from error
            raise
        except aiosmtplib.SMTPDataError as error:
            if error.code >= 500:
                raise MailRejected(str(error)) from error
            raise
        return self.message_id(email.id)
