"""A raw AMI test client (real TCP): exact bytes, frames as ordered pairs, and the simulator fixture helpers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

Frame = list[tuple[str, str]]
_ids = itertools.count(1)


def get(frame: Frame, key: str, default: str | None = None) -> str | None:
    return next((v for k, v in frame if k == key), default)


class RawAmi:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = b""
        self.banner = b""
        self.chunks: list[bytes] = []

    @classmethod
    async def connect(cls, port: int) -> RawAmi:
        return await cls.connect_to("127.0.0.1", port)

    @classmethod
    async def connect_to(cls, host: str, port: int) -> RawAmi:
        reader, writer = await asyncio.open_connection(host, port)
        client = cls(reader, writer)
        while b"\r\n" not in client.buffer:
            await client._read_more(5)
        end = client.buffer.index(b"\r\n") + 2
        client.banner, client.buffer = client.buffer[:end], client.buffer[end:]
        return client

    async def _read_more(self, limit: float) -> None:
        data = await asyncio.wait_for(self.reader.read(65536), limit)
        if not data:
            raise ConnectionResetError("server closed the connection")
        self.chunks.append(data)
        self.buffer += data

    async def send(self, *pairs: tuple[str, str], raw: bytes | None = None) -> None:
        self.writer.write(raw if raw is not None else "".join(f"{k}: {v}\r\n" for k, v in pairs).encode() + b"\r\n")
        await self.writer.drain()

    async def frame(self, limit: float = 5) -> Frame:
        while b"\r\n\r\n" not in self.buffer:
            await self._read_more(limit)
        end = self.buffer.index(b"\r\n\r\n")
        text, self.buffer = self.buffer[:end].decode("utf-8"), self.buffer[end + 4 :]
        return [(k, v) for k, _, v in (line.partition(": ") for line in text.split("\r\n"))]

    async def until(self, predicate: Callable[[Frame], bool], limit: float = 10) -> list[Frame]:
        """Frames up to and including the first that matches."""
        seen: list[Frame] = []
        async with asyncio.timeout(limit):
            while True:
                frame = await self.frame(limit)
                seen.append(frame)
                if predicate(frame):
                    return seen

    async def action(self, name: str, *pairs: tuple[str, str]) -> Frame:
        """Send an action with a fresh ActionID and return its response frame (events in between are skipped)."""
        aid = f"t-{next(_ids)}"
        await self.send(("Action", name), ("ActionID", aid), *pairs)
        frames = await self.until(lambda f: get(f, "ActionID") == aid and get(f, "Response") is not None)
        return frames[-1]

    async def login(self, user: str = "callcenter", secret: str = "callcenter-demo") -> Frame:  # noqa: S107 - the demo secret
        return await self.action("Login", ("Username", user), ("Secret", secret))

    async def closed(self, limit: float = 5) -> bool:
        try:
            async with asyncio.timeout(limit):
                while True:
                    await self._read_more(limit)
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.writer.close()
