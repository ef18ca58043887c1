"""The mailer against the development SMTP sink, over real SMTP."""

import aiosmtplib
import pytest

from chassis.broker import free_port
from chassis.ids import new_id
from chassis.mail import Email, Mailer, MailRejected
from chassis.mailbox import Mailbox
from chassis.settings import ServiceSettings

SENDER = "Flywheel <no-reply@flywheel.local>"


def _email(**fields) -> Email:
    return Email(
        **{
            "id": str(new_id()),
            "to": f"{new_id().hex}@example.com",
            "subject": "Hi",
            "text": "Hello.\n",
        }
        | fields
    )


async def test_a_plain_text_email_arrives_with_a_message_id_made_from_its_id(mailbox):
    mailer = Mailer(mailbox.host, mailbox.port, SENDER)
    email = _email(subject="Grüße, Mei", text="Thanks for joining.\n")

    message_id = await mailer.send(email)

    assert message_id == f"<{email.id}@flywheel.local>"
    (received,) = mailbox.messages(to=email.to)
    assert received["Message-ID"] == message_id
    assert (received["From"], received["To"]) == (SENDER, email.to)
    assert received["X-MailFrom"] == "no-reply@flywheel.local"
    assert received["Subject"] == "Grüße, Mei"
    assert received["Date"] is not None
    assert not received.is_multipart()
    assert received.get_content() == "Thanks for joining.\n"


async def test_an_html_part_comes_as_an_alternative_to_the_text(mailbox):
    email = _email(html="<p>Hello.</p>")
    await Mailer(mailbox.host, mailbox.port, SENDER).send(email)

    (received,) = mailbox.messages(to=email.to)
    assert received.get_content_type() == "multipart/alternative"
    assert received.get_body(("plain",)).get_content() == "Hello.\n"
    assert received.get_body(("html",)).get_content() == "<p>Hello.</p>\n"


async def test_sending_again_repeats_the_message_id_so_the_receiver_can_drop_it(mailbox):
    mailer = Mailer(mailbox.host, mailbox.port, SENDER)
    email = _email()
    await mailer.send(email)
    await mailer.send(email)
    first, second = mailbox.messages(to=email.to)
    assert first["Message-ID"] == second["Message-ID"]


async def test_no_server_is_an_error_to_retry_and_a_bad_address_is_refused_for_good(mailbox):
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await Mailer(mailbox.host, free_port(), SENDER).send(_email())
    with pytest.raises(MailRejected):
        await Mailer(mailbox.host, mailbox.port, SENDER).send(_email(to="mei@@example.com"))


async def test_the_sink_keeps_its_mail_and_port_across_a_restart(tmp_path):
    email = _email()
    with Mailbox(tmp_path) as sink:
        mailer = Mailer(sink.host, sink.port, SENDER)
        await mailer.send(email)
        sink.stop()
        with pytest.raises(aiosmtplib.SMTPConnectError):
            await mailer.send(email)
        sink.start()
        await mailer.send(email)
        assert len(sink.messages()) == 2
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".eml", ".eml"]


def test_the_mailer_takes_its_server_and_sender_from_the_settings():
    settings = ServiceSettings(
        smtp_host="smtp.example.com",
        smtp_port=587,
        smtp_username="flywheel",
        smtp_password="s3cret",
        mail_from="Shop <shop@example.com>",
    )
    mailer = Mailer.from_settings(settings)
    assert (mailer.host, mailer.port, mailer.sender) == (
        "smtp.example.com",
        587,
        "Shop <shop@example.com>",
    )
    assert (mailer.username, mailer.password) == ("flywheel", "s3cret")
    assert "s3cret" not in repr(settings)
    assert mailer.message_id("abc") == "<abc@example.com>"
