"""Transcripts of calls (personal data): every response that carries them writes an audit row (recordings: recordings.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.models import Transcript, TranscriptSegment
from appeals.transcripts import read_appeal_transcripts, read_recording_transcript

router = APIRouter(tags=["transcripts"])


class SegmentOut(BaseModel):
    speaker: str
    start: float
    end: float
    text: str
    confidence: float


class TranscriptOut(BaseModel):
    id: int
    recording_id: int
    call_id: str
    appeal_id: int | None
    status: str
    duration: float
    text: str
    error: str
    model: str
    source: str
    suggestions: dict[str, Any]
    segments: list[SegmentOut]


def _out(row: Transcript, segments: list[TranscriptSegment]) -> TranscriptOut:
    return TranscriptOut(
        id=row.id or 0,
        recording_id=row.recording_id,
        call_id=row.call_id,
        appeal_id=row.appeal_id,
        status=row.status.value,
        duration=row.duration,
        text=row.text,
        error=row.error,
        model=row.model,
        source=row.source,
        suggestions=dict(row.suggestions),
        segments=[SegmentOut(speaker=s.speaker, start=s.start, end=s.end, text=s.text, confidence=s.confidence) for s in segments],
    )


@router.get("/api/appeals/{appeal_id}/transcripts")
def appeal_transcripts(appeal_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> list[TranscriptOut]:
    """The transcripts of the appeal's calls (speaker caller / operator / mixed) with their suggestions."""
    return [_out(row, segs) for row, segs in read_appeal_transcripts(session, appeal_id, actor=actor, now=now)]


@router.get("/api/recordings/{recording_id}/transcript")
def recording_transcript(recording_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> TranscriptOut:
    row, segments = read_recording_transcript(session, recording_id, actor=actor, now=now)
    return _out(row, segments)
