"""Per-issue facts for reports: slim issue and appeal rows plus the times of lifecycle actions, read from the history.

Reports read tens of thousands of issues, so rows are plain slotted objects built from selected columns (no ORM
identity map), and the status at the end of a period is computed in SQL (one row per issue, not its whole history).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
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


def statuses_at(session: Session, ids: Any, moment: datetime) -> Any:
    """(issue id, status) at `moment`, in id order: each issue's last history entry at or before then (a window function)."""
    rank = func.row_number().over(
        partition_by=col(StatusChange.entity_id), order_by=(col(StatusChange.at).desc(), col(StatusChange.id).desc())
    )
    ranked = (
        select(StatusChange.entity_id, StatusChange.to_status, rank.label("rank"))
        .where(StatusChange.entity == "issue", col(StatusChange.entity_id).in_(select(ids.c.id)), col(StatusChange.at) <= moment)
        .subquery()
    )
    query = select(ranked.c.entity_id, ranked.c.to_status).where(ranked.c.rank == 1).order_by(ranked.c.entity_id)
    return session.exec(query.execution_options(yield_per=BATCH))


BATCH = 5000


def _rows(result: Any) -> Iterator[Any]:
    """A streamed result's rows, fetched `BATCH` at a time (plain iteration would fetch a server-side cursor 100 rows per trip)."""
    for partition in result.partitions(BATCH):
        yield from partition


class _Merge:
    """Rows of a cursor ordered by issue id (first column), taken out as the issue stream reaches each id."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self.rows = rows
        self.head = next(rows, None)

    def take(self, key: int) -> Iterator[Any]:
        while self.head is not None and self.head[0] < key:
            self.head = next(self.rows, None)
        while self.head is not None and self.head[0] == key:
            yield self.head
            self.head = next(self.rows, None)


def iter_facts(
    session: Session, ids_query: Any, *, as_of: datetime | None = None, actions: tuple[str, ...] = FACT_ACTIONS
) -> Iterator[IssueFacts]:
    """Facts for the issues `ids_query` (a `select(Issue.id)`) returns, in issue id order, streamed.

    Three cursors (issues, their history `actions`, and with `as_of` their status then) are read in batches and
    merged by issue id, so a year of issues never sits in memory at once.
    """
    ids = ids_query.subquery()
    dialect = session.get_bind().dialect.name
    issue_columns = read_columns(Issue, IssueRow.__slots__, dialect)
    appeal_columns = read_columns(Appeal, AppealRow.__slots__, dialect)
    issues = session.exec(
        select(*issue_columns, *appeal_columns)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.id).in_(select(ids.c.id)))
        .order_by(col(Issue.id))
        .execution_options(yield_per=BATCH)
    )
    history = (
        session.exec(
            select(*read_columns(StatusChange, ("entity_id", "action", "at"), dialect))
            .where(StatusChange.entity == "issue", col(StatusChange.action).in_(actions), col(StatusChange.entity_id).in_(select(ids.c.id)))
            .order_by(col(StatusChange.entity_id), col(StatusChange.at), col(StatusChange.id))
            .execution_options(yield_per=BATCH)
        )
        if actions
        else None
    )
    then = statuses_at(session, ids, as_of) if as_of is not None else None
    changes = _Merge(_rows(history) if history is not None else iter(()))
    statuses = _Merge(_rows(then) if then is not None else iter(()))
    n = len(issue_columns)
    try:
        for row in _rows(issues):
            fact = IssueFacts(IssueRow(*row[:n]), AppealRow(*row[n:]))
            for _, action, at in changes.take(fact.issue.id):
                fact.actions[action].append(at)
            for _, status in statuses.take(fact.issue.id):
                fact.status_then = status
            yield fact
    finally:  # server-side cursors are closed even when a merge stops early
        for result in (issues, history, then):
            if result is not None:
                result.close()


def load_facts(
    session: Session, ids_query: Any, *, as_of: datetime | None = None, actions: tuple[str, ...] = FACT_ACTIONS
) -> list[IssueFacts]:
    """`iter_facts` as a list (for the reports that read a few hundred issues at most)."""
    return list(iter_facts(session, ids_query, as_of=as_of, actions=actions))


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
