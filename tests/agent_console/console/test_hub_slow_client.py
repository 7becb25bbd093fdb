"""A console that stops reading is dropped (close 4408) while the others keep getting every event: its bounded queue
overflows or a frame send times out; the hub never waits for it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest

from agent_console.hub import HubConfig
from appeals.models import Role, User
from runtime.streams import EVENTS, EVENTS_MAXLEN, event_fields
from tests.agent_console.console.wsclient import Console, token, wait_until
from tests.browser.conftest import Live

EVENTS_SENT = 1500


@pytest.fixture(scope="module")
def hub_config() -> HubConfig:
    return HubConfig(queue_size=EVENTS_SENT + 10, send_timeout=2.0, heartbeat_seconds=30.0)


def _stalled_console(live: Live, tok: str) -> socket.socket:
    """A WebSocket handshake over a raw socket with a tiny receive buffer that is then never read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    host, port = live.url.removeprefix("http://").split(":")
    sock.connect((host, int(port)))
    sock.sendall(
        (
            f"GET /ws/console?token={tok} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


async def test_a_stalled_console_is_dropped_and_the_others_get_everything(live: Live, staff: Callable[..., User]) -> None:
    staff("sup_fast", Role.supervisor)
    staff("sup_slow", Role.supervisor)
    fast = await Console.open(live, token(live, "sup_fast"))
    assert (await fast.next())["type"] == "snapshot"
    slow = await asyncio.to_thread(_stalled_console, live, token(live, "sup_slow"))
    hub = live.app.state.hub
    await wait_until(lambda: len(hub.clients) == 2)

    members = [{"interface": f"PJSIP/op{i}", "name": f"Оператор {i}", "status": 1, "paused": False} for i in range(100)]
    pipe = live.redis.pipeline(transaction=False)
    for n in range(EVENTS_SENT):
        data = {"queue": "hotline", "waiting": n, "members": members, "counters": {"offered": n}}
        pipe.xadd(EVENTS, event_fields("queue.state", data), maxlen=EVENTS_MAXLEN, approximate=True)
    ids = await asyncio.to_thread(pipe.execute)

    received: list[tuple[str, int]] = []
    while len(received) < EVENTS_SENT:
        msg = await fast.next(within=20)
        received.append((msg["id"], msg["data"]["waiting"]))
    assert received == [(str(i), n) for n, i in enumerate(ids)]
    await wait_until(lambda: len(hub.clients) == 1)
    slow.close()
    await fast.close()
