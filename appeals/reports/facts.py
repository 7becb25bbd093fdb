"""Per-issue facts for reports: the issue row plus the times of its lifecycle actions, read from the history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from appeals.models import CLOSED_ISSUE_STATUSES, TERMINAL_ISSUE_STATUSES, Appeal, Issue, IssueStatus, StatusChange
from appeals.reports.scope import ReportFilter, scoped_issues
from appeals.reports.stats import maybe_aware

REPORT_ACTIONS = ("report_done", "report_explained", "resolve_incident")
_TERMINAL = {s.value for s in TERMINAL_ISSUE_STATUSES}


@dataclass
class IssueFacts:
    """One issue as reports see it; times are aware UTC."""

    issue: Issue
    appeal: Appeal
    actions: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    changes: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def due(self) -> datetime | None:
        """The statutory due, or the extended one (art. 20)."""
        return maybe_aware(self.issue.extended_due_at or self.issue.due_at)

    @property
    def closed_at(self) -> datetime | None:
        return maybe_aware(self.issue.closed_at) if self.issue.status in CLOSED_ISSUE_STATUSES else None

    def first(self, action: str) -> datetime | None:
        times = self.actions.get(action)
        return times[0] if times else None

    def closing_report_at(self) -> datetime | None:
        """The executor's last report before closure (a disputed report does not count); the closure itself if none."""
        closed = self.closed_at
        if closed is None:
            return None
        reports = [t for a in REPORT_ACTIONS for t in self.actions.get(a, []) if t <= closed]
        return max(reports) if reports else closed

    def closed_on_time(self) -> bool | None:
        """None when not closed; else whether the closing report came by the (extended) due."""
        report, due = self.closing_report_at(), self.due
        if report is None:
            return None
        return due is None or report <= due

    def status_at(self, moment: datetime) -> str | None:
        """The lifecycle status at `moment`, from the history (None: not registered yet)."""
        status = None
        for at, to_status in self.changes:
            if at > moment:
                break
            status = to_status
        return status

    def open_overdue_at(self, moment: datetime) -> bool:
        """Registered, not terminal at `moment`, and past its (extended) due."""
        status, due = self.status_at(moment), self.due
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


def load_facts(session: Session, ids_query: Any) -> list[IssueFacts]:
    """Facts for the issues `ids_query` (a `select(Issue.id)`) returns, in two queries whatever their number."""
    ids = ids_query.subquery()
    rows = session.exec(
        select(Issue, Appeal)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.id).in_(select(ids.c.id)))
        .order_by(col(Issue.id))
    ).all()
    facts = {issue.id: IssueFacts(issue, appeal) for issue, appeal in rows}
    changes = session.exec(
        select(StatusChange.entity_id, StatusChange.action, StatusChange.to_status, StatusChange.at)
        .where(StatusChange.entity == "issue", col(StatusChange.entity_id).in_(select(ids.c.id)))
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    for issue_id, action, to_status, at in changes:
        fact = facts.get(issue_id)
        if fact is None:
            continue
        moment = maybe_aware(at)
        assert moment is not None  # noqa: S101 - the column is not nullable
        fact.actions[action].append(moment)
        fact.changes.append((moment, to_status))
    return list(facts.values())


def in_period(moment: datetime | None, flt: ReportFilter) -> bool:
    return moment is not None and flt.since <= moment < flt.until


def count_in_period(times: list[datetime], flt: ReportFilter) -> int:
    return sum(1 for t in times if flt.since <= t < flt.until)


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
