"""Reading call recordings as Asterisk writes them (WAV, MixMonitor `D` raw stereo) and resampling; pure, numpy only.

Samples are float32 numpy arrays on the signed 16-bit scale, one per channel. A WAV header whose sizes were never
filled in (the PBX died mid-call) is read up to the end of the file; anything that is not audio raises `AudioError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import numpy.typing as npt

from asr.errors import AudioError, RecordingMissingError

Samples = npt.NDArray[np.float32]

PCM, FLOAT, ALAW, MULAW, GSM, EXTENSIBLE = 1, 3, 6, 7, 49, 0xFFFE
MIN_RATE, MAX_RATE = 4000, 96000


@dataclass(frozen=True)
class Channel:
    """One speaker's audio: `caller` (left / rx), `operator` (right / tx) or `mixed` (mono)."""

    speaker: str
    rate: int
    samples: Samples

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class WavFormat:
    tag: int
    channels: int
    rate: int
    block_align: int
    bits: int


def _g711_tables() -> tuple[Samples, Samples]:
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    mulaw = np.where(u & 0x80, 0x84 - t, t - 0x84)
    a = codes ^ 0x55
    seg = (a & 0x70) >> 4
    mag = np.where(seg == 0, ((a & 0x0F) << 4) + 8, (((a & 0x0F) << 4) + 0x108) << np.maximum(seg - 1, 0))
    alaw = np.where(a & 0x80, mag, -mag)
    return mulaw.astype(np.float32), alaw.astype(np.float32)


MULAW_TABLE, ALAW_TABLE = _g711_tables()


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a missing file is `RecordingMissingError` (transient), other OS errors `AudioError`."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise RecordingMissingError(path) from exc
    except IsADirectoryError as exc:
        raise AudioError(path, "is a directory, not a recording") from exc
    except OSError as exc:
        raise AudioError(path, f"cannot be read ({exc.strerror or exc})") from exc


def _parse_fmt(path: Path, body: bytes) -> WavFormat:
    if len(body) < 16:
        raise AudioError(path, "corrupt WAV: the fmt chunk is too short")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack_from("<H", body, 24)[0]
    return WavFormat(tag, channels, rate, block_align, bits)


def _chunks(path: Path, data: bytes) -> tuple[WavFormat, bytes]:
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RIFX") or data[8:12] != b"WAVE":
        raise AudioError(
            path, "not a WAV file (no RIFF/WAVE header); expected a recording as Asterisk writes it (.wav, or .raw for MixMonitor D)"
        )
    if data[:4] == b"RIFX":
        raise AudioError(path, "big-endian WAV (RIFX) is not supported")
    fmt: WavFormat | None = None
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body_at = pos + 8
        if cid == b"fmt ":
            fmt = _parse_fmt(path, data[body_at : body_at + size])
        elif cid == b"data":
            if fmt is None:
                raise AudioError(path, "corrupt WAV: the data chunk comes before the fmt chunk")
            end = len(data) if size in (0, 0xFFFFFFFF) or body_at + size > len(data) else body_at + size
            return fmt, data[body_at:end]
        pos = body_at + size + (size & 1)
    if fmt is None:
        raise AudioError(path, "corrupt WAV: no fmt chunk")
    return fmt, b""


