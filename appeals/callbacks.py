"""Callback tasks: verification of done work, missed calls and requested callbacks, with their attempts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from appeals.actors import SYSTEM, Actor
from appeals.errors import DomainValidationError, InvalidTransitionError, NotFoundError
from appeals.history import record_audit, record_status_change
from appeals.issues import ActionInput, transition_issue
from appeals.models import (
    CallbackAttempt,
    CallbackKind,
    CallbackOutcome,
    CallbackStatus,
    CallbackTask,
    Issue,
    IssueAction,
    IssueStatus,
)

RETRY_INTERVALS = (timedelta(hours=3), timedelta(hours=21), timedelta(hours=24))
"""Default retry spacing: 3 tries over about 2 working days (domain.md §5.2)."""
_UNREACHED = frozenset({CallbackOutcome.no_answer, CallbackOutcome.busy})
_OPEN = (CallbackStatus.pending.value, CallbackStatus.in_progress.value)


def create_callback_task(
    session: Session,
    kind: CallbackKind,
    *,
    dedup_key: str,
    now: datetime,
    phone: str | None,
    appeal_id: int | None = None,
    issue_id: int | None = None,
    call_id: str | None = None,
    citizen_id: int | None = None,
    due_at: datetime | None = None,
    priority: int = 0,
) -> tuple[CallbackTask, bool]:
    """The task for `dedup_key`, created once (flushed, not committed); `created` tells which."""
    existing = session.exec(select(CallbackTask).where(CallbackTask.dedup_key == dedup_key)).first()
    if existing is not None:
        return existing, False
    task = CallbackTask(
        kind=kind,
        dedup_key=dedup_key,
        phone=phone,
        appeal_id=appeal_id,
        issue_id=issue_id,
        call_id=call_id,
        citizen_id=citizen_id,
        next_attempt_at=now,
        due_at=due_at,
        priority=priority,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError:
        return session.exec(select(CallbackTask).where(CallbackTask.dedup_key == dedup_key)).one(), False
    record_status_change(
        session,
        entity="callback",
        entity_id=task.id or 0,
        appeal_id=appeal_id,
        action="create",
        from_status=None,
        to_status=task.status.value,
        actor=SYSTEM,
        now=now,
        detail={"kind": kind.value},
    )
    return task, True


def list_tasks(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    due_only: bool = False,
    now: datetime,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[CallbackTask], int]:
    """The callback worklist: open tasks first by priority and schedule."""
    from sqlalchemy import func

    query = select(CallbackTask)
    query = query.where(CallbackTask.status == status) if status else query.where(col(CallbackTask.status).in_(_OPEN))
    if kind:
        query = query.where(CallbackTask.kind == kind)
    if due_only:
        query = query.where(CallbackTask.next_attempt_at <= now)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(CallbackTask.priority).desc(), col(CallbackTask.next_attempt_at), col(CallbackTask.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def get_task(session: Session, task_id: int) -> CallbackTask:
    task = session.get(CallbackTask, task_id)
    if task is None:
        raise NotFoundError("callback", task_id)
    return task


def _close(session: Session, task: CallbackTask, outcome: str, actor: Actor, now: datetime) -> None:
    record_status_change(
        session,
        entity="callback",
        entity_id=task.id or 0,
        appeal_id=task.appeal_id,
        action="close",
        from_status=task.status.value,
        to_status="done",
        actor=actor,
        now=now,
        reason=outcome,
    )
    task.status, task.outcome, task.closed_at = CallbackStatus.done, outcome, now


def _verification_effect(
    session: Session, task: CallbackTask, outcome: CallbackOutcome, *, actor: Actor, now: datetime, note: str, satisfaction: int | None
) -> None:
    """Drive the issue: confirmed → closed, disputed → rework (or escalation), unreachable → retry then close unverified."""
    issue = session.get(Issue, task.issue_id) if task.issue_id else None
    if issue is None or issue.status is not IssueStatus.on_verification:
        return
    if outcome in (CallbackOutcome.confirmed, CallbackOutcome.self_resolved):
        transition_issue(
            session,
            issue.id or 0,
            IssueAction.confirm,
            actor=actor,
            now=now,
            data=ActionInput(reason=note or outcome.value, satisfaction=satisfaction),
        )
    elif outcome is CallbackOutcome.disputed:
        transition_issue(
            session,
            issue.id or 0,
            IssueAction.dispute,
            actor=actor,
            now=now,
            data=ActionInput(reason=note or "заявник не підтвердив виконання"),
        )
    elif outcome in _UNREACHED or outcome is CallbackOutcome.refused:
        transition_issue(session, issue.id or 0, IssueAction.no_answer, actor=actor, now=now, data=ActionInput(reason=outcome.value))
        if outcome is CallbackOutcome.refused or task.attempts >= task.max_attempts:
            transition_issue(
                session,
                issue.id or 0,
                IssueAction.close_unverified,
                actor=SYSTEM,
                now=now,
                data=ActionInput(reason=f"не вдалося підтвердити після {task.attempts} спроб"),
            )


def record_attempt(
    session: Session,
    task_id: int,
    outcome: CallbackOutcome,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    satisfaction: int | None = None,
    call_id: str | None = None,
) -> CallbackTask:
    """One dial attempt's outcome; the task retries on schedule, or closes, and verification drives the issue.

    Raises:
        InvalidTransitionError: the task is already closed.
        DomainValidationError: a satisfaction score outside 1–5, or an outcome that does not fit the task.
    """
    task = get_task(session, task_id)
    if task.status.value not in _OPEN:
        raise InvalidTransitionError("callback", task_id, task.status.value, "attempt", allowed=[])
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise DomainValidationError("Satisfaction is a score from 1 to 5", code="satisfaction_invalid", fields={"satisfaction": "1..5"})
    if task.kind is not CallbackKind.verification and outcome in (
        CallbackOutcome.confirmed,
        CallbackOutcome.disputed,
        CallbackOutcome.self_resolved,
    ):
        raise DomainValidationError(
            f"Outcome '{outcome.value}' is for verification callbacks", code="callback_outcome_invalid", fields={"outcome": "invalid"}
        )
    task.attempts += 1
    session.add(
        CallbackAttempt(
            task_id=task_id,
            attempted_at=now,
            agent_id=actor.user_id,
            outcome=outcome.value,
            satisfaction=satisfaction,
            call_id=call_id,
            note=note,
        )
    )
    task.updated_at, task.assigned_to = now, actor.user_id or task.assigned_to
    if satisfaction is not None:
        task.satisfaction = satisfaction
    if note:
        task.comment = note
    if outcome in _UNREACHED and task.attempts < task.max_attempts:
        task.status = CallbackStatus.pending
        task.outcome = outcome.value
        task.next_attempt_at = now + RETRY_INTERVALS[min(task.attempts - 1, len(RETRY_INTERVALS) - 1)]
    else:
        _close(session, task, outcome.value, actor, now)
    session.add(task)
    record_audit(session, actor, "callback_attempt", "callback", task_id, now=now, detail={"outcome": outcome.value})
    session.flush()
    if task.kind is CallbackKind.verification:
        _verification_effect(session, task, outcome, actor=actor, now=now, note=note, satisfaction=satisfaction)
    session.commit()
    session.refresh(task)
    return task


def cancel_task(session: Session, task_id: int, *, actor: Actor, now: datetime, reason: str) -> CallbackTask:
    task = get_task(session, task_id)
    if task.status.value not in _OPEN:
        raise InvalidTransitionError("callback", task_id, task.status.value, "cancel", allowed=[])
    record_status_change(
        session,
        entity="callback",
        entity_id=task_id,
        appeal_id=task.appeal_id,
        action="cancel",
        from_status=task.status.value,
        to_status="cancelled",
        actor=actor,
        now=now,
        reason=reason,
    )
    task.status, task.closed_at, task.updated_at = CallbackStatus.cancelled, now, now
    session.add(task)
    session.commit()
    session.refresh(task)
    return task
