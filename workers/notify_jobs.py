"""Delivering notifications (queue `notify`), at least once, each attempt claimed in the database first.

The one window that can send twice: the mail server accepted the message (crash point `notify.sent`) and the
process died before recording it. The re-run sends the same message with the same Message-ID, which mail
clients fold into one. A crash before the send (`notify.claimed`) sends it exactly once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.models import Executor, Notification, NotificationChannel, NotificationStatus, Role, User
from appeals.notifications import SUPERVISORS
from workers.context import JobContext, current
from workers.faults import crash_point
from workers.mailer import DeliveryError, build_email, mail_domain, message_id_for, valid_addresses
from workers.webhooks import executor_secret, post_webhook

logger = logging.getLogger(__name__)
FINAL = (NotificationStatus.sent, NotificationStatus.cancelled, NotificationStatus.failed)


def email_recipients(session: Session, ctx: JobContext, recipient: str) -> list[str]:
    """Addresses for a recipient; `@supervisors` is the dispatch mailbox, else every active supervisor's e-mail."""
    if recipient != SUPERVISORS:
        return valid_addresses(recipient)
    if ctx.settings.supervisor_email:
        return valid_addresses(ctx.settings.supervisor_email)
    emails = session.exec(
        select(User.email).where(User.role == Role.supervisor, col(User.is_active).is_(True), col(User.email).is_not(None))
    ).all()
    return valid_addresses(", ".join(e for e in emails if e))


def _send(ctx: JobContext, session: Session, note: Notification) -> None:
    if note.channel is NotificationChannel.email:
        recipients = email_recipients(session, ctx, note.recipient)
        if not recipients:
            raise DeliveryError(f"no valid e-mail address in {note.recipient!r}", transient=False)
        ctx.mailer.send(build_email(note, recipients, sender=ctx.settings.mail_from, console_url=ctx.settings.public_url))
    elif note.channel is NotificationChannel.sms:
        ctx.sms.send(note.recipient, note.body, message_key=note.message_id or str(note.id))
    else:
        executor = session.get(Executor, note.executor_id) if note.executor_id else None
        if executor is None:
            raise DeliveryError("webhook without an executor", transient=False)
        post_webhook(
            note.recipient,
            {**note.payload, "delivery_id": note.id},
            secret=executor_secret(ctx.secret_key, executor.code),
            delivery_id=str(note.id),
            now=note.created_at,
            timeout=ctx.settings.webhook_timeout_seconds,
        )


AUTO_REPLY_KINDS = ("citizen_ack", "citizen_notice", "mail_rejected", "executor_mail_error")


def _loop_guard(session: Session, ctx: JobContext, note: Notification) -> bool:
    """Automatic replies to one address are capped per day, so two auto-responders cannot ping-pong forever."""
    if note.channel is not NotificationChannel.email or (note.payload or {}).get("auto_submitted") != "auto-replied":
        return False
    since = ctx.now() - timedelta(days=1)
    sent = session.exec(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.recipient == note.recipient,
            Notification.status == NotificationStatus.sent,
            col(Notification.sent_at) >= since,
            col(Notification.kind).in_(AUTO_REPLY_KINDS),
        )
    ).one()
    return int(sent) >= ctx.settings.mail_auto_replies_per_day


def deliver(notification_id: int) -> str:
    """Send one notification unless it already went out; transient failures raise (rq retries with backoff)."""
    ctx = current()
    with ctx.session() as session:
        note = session.get(Notification, notification_id)
        if note is None:
            return "missing"
        if note.status in FINAL:
            return note.status.value
        if _loop_guard(session, ctx, note):
            note.status, note.last_error = NotificationStatus.cancelled, "loop guard: enough automatic replies to this address today"
            session.commit()
            return note.status.value
        note.status, note.attempts = NotificationStatus.sending, note.attempts + 1
        note.message_id = note.message_id or message_id_for(note, mail_domain(ctx.settings.mail_from))
        session.commit()
        crash_point("notify.claimed")
        try:
            _send(ctx, session, note)
        except DeliveryError as exc:
            note.last_error = str(exc)[:500]
            note.status = NotificationStatus.pending if exc.transient else NotificationStatus.failed
            session.commit()
            logger.warning(
                "notification not delivered", extra={"event_data": {"notification_id": notification_id, "error": note.last_error}}
            )
            if exc.transient:
                raise
            return note.status.value
        crash_point("notify.sent")
        note.status, note.sent_at, note.last_error = NotificationStatus.sent, ctx.now(), ""
        session.commit()
        logger.info(
            "notification delivered",
            extra={"event_data": {"notification_id": notification_id, "kind": note.kind, "channel": note.channel.value}},
        )
        return "sent"
