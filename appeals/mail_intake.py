"""E-mail intake (pure use cases on a parsed message): a new appeal of channel e-mail, an executor's or a citizen's
reply matched by the registration number in the subject, or a logged non-appeal (auto-reply, spam, malformed).
Idempotent by Message-ID: the same message seen twice is one row and at most one appeal."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import SYSTEM
from appeals.drafts import create_appeal
from appeals.errors import AppealsError
from appeals.mail_replies import handle_reply
from appeals.messages import Text
from appeals.models import Appeal, AppealForm, Attachment, Category, Channel, Citizen, MailMessage, MailOutcome, NotificationChannel
from appeals.notifications import SUPERVISORS, queue_notification
from appeals.registration import register_appeal
from appeals.schemas import AppealCreate, IssueIn

_FIELD = re.compile(r"^\s*(ПІБ|П\.І\.Б\.|Прізвище[^:]*|Адреса[^:]*|Місце проживання)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
FALLBACK_CATEGORY = "other_issue"


@dataclass(frozen=True)
class SavedFile:
    """An attachment already written to storage."""

    filename: str
    content_type: str
    size: int
    sha256: str
    relpath: str


@dataclass(frozen=True)
class InboundMail:
    """What the intake needs from one message (the worker parses MIME into this)."""

    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    received_at: datetime
    size: int
    in_reply_to: str = ""
    auto_reply: bool = False
    spam: bool = False
    defects: list[str] = field(default_factory=list)
    attachments: list[SavedFile] = field(default_factory=list)


def message_key(message_id: str, raw_digest: str) -> str:
    """The dedup key: the Message-ID (normalised), or the raw content's digest when there is none."""
    basis = message_id.strip().strip("<>").lower() or f"raw:{raw_digest}"
    return hashlib.sha256(basis.encode()).hexdigest()


def seen(session: Session, key: str) -> MailMessage | None:
    return session.exec(select(MailMessage).where(MailMessage.message_key == key)).first()


def suggest_category(session: Session, text: str) -> Category | None:
    """The active leaf category whose keywords occur most in the text; the general one when none does."""
    low = text.lower()
    best: tuple[int, Category] | None = None
    for category in session.exec(select(Category).where(col(Category.is_active).is_(True), col(Category.parent_id).is_not(None))).all():
        score = sum(low.count(k.lower()) for k in category.keywords if k.strip())
        if score and (best is None or score > best[0]):
            best = (score, category)
    if best is not None:
        return best[1]
    return session.exec(select(Category).where(Category.code == FALLBACK_CATEGORY, col(Category.is_active).is_(True))).first()


