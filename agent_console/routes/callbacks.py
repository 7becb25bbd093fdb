"""The callback desk's worklist: verification, missed calls, requested callbacks; attempts and outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.callbacks import cancel_task, create_callback_task, get_task, list_tasks, record_attempt
from appeals.models import CallbackKind, CallbackOutcome, CallbackStatus, CallbackTask
from appeals.phones import display_phone, normalize_phone

router = APIRouter(tags=["callbacks"])


class CallbackPublic(BaseModel):
    id: int
    kind: str
    status: str
    phone: str | None
    phone_display: str
    citizen_id: int | None
    appeal_id: int | None
    issue_id: int | None
    call_id: str | None
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    due_at: datetime | None
    outcome: str | None
    satisfaction: int | None
    comment: str
    priority: int
    created_at: datetime
    closed_at: datetime | None


class CallbackList(BaseModel):
    items: list[CallbackPublic]
    total: int


class CallbackIn(BaseModel):
    phone: str = Field(min_length=2, max_length=40)
    appeal_id: int | None = None
    comment: str = Field(default="", max_length=1000)


class AttemptIn(BaseModel):
    outcome: CallbackOutcome
    note: str = Field(default="", max_length=1000)
    satisfaction: int | None = None
    call_id: str | None = None


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


def public(task: CallbackTask) -> CallbackPublic:
    data = task.model_dump()
    data["phone_display"] = display_phone(task.phone)
    return CallbackPublic.model_validate(data)


@router.get("/api/callbacks")
def worklist(
    session: SessionDep,
    now: NowDep,
    status: CallbackStatus | None = None,
    kind: CallbackKind | None = None,
    due: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CallbackList:
    """Open tasks (or `status`), highest priority and earliest scheduled first; `due=true` only those due now."""
    rows, total = list_tasks(session, status=status, kind=kind, due_only=due, now=now, limit=limit, offset=offset)
    return CallbackList(items=[public(t) for t in rows], total=total)


@router.post("/api/callbacks", status_code=201)
def request_callback(body: CallbackIn, session: SessionDep, actor: ActorDep, now: NowDep) -> CallbackPublic:
    """A callback the caller asked for (entered by an operator)."""
    del actor  # authorised by the matrix; the task is the desk's, not the operator's
    phone = normalize_phone(body.phone)
    task, _ = create_callback_task(
        session,
        CallbackKind.requested_callback,
        dedup_key=f"requested:manual:{phone}:{now.isoformat()}",
        now=now,
        phone=phone,
        appeal_id=body.appeal_id,
    )
    task.comment = body.comment
    session.add(task)
    session.commit()
    session.refresh(task)
    return public(task)


@router.get("/api/callbacks/{task_id}")
def read(task_id: int, session: SessionDep) -> CallbackPublic:
    return public(get_task(session, task_id))


@router.post("/api/callbacks/{task_id}/attempts")
def attempt(task_id: int, body: AttemptIn, session: SessionDep, actor: ActorDep, now: NowDep) -> CallbackPublic:
    """Record a dial attempt's outcome; verification outcomes close, rework or retry the issue."""
    return public(
        record_attempt(
            session, task_id, body.outcome, actor=actor, now=now, note=body.note, satisfaction=body.satisfaction, call_id=body.call_id
        )
    )


@router.post("/api/callbacks/{task_id}/cancel")
def cancel(task_id: int, body: CancelIn, session: SessionDep, actor: ActorDep, now: NowDep) -> CallbackPublic:
    return public(cancel_task(session, task_id, actor=actor, now=now, reason=body.reason))
