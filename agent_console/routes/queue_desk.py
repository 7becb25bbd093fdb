"""The operator's own queue membership: log in/out of a queue, pause with a reason from the catalogue, resume.

Each action becomes one `cc:commands` entry for the listener (appeals.events.Command) with the operator's extension;
the result arrives on the console socket as `command.result` with the returned `command_id`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Literal

import redis
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from agent_console.deps import CurrentUser, NowDep
from appeals.events import Command
from appeals.pauses import PAUSE_REASONS
from runtime.streams import COMMANDS, publish

router = APIRouter(tags=["console"])
COMMAND_TTL = timedelta(seconds=30)
KINDS = {"login": "queue_login", "logout": "queue_logout", "pause": "queue_pause", "unpause": "queue_unpause"}


class PauseReason(BaseModel):
    code: str
    label: str


class QueueActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["login", "logout", "pause", "unpause"]
    queue: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_\-]{1,80}$")
    reason: str | None = None


class CommandSent(BaseModel):
    command_id: str
    kind: str
    interface: str
    expires_at: str


def _refuse(status: int, code: str, message: str) -> HTTPException:
    return HTTPException(status_code=status, detail={"code": code, "message": message})


@router.get("/api/console/pause-reasons")
def pause_reasons() -> list[PauseReason]:
    return [PauseReason(code=code, label=label) for code, label in PAUSE_REASONS.items()]


@router.post("/api/console/queue", status_code=202)
def queue_action(body: QueueActionIn, request: Request, user: CurrentUser, now: NowDep) -> CommandSent:
    """Send a queue action for the caller's own phone; 409 without an extension, 422 for an unknown pause reason."""
    if not user.extension:
        raise _refuse(409, "no_extension", f"User {user.username} has no phone extension (e.g. PJSIP/op101); an admin sets it")
    if body.action == "pause" and (body.reason or "") not in PAUSE_REASONS:
        raise _refuse(422, "invalid_pause_reason", f"Pause reason {body.reason!r} is not one of: {', '.join(PAUSE_REASONS)}")
    client: redis.Redis | None = request.app.state.redis
    if client is None:
        raise _refuse(503, "redis_unavailable", "Redis is not configured for this API")
    command = Command(
        command_id=str(uuid.uuid4()),
        kind=KINDS[body.action],
        user_id=user.id,
        interface=user.extension,
        queue=body.queue,
        reason=body.reason if body.action == "pause" else None,
        expires_at=now + COMMAND_TTL,
    )
    try:
        publish(client, command.kind, command.model_dump(mode="json"), at=now, stream=COMMANDS)
    except redis.RedisError as exc:
        raise _refuse(503, "redis_unavailable", f"The command was not sent: Redis is unavailable ({exc})") from exc
    return CommandSent(
        command_id=command.command_id, kind=command.kind, interface=user.extension, expires_at=command.expires_at.isoformat()
    )
