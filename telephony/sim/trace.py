"""Wire trace: when chosen AMI events were written to each client's socket, as JSON lines (benchmarks, drills).

`Pbx.emit` marks a traced event's bytes as a `TracedFrame` (still plain bytes to every subscriber); the session's
writer records `time.time()` right after handing the frame to the socket. Timestamps are wall-clock epoch seconds so
another process on the same machine can compare them with its own `time.time()`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import IO, Any

TRACE_KEYS = ("Linkedid", "Uniqueid", "DestUniqueid", "Interface", "Queue")
"""The headers a trace line keeps (those the event carries): enough to match the frame with what it caused."""


class TracedFrame(bytes):
    """An event's wire bytes, marked for the trace: behaves as bytes everywhere, carries the event name and ids."""

    event: str
    ids: dict[str, str]

    def __new__(cls, data: bytes, event: str, ids: dict[str, str]) -> TracedFrame:
        frame = super().__new__(cls, data)
        frame.event, frame.ids = event, ids
        return frame


class WireTrace:
    """Appends `{"at", "event", "peer", <ids>}` lines to `path`, one per traced frame and client, flushed at once."""

    def __init__(self, path: Path, events: frozenset[str]) -> None:
        self.path, self.events = path, events
        self._file: IO[str] = path.open("a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()
        self.written = 0

    def mark(self, name: str, data: bytes, body: list[tuple[str, str]]) -> bytes:
        """`data` as a TracedFrame when `name` is traced, else unchanged."""
        if name not in self.events:
            return data
        ids: dict[str, str] = {}
        for key, value in body:
            if key in TRACE_KEYS and key not in ids:  # the first Linkedid/Uniqueid is the caller's (Dest* are prefixed)
                ids[key] = value
        return TracedFrame(data, name, ids)

    def record(self, frame: TracedFrame, *, peer: str, at: float) -> None:
        line: dict[str, Any] = {"at": at, "event": frame.event, "peer": peer, **frame.ids}
        with self._lock:
            self._file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.written += 1

    def close(self) -> None:
        with self._lock:
            self._file.close()
