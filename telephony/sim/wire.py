"""AMI wire format for the simulator (pure): actions in (CRLF or bare LF lines), messages out (CRLF, blank line).

Messages are ordered lists of `(key, value)` pairs because Asterisk's header order is fixed per message and
keys may repeat (`Variable:` on Originate). Keys are matched case-insensitively, as Asterisk does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Pairs = list[tuple[str, str]]
MAX_ACTION_BYTES = 64 * 1024


class Action:
    """One client action: the headers in wire order, looked up case-insensitively."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: Pairs) -> None:
        self.pairs = pairs

    def get(self, key: str, default: str = "") -> str:
        wanted = key.lower()
        for name, value in self.pairs:
            if name.lower() == wanted:
                return value
        return default

    def all(self, key: str) -> list[str]:
        """Every value of a repeated key (e.g. `Variable`), in order."""
        wanted = key.lower()
        return [value for name, value in self.pairs if name.lower() == wanted]

    def has(self, key: str) -> bool:
        wanted = key.lower()
        return any(name.lower() == wanted for name, _ in self.pairs)

    @property
    def name(self) -> str:
        return self.get("Action")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID") if self.has("ActionID") else None


def encode(pairs: Iterable[tuple[str, str]]) -> bytes:
    """`Key: Value\\r\\n` lines plus the terminating blank line, as `astman_append` writes them."""
    return "".join(f"{key}: {value}\r\n" for key, value in pairs).encode("utf-8") + b"\r\n"


def c_escape(value: str) -> str:
    """Asterisk's `ast_escape_c_alloc` for caller names: backslash escapes, UTF-8 passes through."""
    table = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "?": "\\?", "\a": "\\a", "\b": "\\b"}
    return "".join(table.get(ch, ch) for ch in value)


class ActionReader:
    """Incremental action parser: bytes in, complete actions out; a line without `:` is ignored as Asterisk does."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._pairs: Pairs = []
        self.too_long = 0

    def feed(self, data: bytes) -> Iterator[Action]:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_ACTION_BYTES:  # "Line too long": drop it
                    self._buffer.clear()
                    self.too_long += 1
                return
            raw = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[: end + 1]
            if not raw:
                if self._pairs:
                    yield Action(self._pairs)
                    self._pairs = []
                continue
            line = raw.decode("utf-8", "replace")
            key, sep, value = line.partition(":")
            if sep:
                self._pairs.append((key.strip(), value.lstrip(" ")))
