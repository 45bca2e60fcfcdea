"""Deliver the briefing where people read: by e-mail (HTML with a plain-text alternative)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


class DeliveryError(RuntimeError):
    pass


def briefing_message(settings, day: str, markdown: str, html: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Your news briefing for {day}"
    message["From"] = settings.mail_from
    message["To"] = ", ".join(a.strip() for a in (settings.mail_to or "").split(",") if a.strip())
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="news-assistant.local")
    message.set_content(markdown)
    message.add_alternative(html, subtype="html")
    return message


def send_briefing(settings, day: str, markdown: str, html: str, timeout: float = 30.0) -> str:
    """Mail the briefing to `mail_to`; returns a one-line report, raises DeliveryError with the reason."""
    if not settings.smtp_host or not settings.mail_to:
        raise DeliveryError("mail is not set up: set smtp_host and mail_to")
    message = briefing_message(settings, day, markdown, html)
    try:
        if settings.smtp_ssl:
            client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        with client:
            if settings.smtp_starttls:
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                client.login(settings.smtp_username, settings.smtp_password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"cannot send mail through {settings.smtp_host}:{settings.smtp_port} ({exc})") from None
    return f"mailed the briefing for {day} to {message['To']}"
