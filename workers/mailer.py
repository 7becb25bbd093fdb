"""Outgoing mail: building the message (deterministic Message-ID) and the transports (SMTP, or the log for the demo)."""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from typing import Literal, Protocol

from appeals.models import Notification
from runtime.log import mask_phone

logger = logging.getLogger(__name__)
_PHONE = re.compile(r"(?<![\w/-])\+?\d[\d ()]{8,}\d")


class DeliveryError(Exception):
    """A message could not be delivered; `transient` ones are retried, the others fail the notification."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class MailTransport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message to the mail system, or raise DeliveryError."""


def mail_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[1] if "@" in address else "localhost"


def message_id_for(note: Notification, domain: str) -> str:
    """Stable for a notification: a re-send after a crash carries the same id, so mail clients fold the copies."""
    tag = hashlib.sha256(note.dedup_key.encode()).hexdigest()[:16]
    return f"<cc.n{note.id}.{tag}@{domain}>"


def build_email(note: Notification, recipients: Sequence[str], *, sender: str, console_url: str) -> EmailMessage:
    """The message for an e-mail notification (plain text, UTF-8)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = note.subject
    message["Date"] = format_datetime(note.created_at)
    message["Message-ID"] = note.message_id or message_id_for(note, mail_domain(sender))
    payload = note.payload or {}
    message["Auto-Submitted"] = str(payload.get("auto_submitted") or "auto-generated")
    if payload.get("in_reply_to"):
        message["In-Reply-To"] = str(payload["in_reply_to"])
        message["References"] = str(payload["in_reply_to"])
    message["X-Callcenter-Notification"] = str(note.id)
    message["X-Callcenter-Kind"] = note.kind
    message.set_content(note.body.replace("{console_url}", console_url.rstrip("/")))
    return message


def valid_addresses(text: str) -> list[str]:
    """The usable addresses in a comma-separated list (anything without a domain is dropped)."""
    out = []
    for _, address in getaddresses([text]):
        try:
            Address(addr_spec=address)
        except (ValueError, IndexError):
            continue
        if "@" in address:
            out.append(address)
    return out


class LogTransport:
    """The demo's mail: written to the log (phone numbers masked), never sent."""

    def send(self, message: EmailMessage) -> None:
        body = message.get_content() if not message.is_multipart() else ""
        logger.info(
            "mail written to the log (mail transport: log)",
            extra={
                "event_data": {
                    "message_id": message["Message-ID"],
                    "to": message["To"],
                    "subject": message["Subject"],
                    "body": _PHONE.sub(lambda m: mask_phone(m.group(0)), str(body))[:4000],
                }
            },
        )


@dataclass(frozen=True)
class SmtpTransport:
    """A real SMTP client (smtplib): plain, STARTTLS or implicit TLS, with optional login."""

    host: str
    port: int
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str = ""
    password: str = ""
    timeout: float = 20.0

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password)
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"all recipients refused: {codes}", transient=all(400 <= c < 500 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:300], transient=exc.smtp_code < 500) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP unavailable: {type(exc).__name__}: {exc}"[:300], transient=True) from exc
        if refused:
            logger.warning("some recipients refused", extra={"event_data": {"refused": len(refused)}})
