"""Queueing notifications: one row per message and recipient, idempotent by key, delivered by the `notify` queue.

A notification is written in the transaction of the change that causes it, together with its delivery job in
the outbox, so neither is lost if Redis or the worker is down at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from appeals.messages import IssueFacts, Text
from appeals.models import (
    Appeal,
    AppealForm,
    AppealSubject,
    Category,
    Channel,
    Citizen,
    CitizenPhone,
    EmergencyClass,
    Executor,
    Issue,
    Notification,
    NotificationChannel,
    OutboxMessage,
    Street,
)
from appeals.phones import display_phone
from appeals.views import current_due, format_address

SUPERVISORS = "@supervisors"
"""A symbolic e-mail recipient, resolved at delivery to the dispatch mailbox or the active supervisors."""
NOTIFY_QUEUE = "notify"
DELIVER_JOB = "workers.notify_jobs.deliver"
DELIVERY_RETRY = (5, 30, 120, 600, 1800)


def enqueue_delivery(session: Session, notification_id: int, *, now: datetime) -> None:
    """The delivery job in the outbox (committed with the caller's transaction); its id makes it run once at a time."""
    session.add(
        OutboxMessage(
            kind="job",
            topic=NOTIFY_QUEUE,
            payload={"func": DELIVER_JOB, "args": [notification_id], "job_id": f"notify-{notification_id}", "retry": list(DELIVERY_RETRY)},
            created_at=now,
        )
    )


def queue_notification(
    session: Session,
    *,
    kind: str,
    channel: NotificationChannel,
    recipient: str | None,
    dedup_key: str,
    now: datetime,
    text: Text | None = None,
    payload: dict[str, Any] | None = None,
    appeal_id: int | None = None,
    issue_id: int | None = None,
    executor_id: int | None = None,
) -> Notification | None:
    """The notification for `dedup_key`, created once (flushed, not committed); None when there is nobody to tell."""
    if not recipient:
        return None
    existing = session.exec(select(Notification).where(Notification.dedup_key == dedup_key)).first()
    if existing is not None:
        return existing
    body = ((text.short or text.subject) if channel is NotificationChannel.sms else text.body) if text else ""
    note = Notification(
        dedup_key=dedup_key[:160],
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=(text.subject if text else "")[:300],
        body=body,
        payload=payload or {},
        appeal_id=appeal_id,
        issue_id=issue_id,
        executor_id=executor_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(note)
    except IntegrityError:
        return session.exec(select(Notification).where(Notification.dedup_key == dedup_key)).one()
    enqueue_delivery(session, note.id or 0, now=now)
    return note


def is_mobile(number: str | None) -> bool:
    """A number an SMS can reach (Ukrainian and foreign mobiles; landlines and short numbers cannot)."""
    if not number or not number.startswith("+"):
        return False
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@dataclass(frozen=True)
class CitizenContact:
    email: str | None
    sms: str | None


def citizen_contact(session: Session, appeal: Appeal) -> CitizenContact:
    """Where the applicant is told things: e-mail for written/electronic appeals (or on request), SMS to a mobile."""
    if appeal.subject is AppealSubject.anonymous:
        return CitizenContact(None, None)
    citizen = session.get(Citizen, appeal.citizen_id) if appeal.citizen_id else None
    email = appeal.reply_email or (citizen.email if citizen else None)
    mobile = appeal.caller if is_mobile(appeal.caller) else None
    if mobile is None and citizen is not None:
        phones = session.exec(select(CitizenPhone.phone).where(CitizenPhone.citizen_id == citizen.id).order_by(col(CitizenPhone.id))).all()
        mobile = next((p for p in phones if is_mobile(p)), None)
    wants_email = appeal.form is not AppealForm.oral or appeal.reply_channel == "email"
    use_email = email if (wants_email or mobile is None) else None
    use_sms = mobile if (appeal.form is AppealForm.oral or use_email is None) else None
    return CitizenContact(use_email, use_sms)


def reply_headers(appeal: Appeal) -> dict[str, Any]:
    """An automatic reply to an e-mail appeal threads under the citizen's message and says it is automatic."""
    if appeal.channel is not Channel.email or not appeal.source_ref:
        return {}
    return {"in_reply_to": appeal.source_ref, "auto_submitted": "auto-replied"}


def notify_citizen(
    session: Session,
    appeal: Appeal,
    text: Text,
    *,
    kind: str,
    key: str,
    now: datetime,
    issue_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> list[Notification]:
    """Tell the applicant by every contact `citizen_contact` chooses; `key` names the occasion (dedup)."""
    contact = citizen_contact(session, appeal)
    out = []
    for channel, recipient in ((NotificationChannel.email, contact.email), (NotificationChannel.sms, contact.sms)):
        note = queue_notification(
            session,
            kind=kind,
            channel=channel,
            recipient=recipient,
            dedup_key=f"{key}:{channel.value}",
            now=now,
            text=text,
            payload=payload if channel is NotificationChannel.email else None,
            appeal_id=appeal.id,
            issue_id=issue_id,
        )
        if note is not None:
            out.append(note)
    return out


def issue_facts(session: Session, issue: Issue, appeal: Appeal, *, with_contact: bool = False) -> IssueFacts:
    """The facts a message states about an issue (the phone only when the crew may need it)."""
    category = session.get(Category, issue.category_id) if issue.category_id else None
    street = session.get(Street, issue.street_id) if issue.street_id else None
    emergency = category is not None and category.emergency_class is not EmergencyClass.normal
    contact = display_phone(appeal.caller) if (with_contact or emergency) and appeal.caller else ""
    return IssueFacts(
        number=f"{appeal.number}/{issue.seq}" if appeal.number else f"#{issue.id}",
        category=category.name if category else "—",
        address=format_address(street, issue.house, issue.flat, issue.address_text),
        description=issue.description,
        due_at=min(filter(None, (issue.sla_due_at, current_due(issue))), default=None),
        emergency=category is not None and category.emergency_class is EmergencyClass.emergency,
        issue_id=issue.id or 0,
        contact=contact,
    )


def executor_name(executor: Executor | None) -> str:
    return (executor.short_name or executor.name) if executor else "виконавець"
