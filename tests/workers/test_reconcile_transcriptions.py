"""The reconciler re-enqueues the transcription of a recording whose `asr` job Redis lost (a restart without
persistence, a flushed queue): found in the database, queued again under its usual id `transcribe-{id}`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import redis
from rq import SimpleWorker
from sqlalchemy import Engine
from sqlmodel import Session

from appeals.models import Transcript
from appeals.reconcile import stale_transcriptions
from tests.conftest import Clock
from tests.workers.conftest import add_recording
from workers.context import JobContext
from workers.queues import ASR, queue


def test_a_recording_without_a_transcript_is_found_after_the_grace(engine: Engine, clock: Clock, tmp_path: Path) -> None:
    recorded = add_recording(engine, tmp_path, None, "2026/11/24/1.1.wav")
    done = add_recording(engine, tmp_path, None, "2026/11/24/1.2.wav")
    with Session(engine) as session:
        session.add(Transcript(recording_id=done.recording_id, call_id="x", appeal_id=None))
        session.commit()
        created = clock.now  # add_recording writes rows created at 2026-11-24 09:30 UTC, the clock's start
        assert stale_transcriptions(session, now=created + timedelta(minutes=1)) == []  # the job may still be on its way
        assert stale_transcriptions(session, now=created + timedelta(minutes=3)) == [recorded.recording_id]


def test_the_reconcile_job_requeues_a_lost_transcription_once(
    job_ctx: JobContext, rq_redis: redis.Redis, clock: Clock, tmp_path: Path
) -> None:
    recorded = add_recording(job_ctx.engine, tmp_path, None, "2026/11/24/2.1.wav")
    clock.advance(minutes=5)
    queue("default", job_ctx.redis).enqueue("workers.deadline_jobs.reconcile")
    asr = queue(ASR, rq_redis)
    SimpleWorker([queue("default", job_ctx.redis)], connection=rq_redis).work(burst=True, logging_level="WARNING")
    assert asr.job_ids == [f"transcribe-{recorded.recording_id}"]
    queue("default", job_ctx.redis).enqueue("workers.deadline_jobs.reconcile")  # a second pass while it waits: no copy
    SimpleWorker([queue("default", job_ctx.redis)], connection=rq_redis).work(burst=True, logging_level="WARNING")
    assert asr.job_ids == [f"transcribe-{recorded.recording_id}"]
