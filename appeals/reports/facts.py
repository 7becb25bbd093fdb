"""Per-issue facts for reports: slim issue and appeal rows plus the times of lifecycle actions, read from the history.

Reports read tens of thousands of issues, so rows are plain slotted objects built from selected columns (no ORM
identity map), and the status at the end of a period is computed in SQL (one row per issue, not its whole history).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, func, type_coerce
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.sqltypes import UTCDateTime

from appeals.models import CLOSED_ISSUE_STATUSES, TERMINAL_ISSUE_STATUSES, Appeal, Issue, IssueStatus, StatusChange
from appeals.models.base import StrEnumColumn
from appeals.reports.scope import ReportFilter, scoped_issues

REPORT_ACTIONS = ("report_done", "report_explained", "resolve_incident")
FACT_ACTIONS = (*REPORT_ACTIONS, "accept", "confirm", "dispute", "postpone", "extend", "forward_out", "reopen")
_TERMINAL = {s.value for s in TERMINAL_ISSUE_STATUSES}
_CLOSED = frozenset(s.value for s in CLOSED_ISSUE_STATUSES)


@dataclass(slots=True)
class IssueRow:
    id: int
    appeal_id: int
    seq: int
    category_id: int | None
    executor_id: int | None
    building_id: int | None
    address_text: str
    status: str
    registered_at: datetime | None
    due_at: datetime | None
    extended_due_at: datetime | None
    sla_due_at: datetime | None
    attention_at: datetime | None
    closed_at: datetime | None
    rework_count: int
    forward_due_at: datetime | None


@dataclass(slots=True)
class AppealRow:
    id: int
    number: str | None
    channel: str
    form: str
    subject: str
    is_priority: bool
    received_at: datetime


def read_columns(model: Any, names: tuple[str, ...], dialect: str) -> list[Any]:
    """The model's columns, read without per-value conversions where the driver's value is already right.

    Status codes stay plain strings (StrEnum members compare equal to them); on PostgreSQL timestamps come
    from the driver already timezone-aware, so the UTC-normalising decorator is skipped (SQLite needs it).
    """
    out = []
    for name in names:
        column = getattr(model, name)
        if isinstance(column.type, StrEnumColumn):
            column = type_coerce(column, String()).label(name)
        elif dialect == "postgresql" and isinstance(column.type, UTCDateTime):
            column = type_coerce(column, DateTime(timezone=True)).label(name)
        out.append(column)
    return out


@dataclass(slots=True)
class IssueFacts:
    """One issue as reports see it; times are aware UTC."""

    issue: IssueRow
    appeal: AppealRow
    actions: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    status_then: str | None = None
    """The status at the moment the facts were loaded for (`as_of`), from the history."""

    @property
    def due(self) -> datetime | None:
        """The statutory due, or the extended one (art. 20)."""
        return self.issue.extended_due_at or self.issue.due_at

    @property
    def closed_at(self) -> datetime | None:
        return self.issue.closed_at if self.issue.status in _CLOSED else None

    def first(self, action: str) -> datetime | None:
        times = self.actions.get(action)
        return times[0] if times else None

    def closing_report_at(self) -> datetime | None:
        """The executor's last report before closure (a disputed report does not count); the closure itself if none."""
        closed = self.closed_at
        if closed is None:
            return None
        reports = [t for a in REPORT_ACTIONS for t in self.actions.get(a, ()) if t <= closed]
        return max(reports) if reports else closed

    def closed_on_time(self) -> bool | None:
        """None when not closed; else whether the closing report came by the (extended) due."""
        report, due = self.closing_report_at(), self.due
        if report is None:
            return None
        return due is None or report <= due

    def open_overdue_then(self, moment: datetime) -> bool:
        """Registered, not terminal at `moment` (the `as_of` the facts were loaded for), and past its due."""
        status, due = self.status_then, self.due
        return status is not None and status not in _TERMINAL and status != IssueStatus.draft.value and due is not None and moment > due