def _fields(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, value in _FIELD.findall(text):
        key = "address" if label.lower().startswith(("адреса", "місце")) else "name"
        out.setdefault(key, value.strip()[:300])
    return out


def _applicant(session: Session, mail: InboundMail) -> tuple[Citizen | None, str, str]:
    citizen = session.exec(select(Citizen).where(func.lower(Citizen.email) == mail.sender.lower()).order_by(col(Citizen.id))).first()
    given = _fields(mail.text)
    display = mail.sender_name if len(mail.sender_name.split()) >= 2 else ""
    name = (citizen.full_name if citizen else "") or given.get("name", "") or display
    address = (citizen.address_text if citizen else "") or given.get("address", "")
    return citizen, name, address


def _log(session: Session, mail: InboundMail, key: str, outcome: MailOutcome, **extra: object) -> MailMessage:
    row = MailMessage(
        message_key=key,
        message_id=mail.message_id[:300],
        sender=mail.sender[:254],
        subject=mail.subject[:300],
        size=mail.size,
        outcome=outcome,
        received_at=mail.received_at,
        **extra,  # type: ignore[arg-type]
    )
    session.add(row)
    session.flush()
    return row


def _draft(
    session: Session, mail: InboundMail, key: str, where: dict[str, object], *, now: datetime, detail: str = ""
) -> tuple[Appeal, MailMessage]:
    """The appeal (a draft), its attachments and the log row, flushed in the caller's transaction."""
    citizen, name, address = _applicant(session, mail)
    category = suggest_category(session, f"{mail.subject}\n{mail.text}")
    description = f"{mail.subject}\n\n{mail.text}".strip()[:20_000] or "(порожній лист)"
    data = AppealCreate(
        channel=Channel.email,
        form=AppealForm.electronic,
        citizen_id=citizen.id if citizen else None,
        applicant_name=name,
        applicant_address=address,
        reply_channel="email",
        reply_email=mail.sender,
        summary=mail.subject[:500],
        source_ref=mail.message_id[:300] or None,
        received_at=mail.received_at,
        issues=[IssueIn(category_id=category.id if category else None, description=description)],
    )
    appeal = create_appeal(session, data, actor=SYSTEM, now=now)
    row = _log(session, mail, key, MailOutcome.appeal, appeal_id=appeal.id, detail=detail, **where)
    for f in mail.attachments:
        session.add(
            Attachment(
                appeal_id=appeal.id or 0,
                mail_id=row.id,
                filename=f.filename,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                relpath=f.relpath,
                created_at=now,
            )
        )
    session.flush()
    return appeal, row


def _new_appeal(session: Session, mail: InboundMail, key: str, where: dict[str, object], *, reg_prefix: str, now: datetime) -> MailMessage:
    """Register it in the same transaction as the log row; what cannot be registered stays a draft for the desk."""
    appeal, row = _draft(session, mail, key, where, now=now)
    try:
        register_appeal(session, appeal.id or 0, actor=SYSTEM, now=now, reg_prefix=reg_prefix)
    except AppealsError as exc:
        session.rollback()
        appeal, row = _draft(session, mail, key, where, now=now, detail=f"чернетка: {exc.message}"[:1000])
        queue_notification(
            session,
            kind="mail_draft",
            channel=NotificationChannel.email,
            recipient=SUPERVISORS,
            dedup_key=f"mail_draft:{key}",
            text=Text(f"Лист не зареєстровано автоматично: {mail.subject[:120]}", f"{exc.message}\nЧернетка звернення #{appeal.id}.\n"),
            now=now,
            appeal_id=appeal.id,
        )
        session.commit()
    session.refresh(row)
    return row


def _non_appeal(mail: InboundMail) -> tuple[MailOutcome, str] | None:
    if mail.auto_reply:
        return MailOutcome.auto_reply, "автовідповідь: без реакції (захист від петель)"
    if mail.spam:
        return MailOutcome.spam, "позначено як спам"
    if "@" not in mail.sender:
        return MailOutcome.malformed, "немає адреси відправника; " + "; ".join(mail.defects)
    return None


def intake_mail(
    session: Session, mail: InboundMail, *, key: str, mailbox: str, uid: int | None, raw_path: str | None, reg_prefix: str, now: datetime
) -> tuple[MailMessage, bool]:
    """Process one message once; returns its log row and whether it was new."""
    existing = seen(session, key)
    if existing is not None:
        return existing, False
    where: dict[str, object] = {"mailbox": mailbox, "uid": uid, "raw_path": raw_path, "processed_at": now}
    verdict = _non_appeal(mail)
    if verdict is not None:
        row = _log(session, mail, key, verdict[0], detail=verdict[1][:1000], **where)
        session.commit()
        return row, True
    reply = handle_reply(session, mail.subject, mail.sender, mail.text, in_reply_to=mail.in_reply_to, now=now)
    if reply is not None:
        outcome, appeal_id, issue_id, detail = reply
        row = _log(session, mail, key, outcome, appeal_id=appeal_id, issue_id=issue_id, detail=detail[:1000], **where)
        for f in mail.attachments:
            session.add(
                Attachment(
                    appeal_id=appeal_id,
                    mail_id=row.id,
                    filename=f.filename,
                    content_type=f.content_type,
                    size=f.size,
                    sha256=f.sha256,
                    relpath=f.relpath,
                    created_at=now,
                )
            )
        session.commit()
        return row, True
    return _new_appeal(session, mail, key, where, reg_prefix=reg_prefix, now=now), True


def appeal_by_number(session: Session, number: str) -> Appeal | None:
    return session.exec(select(Appeal).where(Appeal.number == number)).first()


def record_too_large(
    session: Session, mail: InboundMail, *, key: str, mailbox: str, uid: int | None, limit: int, now: datetime
) -> tuple[MailMessage, bool]:
    """A message over the size limit stays in the mailbox (flagged) for a person; the desk and the sender are told."""
    existing = seen(session, key)
    if existing is not None:
        return existing, False
    megabytes, limit_mb = mail.size / 1_048_576, limit / 1_048_576
    detail = f"лист {megabytes:.1f} МБ більший за межу {limit_mb:.0f} МБ; залишено в скриньці з позначкою"
    row = _log(session, mail, key, MailOutcome.too_large, detail=detail, mailbox=mailbox, uid=uid, processed_at=now)
    desk = Text(f"Завеликий лист у скриньці звернень: {mail.subject[:120]}", f"Від: {mail.sender}\n{detail}. Опрацюйте його вручну.\n")
    queue_notification(
        session,
        kind="mail_too_large",
        channel=NotificationChannel.email,
        recipient=SUPERVISORS,
        dedup_key=f"too_large:{key}:desk",
        text=desk,
        now=now,
    )
    if "@" in mail.sender and not mail.auto_reply:
        reason = (
            f"лист завеликий ({megabytes:.1f} МБ; межа — {limit_mb:.0f} МБ). Надішліть текст звернення окремо, а файли — кількома листами."
        )
        queue_notification(
            session,
            kind="mail_rejected",
            channel=NotificationChannel.email,
            recipient=mail.sender,
            dedup_key=f"too_large:{key}:sender",
            text=messages.mail_rejected(reason),
            payload={"auto_submitted": "auto-replied", **({"in_reply_to": mail.message_id} if mail.message_id else {})},
            now=now,
        )
        row.auto_replied = True
    session.commit()
    return row, True
