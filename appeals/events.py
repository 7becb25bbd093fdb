"""Payloads of the Redis streams (ARCHITECTURE.md "Seams"): `cc:events` notifications and `cc:commands`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

EVENTS_STREAM = "cc:events"
COMMANDS_STREAM = "cc:commands"
EVENTS_MAXLEN = 100_000
SCHEMA_VERSION = 1


class StreamEvent(BaseModel):
    """Base of every `cc:events` payload; `type` names it on the stream."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type: ClassVar[str]


class CallOffered(StreamEvent):
    type: ClassVar[str] = "call.offered"
    call_id: str
    appeal_id: int | None
    caller: str | None
    did: str | None = None
    queue: str | None = None


class CallAgentRinging(StreamEvent):
    type: ClassVar[str] = "call.agent_ringing"
    call_id: str
    appeal_id: int | None
    interface: str


class CallAgentReleased(StreamEvent):
    type: ClassVar[str] = "call.agent_released"
    call_id: str
    interface: str


class CallAnswered(StreamEvent):
    type: ClassVar[str] = "call.answered"
    call_id: str
    interface: str | None


class CallEnded(StreamEvent):
    type: ClassVar[str] = "call.ended"
    call_id: str
    cause: str | None
    answered: bool
    abandoned: bool


class QueueState(StreamEvent):
    type: ClassVar[str] = "queue.state"
    queue: str
    waiting: int
    members: list[dict[str, Any]]
    counters: dict[str, Any]


class AppealUpdated(StreamEvent):
    type: ClassVar[str] = "appeal.updated"
    appeal_id: int
    status: str


class AppealTranscribed(StreamEvent):
    type: ClassVar[str] = "appeal.transcribed"
    appeal_id: int | None
    recording_id: int


class CommandResult(StreamEvent):
    type: ClassVar[str] = "command.result"
    command_id: str
    kind: str
    outcome: Literal["ok", "failed", "expired", "rejected"]
    reason: str | None = None


EVENT_TYPES: dict[str, type[StreamEvent]] = {
    cls.type: cls
    for cls in (
        CallOffered,
        CallAgentRinging,
        CallAgentReleased,
        CallAnswered,
        CallEnded,
        QueueState,
        AppealUpdated,
        AppealTranscribed,
        CommandResult,
    )
}


def parse_event(type_: str, data: dict[str, Any]) -> StreamEvent:
    """The typed payload of a stream entry; unknown types raise KeyError."""
    return EVENT_TYPES[type_].model_validate(data)


class Command(BaseModel):
    """An entry of `cc:commands`, read by the listener's consumer group."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    command_id: str
    kind: Literal["originate", "queue_pause", "queue_unpause", "queue_login", "queue_logout", "spy"]
    user_id: int | None = None
    interface: str | None = None
    number: str | None = None
    appeal_id: int | None = None
    task_id: int | None = None
    queue: str | None = None
    reason: str | None = None
    expires_at: datetime
