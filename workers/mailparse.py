"""Parsing one raw e-mail into the intake's `InboundMail`: sender, text, attachments (stored), loop and spam signs.

Lenient by design: broken headers, unknown charsets and bad MIME become defects and replaced characters, never
an exception that would stop the mailbox.
"""

from __future__ import annotations

import email
import hashlib
import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from appeals.mail_intake import InboundMail, SavedFile

AUTO_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce")
AUTO_SUBJECTS = ("auto:", "автовідповідь", "автоответ", "out of office", "undeliverable", "delivery status notification", "недоставлено")
SPAM_WORDS = ("viagra", "casino", "казино", "лотере", "виграли", "крипто", "bitcoin", "заробіток без вкладень")
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://", re.I)


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the modern parser cannot read
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _sender(message: Message) -> tuple[str, str]:
    name, address = parseaddr(_header(message, "From"))
    return (address.strip() if "@" in address else ""), name.strip()


def _decode(payload: bytes, charset: str | None) -> str:
    """Bytes in the declared charset; an unknown or lying charset falls back to UTF-8, then CP1251, with replacements."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    lenient = payload.decode("utf-8", errors="replace")
    return lenient if lenient.count("\ufffd") <= max(2, len(lenient) // 50) else payload.decode("cp1251", errors="replace")


def _text_of(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, UnicodeError, ValueError, AssertionError):
        content = None
    if not isinstance(content, str):
        payload = part.get_payload(decode=True)
        content = _decode(payload, part.get_content_charset()) if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        content = html.unescape(_TAG.sub(" ", re.sub(r"(?is)<(script|style).*?</\1>", " ", content)))
        content = re.sub(r"[ \t]+", " ", content)
    return re.sub(r"\n{3,}", "\n\n", content.replace("\r\n", "\n")).strip()


def _body(message: EmailMessage) -> str:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, AttributeError):
        body = None
    if body is None:
        if message.get_content_maintype() == "text":
            return _text_of(message)
        return ""
    return _text_of(body)


def _store(data_dir: Path, part: Message) -> SavedFile:
    payload = part.get_payload(decode=True)
    content = payload if isinstance(payload, bytes) else b""
    digest = hashlib.sha256(content).hexdigest()
    relpath = f"attachments/{digest[:2]}/{digest}"
    target = data_dir / relpath
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    filename = (part.get_filename() or "вкладення.bin").replace("/", "_")[:255]
    return SavedFile(filename=filename, content_type=part.get_content_type()[:120], size=len(content), sha256=digest, relpath=relpath)


def _is_auto(message: Message, sender: str, subject: str) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    return (
        (auto != "" and auto != "no")
        or bool(_header(message, "X-Autoreply") or _header(message, "X-Autorespond") or _header(message, "X-Callcenter-Notification"))
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or _header(message, "Return-Path") == "<>"
        or sender.split("@")[0].lower().startswith(AUTO_SENDERS)
        or subject.lower().startswith(AUTO_SUBJECTS)
        or message.get_content_type() == "multipart/report"
    )


def _is_spam(message: Message, subject: str, text: str) -> bool:
    if _header(message, "X-Spam-Flag").upper().startswith("YES") or _header(message, "X-Spam-Status").lower().startswith("yes"):
        return True
    try:
        if float(_header(message, "X-Spam-Score") or 0) >= 5:
            return True
    except ValueError:
        pass
    low = f"{subject}\n{text}".lower()
    return len(_URL.findall(text)) > 10 or sum(w in low for w in SPAM_WORDS) >= 2


def _defects(message: Message) -> list[str]:
    found = [type(d).__name__ for d in message.defects]
    for part in message.walk():
        found += [type(d).__name__ for d in part.defects if part is not message]
    return sorted(set(found))


def parse_message(raw: bytes, *, data_dir: Path, arrived_at: datetime | None = None, headers_only: bool = False) -> InboundMail:
    """The intake's view of a message; attachments are written under `data_dir` (by content hash)."""
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)  # noqa: S101 - the default policy builds EmailMessage
    sender, name = _sender(message)
    subject = _header(message, "Subject")[:300]
    text = "" if headers_only else _body(message)
    attachments = [] if headers_only else [_store(data_dir, p) for p in message.iter_attachments()]
    received = arrived_at
    if received is None:
        try:
            received = parsedate_to_datetime(_header(message, "Date"))
        except (TypeError, ValueError, IndexError):
            received = None
    if received is None or received.tzinfo is None:
        received = (received or datetime.now(UTC)).replace(tzinfo=UTC)
    return InboundMail(
        message_id=_header(message, "Message-ID")[:300],
        sender=sender[:254],
        sender_name=name[:200],
        subject=subject,
        text=text[:100_000],
        received_at=received,
        size=len(raw),
        in_reply_to=_header(message, "In-Reply-To")[:300],
        auto_reply=_is_auto(message, sender, subject),
        spam=_is_spam(message, subject, text),
        defects=_defects(message),
        attachments=attachments,
    )
