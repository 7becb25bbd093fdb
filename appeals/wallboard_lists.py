"""Two wallboard lists: today's missed calls (with what the callback desk did about each) and the issues per executor
that are overdue or near their deadline. One query each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from appeals.models import TERMINAL_ISSUE_STATUSES, Appeal, Call, CallbackKind, CallbackTask, CallDirection, Executor, Issue, IssueStatus

_NOT_OPEN = [s.value for s in TERMINAL_ISSUE_STATUSES] + [IssueStatus.draft.value]


@dataclass(frozen=True)
class MissedCall:
    call_id: str
    caller: str | None
    queue: str | None
    started_at: datetime
    wait_seconds: float | None
    task_id: int | None
    task_status: str | None
    task_outcome: str | None
    attempts: int


def missed_calls(session: Session, *, since: datetime, limit: int = 100) -> list[MissedCall]:
    """Inbound calls since `since` that no operator answered (abandoned or not), newest first, with their callback task."""
    task = and_(
        col(CallbackTask.call_id) == Call.call_id,
        col(CallbackTask.kind).in_([CallbackKind.missed_call.value, CallbackKind.requested_callback.value]),
    )
    columns: list[Any] = [
        Call.call_id,
        Call.caller,
        Call.queue,
        Call.started_at,
        Call.wait_seconds,
        CallbackTask.id,
        CallbackTask.status,
        CallbackTask.outcome,
        CallbackTask.attempts,
    ]
    rows = session.exec(
        select(*columns)
        .join(CallbackTask, task, isouter=True)
        .where(
            Call.direction == CallDirection.inbound,
            col(Call.started_at) >= since,
            col(Call.answered).is_(False),
            col(Call.ended_at).is_not(None),
        )
        .order_by(col(Call.started_at).desc(), col(Call.id).desc())
        .limit(limit)
    ).all()
    seen: set[str] = set()
    out: list[MissedCall] = []
    for call_id, caller, queue, started, wait, task_id, status, outcome, attempts in rows:
        if call_id in seen:  # a call with both a missed-call and a requested task: the first one is enough
            continue
        seen.add(call_id)
        out.append(
            MissedCall(call_id, caller, queue, started, wait, task_id, getattr(status, "value", status), outcome, int(attempts or 0))
        )
    return out


@dataclass(frozen=True)
class DeadlineItem:
    issue_id: int
    number: str
    due_at: datetime
    status: str
    overdue: bool


@dataclass
class ExecutorDeadlines:
    executor_id: int | None
    executor: str
    overdue: int = 0
    near: int = 0
    items: list[DeadlineItem] = field(default_factory=list)


def deadline_board(session: Session, *, now: datetime, items_per_executor: int = 5, limit: int = 5000) -> list[ExecutorDeadlines]:
    """Open issues past their due (overdue) or past their attention mark (near the deadline), grouped by executor,
    the most overdue first; each executor lists its earliest few."""
    due = func.coalesce(Issue.extended_due_at, Issue.due_at)
    columns: list[Any] = [Issue.id, Appeal.number, Issue.seq, due, Issue.status, Issue.executor_id, Executor.short_name, Executor.name]
    rows = session.exec(
        select(*columns)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .join(Executor, col(Executor.id) == Issue.executor_id, isouter=True)
        .where(col(Issue.status).not_in(_NOT_OPEN), or_(due < now, col(Issue.attention_at) <= now))
        .order_by(due, col(Issue.id))
        .limit(limit)
    ).all()
    board: dict[int | None, ExecutorDeadlines] = {}
    counts: dict[int | None, int] = defaultdict(int)
    for issue_id, number, seq, due_at, status, executor_id, short_name, name in rows:
        if due_at is None:
            continue
        entry = board.setdefault(executor_id, ExecutorDeadlines(executor_id, short_name or name or "не призначено"))
        overdue = _aware(due_at) < now
        if overdue:
            entry.overdue += 1
        else:
            entry.near += 1
        counts[executor_id] += 1
        if counts[executor_id] <= items_per_executor:
            label = f"{number}/{seq}" if number else f"#{issue_id}"
            entry.items.append(DeadlineItem(issue_id, label, _aware(due_at), getattr(status, "value", str(status)), overdue))
    return sorted(board.values(), key=lambda e: (-e.overdue, -e.near, e.executor))


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC from an expression column (no column type to restore the zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
