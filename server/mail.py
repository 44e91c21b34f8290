"""Outgoing e-mail through the SMTP server named by PLAZA_SMTP_URL, in the user's language."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from server.i18n import translate
from server.settings import Settings


def compose(settings: Settings, to: str, locale: str, key: str, **params: object) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = translate(locale, f"mail.{key}.subject", **params)
    message.set_content(translate(locale, f"mail.{key}.body", **params))
    return message


def _send(settings: Settings, message: EmailMessage) -> None:
    url = urlsplit(settings.smtp_url)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "127.0.0.1", url.port or 25, timeout=30) as smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)


async def send(settings: Settings, message: EmailMessage) -> bool:
    """Send if an SMTP server is configured; returns whether it was sent."""
    if not settings.smtp_url:
        return False
    await asyncio.to_thread(_send, settings, message)
    return True
