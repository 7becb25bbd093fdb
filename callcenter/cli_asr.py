"""`callcenter asr transcribe FILE [--json]`, `callcenter asr check-model`, `callcenter recordings purge`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from appeals.actors import SYSTEM
from appeals.transcripts import mark_purged, recordings_older_than
from asr.engine import load_model, transcribe_channels, validate_model_dir
from asr.errors import AsrError
from asr.layouts import LAYOUTS, leg_paths, load_channels
from asr.settings import get_asr_settings
from runtime.db import build_engine
from runtime.settings import get_runtime_settings


def _fail(command: str, reason: object) -> int:
    sys.stderr.write(f"callcenter {command}: {str(reason).splitlines()[0] if str(reason) else reason}\n")
    return 1


def _cmd_transcribe(args: argparse.Namespace) -> int:
    settings = get_asr_settings()
    try:
        channels = load_channels(Path(args.file), args.layout, raw_rate=args.raw_rate or settings.asr_raw_sample_rate)
        model = load_model(args.model or settings.vosk_model_path)
        transcript = transcribe_channels(model, channels, chunk_seconds=settings.asr_chunk_seconds)
    except AsrError as exc:
        return _fail("asr transcribe", exc)
    if args.json:
        sys.stdout.write(json.dumps(transcript.to_json(), ensure_ascii=False) + "\n")
        return 0
    for seg in transcript.segments:
        sys.stdout.write(f"[{seg.start:7.2f}–{seg.end:7.2f}] {seg.speaker:<8} {seg.text}\n")
    sys.stdout.write(f"duration {transcript.duration:.2f} s, {len(transcript.segments)} segment(s)\n")
    return 0


def _cmd_check_model(args: argparse.Namespace) -> int:
    path = args.model or get_asr_settings().vosk_model_path
    try:
        validate_model_dir(path)
        loaded = load_model(path)
    except AsrError as exc:
        return _fail("asr check-model", exc)
    sys.stdout.write(f"model {loaded.path}: loaded in {loaded.load_seconds:.1f} s, expects {loaded.sample_rate} Hz audio\n")
    return 0


def _files_of(root: Path, relpath: str) -> list[Path]:
    path = root / relpath
    return [p for p in (path, *leg_paths(path), path.with_name(path.name.rsplit(".", 1)[0] + ".transcript.json")) if p.is_file()]


def _cmd_purge(args: argparse.Namespace) -> int:
    runtime = get_runtime_settings()
    days = args.older_than_days if args.older_than_days is not None else get_asr_settings().recordings_retention_days
    if days <= 0:
        return _fail("recordings purge", "no retention period: pass --older-than-days N or set CALLCENTER_RECORDINGS_RETENTION_DAYS")
    now = datetime.now(UTC)
    engine = build_engine(runtime.effective_database_url)
    deleted = 0
    with Session(engine) as session:
        for recording in recordings_older_than(session, now - timedelta(days=days)):
            files = _files_of(runtime.recordings_dir, recording.relpath)
            if not args.dry_run:
                for path in files:
                    path.unlink(missing_ok=True)
                mark_purged(session, recording, actor=SYSTEM, now=now, reason=f"retention {days} days")
            deleted += len(files)
        if not args.dry_run:
            session.commit()
    engine.dispose()
    verb = "would delete" if args.dry_run else "deleted"
    sys.stdout.write(f"{verb} {deleted} file(s) of recordings older than {days} day(s); transcripts are kept\n")
    return 0


def add_commands(sub: Any) -> None:
    asr = sub.add_parser("asr", help="offline speech recognition (Vosk)")
    asr_sub = asr.add_subparsers(dest="asr_command", required=True)
    tr = asr_sub.add_parser("transcribe", help="transcribe a recording (stereo: left = caller, right = operator)")
    tr.add_argument("file", help="a WAV file, a MixMonitor D .raw file, or the base/leg of an r()/t() pair")
    tr.add_argument("--json", action="store_true", help='print {"duration", "text", "segments": [...]}')
    tr.add_argument("--layout", choices=LAYOUTS, default="auto")
    tr.add_argument("--raw-rate", type=int, help="sample rate of a headerless .raw file (default CALLCENTER_ASR_RAW_SAMPLE_RATE)")
    tr.add_argument("--model", help="model directory (default CALLCENTER_VOSK_MODEL_PATH)")
    tr.set_defaults(func=_cmd_transcribe)
    check = asr_sub.add_parser("check-model", help="validate and load the configured Vosk model")
    check.add_argument("--model", help="model directory (default CALLCENTER_VOSK_MODEL_PATH)")
    check.set_defaults(func=_cmd_check_model)
    rec = sub.add_parser("recordings", help="call recordings")
    rec_sub = rec.add_subparsers(dest="recordings_command", required=True)
    purge = rec_sub.add_parser("purge", help="delete recording files past the retention period (transcripts stay)")
    purge.add_argument("--older-than-days", type=int, help="default CALLCENTER_RECORDINGS_RETENTION_DAYS")
    purge.add_argument("--dry-run", action="store_true")
    purge.set_defaults(func=_cmd_purge)
