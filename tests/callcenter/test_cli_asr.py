"""`callcenter asr transcribe|check-model` and `callcenter recordings purge` as a site runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from appeals.models import Recording
from callcenter.cli import main
from tests.asr.conftest import FIXTURES, ko_model_dir
from tests.conftest import Backend
from tests.workers.conftest import add_recording


def test_transcribe_json_has_the_contract_shape(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLCENTER_VOSK_MODEL_PATH", ko_model_dir())
    from asr.settings import get_asr_settings

    get_asr_settings.cache_clear()
    assert main(["asr", "transcribe", str(FIXTURES / "stereo_caller_left_8k.wav"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"duration", "text", "segments"}
    assert out["segments"]
    assert all(set(s) == {"speaker", "start", "end", "text", "confidence"} for s in out["segments"])
    assert {s["speaker"] for s in out["segments"]} == {"caller"}
    assert out["duration"] == pytest.approx(4.65, abs=0.01)
    get_asr_settings.cache_clear()


@pytest.mark.parametrize(("content", "reason"), [(b"junk, not audio", "not a WAV file"), (None, "no such file")])
def test_unreadable_input_is_one_line_and_non_zero(tmp_path: Path, content: bytes | None, reason: str) -> None:
    path = tmp_path / "call.wav"
    if content is not None:
        path.write_bytes(content)
    env = {**os.environ, "CALLCENTER_VOSK_MODEL_PATH": ko_model_dir()}
    done = subprocess.run(
        [sys.executable, "-m", "callcenter", "asr", "transcribe", str(path), "--json"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert reason in done.stderr
    assert "Traceback" not in done.stderr


def test_check_model_without_a_model_says_how_to_install(tmp_path: Path) -> None:
    env = {**os.environ, "CALLCENTER_VOSK_MODEL_PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "callcenter", "asr", "check-model"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "not a Vosk model directory" in done.stderr
    assert "vosk-model-uk-v3" in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "callcenter", "asr", "check-model", "--model", ko_model_dir()], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert "16000 Hz" in ok.stdout


def test_purge_deletes_old_recording_files_and_keeps_new_ones(backend: Backend, engine: Engine, tmp_path: Path) -> None:
    recordings = tmp_path / "rec"
    old = add_recording(engine, recordings, "ko_hello_8k.wav", "2026/10/01/old.wav")
    new = add_recording(engine, recordings, "ko_hello_8k.wav", "2026/11/24/new.wav")
    with Session(engine) as session:
        row = session.get(Recording, old.recording_id)
        assert row is not None
        row.created_at -= timedelta(days=400)
        session.add(row)
        session.commit()
    env = {**os.environ, "CALLCENTER_DEMO": "1", "CALLCENTER_DATABASE_URL": backend.url, "CALLCENTER_RECORDINGS_DIR": str(recordings)}
    cmd = [sys.executable, "-m", "callcenter", "recordings", "purge", "--older-than-days", "90"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not old.path.exists()
    assert new.path.exists()
    with Session(engine) as session:
        purged = session.get(Recording, old.recording_id)
        kept = session.get(Recording, new.recording_id)
        assert purged is not None
        assert purged.purged_at is not None
        assert kept is not None
        assert kept.purged_at is None
    nothing = subprocess.run(
        [sys.executable, "-m", "callcenter", "recordings", "purge"], env=env, capture_output=True, text=True, check=False
    )
    assert nothing.returncode == 1
    assert "CALLCENTER_RECORDINGS_RETENTION_DAYS" in nothing.stderr