def alive_query(session: Session, flt: ReportFilter) -> Any:
    """Issues registered before the period ends and not closed before it starts, with the report's filters."""
    query = (
        select(Issue.id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.registered_at).is_not(None), col(Issue.registered_at) < flt.until)
        .where(or_(col(Issue.closed_at).is_(None), col(Issue.closed_at) >= flt.since))
    )
    return scoped_issues(session, flt, query)


def statuses_at(session: Session, ids: Any, moment: datetime) -> dict[int, str]:
    """Each issue's status at `moment`: its last history entry at or before then (one window-function pass)."""
    rank = func.row_number().over(
        partition_by=col(StatusChange.entity_id), order_by=(col(StatusChange.at).desc(), col(StatusChange.id).desc())
    )
    ranked = (
        select(StatusChange.entity_id, StatusChange.to_status, rank.label("rank"))
        .where(StatusChange.entity == "issue", col(StatusChange.entity_id).in_(select(ids.c.id)), col(StatusChange.at) <= moment)
        .subquery()
    )
    return dict(session.exec(select(ranked.c.entity_id, ranked.c.to_status).where(ranked.c.rank == 1)).all())


def load_facts(
    session: Session, ids_query: Any, *, as_of: datetime | None = None, actions: tuple[str, ...] = FACT_ACTIONS
) -> list[IssueFacts]:
    """Facts for the issues `ids_query` (a `select(Issue.id)`) returns, in three queries whatever their number.

    Only the history `actions` a report needs are read; with `as_of`, each fact also knows its status then (`status_then`).
    """
    ids = ids_query.subquery()
    dialect = session.get_bind().dialect.name
    issue_columns = read_columns(Issue, IssueRow.__slots__, dialect)
    appeal_columns = read_columns(Appeal, AppealRow.__slots__, dialect)
    rows = session.exec(
        select(*issue_columns, *appeal_columns).join(Appeal, col(Appeal.id) == Issue.appeal_id).where(col(Issue.id).in_(select(ids.c.id)))
    ).all()
    n = len(issue_columns)
    facts = {row[0]: IssueFacts(IssueRow(*row[:n]), AppealRow(*row[n:])) for row in rows}
    changes = (
        session.exec(
            select(*read_columns(StatusChange, ("entity_id", "action", "at"), dialect))
            .where(StatusChange.entity == "issue", col(StatusChange.action).in_(actions), col(StatusChange.entity_id).in_(select(ids.c.id)))
            .order_by(col(StatusChange.at), col(StatusChange.id))
        ).all()
        if actions
        else []
    )
    for issue_id, action, at in changes:
        fact = facts.get(issue_id)
        if fact is not None:
            fact.actions[action].append(at)
    if as_of is not None:
        for issue_id, status in statuses_at(session, ids, as_of).items():
            if issue_id in facts:
                facts[issue_id].status_then = status
    return sorted(facts.values(), key=lambda f: f.issue.id)


def in_period(moment: datetime | None, flt: ReportFilter) -> bool:
    return moment is not None and flt.since <= moment < flt.until


def count_in_period(times: list[datetime], flt: ReportFilter) -> int:
    if not times:
        return 0
    since, until = flt.since, flt.until
    return sum(1 for t in times if since <= t < until)


def registered_query(session: Session, flt: ReportFilter) -> Any:
    """Issues registered in the period, with the report's filters."""
    query = (
        select(Issue.id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.registered_at) >= flt.since, col(Issue.registered_at) < flt.until)
    )
    return scoped_issues(session, flt, query)


def closed_query(session: Session, flt: ReportFilter) -> Any:
    """Issues closed (confirmed, unverified, explained) in the period, with the report's filters."""
    query = (
        select(Issue.id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.status).in_([s.value for s in CLOSED_ISSUE_STATUSES]))
        .where(col(Issue.closed_at) >= flt.since, col(Issue.closed_at) < flt.until)
    )
    return scoped_issues(session, flt, query)
