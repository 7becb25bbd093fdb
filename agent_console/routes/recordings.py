"""Recordings of calls (personal data): bytes with HTTP Range, and signed short-lived links the browser streams.

Auditing: `GET /api/recordings/{id}/audio` (bearer) writes a `listen` row per response. The page's player instead asks
`POST /api/recordings/{id}/play` for a link — that request is the play and writes the one `listen` row — and then streams
`/media/recordings/{id}.wav?…`, whose many Range requests are covered by that row rather than each written again.
"""

from __future__ import annotations

import re
import struct
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from agent_console.access import RECORDING_LISTENERS
from agent_console.deps import ActorDep, NowDep, SessionDep
from agent_console.media_links import check_link, issue_link
from appeals.actors import Actor
from appeals.errors import AppealsError, NotFoundError
from appeals.history import record_audit
from appeals.models import Recording, RecordingLayout, User
from appeals.transcripts import recording_context
from asr.errors import AsrError
from asr.layouts import leg_paths, load_channels

router = APIRouter(tags=["recordings"])
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class RecordingGoneError(AppealsError):
    code = "recording_deleted"
    kind = "not_found"


class PlayLinkOut(BaseModel):
    url: str
    expires_at: datetime


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


def _live_recording(session: Session, recording_id: int) -> Recording:
    recording, _ = recording_context(session, recording_id)
    if recording.purged_at is not None:
        raise RecordingGoneError(
            f"Запис {recording_id} видалено за політикою зберігання {recording.purged_at:%d.%m.%Y}; розшифровку збережено"
        )
    return recording


def _byte_range(request: Request, size: int) -> tuple[int, int, int] | None:
    """(status, start, end) of the request's Range over `size` bytes; None when the range cannot be satisfied."""
    match = RANGE.match(request.headers.get("range", "").strip())
    if not (match and (match.group(1) or match.group(2))):
        return 200, 0, size - 1
    if match.group(1):
        start, end = int(match.group(1)), min(int(match.group(2) or size - 1), size - 1)
    else:
        start, end = max(size - int(match.group(2)), 0), size - 1
    return None if start > end or start >= size else (206, start, end)


def _audio(request: Request, recording: Recording, on_range: tuple[Session, Actor, datetime] | None) -> Response:
    """The recording's bytes for the request's Range; with `on_range`, a `listen` audit row for this response."""
    try:
        body = _playable(request.app.state.recordings_dir, recording.relpath, recording.layout, request.app.state.raw_sample_rate)
    except (OSError, ValueError, AsrError) as exc:
        raise NotFoundError("recording file", recording.id) from exc
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'inline; filename="recording-{recording.id}.wav"',
        "Cache-Control": "private, no-store",
    }
    span = _byte_range(request, len(body))
    if span is None:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{len(body)}"})
    status, start, end = span
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
    if on_range is not None:
        session, actor, now = on_range
        record_audit(session, actor, "listen", "recording", recording.id, now=now, pii=True, detail={"bytes": [start, end]})
        session.commit()
    return Response(body[start : end + 1], status_code=status, media_type="audio/wav", headers=headers)


@router.get("/api/recordings/{recording_id}/audio")
def recording_audio(request: Request, recording_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    """The recording as audio/wav with HTTP Range, for API clients with a bearer token; every response is audited."""
    return _audio(request, _live_recording(session, recording_id), (session, actor, now))


@router.post("/api/recordings/{recording_id}/play")
def play_link(request: Request, recording_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> PlayLinkOut:
    """A signed link to stream this recording, for this user only, valid for a few minutes; this is the audited play."""
    _live_recording(session, recording_id)
    ttl = timedelta(seconds=request.app.state.media_link_ttl_seconds)
    link = issue_link(recording_id, actor.user_id or 0, now=now, ttl=ttl)
    expires_at = now + ttl
    record_audit(
        session, actor, "listen", "recording", recording_id, now=now, pii=True, detail={"via": "link", "until": expires_at.isoformat()}
    )
    session.commit()
    return PlayLinkOut(url=f"/media/recordings/{recording_id}.wav?{link.query(request.app.state.secret_key)}", expires_at=expires_at)


def _refuse(code: str, message: str) -> HTTPException:
    return HTTPException(status_code=403, detail={"code": code, "message": message})


@router.get("/media/recordings/{recording_id}.wav")
def recording_media(request: Request, recording_id: int, u: str, exp: str, sig: str, session: SessionDep, now: NowDep) -> Response:
    """The recording for a signed link from `/play` (no bearer: an <audio> element cannot send one); Range works."""
    link, problem = check_link(request.app.state.secret_key, recording_id, user=u, exp=exp, sig=sig, now=now)
    if link is None:
        if problem == "expired":
            raise _refuse("media_link_expired", "Посилання на запис застаріло; натисніть «Прослухати» ще раз")
        raise _refuse("media_link_invalid", "Посилання на запис недійсне")
    user = session.get(User, link.user_id)
    if user is None or not user.is_active or user.role not in RECORDING_LISTENERS:
        raise _refuse("media_link_invalid", "Посилання на запис недійсне")
    return _audio(request, _live_recording(session, recording_id), None)
