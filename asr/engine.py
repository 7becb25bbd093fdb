"""The Vosk engine: the only module that imports vosk.

The model is loaded once per process from a directory given as a `str` (never `Model(lang=…)`, which downloads
and may `sys.exit`), validated first with a message that says how to install one. Each channel of each job gets
a fresh recognizer, so word timestamps start at 0 and no decoding history leaks between jobs.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vosk

from asr.audio import Channel, is_silent, resample, to_pcm16
from asr.errors import ModelError
from asr.results import Segment, Transcript, merge, segment_from_result

logger = logging.getLogger(__name__)
REQUIRED = ("am/final.mdl", "conf/model.conf")
GRAPHS = ("graph/HCLG.fst", "graph/HCLr.fst")


@dataclass(frozen=True)
class LoadedModel:
    """A loaded Vosk model with the facts the pipeline needs."""

    path: str
    model: Any
    sample_rate: int
    loaded_pid: int
    load_seconds: float

    @property
    def name(self) -> str:
        return Path(self.path).name


_MODELS: dict[str, LoadedModel] = {}


def validate_model_dir(path: str) -> Path:
    """The model directory, checked for the files a Vosk model has.

    Raises:
        ModelError: the path is empty, missing, or not a Vosk model directory.
    """
    if not path:
        raise ModelError("CALLCENTER_VOSK_MODEL_PATH is not set")
    root = Path(path)
    if not root.is_dir():
        raise ModelError(f"{path} is not a directory")
    missing = [name for name in REQUIRED if not (root / name).is_file()]
    if not any((root / g).is_file() for g in GRAPHS):
        missing.append(" or ".join(GRAPHS))
    if missing:
        raise ModelError(f"{path} is not a Vosk model directory (missing {', '.join(missing)})")
    return root


def model_sample_rate(root: Path) -> int:
    """The rate the model's features expect (`--sample-frequency` in conf/mfcc.conf; Kaldi's default is 16 kHz)."""
    conf = root / "conf" / "mfcc.conf"
    if conf.is_file():
        match = re.search(r"--sample-frequency=(\d+)", conf.read_text(encoding="utf-8", errors="replace"))
        if match:
            return int(match.group(1))
    return 16000


def load_model(path: str) -> LoadedModel:
    """The model at `path`, loaded on first use in this process and kept (forked children inherit it).

    Raises:
        ModelError: not a model directory, or Vosk could not load it.
    """
    cached = _MODELS.get(path)
    if cached is not None:
        return cached
    root = validate_model_dir(path)
    vosk.SetLogLevel(-1)
    started = time.perf_counter()
    try:
        model = vosk.Model(str(root))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelError(f"Vosk could not load {path} ({exc})") from exc
    loaded = LoadedModel(str(root), model, model_sample_rate(root), os.getpid(), time.perf_counter() - started)
    _MODELS[path] = loaded
    logger.info("speech model loaded", extra={"event_data": {"model": loaded.name, "seconds": round(loaded.load_seconds, 2)}})
    return loaded


def loaded_models() -> list[LoadedModel]:
    """Models already in this process's memory (a forked work-horse sees its parent's)."""
    return list(_MODELS.values())


def decode_pcm(loaded: LoadedModel, pcm: bytes, rate: int, *, chunk_frames: int, grammar: list[str] | None = None) -> list[dict[str, Any]]:
    """Vosk results of one mono 16-bit stream on a fresh recognizer; every endpoint's `Result()` is kept."""
    args: list[Any] = [loaded.model, float(rate)]
    if grammar is not None:
        args.append(json.dumps(grammar, ensure_ascii=False))
    recognizer = vosk.KaldiRecognizer(*args)
    recognizer.SetWords(True)
    results: list[dict[str, Any]] = []
    step = max(chunk_frames, 1) * 2
    for offset in range(0, len(pcm), step):
        if recognizer.AcceptWaveform(pcm[offset : offset + step]):
            results.append(json.loads(recognizer.Result()))
    results.append(json.loads(recognizer.FinalResult()))
    return results


def transcribe_channels(
    loaded: LoadedModel, channels: list[Channel], *, chunk_seconds: float = 0.5, grammar: list[str] | None = None
) -> Transcript:
    """Each channel resampled to the model's rate and decoded on its own recognizer; segments merged in time order."""
    duration = max((c.duration for c in channels), default=0.0)
    segments: list[Segment] = []
    for channel in channels:
        if is_silent(channel.samples):
            continue
        samples = resample(channel.samples, channel.rate, loaded.sample_rate)
        pcm = to_pcm16(samples)
        chunk = int(loaded.sample_rate * chunk_seconds)
        for result in decode_pcm(loaded, pcm, loaded.sample_rate, chunk_frames=chunk, grammar=grammar):
            segment = segment_from_result(result, channel.speaker, duration=channel.duration)
            if segment is not None:
                segments.append(segment)
    return merge(segments, duration)
