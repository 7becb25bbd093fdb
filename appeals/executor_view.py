"""What an executor organisation sees of its issues: address, problem, deadlines — the applicant's phone only when needed."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from appeals.lifecycle import allowed_actions
from appeals.models import TERMINAL_ISSUE_STATUSES, Appeal, Category, Issue, Role, Street
from appeals.phones import display_phone
from appeals.views import current_due, format_address, is_overdue


class ExecutorIssue(BaseModel):
    issue_id: int
    number: str | None
    category: str | None
    emergency_class: str | None
    address: str
    description: str
    status: str
    due_at: datetime | None
    sla_due_at: datetime | None
    overdue: bool
    is_priority: bool
    rework_count: int
    contact_phone: str | None
    allowed_actions: list[str]


def _rows(
    session: Session, executor_id: int, *, issue_id: int | None, include_closed: bool, limit: int
) -> list[tuple[Issue, Appeal, Category | None, Street | None]]:
    query = (
        select(Issue, Appeal, Category, Street)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .join(Category, col(Category.id) == Issue.category_id, isouter=True)
        .join(Street, col(Street.id) == Issue.street_id, isouter=True)
        .where(Issue.executor_id == executor_id, Issue.status != "draft")
    )
    if issue_id is not None:
        query = query.where(Issue.id == issue_id)
    if not include_closed:
        query = query.where(col(Issue.status).not_in([s.value for s in TERMINAL_ISSUE_STATUSES]))
    urgent = case((col(Category.emergency_class) == "emergency", 0), (col(Category.emergency_class) == "urgent", 1), else_=2)
    query = query.order_by(urgent, col(Appeal.is_priority).desc(), func.coalesce(Issue.sla_due_at, Issue.due_at)).limit(limit)
    return list(session.exec(query).all())


def _view(issue: Issue, appeal: Appeal, category: Category | None, street: Street | None, now: datetime) -> ExecutorIssue:
    return ExecutorIssue(
        issue_id=issue.id or 0,
        number=f"{appeal.number}/{issue.seq}" if appeal.number else None,
        category=category.name if category else None,
        emergency_class=category.emergency_class if category else None,
        address=format_address(street, issue.house, issue.flat, issue.address_text),
        description=issue.description,
        status=issue.status,
        due_at=current_due(issue),
        sla_due_at=issue.sla_due_at,
        overdue=is_overdue(issue, now),
        is_priority=appeal.is_priority,
        rework_count=issue.rework_count,
        contact_phone=display_phone(appeal.caller) if category is not None and category.emergency_class != "normal" else None,
        allowed_actions=[a.value for a in allowed_actions(issue.status, Role.executor)],
    )


def executor_issues(
    session: Session, executor_id: int, *, now: datetime, include_closed: bool = False, limit: int = 100
) -> list[ExecutorIssue]:
    return [_view(*row, now) for row in _rows(session, executor_id, issue_id=None, include_closed=include_closed, limit=limit)]


def executor_issue(session: Session, issue_id: int, executor_id: int, *, now: datetime) -> ExecutorIssue | None:
    rows = _rows(session, executor_id, issue_id=issue_id, include_closed=True, limit=1)
    return _view(*rows[0], now) if rows else None
