"""MixMonitor's `D` layout for the simulator: stereo 8 kHz WAVs, caller on the left, operator on the right.

The speech comes from short espeak-ng clips (Ukrainian voice) committed in `telephony/sim/clips/`; the
caller speaks, then the operator answers, so both channels carry speech and neither is silent.
"""

from __future__ import annotations

import hashlib
import wave
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

CLIPS_DIR = Path(__file__).resolve().parent / "clips"
RATE = 8000


def _read_mono(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2 or wav.getframerate() != RATE:
            msg = f"clip {path} must be 8 kHz mono 16-bit"
            raise ValueError(msg)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


class Recorder:
    """Writes `<recordings_dir>/<YYYY/MM/DD>/<uniqueid>.wav` as Asterisk's MixMonitor would."""

    def __init__(self, recordings_dir: Path, clips_dir: Path = CLIPS_DIR) -> None:
        self.root = recordings_dir
        self.callers = [_read_mono(p) for p in sorted(clips_dir.glob("caller_*.wav"))]
        self.operators = [_read_mono(p) for p in sorted(clips_dir.glob("operator_*.wav"))]
        if not self.callers or not self.operators:
            msg = f"no caller_*.wav / operator_*.wav clips in {clips_dir}"
            raise ValueError(msg)
        self.written = 0

    @staticmethod
    def relpath(uniqueid: str, now: float) -> str:
        """`${STRFTIME(${EPOCH},,%Y/%m/%d)}/${UNIQUEID}.wav`."""
        day = datetime.fromtimestamp(now, UTC).strftime("%Y/%m/%d")
        return f"{day}/{uniqueid}.wav"

    def write(self, relpath: str) -> Path:
        """Write the stereo file atomically (temp name, then rename) and return its path."""
        pick = int(hashlib.sha256(relpath.encode()).hexdigest(), 16)
        caller = self.callers[pick % len(self.callers)]
        operator = self.operators[(pick // 7) % len(self.operators)]
        gap = RATE // 2
        total = len(operator) + gap + len(caller) + gap
        left = np.zeros(total, dtype="<i2")
        right = np.zeros(total, dtype="<i2")
        right[: len(operator)] = operator  # the operator greets, the caller explains
        left[len(operator) + gap : len(operator) + gap + len(caller)] = caller
        frames = np.empty(total * 2, dtype="<i2")
        frames[0::2], frames[1::2] = left, right
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with wave.open(str(tmp), "wb") as wav:
            wav.setnchannels(2)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(frames.tobytes())
        tmp.replace(path)
        self.written += 1
        return path
