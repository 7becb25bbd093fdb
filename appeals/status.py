"""The appeal-level status: every change recorded and announced, and the close/reopen rule that follows the issues."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from appeals.actors import Actor
from appeals.events import AppealUpdated
from appeals.history import emit, record_status_change
from appeals.models import TERMINAL_ISSUE_STATUSES, Appeal, AppealStatus, Issue


def set_appeal_status(
    session: Session, appeal: Appeal, status: AppealStatus, *, action: str, actor: Actor, now: datetime, reason: str = ""
) -> None:
    previous = appeal.status
    appeal.status = status
    appeal.updated_at = now
    session.add(appeal)
    assert appeal.id is not None  # noqa: S101 - persisted
    record_status_change(
        session,
        entity="appeal",
        entity_id=appeal.id,
        appeal_id=appeal.id,
        action=action,
        from_status=previous.value,
        to_status=status.value,
        actor=actor,
        now=now,
        reason=reason,
    )
    emit(session, AppealUpdated(appeal_id=appeal.id, status=status.value), now=now)


def refresh_appeal_status(session: Session, appeal: Appeal, *, actor: Actor, now: datetime) -> None:
    """A registered appeal closes when all its issues are terminal, and reopens when one comes back."""
    if appeal.status not in (AppealStatus.registered, AppealStatus.closed):
        return
    statuses = session.exec(select(Issue.status).where(Issue.appeal_id == appeal.id)).all()
    all_done = bool(statuses) and all(s in TERMINAL_ISSUE_STATUSES for s in statuses)
    if all_done and appeal.status is AppealStatus.registered:
        appeal.closed_at = now
        set_appeal_status(session, appeal, AppealStatus.closed, action="close", actor=actor, now=now)
    elif not all_done and appeal.status is AppealStatus.closed:
        appeal.closed_at = None
        set_appeal_status(session, appeal, AppealStatus.registered, action="reopen", actor=actor, now=now)
