"""AMI framing (pure): bytes from the socket → frames of `Key: Value` headers.

Buffers bytes and decodes only complete frames, so a UTF-8 character split across TCP reads survives
(panoramisk 1.4 decodes each read with errors='ignore' and loses it). Lines may end in CRLF or a bare LF;
a frame ends at an empty line. Repeated keys (ChanVariable, Variable, Output) keep every value in order.
A frame with neither `Event` nor `Response` is counted as malformed and dropped; the next one is unaffected.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

BANNER = b"Asterisk Call Manager/"
MAX_FRAME = 1 << 20
_TERMINATOR = re.compile(rb"\r?\n\r?\n")
_SEPARATOR, _ONCE = itertools.repeat(": "), itertools.repeat(1)


class Frame(dict[str, str]):
    """One AMI message: the first value of every key, plus `repeated` for keys that occur more than once."""

    repeated: dict[str, list[str]] | None = None

    def values_of(self, key: str) -> list[str]:
        """Every value of `key` in wire order ([] when absent)."""
        if self.repeated is not None and key in self.repeated:
            return list(self.repeated[key])
        value = self.get(key)
        return [] if value is None else [value]

    @property
    def name(self) -> str:
        return self.get("Event", "")


def parse_frame(text: str) -> Frame | None:
    """A frame from its text (without the blank line), or None when it is neither an event nor a response."""
    lines = text.split("\r\n") if "\r" in text else text.split("\n")
    try:
        frame = Frame(map(str.split, lines, _SEPARATOR, _ONCE))  # the fast path: every line is `Key: value`
    except ValueError:
        frame = None
    if frame is None or len(frame) != len(lines):
        frame = _parse_slowly(lines)
    if "Event" not in frame and "Response" not in frame:
        return None
    return frame


def _parse_slowly(lines: list[str]) -> Frame:
    """Repeated keys kept in order, `Key:` without a space accepted, lines without a colon skipped."""
    frame = Frame()
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep or not key or key != key.strip():
            continue
        if value.startswith(" "):
            value = value[1:]
        if key in frame:
            if frame.repeated is None:
                frame.repeated = {}
            frame.repeated.setdefault(key, [frame[key]]).append(value)
            continue
        frame[key] = value
    return frame


class FrameParser:
    """Incremental parser: `feed(chunk)` yields every complete frame; partial data waits for the next chunk."""

    def __init__(self, *, encoding: str = "utf-8") -> None:
        self._buffer = b""
        self._encoding = encoding
        self.version: str | None = None
        self.malformed = 0
        self.frames = 0

    def feed(self, data: bytes) -> Iterator[Frame]:
        self._buffer += data
        if self.version is None and not self._take_banner():
            return
        buf = self._buffer
        if b"\n\n" in buf:  # a peer that ends lines with a bare LF
            texts, rest = self._split_tolerant(buf)
        else:
            end = buf.rfind(b"\r\n\r\n")
            if end < 0:
                texts, rest = [], buf
            else:
                texts, rest = buf[:end].decode(self._encoding, "replace").split("\r\n\r\n"), buf[end + 4 :]
        self._buffer = rest
        for text in texts:
            if not text.strip():
                continue
            frame = parse_frame(text)
            if frame is None:
                self.malformed += 1
                continue
            self.frames += 1
            yield frame
        if len(self._buffer) > MAX_FRAME:
            self.malformed += 1
            self._buffer = b""

    def _split_tolerant(self, buf: bytes) -> tuple[list[str], bytes]:
        """Frames ended by any blank line (bare LF or CRLF), for peers that do not send CRLF."""
        texts: list[str] = []
        start = 0
        for match in _TERMINATOR.finditer(buf):
            texts.append(buf[start : match.start()].decode(self._encoding, "replace"))
            start = match.end()
        return texts, buf[start:]

    def _take_banner(self) -> bool:
        """Consume `Asterisk Call Manager/x.y.z` (one line, no blank line after it); False while it is incomplete."""
        buf = self._buffer
        if len(buf) < len(BANNER) and BANNER.startswith(buf):
            return False
        if not buf.startswith(BANNER):
            self.version = ""  # no banner (a replayed capture): parse frames straight away
            return True
        line_end = buf.find(b"\n")
        if line_end < 0:
            return False
        self.version = buf[len(BANNER) : line_end].decode("ascii", "replace").strip()
        self._buffer = buf[line_end + 1 :]
        return True
