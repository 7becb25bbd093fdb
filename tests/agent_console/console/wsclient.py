"""A console as the tests see it: a real WebSocket client over TCP to the live server, JSON in and out."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.browser.conftest import Live
from tests.factories import PASSWORD


def token(live: Live, username: str) -> str:
    response = httpx.post(f"{live.url}/api/auth/token", data={"username": username, "password": PASSWORD}, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class Console:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, live: Live, tok: str, *, last_id: str | None = None) -> Console:
        query = f"?token={tok}" + (f"&last_id={last_id}" if last_id else "")
        return cls(await connect(live.ws_url + query, open_timeout=10, max_size=2**24))

    async def next(self, *, skip: tuple[str, ...] = ("heartbeat",), within: float = 10) -> dict[str, Any]:
        """The next message whose type is not in `skip`."""
        async with asyncio.timeout(within):
            while True:
                msg: dict[str, Any] = json.loads(await self.ws.recv())
                if msg["type"] not in skip:
                    return msg

    async def drain(self) -> None:
        """Read until the server closes the socket (raises ConnectionClosed)."""
        while True:
            await self.next()

    async def send(self, body: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(body))

    async def close(self) -> None:
        await self.ws.close()


async def wait_until(condition: Callable[[], bool], within: float = 20) -> None:
    """Poll a condition on the live server's state (another thread's event loop, so no Event to await)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)
