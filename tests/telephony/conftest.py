"""A small asyncio AMI server speaking Asterisk 20's wire format (until and besides the PBX simulator), and a
listener harness running the real listener against it, on the real databases and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import redis.asyncio as aredis
from sqlalchemy import Engine

from telephony.listener import Listener
from telephony.settings import TelephonySettings
from tests.conftest import REDIS_URL
from tests.telephony.wire import message

USER, SECRET = "callcenter", "s3cret-ami"


def parse_action(block: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:
            if key in out:
                prev = out[key]
                out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                out[key] = value
    return out


class FakeAmi:
    """Banner, Login (a wrong secret is refused after a pause and the socket closed, as Asterisk does), Ping,
    EventList actions answered from `channels` / `queue_items`, Originate (async) with an OriginateResponse,
    QueuePause/QueueAdd/QueueRemove; `send()` writes transcript bytes to every logged-in client, split at will."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0
        self.clients: list[asyncio.StreamWriter] = []
        self.logins = 0
        self.failed_logins = 0
        self.actions: list[dict[str, Any]] = []
        self.channels: list[Callable[[str], bytes]] = []
        self.queue_items: list[Callable[[str], bytes]] = []
        self.originate_reason = "4"
        self.answer_pings = True

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listening socket and every client (the PBX went away)."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        await self.drop()

    async def drop(self) -> None:
        writers, self.clients = self.clients, []
        for writer in writers:
            writer.close()
        for writer in writers:
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def send(self, data: bytes, *, split: list[int] | None = None) -> None:
        pieces = [data]
        if split:
            bounds = [0, *sorted(s for s in split if 0 < s < len(data)), len(data)]
            pieces = [data[a:b] for a, b in itertools.pairwise(bounds)]
        for piece in pieces:
            for writer in list(self.clients):
                writer.write(piece)
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
            if split:
                await asyncio.sleep(0.001)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        authed = False
        try:
            while True:
                block = await reader.readuntil(b"\r\n\r\n")
                act = parse_action(block)
                self.actions.append(act)
                name, aid = str(act.get("Action", "")), str(act.get("ActionID", ""))
                if name == "Login":
                    if act.get("Username") != USER or act.get("Secret") != SECRET:
                        self.failed_logins += 1
                        await asyncio.sleep(0.05)
                        writer.write(message([("Response", "Error"), ("ActionID", aid), ("Message", "Authentication failed")]))
                        await writer.drain()
                        writer.close()
                        return
                    authed = True
                    self.logins += 1
                    writer.write(message([("Response", "Success"), ("ActionID", aid), ("Message", "Authentication accepted")]))
                    writer.write(
                        message(
                            [
                                ("Event", "FullyBooted"),
                                ("Privilege", "system,all"),
                                ("Uptime", "10"),
                                ("LastReload", "10"),
                                ("Status", "Fully Booted"),
                            ]
                        )
                    )
                    self.clients.append(writer)
                elif not authed:
                    writer.write(message([("Response", "Error"), ("ActionID", aid), ("Message", "Permission denied")]))
                else:
                    await self._answer(writer, name, aid, act)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if writer in self.clients:
                self.clients.remove(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, writer: asyncio.StreamWriter, name: str, aid: str, act: dict[str, Any]) -> None:
        ok = [("Response", "Success"), ("ActionID", aid)]
        if name == "Ping":
            if self.answer_pings:
                writer.write(message([*ok, ("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")]))
        elif name in ("CoreShowChannels", "QueueStatus"):
            items = self.channels if name == "CoreShowChannels" else self.queue_items
            follow = "Channels will follow" if name == "CoreShowChannels" else "Queue status will follow"
            writer.write(message([*ok, ("EventList", "start"), ("Message", follow)]))
            for item in items:
                writer.write(item(aid))
            done = "CoreShowChannelsComplete" if name == "CoreShowChannels" else "QueueStatusComplete"
            writer.write(message([("Event", done), ("ActionID", aid), ("EventList", "Complete"), ("ListItems", str(len(items)))]))
        elif name == "Originate":
            writer.write(message([*ok, ("Message", "Originate successfully queued")]))
            reason = self.originate_reason
            body = [("Event", "OriginateResponse"), ("Privilege", "call,all"), ("ActionID", aid)]
            body += [
                ("Response", "Success" if reason == "4" else "Failure"),
                ("Channel", str(act.get("Channel"))),
                ("Context", str(act.get("Context", ""))),
            ]
            body += [
                ("Exten", str(act.get("Exten", ""))),
                ("Reason", reason),
                ("Uniqueid", str(act.get("ChannelId"))),
                ("CallerIDNum", "<unknown>"),
                ("CallerIDName", "<unknown>"),
            ]
            writer.write(message(body))
        elif name == "QueuePause":
            text = "Interface paused successfully" if act.get("Paused") == "true" else "Interface unpaused successfully"
            writer.write(message([*ok, ("Message", text)]))
        elif name == "QueueAdd":
            writer.write(message([*ok, ("Message", "Added interface to queue")]))
        elif name == "QueueRemove":
            writer.write(message([*ok, ("Message", "Removed interface from queue")]))
        else:
            text = f"Invalid/unknown command: {name}. Use Action: ListCommands to show available commands."
            writer.write(message([("Response", "Error"), ("ActionID", aid), ("Message", text)]))


@pytest.fixture
async def ami() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    await server.start()
    yield server
    await server.stop()


def telephony_settings(port: int, **overrides: Any) -> TelephonySettings:
    values: dict[str, Any] = {
        "ami_port": port,
        "ami_username": USER,
        "ami_secret": SECRET,
        "ami_action_timeout": 2.0,
        "ami_reconnect_max": 0.5,
        "ami_ping_interval": 5.0,
        "listener_heartbeat_seconds": 0.3,
    }
    values.update(overrides)
    return TelephonySettings(**values)


async def eventually(check: Callable[[], Any], *, within: float = 8.0, what: str = "") -> Any:
    """Poll `check` (sync, or returning an awaitable) until it is truthy."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.05)


class Harness:
    def __init__(self, listener: Listener, task: asyncio.Task[None], stop: asyncio.Event) -> None:
        self.listener, self.task, self.stop_event = listener, task, stop

    async def stop(self) -> None:
        self.stop_event.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), 10)
        except TimeoutError:
            for task in asyncio.all_tasks():
                task.print_stack()
            raise


@pytest.fixture
async def start_listener(engine: Engine, redis_client: redis.Redis) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    harnesses: list[Harness] = []
    clients: list[aredis.Redis] = []

    async def start(port: int, *, cdr_engine: Engine | None = None, **overrides: Any) -> Harness:
        aclient = aredis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=5)
        clients.append(aclient)
        listener = Listener(
            telephony_settings(port, **overrides),
            engine=engine,
            client=redis_client,
            aclient=aclient,
            cdr_engine=cdr_engine,
            clock=lambda: datetime.now(UTC),
            reconnect_base=0.05,
        )
        stop = asyncio.Event()
        harness = Harness(listener, asyncio.create_task(listener.run(stop)), stop)
        harnesses.append(harness)
        return harness

    yield start
    for harness in harnesses:
        if not harness.task.done():
            await harness.stop()
    for client in clients:
        await client.aclose()
