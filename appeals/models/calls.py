"""Telephony records: calls, their recordings, and callback tasks with their attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from appeals.models.base import enum_field, utcnow
from appeals.models.enums import CallbackKind, CallbackStatus, CallDirection, RecordingLayout


class Call(SQLModel, table=True):
    """One call (all its legs), keyed by the PBX's call id (Asterisk Linkedid of the first leg)."""

    __table_args__ = (
        Index("ix_call_caller_started", "caller", "started_at"),
        Index("ix_call_started", "started_at"),  # the wallboard's today figures read a time range of calls
    )
    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(max_length=64, unique=True)
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    direction: CallDirection = enum_field(CallDirection.inbound)
    caller: str | None = Field(default=None, max_length=20)
    caller_name: str | None = Field(default=None, max_length=200)
    did: str | None = Field(default=None, max_length=40)
    queue: str | None = Field(default=None, max_length=80)
    channel: str | None = Field(default=None, max_length=120)
    operator_id: int | None = Field(default=None, foreign_key="app_user.id")
    interface: str | None = Field(default=None, max_length=80)
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = Field(default=None, index=True)
    answered: bool = False
    abandoned: bool = False
    hangup_cause: int | None = None
    hangup_cause_text: str | None = Field(default=None, max_length=80)
    wait_seconds: float | None = None
    talk_seconds: float | None = None
    source: str = Field(default="ami", max_length=16)


class Recording(SQLModel, table=True):
    """A finished recording of a call; relpath is relative to the recordings (monitor) directory."""

    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(foreign_key="call.call_id", max_length=64, index=True)
    relpath: str = Field(max_length=400, unique=True)
    layout: RecordingLayout = enum_field(RecordingLayout.stereo)
    created_at: datetime = Field(default_factory=utcnow)
    purged_at: datetime | None = None


class CallbackTask(SQLModel, table=True):
    """Work for the callback desk: verify done work, return a missed call, or a requested callback."""

    __tablename__ = "callback_task"
    __table_args__ = (Index("ix_callback_status_next", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: CallbackKind = enum_field(CallbackKind.missed_call)
    status: CallbackStatus = enum_field(CallbackStatus.pending)
    dedup_key: str = Field(max_length=120, unique=True)
    phone: str | None = Field(default=None, max_length=20, index=True)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    issue_id: int | None = Field(default=None, foreign_key="issue.id", index=True)
    call_id: str | None = Field(default=None, max_length=64)
    attempts: int = 0
    max_attempts: int = 3
    next_attempt_at: datetime
    due_at: datetime | None = None
    assigned_to: int | None = Field(default=None, foreign_key="app_user.id")
    outcome: str | None = Field(default=None, max_length=32)
    satisfaction: int | None = None
    comment: str = Field(default="", max_length=1000)
    priority: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class CallbackAttempt(SQLModel, table=True):
    """One dial attempt of a callback task and what came of it."""

    __tablename__ = "callback_attempt"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="callback_task.id", index=True)
    attempted_at: datetime
    agent_id: int | None = Field(default=None, foreign_key="app_user.id")
    outcome: str = Field(max_length=32)
    satisfaction: int | None = None
    call_id: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=1000)
