"""The rq job `transcribe(recording_id)` (queue `asr`, job id `transcribe-{recording_id}`) and the model preload.

A recording becomes one transcript on its appeal: channels split by speaker, decoded by Vosk, suggestions taken
from the caller's words, `appeal.transcribed` published. Transient problems (the file not written yet, the
database or Redis away) are retried by rq; a corrupt file or an unusable model fails the job once, with its
reason kept on the transcript and in rq's failed registry; the recording itself is never touched.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from rq import get_current_job
from sqlalchemy import Engine
from sqlmodel import Session

from appeals.address_extract import warm_up as warm_up_addresses
from appeals.lemmas import warm_up as warm_up_lemmas
from appeals.models import RecordingLayout, TranscriptStatus
from appeals.transcripts import SegmentIn, TranscriptIn, recording_context, save_transcript, suggest_for_text
from asr.engine import LoadedModel, load_model, loaded_models, transcribe_channels
from asr.errors import AsrError, AudioError, ModelError
from asr.layouts import load_channels
from asr.results import Transcript, transcript_from_json
from asr.settings import AsrSettings, get_asr_settings
from runtime.db import build_engine
from runtime.metrics import record_asr_rtf
from runtime.settings import get_runtime_settings
from workers.outbox import drain_outbox

logger = logging.getLogger(__name__)
NO_MODEL = "no speech model installed"


def preload_model() -> None:
    """Run in the worker parent before rq forks: the model and the dictionaries are then shared by every job."""
    warm_up_lemmas()
    warm_up_addresses()
    path = get_asr_settings().vosk_model_path
    if not path:
        logger.warning(
            "no speech model installed; asr jobs record that state", extra={"event_data": {"setting": "CALLCENTER_VOSK_MODEL_PATH"}}
        )
        return
    try:
        load_model(path)
    except ModelError as exc:
        logger.error("speech model unusable; asr jobs will fail until it is fixed", extra={"event_data": {"reason": exc.reason}})


def sidecar_path(path: Path) -> Path:
    """`<recording>.transcript.json`: a transcript made elsewhere (in the `asr transcribe --json` shape) is imported."""
    return path.with_name(path.name.rsplit(".", 1)[0] + ".transcript.json")


def _recording_path(root: Path, relpath: str) -> Path:
    path = (root / relpath).resolve()
    if not path.is_relative_to(root.resolve()):
        raise AudioError(relpath, "the recording path leaves the recordings directory")
    return path


def _recognize(path: Path, layout: RecordingLayout, settings: AsrSettings) -> tuple[Transcript, str, str]:
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        try:
            return transcript_from_json(json.loads(sidecar.read_text(encoding="utf-8"))), "import", sidecar.name
        except ValueError as exc:
            raise AudioError(sidecar, f"not a transcript ({exc})") from exc
    if not settings.vosk_model_path:
        raise ModelError("CALLCENTER_VOSK_MODEL_PATH is not set")
    model: LoadedModel = load_model(settings.vosk_model_path)
    channels = load_channels(path, layout.value, raw_rate=settings.asr_raw_sample_rate)
    return transcribe_channels(model, channels, chunk_seconds=settings.asr_chunk_seconds), "vosk", model.name


def _segments(transcript: Transcript) -> list[SegmentIn]:
    return [SegmentIn(s.speaker, s.start, s.end, s.text, s.confidence) for s in transcript.segments]


def _pss_kb() -> int | None:
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _stop_retrying() -> None:
    job = get_current_job()
    if job is not None:
        job.retries_left = 0


def _will_retry() -> bool:
    job = get_current_job()
    return bool(job is not None and job.retries_left)


def now() -> datetime:
    return datetime.now(UTC)


def _record_failure(engine: Engine, recording_id: int, exc: AsrError) -> None:
    status = TranscriptStatus.no_model if isinstance(exc, ModelError) else TranscriptStatus.failed
    with Session(engine) as session:
        save_transcript(session, recording_id, TranscriptIn(status, error=str(exc)), suggestions=None, now=now())


def run_transcription(
    engine: Engine, recording_id: int, *, recordings_dir: Path, settings: AsrSettings, client: redis.Redis | None
) -> dict[str, Any]:
    """The job body, callable without rq (CLI re-runs, benchmarks)."""
    started = time.perf_counter()
    with Session(engine) as session:
        recording, _ = recording_context(session, recording_id)
        layout, relpath = recording.layout, recording.relpath
    try:
        transcript, source, model_name = _recognize(_recording_path(recordings_dir, relpath), layout, settings)
    except AsrError as exc:
        if exc.transient and _will_retry():
            logger.warning("recording not ready; retrying", extra={"event_data": {"recording_id": recording_id}})
            raise
        _record_failure(engine, recording_id, exc)
        if isinstance(exc, ModelError) and not settings.vosk_model_path:
            logger.warning("no speech model installed", extra={"event_data": {"recording_id": recording_id}})
            return {"recording_id": recording_id, "status": TranscriptStatus.no_model.value}
        _stop_retrying()
        logger.error("transcription failed", extra={"event_data": {"recording_id": recording_id, "code": exc.code}})
        raise
    decoded = time.perf_counter() - started
    with Session(engine) as session:
        suggestions = suggest_for_text(session, transcript.speaker_text("caller") or transcript.text)
        data = TranscriptIn(TranscriptStatus.done, transcript.duration, _segments(transcript), model=model_name, source=source)
        row = save_transcript(session, recording_id, data, suggestions=suggestions, now=now())
    if client is not None:
        drain_outbox(engine, client)
        if transcript.duration > 0 and source == "vosk":
            record_asr_rtf(client, decoded / transcript.duration)
    models = loaded_models()
    result = {
        "recording_id": recording_id,
        "transcript_id": row.id,
        "status": row.status.value,
        "segments": len(transcript.segments),
        "duration": transcript.duration,
        "decode_seconds": round(decoded, 3),
        "total_seconds": round(time.perf_counter() - started, 3),
        "pid": os.getpid(),
        "model_loaded_pid": models[0].loaded_pid if models else None,
        "pss_kb": _pss_kb(),
    }
    logger.info("recording transcribed", extra={"event_data": {k: v for k, v in result.items() if k != "pss_kb"}})
    return result


def transcribe(recording_id: int) -> dict[str, Any]:
    """rq entry point: one transcript per recording, however often it runs."""
    runtime = get_runtime_settings()
    engine = build_engine(runtime.effective_database_url)
    job = get_current_job()
    try:
        return run_transcription(
            engine, recording_id, recordings_dir=runtime.recordings_dir, settings=get_asr_settings(), client=job.connection if job else None
        )
    finally:
        engine.dispose()
