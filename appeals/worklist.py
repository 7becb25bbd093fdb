"""A console user's worklist for the live socket's snapshot: an operator's unfinished drafts, a callback agent's due tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from appeals.models import Appeal, AppealStatus, Call, CallbackStatus, CallbackTask

DRAFT_WINDOW = timedelta(hours=12)
LIMIT = 20


class DraftItem(BaseModel):
    appeal_id: int
    call_id: str | None
    created_at: datetime


class Worklist(BaseModel):
    drafts: list[DraftItem] = []
    callbacks_due: int = 0


def operator_drafts(session: Session, *, user_id: int, interface: str | None, now: datetime) -> list[DraftItem]:
    """Drafts of the last 12 hours from calls this operator answered (by user or by phone interface), newest first."""
    who = [col(Call.operator_id) == user_id]
    if interface:
        who.append(col(Call.interface) == interface)
    rows = session.exec(
        select(Appeal.id, Call.call_id, Appeal.created_at)
        .join(Call, col(Call.appeal_id) == col(Appeal.id))
        .where(col(Appeal.status) == AppealStatus.draft, col(Appeal.created_at) > now - DRAFT_WINDOW, or_(*who))
        .order_by(col(Appeal.created_at).desc())
        .limit(LIMIT)
    ).all()
    return [DraftItem(appeal_id=a or 0, call_id=c, created_at=t) for a, c, t in rows]


def callbacks_due(session: Session, *, now: datetime) -> int:
    """Callback tasks waiting and due now."""
    return int(
        session.exec(
            select(func.count())
            .select_from(CallbackTask)
            .where(col(CallbackTask.status) == CallbackStatus.pending, col(CallbackTask.next_attempt_at) <= now)
        ).one()
    )
