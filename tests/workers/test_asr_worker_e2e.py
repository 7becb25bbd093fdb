# mypy: disable-error-code="index,union-attr,no-untyped-call,unused-ignore"
"""End to end through the real forking `callcenter worker asr` process: model preloaded once, transcripts, events."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import redis
from rq.job import Job
from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.models import RecordingLayout, Transcript, TranscriptSegment, TranscriptStatus
from runtime.streams import EVENTS
from tests.asr.conftest import ko_model_dir
from tests.conftest import REDIS_URL, Backend
from tests.workers.conftest import add_recording
from workers.queues import ASR, enqueue

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def test_forking_worker_transcribes_with_the_preloaded_model(
    backend: Backend, engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, tmp_path: Path
) -> None:
    recordings = tmp_path / "recordings"
    audio = add_recording(engine, recordings, "stereo_caller_left_8k.wav", "2026/11/24/1754561234.101.wav")
    spoken = add_recording(engine, recordings, "ko_hello_8k.wav", "2026/11/24/1754561299.7.wav", layout=RecordingLayout.mono)
    shutil.copy(TRANSCRIPTS / "uk_no_heating.transcript.json", spoken.path.with_name("1754561299.7.transcript.json"))
    for rec in (audio, spoken):
        enqueue(rq_redis, ASR, "workers.asr_jobs.transcribe", [rec.recording_id], job_id=f"transcribe-{rec.recording_id}")
    env = {
        **os.environ,
        "CALLCENTER_DEMO": "1",
        "CALLCENTER_DATABASE_URL": backend.url,
        "CALLCENTER_REDIS_URL": REDIS_URL,
        "CALLCENTER_RECORDINGS_DIR": str(recordings),
        "CALLCENTER_VOSK_MODEL_PATH": ko_model_dir(),
    }
    done = subprocess.run(
        [sys.executable, "-m", "callcenter", "worker", "asr", "--burst"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = [Job.fetch(f"transcribe-{r.recording_id}", connection=rq_redis).latest_result() for r in (audio, spoken)]
    returns = [r.return_value for r in results if r is not None]
    assert len(returns) == 2, results
    assert all(r["pid"] != r["model_loaded_pid"] for r in returns)  # each horse inherited the parent's model
    assert len({r["model_loaded_pid"] for r in returns}) == 1
    with Session(engine) as session:
        first = session.exec(select(Transcript).where(Transcript.recording_id == audio.recording_id)).one()
        caller = session.exec(
            select(TranscriptSegment).where(TranscriptSegment.transcript_id == first.id, TranscriptSegment.speaker == "caller")
        ).all()
        second = session.exec(select(Transcript).where(Transcript.recording_id == spoken.recording_id)).one()
    assert first.status is TranscriptStatus.done
    assert caller
    assert caller[0].text
    assert second.appeal_id == spoken.appeal_id
    assert second.suggestions["categories"][0]["code"] == "no_heating"  # type: ignore[index]
    assert second.suggestions["address"]["house"] == "7-А"  # type: ignore[index]
    events = [json.loads(f["data"]) for _, f in redis_client.xrange(EVENTS) if f["type"] == "appeal.transcribed"]
    assert {(e["appeal_id"], e["recording_id"]) for e in events} == {
        (audio.appeal_id, audio.recording_id),
        (spoken.appeal_id, spoken.recording_id),
    }
