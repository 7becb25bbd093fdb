"""Transcripts of call recordings: one per recording, its per-speaker segments, and the suggestions taken from it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from appeals.models.base import enum_field, json_dict, utcnow


class TranscriptStatus(StrEnum):
    done = "done"
    failed = "failed"
    no_model = "no_model"


class Transcript(SQLModel, table=True):
    """The transcript of one recording (unique: retries and re-runs update it), attached to the call's appeal."""

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int = Field(foreign_key="recording.id", unique=True)
    call_id: str = Field(max_length=64, index=True)
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    status: TranscriptStatus = enum_field(TranscriptStatus.done)
    duration: float = 0.0
    text: str = Field(default="", sa_type=Text)
    model: str = Field(default="", max_length=200)
    source: str = Field(default="vosk", max_length=16)
    error: str = Field(default="", max_length=1000)
    suggestions: dict[str, object] = json_dict()
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TranscriptSegment(SQLModel, table=True):
    """One utterance: speaker caller | operator | mixed, times in seconds from the start of the recording."""

    __tablename__ = "transcript_segment"
    __table_args__ = (UniqueConstraint("transcript_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True)
    seq: int
    speaker: str = Field(max_length=16)
    start: float
    end: float
    text: str = Field(sa_type=Text)
    confidence: float = 0.0
