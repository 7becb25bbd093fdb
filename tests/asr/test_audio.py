"""Reading recordings as Asterisk writes them, and resampling (pure audio code, no decoder)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from asr.audio import decode_raw_stereo, decode_wav, read_bytes, resample, to_pcm16
from asr.errors import AudioError, RecordingMissingError
from asr.layouts import detect_layout, leg_paths, load_channels


def wav_bytes(payload: bytes, *, tag: int = 1, channels: int = 1, rate: int = 8000, bits: int = 16, sizes: bool = True) -> bytes:
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    data_size = len(payload) if sizes else 0
    riff_size = 4 + 8 + len(fmt) + 8 + len(payload) if sizes else 0
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
        + payload
    )


def tone(freq: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (8000 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


@pytest.mark.parametrize(
    ("name", "rate", "channels"), [("ko_hello_8k.wav", 8000, 1), ("ko_hello_16k.wav", 16000, 1), ("stereo_caller_left_8k.wav", 8000, 2)]
)
def test_pcm_wav_files_decode_with_their_rate_and_channels(fixtures: Path, name: str, rate: int, channels: int) -> None:
    got_rate, parts = decode_wav(fixtures / name, (fixtures / name).read_bytes())
    assert got_rate == rate
    assert len(parts) == channels
    assert 4.0 < len(parts[0]) / rate < 6.0
    assert float(np.max(np.abs(parts[0]))) > 1000


def test_mulaw_wav_decodes_to_the_same_waveform_as_pcm(fixtures: Path) -> None:
    _, [ulaw] = decode_wav(fixtures / "ko_hello_8k_ulaw.wav", (fixtures / "ko_hello_8k_ulaw.wav").read_bytes())
    _, [pcm] = decode_wav(fixtures / "ko_hello_8k.wav", (fixtures / "ko_hello_8k.wav").read_bytes())
    n = min(len(ulaw), len(pcm))
    assert float(np.corrcoef(ulaw[:n], pcm[:n])[0, 1]) > 0.95


def test_alaw_and_8bit_pcm_decode() -> None:
    alaw = wav_bytes(bytes([0xD5, 0x55, 0x2A, 0xAA]), tag=6, bits=8)
    _, [values] = decode_wav(Path("a.wav"), alaw)
    assert list(values[:2]) == [8.0, -8.0]
    assert values[2] < -30000 < 30000 < values[3]
    u8 = wav_bytes(bytes([128, 255, 0]), bits=8)
    _, [values] = decode_wav(Path("u.wav"), u8)
    assert list(values) == [0.0, 127 * 256.0, -128 * 256.0]


def test_header_sizes_never_filled_in_reads_to_the_end_of_the_file() -> None:
    payload = to_pcm16(tone(440, 8000, 0.5))
    rate, [values] = decode_wav(Path("crashed.wav"), wav_bytes(payload, sizes=False))
    assert rate == 8000
    assert len(values) == 4000


def test_empty_file_and_header_only_file_are_empty_audio() -> None:
    assert len(decode_wav(Path("e.wav"), b"")[1][0]) == 0
    assert len(decode_wav(Path("h.wav"), wav_bytes(b""))[1][0]) == 0


def test_mixmonitor_d_raw_is_interleaved_left_caller_right_operator(fixtures: Path) -> None:
    rate, [left, right] = decode_wav(fixtures / "stereo_caller_left_8k.wav", (fixtures / "stereo_caller_left_8k.wav").read_bytes())
    interleaved = np.empty(len(left) * 2, dtype="<i2")
    interleaved[0::2], interleaved[1::2] = left, right
    raw_rate, [caller, operator] = decode_raw_stereo(interleaved.tobytes() + b"\x01", rate)
    assert raw_rate == 8000
    assert np.array_equal(caller, left)
    assert np.array_equal(operator, right)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"hello, this is not audio at all", "not a WAV file"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt \x04\x00\x00\x00\x01\x00", "fmt chunk is too short"),
        (b"RIFF\x00\x00\x00\x00WAVEdata\x00\x00\x00\x00", "before the fmt chunk"),
        (wav_bytes(b"\x00" * 65, tag=49, bits=0), "GSM"),
        (wav_bytes(b"\x00" * 12, channels=3), "3 channels"),
        (wav_bytes(b"\x00" * 12, tag=2, bits=4), "unsupported WAV encoding"),
        (wav_bytes(b"\x00" * 4, rate=123), "implausible sample rate"),
    ],
)
def test_corrupt_or_non_audio_input_is_a_clear_audio_error(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(data)
    with pytest.raises(AudioError, match=reason) as info:
        load_channels(path, "stereo")
    assert info.value.code == "audio_unreadable"
    assert str(path) in str(info.value)
    assert path.read_bytes() == data  # nothing is lost


def test_missing_file_is_transient(tmp_path: Path) -> None:
    with pytest.raises(RecordingMissingError) as info:
        read_bytes(tmp_path / "later.wav")
    assert info.value.transient
    with pytest.raises(RecordingMissingError):
        load_channels(tmp_path / "call.wav", "rx_tx")


def test_resampling_keeps_the_pitch_and_the_duration() -> None:
    up = resample(tone(440, 8000), 8000, 16000)
    assert len(up) == 16000
    assert dominant_frequency(up, 16000) == pytest.approx(440, abs=3)
    down = resample(tone(1000, 16000), 16000, 8000)
    assert len(down) == 8000
    assert dominant_frequency(down, 8000) == pytest.approx(1000, abs=3)
    odd = resample(tone(440, 11025), 11025, 16000)
    assert len(odd) == 16000
    assert dominant_frequency(odd, 16000) == pytest.approx(440, abs=3)


def test_downsampling_removes_what_the_lower_rate_cannot_hold() -> None:
    aliased = resample(tone(6000, 16000), 16000, 8000)
    kept = resample(tone(1000, 16000), 16000, 8000)
    assert float(np.sqrt(np.mean(aliased[200:-200] ** 2))) < 0.05 * float(np.sqrt(np.mean(kept[200:-200] ** 2)))


def test_rx_tx_naming_rule(tmp_path: Path) -> None:
    base = tmp_path / "2026" / "1754561234.101.wav"
    rx, tx = leg_paths(base)
    assert (rx.name, tx.name) == ("1754561234.101-in.wav", "1754561234.101-out.wav")
    assert leg_paths(rx) == (rx, tx)
    assert leg_paths(tx) == (rx, tx)


def test_layouts_tag_speakers(fixtures: Path) -> None:
    assert [c.speaker for c in load_channels(fixtures / "ko_hello_8k.wav")] == ["mixed"]
    assert [c.speaker for c in load_channels(fixtures / "stereo_caller_left_8k.wav")] == ["caller", "operator"]
    assert detect_layout(fixtures / "call_rxtx-in.wav") == "rx_tx"
    assert detect_layout(fixtures / "call_rxtx.wav") == "rx_tx"
    assert [c.speaker for c in load_channels(fixtures / "call_rxtx.wav", "rx_tx")] == ["caller", "operator"]
