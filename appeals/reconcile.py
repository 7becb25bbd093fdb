"""Finding work whose job was lost (Redis lost its data, a job expired): the scheduler re-enqueues it by the same id."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from appeals.models import (
    Admissibility,
    Appeal,
    CallbackKind,
    CallbackStatus,
    CallbackTask,
    Issue,
    IssueStatus,
    Notification,
    NotificationStatus,
    Recording,
    Transcript,
)

GRACE = timedelta(minutes=2)


def stale_routing(session: Session, *, now: datetime, grace: timedelta = GRACE) -> list[int]:
    """Appeals with an accepted issue still `registered` a while after registration."""
    rows = session.exec(
        select(Issue.appeal_id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(
            Issue.status == IssueStatus.registered, col(Issue.registered_at) < now - grace, Appeal.admissibility == Admissibility.accepted
        )
        .distinct()
        .limit(500)
    ).all()
    return sorted(set(rows))


def stale_notifications(session: Session, *, now: datetime, grace: timedelta = GRACE) -> list[int]:
    """Notifications never tried, or claimed long ago by a process that died with its job record."""
    rows = session.exec(
        select(Notification.id)
        .where(
            or_(
                and_(
                    col(Notification.status) == NotificationStatus.pending,
                    col(Notification.attempts) == 0,
                    col(Notification.created_at) < now - grace,
                ),
                and_(col(Notification.status) == NotificationStatus.sending, col(Notification.created_at) < now - grace * 15),
            )
        )
        .limit(1000)
    ).all()
    return [r for r in rows if r is not None]


def stale_reports(session: Session, *, now: datetime, grace: timedelta = GRACE) -> list[int]:
    """Reported issues whose follow-up (answer, verification task) has not happened."""
    reported = session.exec(
        select(Issue.id).where(
            col(Issue.status).in_([IssueStatus.reported_done, IssueStatus.reported_explained]), col(Issue.updated_at) < now - grace
        )
    ).all()
    open_tasks = select(CallbackTask.issue_id).where(
        CallbackTask.kind == CallbackKind.verification, col(CallbackTask.status).in_([CallbackStatus.pending, CallbackStatus.in_progress])
    )
    untasked = session.exec(
        select(Issue.id).where(
            Issue.status == IssueStatus.on_verification, col(Issue.updated_at) < now - grace, col(Issue.id).not_in(open_tasks)
        )
    ).all()
    return sorted({i for i in [*reported, *untasked] if i is not None})


def stale_transcriptions(session: Session, *, now: datetime, grace: timedelta = GRACE) -> list[int]:
    """Recordings (files not purged) without any transcript row a while after the listener registered them."""
    transcribed = select(Transcript.recording_id)
    rows = session.exec(
        select(Recording.id)
        .where(col(Recording.purged_at).is_(None), col(Recording.created_at) < now - grace, col(Recording.id).not_in(transcribed))
        .order_by(col(Recording.id))
        .limit(500)
    ).all()
    return [r for r in rows if r is not None]
