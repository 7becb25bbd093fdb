"""Callback tasks: verification of done work, missed calls and requested callbacks, with their attempts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from appeals.actors import SYSTEM, Actor
from appeals.callback_tasks import create_callback_task, next_attempt_at
from appeals.errors import DomainValidationError, InvalidTransitionError, NotFoundError
from appeals.history import record_audit, record_status_change
from appeals.issues import ActionInput, transition_issue
from appeals.models import (
    Assignment,
    CallbackAttempt,
    CallbackKind,
    CallbackOutcome,
    CallbackStatus,
    CallbackTask,
    Issue,
    IssueAction,
    IssueStatus,
)
from appeals.workcalendar import load_calendar

__all__ = ["cancel_task", "create_callback_task", "get_task", "list_tasks", "record_attempt"]

_UNREACHED = frozenset({CallbackOutcome.no_answer, CallbackOutcome.busy})
_OPEN = (CallbackStatus.pending.value, CallbackStatus.in_progress.value)


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


def _was_explained(session: Session, issue: Issue) -> bool:
    last = session.exec(select(Assignment.result).where(Assignment.issue_id == issue.id).order_by(col(Assignment.id).desc())).first()
    return last == "explained"


def _explained_task(session: Session, task: CallbackTask) -> bool:
    issue = session.get(Issue, task.issue_id) if task.issue_id else None
    return issue is not None and _was_explained(session, issue)


def _issue_step(session: Session, issue: Issue, outcome: CallbackOutcome, task: CallbackTask) -> tuple[IssueAction, str] | None:
    """The issue action an outcome calls for, and its default reason (None: the issue waits for the next try)."""
    explained = _was_explained(session, issue)
    if outcome in (CallbackOutcome.confirmed, CallbackOutcome.self_resolved) or (explained and outcome is CallbackOutcome.reached):
        return (IssueAction.close_explained if explained else IssueAction.confirm), outcome.value
    if outcome is CallbackOutcome.disputed:
        return IssueAction.dispute, "заявник не підтвердив виконання"
    if outcome is CallbackOutcome.wrong_number:
        return IssueAction.close_unverified, "номер заявника невірний — підтвердити неможливо"
    if outcome is CallbackOutcome.refused:
        return IssueAction.close_unverified, "заявник відмовився від розмови"
    if task.attempts >= task.max_attempts:
        return IssueAction.close_unverified, f"не вдалося додзвонитися після {task.attempts} спроб"
    return None


def _verification_effect(
    session: Session, task: CallbackTask, outcome: CallbackOutcome, *, actor: Actor, now: datetime, note: str, satisfaction: int | None
) -> None:
    """Drive the issue: confirmed → closed (satisfaction kept), disputed → rework or, after the limit, escalation
    (never a silent close), unreachable → retry on schedule, then closed unverified."""
    issue = session.get(Issue, task.issue_id) if task.issue_id else None
    if issue is None or issue.status is not IssueStatus.on_verification:
        return
    if outcome in _UNREACHED:
        transition_issue(session, issue.id or 0, IssueAction.no_answer, actor=actor, now=now, data=ActionInput(reason=outcome.value))
    step = _issue_step(session, issue, outcome, task)
    if step is None:
        return
    action, default_reason = step
    by_system = action is IssueAction.close_unverified
    data = ActionInput(reason=note or default_reason, satisfaction=satisfaction if action is not IssueAction.dispute else None)
    try:
        transition_issue(session, issue.id or 0, action, actor=SYSTEM if by_system else actor, now=now, data=data)
    except DomainValidationError as exc:
        if exc.code != "answer_required":
            raise
        # Nothing was changed yet (the answer check comes first). A written appeal cannot close before its answer: hand it to a person instead of leaving it stuck.
        transition_issue(
            session, issue.id or 0, IssueAction.escalate, actor=SYSTEM, now=now, data=ActionInput(reason=f"{data.reason}; {exc.message}")
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
        raise DomainValidationError(
            "Оцінка задоволеності — число від 1 до 5", code="satisfaction_invalid", fields={"satisfaction": "invalid"}
        )
    if task.kind is CallbackKind.verification and outcome is CallbackOutcome.reached and not _explained_task(session, task):
        raise DomainValidationError(
            "Дзвінок-перевірка завершується результатом: підтверджено, заперечено, вирішилося само, не відповідає, зайнято, відмова або помилковий номер",
            code="callback_outcome_invalid",
            fields={"outcome": "invalid"},
        )
    if task.kind is not CallbackKind.verification and outcome in (
        CallbackOutcome.confirmed,
        CallbackOutcome.disputed,
        CallbackOutcome.self_resolved,
    ):
        raise DomainValidationError(
            f"Результат «{outcome.value}» — лише для дзвінків-перевірок", code="callback_outcome_invalid", fields={"outcome": "invalid"}
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
        task.next_attempt_at = next_attempt_at(now, task.attempts, load_calendar(session), window_end=task.due_at)
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