def _decode(path: Path, fmt: WavFormat, payload: bytes) -> npt.NDArray[np.float32]:
    width = (fmt.bits + 7) // 8
    if fmt.tag == GSM:
        raise AudioError(path, "GSM-encoded WAV (Asterisk wav49/.WAV) is not supported; record calls as .wav (8 kHz PCM)")
    kinds: dict[tuple[int, int], str] = {
        (PCM, 1): "u1",
        (PCM, 2): "<i2",
        (PCM, 4): "<i4",
        (FLOAT, 4): "<f4",
        (MULAW, 1): "u1",
        (ALAW, 1): "u1",
    }
    kind = kinds.get((fmt.tag, width))
    if kind is None:
        raise AudioError(path, f"unsupported WAV encoding (format {fmt.tag}, {fmt.bits} bits); expected PCM, mu-law or A-law")
    if fmt.block_align != width * fmt.channels:
        raise AudioError(path, f"corrupt WAV: block align {fmt.block_align} does not match {fmt.channels} x {fmt.bits} bits")
    usable = len(payload) - len(payload) % fmt.block_align
    raw = np.frombuffer(payload[:usable], dtype=kind)
    if fmt.tag == MULAW:
        return np.asarray(MULAW_TABLE[raw], dtype=np.float32)
    if fmt.tag == ALAW:
        return np.asarray(ALAW_TABLE[raw], dtype=np.float32)
    scale = {"u1": 256.0, "<i2": 1.0, "<i4": 1 / 65536.0, "<f4": 32767.0}[kind]
    values = raw.astype(np.float32)
    if kind == "u1":
        values -= 128.0
    return values * np.float32(scale)


def decode_wav(path: Path, data: bytes) -> tuple[int, list[Samples]]:
    """Sample rate and per-channel samples of a WAV file's bytes; an empty file is empty audio (8 kHz)."""
    if not data:
        return 8000, [np.zeros(0, dtype=np.float32)]
    fmt, payload = _chunks(path, data)
    if fmt.channels not in (1, 2):
        raise AudioError(path, f"{fmt.channels} channels; expected mono or stereo (left = caller, right = operator)")
    if not MIN_RATE <= fmt.rate <= MAX_RATE:
        raise AudioError(path, f"implausible sample rate {fmt.rate} Hz")
    values = _decode(path, fmt, payload)
    return fmt.rate, [values[i :: fmt.channels].astype(np.float32) for i in range(fmt.channels)]


def decode_raw_stereo(data: bytes, rate: int) -> tuple[int, list[Samples]]:
    """MixMonitor `D` output: headerless interleaved signed 16-bit little-endian, left = read (caller), right = write."""
    usable = len(data) - len(data) % 4
    values = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32)
    return rate, [values[0::2].copy(), values[1::2].copy()]


def _kernel(up: int, down: int, half_width: int = 16) -> npt.NDArray[np.float64]:
    factor = max(up, down)
    cutoff = 0.5 / factor * 0.94
    n = np.arange(-half_width * factor, half_width * factor + 1, dtype=np.float64)
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(len(n), 8.0)
    result: npt.NDArray[np.float64] = taps * up
    return result


def resample(samples: Samples, rate: int, target: int) -> Samples:
    """Rational polyphase resampling with a windowed-sinc low-pass (anti-aliasing on the way down)."""
    if rate == target or len(samples) == 0:
        return samples
    g = gcd(rate, target)
    up, down = target // g, rate // g
    if up > 16:
        return _resample_by_interpolation(samples, rate, target)
    stuffed = np.zeros(len(samples) * up, dtype=np.float32)
    stuffed[::up] = samples
    kernel = _kernel(up, down).astype(np.float32)
    filtered = np.convolve(stuffed, kernel, mode="same")
    out: Samples = filtered[::down].astype(np.float32)
    return out


def _resample_by_interpolation(samples: Samples, rate: int, target: int) -> Samples:
    """Odd ratios (e.g. 11025 -> 16000): band-limit first when going down, then linear interpolation."""
    source = samples
    if target < rate:
        kernel = _kernel(1, max(2, round(rate / target))).astype(np.float32)
        source = np.convolve(samples, kernel, mode="same").astype(np.float32)
    count = int(len(samples) * target / rate)
    positions = np.arange(count, dtype=np.float64) * (rate / target)
    out: Samples = np.interp(positions, np.arange(len(source)), source).astype(np.float32)
    return out


def to_pcm16(samples: Samples) -> bytes:
    """Signed 16-bit little-endian mono PCM, as Vosk takes it (clipped)."""
    return bytes(np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes())


def is_silent(samples: Samples, *, threshold: float = 1.0) -> bool:
    """True for digital silence (or nothing at all): no recognizer is needed for it."""
    return len(samples) == 0 or float(np.max(np.abs(samples))) <= threshold
