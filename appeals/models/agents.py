"""The agent state log: each queue member's state as the listener reported it, for pause and wrap-up time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class AgentStateLog(SQLModel, table=True):
    """One state of one phone from `since` until the next row of that interface (free, ringing, on_call, paused,
    wrapup, offline). Unique per (interface, since, state): every API instance records the same stream, once."""

    __tablename__ = "agent_state_log"
    __table_args__ = (
        UniqueConstraint("interface", "since", "state"),
        Index("ix_agent_state_log_since", "since"),
    )
    id: int | None = Field(default=None, primary_key=True)
    interface: str = Field(max_length=80)
    state: str = Field(max_length=16)
    reason: str = Field(default="", max_length=80)
    since: datetime
