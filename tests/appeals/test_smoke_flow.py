"""A first end-to-end pass through the core: draft → registered with number, deadlines and executor."""

from __future__ import annotations

from sqlmodel import Session

from appeals.actors import Actor
from appeals.models import AppealStatus, IssueStatus, Role
from tests.conftest import Clock
from tests.factories import executor, issues_of, make_registered


def test_registration_numbers_routes_and_dates(session: Session, clock: Clock) -> None:
    operator = Actor(user_id=None, role=Role.operator)
    appeal = make_registered(session, operator, now=clock.now)
    assert appeal.status is AppealStatus.registered
    assert appeal.number == "БР-2026-000001"
    [issue] = issues_of(session, appeal.id or 0)
    assert issue.status is IssueStatus.registered
    assert issue.executor_id == executor(session, "btve").id
    assert issue.due_at is not None
    assert issue.sla_due_at is not None
    assert issue.attention_at is not None
    assert issue.sla_due_at <= issue.due_at
