"""Recording layouts: which files make a recording and which channel is which speaker.

* `stereo`: one file, left = caller, right = operator. A `.wav` (stereo PCM) or MixMonitor's `D` output, which
  Asterisk requires to be named `.raw` (headerless interleaved 16-bit, rate from CALLCENTER_ASR_RAW_SAMPLE_RATE).
  A mono file recorded under this layout is transcribed as `mixed`.
* `rx_tx`: MixMonitor `r()`/`t()` legs. The recording's path names the mixed base `<base>.wav`; the legs are
  `<base>-in.wav` (rx, heard from the caller's channel = the caller) and `<base>-out.wav` (tx = the operator).
  A path that already names a leg (`…-in.wav` or `…-out.wav`) is accepted too.
* `mono`: one mixed file; the speaker is `mixed`.
"""

from __future__ import annotations

from pathlib import Path

from asr.audio import Channel, decode_raw_stereo, decode_wav, read_bytes
from asr.errors import AudioError, RecordingMissingError

CALLER, OPERATOR, MIXED = "caller", "operator", "mixed"
LAYOUTS = ("auto", "stereo", "rx_tx", "mono")


def leg_paths(path: Path) -> tuple[Path, Path]:
    """The rx (caller) and tx (operator) files of an `rx_tx` recording named by `path`."""
    stem, suffix = path.stem, path.suffix or ".wav"
    for marker in ("-in", "-out"):
        if stem.endswith(marker):
            stem = stem[: -len(marker)]
            break
    return path.with_name(f"{stem}-in{suffix}"), path.with_name(f"{stem}-out{suffix}")


def _file_channels(path: Path, raw_rate: int) -> tuple[int, list[Channel]]:
    data = read_bytes(path)
    if path.suffix.lower() in (".raw", ".sln", ".slin"):
        rate, parts = decode_raw_stereo(data, raw_rate)
    else:
        rate, parts = decode_wav(path, data)
    speakers = (CALLER, OPERATOR) if len(parts) == 2 else (MIXED,)
    return rate, [Channel(speaker, rate, samples) for speaker, samples in zip(speakers, parts, strict=True)]


def _leg(path: Path, speaker: str, raw_rate: int) -> Channel:
    _, channels = _file_channels(path, raw_rate)
    if len(channels) != 1:
        raise AudioError(path, "an r()/t() leg must be mono")
    only = channels[0]
    return Channel(speaker, only.rate, only.samples)


def detect_layout(path: Path) -> str:
    """For files given by hand: a `-in`/`-out` leg with its sibling is `rx_tx`, anything else is one file."""
    rx, tx = leg_paths(path)
    if path in (rx, tx) and rx.exists() and tx.exists():
        return "rx_tx"
    if not path.exists() and rx.exists() and tx.exists():
        return "rx_tx"
    return "stereo"


def load_channels(path: Path, layout: str = "auto", *, raw_rate: int = 8000) -> list[Channel]:
    """The recording's channels, each tagged with its speaker.

    Raises:
        RecordingMissingError: a file is not there (yet).
        AudioError: a file is corrupt, not audio, or in an unsupported encoding.
    """
    if layout not in LAYOUTS:
        raise AudioError(path, f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    if layout == "auto":
        layout = detect_layout(path)
    if layout == "rx_tx":
        rx, tx = leg_paths(path)
        missing = [p for p in (rx, tx) if not p.exists()]
        if missing:
            raise RecordingMissingError(missing[0])
        return [_leg(rx, CALLER, raw_rate), _leg(tx, OPERATOR, raw_rate)]
    _, channels = _file_channels(path, raw_rate)
    return channels
