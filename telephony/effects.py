"""What the tracker decides happened to an inbound call; the listener turns these into DB writes and `call.*` events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Offered:
    call_id: str
    caller: str | None
    caller_name: str | None
    did: str | None
    channel: str
    started_at: datetime
    queue: str | None = None


@dataclass(frozen=True, slots=True)
class QueueJoined:
    call_id: str
    queue: str


@dataclass(frozen=True, slots=True)
class AgentRinging:
    call_id: str
    interface: str


@dataclass(frozen=True, slots=True)
class AgentReleased:
    call_id: str
    interface: str
    reason: str


@dataclass(frozen=True, slots=True)
class Answered:
    call_id: str
    interface: str | None
    at: datetime
    wait_seconds: float | None


@dataclass(frozen=True, slots=True)
class Transferred:
    call_id: str
    kind: str
    target: str


@dataclass(frozen=True, slots=True)
class Ended:
    call_id: str
    at: datetime
    cause: int | None
    cause_text: str | None
    answered: bool
    abandoned: bool
    queue_exit: str | None
    talk_seconds: float | None


@dataclass(frozen=True, slots=True)
class RecordingReady:
    call_id: str
    relpath: str
    layout: str


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    call_id: str
    number: str | None
    queue: str | None


Effect = Offered | QueueJoined | AgentRinging | AgentReleased | Answered | Transferred | Ended | RecordingReady | CallbackRequested
