# mypy: disable-error-code="index,union-attr,no-untyped-call,unused-ignore"
"""The transcribe job on real Redis (rq SimpleWorker) and a real database, with the real Vosk decoder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import redis
from rq import SimpleWorker
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.models import Recording, RecordingLayout, Transcript, TranscriptSegment, TranscriptStatus
from runtime.streams import EVENTS
from tests.workers.conftest import add_recording
from workers.queues import ASR, enqueue, queue

FIXTURE_TRANSCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def run(rq: redis.Redis, recording_id: int, *, retry: tuple[int, ...] | None = (10, 60, 300)) -> Job:
    job = enqueue(rq, ASR, "workers.asr_jobs.transcribe", [recording_id], job_id=f"transcribe-{recording_id}", retry=retry)
    SimpleWorker([queue(ASR, rq)], connection=rq).work(burst=True)
    job.refresh()
    return job


def transcript_of(engine: Engine, recording_id: int) -> tuple[Transcript, list[TranscriptSegment]]:
    with Session(engine) as session:
        row = session.exec(select(Transcript).where(Transcript.recording_id == recording_id)).one()
        segments = list(session.exec(select(TranscriptSegment).where(TranscriptSegment.transcript_id == row.id)).all())
        return row, segments


def test_stereo_recording_becomes_a_per_speaker_transcript_on_its_appeal(
    engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, asr_env: Path
) -> None:
    rec = add_recording(engine, asr_env, "stereo_caller_left_8k.wav", "2026/11/24/1.wav")
    job = run(rq_redis, rec.recording_id)
    assert job.get_status() == "finished", job.latest_result()
    row, segments = transcript_of(engine, rec.recording_id)
    assert row.status is TranscriptStatus.done
    assert row.appeal_id == rec.appeal_id
    assert {s.speaker for s in segments} == {"caller"}
    assert all(s.text and 0 <= s.start <= s.end <= row.duration + 0.01 for s in segments)
    events = [json.loads(f["data"]) for _, f in redis_client.xrange(EVENTS) if f["type"] == "appeal.transcribed"]
    assert events == [{"appeal_id": rec.appeal_id, "recording_id": rec.recording_id}]


def test_a_rerun_keeps_one_transcript(engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, asr_env: Path) -> None:
    rec = add_recording(engine, asr_env, "call_rxtx-in.wav", "2026/11/24/2-in.wav", layout=RecordingLayout.rx_tx)
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "call_rxtx-out.wav", rec.path.with_name("2-out.wav"))
    run(rq_redis, rec.recording_id)
    first, first_segments = transcript_of(engine, rec.recording_id)
    run(rq_redis, rec.recording_id)
    again, segments = transcript_of(engine, rec.recording_id)
    assert again.id == first.id
    assert again.attempts == 2
    assert len(segments) == len(first_segments)
    assert {s.speaker for s in segments} == {"caller", "operator"}


def test_corrupt_file_fails_once_with_its_reason_and_loses_nothing(
    engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, asr_env: Path
) -> None:
    rec = add_recording(engine, asr_env, None, "2026/11/24/3.wav")
    rec.path.write_bytes(b"<html>this is not audio</html>")
    job = run(rq_redis, rec.recording_id)
    assert job.get_status() == "failed"
    assert "not a WAV file" in (job.latest_result().exc_string or "")  # type: ignore[union-attr]
    assert ScheduledJobRegistry(ASR, connection=rq_redis).get_job_ids() == []
    row, _ = transcript_of(engine, rec.recording_id)
    assert row.status is TranscriptStatus.failed
    assert "not a WAV file" in row.error
    assert rec.path.read_bytes() == b"<html>this is not audio</html>"
    with Session(engine) as session:
        assert session.get(Recording, rec.recording_id) is not None


def test_missing_file_is_retried_then_fails_with_its_reason(
    engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, asr_env: Path
) -> None:
    rec = add_recording(engine, asr_env, None, "2026/11/24/4.wav")
    job = run(rq_redis, rec.recording_id, retry=(0,))
    assert job.get_status() == "failed"
    assert job.retries_left == 0
    row, _ = transcript_of(engine, rec.recording_id)
    assert (row.status, row.attempts) == (TranscriptStatus.failed, 1)
    assert "no such file" in row.error


def test_a_missing_file_waits_for_the_scheduled_retry(
    engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, asr_env: Path
) -> None:
    rec = add_recording(engine, asr_env, None, "2026/11/24/5.wav")
    job = run(rq_redis, rec.recording_id)
    assert job.get_status() == "scheduled"
    assert ScheduledJobRegistry(ASR, connection=rq_redis).get_job_ids() == [job.id]
    with Session(engine) as session:
        assert session.exec(select(Transcript).where(Transcript.recording_id == rec.recording_id)).first() is None


def test_without_a_model_the_transcript_says_how_to_install_one(
    engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, asr_env: Path, monkeypatch
) -> None:
    from asr.settings import get_asr_settings

    monkeypatch.setenv("CALLCENTER_VOSK_MODEL_PATH", "")
    get_asr_settings.cache_clear()
    rec = add_recording(engine, asr_env, "ko_hello_8k.wav", "2026/11/24/6.wav", layout=RecordingLayout.mono)
    job = run(rq_redis, rec.recording_id)
    assert job.get_status() == "finished"
    row, _ = transcript_of(engine, rec.recording_id)
    assert row.status is TranscriptStatus.no_model
    assert "CALLCENTER_VOSK_MODEL_PATH" in row.error
    assert "docs/asr.md" in row.error


def test_ukrainian_transcript_gives_category_and_address_suggestions(
    engine: Engine, redis_client: redis.Redis, rq_redis: redis.Redis, asr_env: Path
) -> None:
    rec = add_recording(engine, asr_env, "ko_hello_8k.wav", "2026/11/24/7.wav", layout=RecordingLayout.mono)
    shutil.copy(FIXTURE_TRANSCRIPTS / "uk_no_heating.transcript.json", rec.path.with_name("7.transcript.json"))
    run(rq_redis, rec.recording_id)
    row, segments = transcript_of(engine, rec.recording_id)
    assert row.source == "import"
    assert [s.speaker for s in sorted(segments, key=lambda s: s.seq)] == ["operator", "caller", "operator", "caller", "operator"]
    suggestions = row.suggestions
    assert suggestions["categories"][0]["code"] == "no_heating"  # type: ignore[index]
    assert suggestions["address"]["street"] == "вулиця Київська"  # type: ignore[index]
    assert suggestions["address"]["house"] == "7-А"  # type: ignore[index]
    assert suggestions["address"]["building_id"] is not None  # type: ignore[index]
