"""One AMI client connection: banner, authentication, event mask, action dispatch and a bounded write queue."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telephony.sim.trace import TracedFrame
from telephony.sim.wire import Action, ActionReader, Pairs, encode

if TYPE_CHECKING:
    from telephony.sim.server import Simulator

logger = logging.getLogger(__name__)
EVENT_CLASSES = frozenset(
    {"system", "call", "log", "verbose", "command", "agent", "user", "config", "dtmf", "reporting", "cdr", "dialplan"}
)
NO_AUTH = frozenset({"login", "logoff", "challenge"})
Handler = Callable[["Session", Action], Awaitable[None]]


@dataclass
class AmiUser:
    """A manager.conf user section."""

    secret: str
    read: frozenset[str] = frozenset({"system", "call", "agent", "user", "cdr"})
    write: frozenset[str] = frozenset({"originate", "agent", "reporting"})


@dataclass(eq=False)
class Session:
    sim: Simulator
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    peer: str = ""
    username: str | None = None
    user: AmiUser | None = None
    mask: frozenset[str] = frozenset()
    challenge: str = ""
    closing: bool = False
    outbox: asyncio.Queue[bytes | None] = field(default_factory=lambda: asyncio.Queue(maxsize=20000))
    rng: random.Random = field(default_factory=random.Random)
    writer_task: asyncio.Task[None] | None = None

    # --- output -----------------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        """Queue bytes for the client; a client that stops reading is dropped, as `writetimeout` does."""
        if self.closing:
            return
        try:
            self.outbox.put_nowait(data)
        except asyncio.QueueFull:
            logger.warning("ami client too slow, dropped", extra={"event_data": {"peer": self.peer}})
            self.close()

    def respond(
        self, action: Action, status: str, message: str | None = None, *, extra: Pairs | None = None, eventlist: bool = False
    ) -> None:
        """`astman_send_response_full()`: Response, ActionID (if sent), EventList, Message, then extra fields."""
        pairs: Pairs = [("Response", status)]
        if action.action_id is not None:
            pairs.append(("ActionID", action.action_id))
        if eventlist:
            pairs.append(("EventList", "start"))
        if message is not None:
            pairs.append(("Message", message))
        pairs += extra or []
        self.send(encode(pairs))

    def on_event(self, klass: str, data: bytes) -> None:
        if self.user is not None and klass in self.mask:
            self.send(data)
            faults = self.sim.faults
            if faults.duplicate:
                self.sim.duplicate_counter += 1
                if self.sim.duplicate_counter % faults.duplicate == 0:
                    self.send(data)
            if faults.malformed:
                self.sim.malformed_counter += 1
                if self.sim.malformed_counter % faults.malformed == 0:
                    self.send(self.rng.choice(self.sim.malformed_frames))

    def close(self) -> None:
        """Close after the queued output is written (Logoff, failed login)."""
        if not self.closing:
            self.closing = True
            while True:
                try:
                    self.outbox.put_nowait(None)
                    break
                except asyncio.QueueFull:
                    self.outbox.get_nowait()

    def is_closing(self) -> bool:
        return self.closing

    def abort(self) -> None:
        """Drop the connection now, unsent output and all (the PBX going away)."""
        self.closing = True
        if self.writer_task is not None:
            self.writer_task.cancel()
        self.writer.transport.abort()

    async def write_loop(self) -> None:
        faults = self.sim.faults
        while True:
            data = await self.outbox.get()
            if data is None:
                break
            for piece in faults.pieces(data, self.rng):
                self.writer.write(piece)
                if faults.split or faults.slow_write:
                    await self._drain()
                    await asyncio.sleep(faults.slow_write)
            if isinstance(data, TracedFrame) and self.sim.trace is not None:
                self.sim.trace.record(data, peer=self.peer, at=time.time())
            if self.outbox.empty():
                await self._drain()
        with contextlib.suppress(OSError, TimeoutError):
            await self._drain()
        self.writer.close()

    async def _drain(self) -> None:
        """Asterisk's `writetimeout`: a client that cannot take a write within that time is disconnected."""
        try:
            await asyncio.wait_for(self.writer.drain(), self.sim.config.write_timeout)
        except TimeoutError:
            logger.warning("ami client did not read within writetimeout, dropped", extra={"event_data": {"peer": self.peer}})
            self.sim.stats["write_timeouts"] += 1
            self.abort()
            raise

    # --- input ------------------------------------------------------------------------------------
    async def read_loop(self) -> None:
        parser = ActionReader()
        while not self.closing:
            data = await self.reader.read(65536)
            if not data:
                break
            for action in parser.feed(data):
                if self.sim.faults.slow_read:
                    await asyncio.sleep(self.sim.faults.slow_read)
                if self.sim.faults.deaf:
                    continue
                await self.dispatch(action)
                if self.is_closing():
                    return

    async def dispatch(self, action: Action) -> None:
        name = action.name.lower()
        if not name:
            self.respond(action, "Error", "Missing action in request")
            return
        if self.user is None and name not in NO_AUTH:
            self.respond(action, "Error", "Permission denied")
            return
        handler = self.sim.handlers.get(name)
        if handler is None:
            self.respond(action, "Error", f"Invalid/unknown command: {action.name}. Use Action: ListCommands to show available commands.")
            return
        required = self.sim.write_classes.get(name, frozenset())
        if required and self.user is not None and not (required & self.user.write):
            self.respond(action, "Error", "Permission denied")
            return
        await handler(self, action)

    # --- session actions --------------------------------------------------------------------------
    async def login(self, action: Action) -> None:
        if self.user is not None:
            self.respond(action, "Success", "Already authenticated")
            return
        username = action.get("Username")
        user = self.sim.users.get(username)
        if action.get("AuthType").lower() == "md5":
            ok = (
                user is not None
                and bool(self.challenge)
                and secrets.compare_digest(
                    hashlib.md5((self.challenge + user.secret).encode(), usedforsecurity=False).hexdigest(), action.get("Key")
                )
            )
        else:
            ok = user is not None and secrets.compare_digest(user.secret.encode(), action.get("Secret").encode())
        if not ok or user is None or self.sim.faults.refuse_login:
            self.sim.stats["login_failures"] += 1
            await asyncio.sleep(self.sim.auth_fail_delay)
            self.respond(action, "Error", "Authentication failed")
            self.close()
            return
        self.username, self.user = username, user
        self.mask = _event_mask(action.get("Events") if action.has("Events") else "on", user.read)
        self.sim.stats["logins"] += 1
        self.respond(action, "Success", "Authentication accepted")
        if "system" in self.mask:
            uptime = str(int(time.time() - self.sim.started_at))
            self.send(
                encode(
                    [
                        ("Event", "FullyBooted"),
                        ("Privilege", "system,all"),
                        ("Uptime", uptime),
                        ("LastReload", uptime),
                        ("Status", "Fully Booted"),
                    ]
                )
            )
        self.sim.on_login(self)

    async def challenge_action(self, action: Action) -> None:
        if action.get("AuthType").lower() != "md5":
            self.respond(action, "Error", "Must specify AuthType")
            return
        self.challenge = str(secrets.randbelow(10**9))
        self.send(encode([("Response", "Success"), *_aid(action), ("Challenge", self.challenge)]))

    async def logoff(self, action: Action) -> None:
        self.respond(action, "Goodbye", "Thanks for all the fish.")
        self.close()

    async def ping(self, action: Action) -> None:
        now = time.time()
        stamp = f"{int(now)}.{int(now % 1 * 1e6):06d}"
        self.send(encode([("Response", "Success"), *_aid(action), ("Ping", "Pong"), ("Timestamp", stamp)]))

    async def events(self, action: Action) -> None:
        assert self.user is not None  # noqa: S101 - dispatch() only calls this after login
        self.mask = _event_mask(action.get("EventMask", "on"), self.user.read)
        state = "On" if self.mask else "Off"
        self.send(encode([("Response", "Success"), *_aid(action), ("Events", state)]))


def _aid(action: Action) -> Pairs:
    return [("ActionID", action.action_id)] if action.action_id is not None else []


def _event_mask(value: str, read: frozenset[str]) -> frozenset[str]:
    """Login/Events `Events:` header: on, off, or a class list; always limited to the user's read classes."""
    text = value.strip().lower()
    if text in ("on", "yes", "true", "1", "all"):
        return read
    if text in ("off", "no", "false", "0", ""):
        return frozenset()
    return frozenset(part.strip() for part in text.split(",")) & read
