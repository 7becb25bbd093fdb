"""Counts for monitoring (/metrics): calls by outcome, appeals and issues by state, overdue and attention now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from appeals.models import (
    TERMINAL_ISSUE_STATUSES,
    Appeal,
    AppealStatus,
    Call,
    CallbackKind,
    CallbackTask,
    CallDirection,
    Issue,
    IssueStatus,
)

_OPEN = [s.value for s in TERMINAL_ISSUE_STATUSES] + [IssueStatus.draft.value]


@dataclass
class LiveCounts:
    calls: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """queue → (offered, answered, abandoned), inbound calls since the register began."""
    appeals: dict[str, int] = field(default_factory=dict)
    issues: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    attention: int = 0
    callbacks_open: dict[str, int] = field(default_factory=dict)


def live_counts(session: Session, *, now: datetime) -> LiveCounts:
    """Five aggregate queries; cheap enough for a scrape every 15 s on a register of millions."""
    out = LiveCounts()
    rows = session.exec(
        select(
            Call.queue,
            func.count(),
            func.sum(case((col(Call.answered).is_(True), 1), else_=0)),
            func.sum(case((col(Call.abandoned).is_(True), 1), else_=0)),
        )
        .where(Call.direction == CallDirection.inbound)
        .group_by(col(Call.queue))
    ).all()
    out.calls = {queue or "": (int(n), int(answered or 0), int(abandoned or 0)) for queue, n, answered, abandoned in rows}
    out.appeals = {s.value: 0 for s in AppealStatus}  # every state is a series, zero included, so alerts can see it
    out.appeals |= {
        str(getattr(s, "value", s)): int(n) for s, n in session.exec(select(Appeal.status, func.count()).group_by(col(Appeal.status))).all()
    }
    out.issues = {s.value: 0 for s in IssueStatus}
    out.issues |= {
        str(getattr(s, "value", s)): int(n) for s, n in session.exec(select(Issue.status, func.count()).group_by(col(Issue.status))).all()
    }
    due = func.coalesce(Issue.extended_due_at, Issue.due_at)
    open_issues = select(func.count()).select_from(Issue).where(col(Issue.status).not_in(_OPEN))
    out.overdue = int(session.exec(open_issues.where(due < now)).one())
    out.attention = int(session.exec(open_issues.where(due >= now, col(Issue.attention_at) < now)).one())
    out.callbacks_open = {k.value: 0 for k in CallbackKind}
    out.callbacks_open |= {
        str(getattr(k, "value", k)): int(n)
        for k, n in session.exec(
            select(CallbackTask.kind, func.count())
            .where(col(CallbackTask.status).in_(["pending", "in_progress"]))
            .group_by(col(CallbackTask.kind))
        ).all()
    }
    return out
