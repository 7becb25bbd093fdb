"""The callback desk: the worklist with what the agent needs on screen, click-to-call, and a command's result."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import redis
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from agent_console.commands import command_result, send_command, sent_command
from agent_console.deps import ActorDep, CurrentUser, NowDep, SessionDep
from agent_console.routes.callbacks import CallbackPublic, public
from appeals.callback_worklist import desk_tasks, dialable_task, take_for_dial
from appeals.errors import DomainValidationError, NotFoundError
from appeals.history import record_audit
from appeals.models import CallbackKind, Role

router = APIRouter(tags=["callbacks"])


class DeskItem(BaseModel):
    task: CallbackPublic
    appeal_number: str | None
    issue_number: str | None
    citizen_name: str | None
    issue_text: str | None


class DeskList(BaseModel):
    items: list[DeskItem]
    extension: str | None
    """The agent's own phone, which rings first on click-to-call (null: click-to-call is unavailable)."""


class DialAccepted(BaseModel):
    command_id: str
    task: CallbackPublic
    expires_at: datetime


class CommandStatus(BaseModel):
    command_id: str
    kind: str
    status: str
    """pending (no result yet), ok, failed, expired or rejected."""
    reason: str | None
    sent_at: str | None


@router.get("/api/callback-desk")
def desk(
    session: SessionDep,
    user: CurrentUser,
    now: NowDep,
    kind: CallbackKind | None = None,
    due: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> DeskList:
    """Open callback tasks by priority, then deadline; `due=true` only those scheduled by now."""
    rows = desk_tasks(session, now=now, kind=kind, due_only=due, limit=limit)
    items = [
        DeskItem(
            task=public(r.task),
            appeal_number=r.appeal_number,
            issue_number=r.issue_number,
            citizen_name=r.citizen_name,
            issue_text=r.issue_text,
        )
        for r in rows
    ]
    return DeskList(items=items, extension=user.extension)


@router.post("/api/callbacks/{task_id}/call", status_code=202)
def click_to_call(task_id: int, request: Request, session: SessionDep, user: CurrentUser, actor: ActorDep, now: NowDep) -> DialAccepted:
    """Ring the agent's phone, then the citizen (an Originate through the listener); the task is now in progress."""
    if not user.extension:
        raise DomainValidationError(
            "Your account has no phone extension: an admin must set one (e.g. PJSIP/op150) before you can call from the desk",
            code="extension_required",
            fields={"extension": "missing"},
        )
    task = dialable_task(session, task_id)  # checked first; marked in progress only once the command is out
    command = send_command(
        request.app.state.redis,
        "originate",
        now=now,
        user_id=user.id,
        interface=user.extension,
        number=task.phone,
        appeal_id=task.appeal_id,
        task_id=task.id,
    )
    task = take_for_dial(session, task_id, actor=actor, now=now)
    accepted = DialAccepted(command_id=command.command_id, task=public(task), expires_at=command.expires_at)
    record_audit(session, actor, "dial", "callback", task_id, now=now, detail={"command_id": command.command_id})
    session.commit()
    return accepted


@router.get("/api/commands/{command_id}")
def command_status(command_id: str, request: Request, user: CurrentUser) -> CommandStatus:
    """Whether the listener acted on a command (the WebSocket carries the same `command.result`; this is the fallback)."""
    client: redis.Redis | None = request.app.state.redis
    if client is None:
        raise HTTPException(status_code=503, detail={"code": "redis_unavailable", "message": "Redis is not configured for this API"})
    try:
        sent = sent_command(client, command_id)
        if sent is None or (sent.get("user_id") != user.id and user.role is not Role.supervisor):
            raise NotFoundError("command", command_id)
        result: dict[str, Any] | None = command_result(client, command_id)
    except redis.RedisError as exc:
        raise HTTPException(status_code=503, detail={"code": "redis_unavailable", "message": f"Redis: {exc}"}) from exc
    return CommandStatus(
        command_id=command_id,
        kind=str(sent.get("kind")),
        status=str(result.get("outcome")) if result else "pending",
        reason=result.get("reason") if result else None,
        sent_at=sent.get("sent_at"),
    )
