"""AMI framing (pure): bytes from the socket → frames of `Key: Value` headers.

Buffers bytes and decodes only complete frames, so a UTF-8 character split across TCP reads survives
(panoramisk 1.4 decodes each read with errors='ignore' and loses it). Lines may end in CRLF or a bare LF;
a frame ends at an empty line. Repeated keys (ChanVariable, Variable, Output) keep every value in order.
A frame with neither `Event` nor `Response` is counted as malformed and dropped; the next one is unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

BANNER = b"Asterisk Call Manager/"
MAX_FRAME = 1 << 20
_TERMINATOR = re.compile(rb"\r?\n\r?\n")


class Frame(dict[str, str]):
    """One AMI message: the first value of every key, plus `repeated` for keys that occur more than once."""

    __slots__ = ("repeated",)

    def __init__(self) -> None:
        super().__init__()
        self.repeated: dict[str, list[str]] | None = None

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
    frame = Frame()
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
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
    if "Event" not in frame and "Response" not in frame:
        return None
    return frame


class FrameParser:
    """Incremental parser: `feed(chunk)` yields every complete frame; partial data waits for the next chunk."""

    def __init__(self, *, encoding: str = "utf-8") -> None:
        self._buffer = bytearray()
        self._encoding = encoding
        self.version: str | None = None
        self.malformed = 0
        self.frames = 0

    def feed(self, data: bytes) -> Iterator[Frame]:
        buf = self._buffer
        buf += data
        if self.version is None and not self._take_banner():
            return
        start = 0
        for match in _TERMINATOR.finditer(buf):
            end = match.start()
            chunk = bytes(buf[start:end])
            start = match.end()
            if not chunk.strip():
                continue
            frame = parse_frame(chunk.decode(self._encoding, "replace"))
            if frame is None:
                self.malformed += 1
                continue
            self.frames += 1
            yield frame
        if start:
            del buf[:start]
        if len(buf) > MAX_FRAME:
            self.malformed += 1
            buf.clear()

    def _take_banner(self) -> bool:
        """Consume `Asterisk Call Manager/x.y.z` (one line, no blank line after it); False while it is incomplete."""
        buf = self._buffer
        if not buf.startswith(BANNER[: len(buf)]) or len(buf) < len(BANNER):
            if BANNER.startswith(bytes(buf)):
                return False
            self.version = ""  # no banner (a replayed capture): parse frames straight away
            return True
        line_end = buf.find(b"\n")
        if line_end < 0:
            return False
        self.version = bytes(buf[len(BANNER) : line_end]).decode("ascii", "replace").strip()
        del buf[: line_end + 1]
        return True
