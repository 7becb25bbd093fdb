"""Worker fixtures: settings for in-process jobs, recordings with their call and draft appeal."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session

from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import Recording, RecordingLayout
from asr.settings import get_asr_settings
from runtime.settings import get_runtime_settings
from tests.asr.conftest import FIXTURES, ko_model_dir
from tests.conftest import Backend


@dataclass
class Recorded:
    recording_id: int
    appeal_id: int
    path: Path


@pytest.fixture
def asr_env(backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Environment an in-process job reads (the same variables the forked worker gets); returns the recordings dir."""
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    monkeypatch.setenv("CALLCENTER_DEMO", "1")
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", backend.url)
    monkeypatch.setenv("CALLCENTER_RECORDINGS_DIR", str(recordings))
    monkeypatch.setenv("CALLCENTER_VOSK_MODEL_PATH", ko_model_dir())
    get_runtime_settings.cache_clear()
    get_asr_settings.cache_clear()
    yield recordings
    get_runtime_settings.cache_clear()
    get_asr_settings.cache_clear()


def add_recording(
    engine: Engine, recordings: Path, source: str | None, relpath: str, *, layout: RecordingLayout = RecordingLayout.stereo
) -> Recorded:
    """A call with its draft appeal and a recording row; `source` (a fixture file name) is copied to `relpath`."""
    now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    target = recordings / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copy(FIXTURES / source, target)
    with Session(engine) as session:
        call_id = f"17545612{len(relpath)}.{abs(hash(relpath)) % 1000}"
        call, appeal, _ = open_call_draft(session, IncomingCall(call_id=call_id, caller="+380501234567", started_at=now), now=now)
        recording = Recording(call_id=call.call_id, relpath=relpath, layout=layout, created_at=now)
        session.add(recording)
        session.commit()
        return Recorded(recording.id or 0, appeal.id or 0, target)


@pytest.fixture
def rq_redis(redis_client: redis.Redis) -> Iterator[redis.Redis]:
    """The same (flushed) Redis database without response decoding, as rq needs it."""
    kwargs = redis_client.connection_pool.connection_kwargs
    client = redis.Redis(host=kwargs.get("host", "127.0.0.1"), port=kwargs.get("port", 6379), db=kwargs.get("db", 0), socket_timeout=30)
    yield client
    client.close()
