"""Retention (domain.md §2.4, storage limitation): delivered notifications, published outbox rows and the raw copies
of mail that never became an appeal (spam, auto-replies, duplicates) are deleted after their periods."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from appeals.models import MailMessage, MailOutcome, Notification, NotificationStatus, OutboxMessage
from workers.context import current

logger = logging.getLogger(__name__)
OUTBOX_KEEP = timedelta(days=7)
NOT_APPEALS = (MailOutcome.spam, MailOutcome.auto_reply, MailOutcome.duplicate, MailOutcome.malformed)


def purge_expired() -> dict[str, int]:
    ctx = current()
    now = ctx.now()
    with ctx.session() as session:
        notes = session.exec(
            delete(Notification).where(
                col(Notification.status) == NotificationStatus.sent,
                col(Notification.sent_at) < now - timedelta(days=ctx.settings.notification_retention_days),
            )
        )
        outbox = session.exec(
            delete(OutboxMessage).where(col(OutboxMessage.published_at).is_not(None), col(OutboxMessage.published_at) < now - OUTBOX_KEEP)
        )
        raw = session.exec(
            select(MailMessage).where(
                col(MailMessage.outcome).in_(NOT_APPEALS),
                col(MailMessage.raw_path).is_not(None),
                col(MailMessage.processed_at) < now - timedelta(days=ctx.settings.mail_log_retention_days),
            )
        ).all()
        for row in raw:
            (ctx.data_dir / str(row.raw_path)).unlink(missing_ok=True)
            row.raw_path = None
            session.add(row)
        session.commit()
    done = {"notifications": int(notes.rowcount or 0), "outbox": int(outbox.rowcount or 0), "mail_raw": len(raw)}
    if any(done.values()):
        logger.info("retention purge", extra={"event_data": done})
    return done
