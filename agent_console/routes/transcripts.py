"""Transcripts and recordings of calls (personal data): every response that carries them writes an audit row."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.errors import AppealsError, NotFoundError
from appeals.history import record_audit
from appeals.models import RecordingLayout, Transcript, TranscriptSegment
from appeals.transcripts import read_appeal_transcripts, read_recording_transcript, recording_context
from asr.errors import AsrError
from asr.layouts import leg_paths, load_channels

router = APIRouter(tags=["transcripts"])
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


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


class RecordingGoneError(AppealsError):
    code = "recording_deleted"
    kind = "not_found"


@router.get("/api/appeals/{appeal_id}/transcripts")
def appeal_transcripts(appeal_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> list[TranscriptOut]:
    """The transcripts of the appeal's calls (speaker caller / operator / mixed) with their suggestions."""
    return [_out(row, segs) for row, segs in read_appeal_transcripts(session, appeal_id, actor=actor, now=now)]


@router.get("/api/recordings/{recording_id}/transcript")
def recording_transcript(recording_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> TranscriptOut:
    row, segments = read_recording_transcript(session, recording_id, actor=actor, now=now)
    return _out(row, segments)


def _wav_header(data_len: int, *, rate: int, channels: int) -> bytes:
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_len)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * 2, channels * 2, 16)
        + b"data"
        + struct.pack("<I", data_len)
    )


def _playable(root: Path, relpath: str, layout: RecordingLayout, raw_rate: int) -> bytes:
    """The recording as one browser-playable WAV (a D `.raw` gets a header; r()/t() legs are interleaved to stereo)."""
    path = root / relpath
    if layout is RecordingLayout.rx_tx:
        rx, tx = (load_channels(p, "mono", raw_rate=raw_rate)[0] for p in leg_paths(path))
        n = max(len(rx.samples), len(tx.samples))
        both = np.zeros(n * 2, dtype="<i2")
        both[0 : len(rx.samples) * 2 : 2], both[1 : len(tx.samples) * 2 : 2] = rx.samples, tx.samples
        return _wav_header(n * 4, rate=rx.rate, channels=2) + both.tobytes()
    data = path.read_bytes()
    if path.suffix.lower() == ".raw":
        return _wav_header(len(data) - len(data) % 4, rate=raw_rate, channels=2) + data[: len(data) - len(data) % 4]
    return data


@router.get("/api/recordings/{recording_id}/audio")
def recording_audio(request: Request, recording_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    """The recording as audio/wav, with HTTP Range support for in-browser seeking."""
    recording, _ = recording_context(session, recording_id)
    if recording.purged_at is not None:
        raise RecordingGoneError(
            f"Recording {recording_id} was deleted by the retention policy on {recording.purged_at:%Y-%m-%d}; the transcript is kept"
        )
    try:
        body = _playable(request.app.state.recordings_dir, recording.relpath, recording.layout, request.app.state.raw_sample_rate)
    except (OSError, ValueError, AsrError) as exc:
        raise NotFoundError("recording file", recording_id) from exc
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'inline; filename="recording-{recording_id}.wav"',
        "Cache-Control": "private, no-store",
    }
    match = RANGE.match(request.headers.get("range", "").strip())
    status, start, end = 200, 0, len(body) - 1
    if match and (match.group(1) or match.group(2)):
        if match.group(1):
            start, end = int(match.group(1)), min(int(match.group(2) or end), end)
        else:
            start = max(len(body) - int(match.group(2)), 0)
        if start > end or start >= len(body):
            return Response(status_code=416, headers={"Content-Range": f"bytes */{len(body)}"})
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
    record_audit(session, actor, "listen", "recording", recording_id, now=now, pii=True, detail={"bytes": [start, end]})
    session.commit()
    return Response(body[start : end + 1], status_code=status, media_type="audio/wav", headers=headers)
