"""Transcripts as data: words, per-speaker segments, the merged transcript and its JSON shape (pure).

JSON (ARCHITECTURE.md, `callcenter asr transcribe --json`):
`{"duration", "text", "segments": [{"speaker", "start", "end", "text", "confidence"}]}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SPEAKERS = ("caller", "operator", "mixed")


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    conf: float


@dataclass(frozen=True)
class Segment:
    """One utterance of one speaker (a Vosk endpoint-delimited result)."""

    speaker: str
    start: float
    end: float
    text: str
    confidence: float
    words: tuple[Word, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "start": self.start, "end": self.end, "text": self.text, "confidence": self.confidence}


@dataclass(frozen=True)
class Transcript:
    duration: float
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)

    def speaker_text(self, speaker: str) -> str:
        return " ".join(s.text for s in self.segments if s.speaker == speaker and s.text)

    def to_json(self) -> dict[str, Any]:
        return {"duration": self.duration, "text": self.text, "segments": [s.to_json() for s in self.segments]}


def segment_from_result(result: dict[str, Any], speaker: str, *, duration: float) -> Segment | None:
    """A segment from one Vosk `Result()`/`FinalResult()` (with SetWords), or None for silence."""
    words = tuple(
        Word(str(w["word"]), round(float(w["start"]), 3), round(min(float(w["end"]), duration), 3), float(w.get("conf", 1.0)))
        for w in result.get("result", [])
        if str(w.get("word", "")).strip()
    )
    text = " ".join(w.word for w in words) if words else str(result.get("text", "")).strip()
    if not text:
        return None
    start = words[0].start if words else 0.0
    end = words[-1].end if words else duration
    confidence = round(sum(w.conf for w in words) / len(words), 3) if words else 0.0
    return Segment(speaker, start, max(end, start), text, confidence, words)


def merge(segments: list[Segment], duration: float) -> Transcript:
    """All speakers' segments in time order (ties: caller first)."""
    order = {name: i for i, name in enumerate(SPEAKERS)}
    ordered = sorted(segments, key=lambda s: (s.start, order.get(s.speaker, 9)))
    return Transcript(round(duration, 3), tuple(ordered))


def transcript_from_json(data: object) -> Transcript:
    """Validate and read a transcript in the JSON shape above (e.g. one produced by an external recognizer).

    Raises:
        ValueError: the data is not in that shape.
    """
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        msg = "a transcript must be an object with a 'segments' list"
        raise ValueError(msg)
    segments: list[Segment] = []
    for i, raw in enumerate(data["segments"]):
        if not isinstance(raw, dict) or raw.get("speaker") not in SPEAKERS:
            msg = f"segment {i}: 'speaker' must be one of {', '.join(SPEAKERS)}"
            raise ValueError(msg)
        try:
            start, end = float(raw["start"]), float(raw["end"])
            confidence = float(raw.get("confidence", 0.0))
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"segment {i}: 'start' and 'end' must be numbers"
            raise ValueError(msg) from exc
        text = str(raw.get("text", "")).strip()
        if text:
            segments.append(Segment(str(raw["speaker"]), start, max(start, end), text, min(max(confidence, 0.0), 1.0)))
    duration = float(data.get("duration") or max((s.end for s in segments), default=0.0))
    return merge(segments, duration)
