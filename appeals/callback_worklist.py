"""The callback desk's worklist as the agent works it: priority, then the nearest deadline; and taking a task to dial."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.callbacks import get_task
from appeals.errors import DomainValidationError, InvalidTransitionError
from appeals.history import record_status_change
from appeals.models import Appeal, CallbackStatus, CallbackTask, Citizen, Issue

_OPEN = (CallbackStatus.pending.value, CallbackStatus.in_progress.value)


@dataclass(frozen=True)
class DeskRow:
    task: CallbackTask
    appeal_number: str | None
    issue_number: str | None
    citizen_name: str | None
    issue_text: str | None


def desk_tasks(session: Session, *, now: datetime, kind: str | None = None, due_only: bool = False, limit: int = 200) -> list[DeskRow]:
    """Open tasks: highest priority first, then the earliest deadline (tasks without one last), then the schedule."""
    columns: list[Any] = [CallbackTask, Appeal.number, Issue.seq, Citizen.full_name, Issue.description]
    query = (
        select(*columns)
        .join(Appeal, col(Appeal.id) == CallbackTask.appeal_id, isouter=True)
        .join(Issue, col(Issue.id) == CallbackTask.issue_id, isouter=True)
        .join(Citizen, col(Citizen.id) == CallbackTask.citizen_id, isouter=True)
        .where(col(CallbackTask.status).in_(_OPEN))
    )
    if kind:
        query = query.where(CallbackTask.kind == kind)
    if due_only:
        query = query.where(CallbackTask.next_attempt_at <= now)
    rows = session.exec(
        query.order_by(
            col(CallbackTask.priority).desc(),
            case((col(CallbackTask.due_at).is_(None), 1), else_=0),
            col(CallbackTask.due_at),
            col(CallbackTask.next_attempt_at),
            col(CallbackTask.id),
        ).limit(limit)
    ).all()
    return [
        DeskRow(task, number, f"{number}/{seq}" if number and seq else None, name or None, description)
        for task, number, seq, name, description in rows
    ]


def dialable_task(session: Session, task_id: int) -> CallbackTask:
    """The task, if it can be dialled now.

    Raises:
        NotFoundError: no such task.
        InvalidTransitionError: the task is closed or cancelled.
        DomainValidationError: the task has no phone number to call.
    """
    task = get_task(session, task_id)
    if task.status.value not in _OPEN:
        raise InvalidTransitionError("callback", task_id, task.status.value, "dial", allowed=[])
    if not task.phone:
        raise DomainValidationError(
            f"Для зворотного дзвінка {task_id} немає номера телефону: знайдіть номер громадянина у зверненні або скасуйте завдання",
            code="callback_no_phone",
            fields={"phone": "missing"},
        )
    return task


def take_for_dial(session: Session, task_id: int, *, actor: Actor, now: datetime) -> CallbackTask:
    """Mark the task in progress for this agent once the dial command is sent (commits); the outcome comes later."""
    task = dialable_task(session, task_id)
    if task.status is CallbackStatus.pending:
        record_status_change(
            session,
            entity="callback",
            entity_id=task_id,
            appeal_id=task.appeal_id,
            action="dial",
            from_status=task.status.value,
            to_status=CallbackStatus.in_progress.value,
            actor=actor,
            now=now,
        )
    task.status, task.assigned_to, task.updated_at = CallbackStatus.in_progress, actor.user_id, now
    session.add(task)
    session.commit()
    session.refresh(task)
    return task
