"""`Simulator`: the asyncio TCP server speaking AMI as Asterisk 20 does, around one simulated PBX.

Sessions get the banner, authenticate, and receive the events their mask allows. Calls are placed by the
scenario engine, the control interface or `place_call()`; Originate creates real legs. `replay()` writes
`.ami` captures verbatim to every logged-in client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telephony.sim import actions
from telephony.sim.ami_classes import ACTION_WRITE
from telephony.sim.cdr import CdrWriter
from telephony.sim.channels import Channel
from telephony.sim.clock import Clock
from telephony.sim.faults import MALFORMED_FRAMES, Faults
from telephony.sim.pbx import Pbx
from telephony.sim.queues import NOT_INUSE, UNAVAILABLE, Member, Queue
from telephony.sim.recordings import Recorder
from telephony.sim.session import AmiUser, Handler, Session
from telephony.sim.trace import WireTrace

logger = logging.getLogger(__name__)
AMI_VERSION = "9.0.0"  # Asterisk 20


@dataclass
class SimConfig:
    """Everything the simulator is built from (the CLI fills it from settings and options)."""

    username: str = "callcenter"
    secret: str = "callcenter-demo"  # noqa: S105 - the documented demo secret of asterisk-config/manager.conf
    read: frozenset[str] = frozenset({"system", "call", "agent", "user", "cdr"})
    write: frozenset[str] = frozenset({"originate", "agent", "reporting"})
    version: str = AMI_VERSION
    speed: float = 1.0
    operators: int = 4
    queues: tuple[str, ...] = ("hotline", "consult")
    trunk: str = "trunk"
    recordings_dir: Path | None = None
    cdr_database_url: str = ""
    replay: Path | None = None
    auth_fail_delay: float = 1.0
    write_timeout: float = 1.0  # manager.conf writetimeout = 1000 (ms)
    extra_users: dict[str, AmiUser] = field(default_factory=dict)
    trace_file: Path | None = None  # append a JSON line per traced frame written to a client (telephony/sim/trace.py)
    trace_events: frozenset[str] = frozenset({"AgentCalled"})


class Simulator:
    """The PBX simulator; `await start(host, port)`, then drive it, then `await close()`."""

    def __init__(self, config: SimConfig | None = None, *, faults: Faults | None = None) -> None:
        from telephony.sim.calls import CallEngine
        from telephony.sim.originate import OriginateScript

        self.config = config or SimConfig()
        self.faults = faults or Faults()
        self.clock = Clock(self.config.speed)
        self.cdr = CdrWriter(self.config.cdr_database_url) if self.config.cdr_database_url else None
        self.recorder = Recorder(self.config.recordings_dir) if self.config.recordings_dir is not None else None
        self.originate_script = OriginateScript()
        self._cdr_pending: list[dict[str, Any]] = []
        self._cdr_flushing: asyncio.Task[None] | None = None
        self.pbx = Pbx(self.clock, self._build_queues(), cdr_sink=self._write_cdr)
        self.trace = WireTrace(self.config.trace_file, self.config.trace_events) if self.config.trace_file is not None else None
        self.pbx.trace = self.trace
        self.users = {self.config.username: AmiUser(self.config.secret, self.config.read, self.config.write), **self.config.extra_users}
        self.sessions: set[Session] = set()
        self.stats: Counter[str] = Counter()
        self.originates: deque[dict[str, Any]] = deque(maxlen=10_000)  # the latest Originates received, for tests and drills
        self.unavailable: set[str] = set()
        self.malformed_frames = MALFORMED_FRAMES
        self.malformed_counter = 0
        self.duplicate_counter = 0
        self.auth_fail_delay = self.config.auth_fail_delay
        self.started_at = time.time()
        self.engine = CallEngine(self)
        self._server: asyncio.Server | None = None
        self.port = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._replay_bytes = self.config.replay.read_bytes() if self.config.replay is not None else None
        self.handlers: dict[str, Handler] = {
            "login": Session.login,
            "challenge": Session.challenge_action,
            "logoff": Session.logoff,
            "ping": Session.ping,
            "events": Session.events,
            "coreshowchannels": actions.core_show_channels,
            "queuestatus": actions.queue_status,
            "queuesummary": actions.queue_summary,
            "queuepause": actions.queue_pause,
            "queueadd": actions.queue_add,
            "queueremove": actions.queue_remove,
            "hangup": actions.hangup,
            "command": actions.command,
            "originate": self.engine.originate_action,
        }
        self.write_classes = ACTION_WRITE

    # --- configuration ----------------------------------------------------------------------------
    def operator_interfaces(self) -> list[str]:
        return [f"PJSIP/op{101 + i}" for i in range(self.config.operators)]

    def _build_queues(self) -> dict[str, Queue]:
        now = int(time.time())
        queues = {}
        for index, name in enumerate(self.config.queues):
            queue = Queue(name=name)
            interfaces = self.operator_interfaces() if index == 0 else self.operator_interfaces()[-1:]
            for interface in interfaces:
                queue.members[interface] = Member(interface=interface, name=interface, membership="static", login_time=now)
            queues[name] = queue
        return queues

    def device_state(self, interface: str) -> int:
        if interface in self.unavailable or not interface.startswith("PJSIP/"):
            return UNAVAILABLE
        for queue in self.pbx.queues.values():
            member = queue.members.get(interface)
            if member is not None:
                return member.status
        return NOT_INUSE

    # --- server -----------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen; returns the bound port (pass 0 to get a free one)."""
        self._server = await asyncio.start_server(self._accept, host, port)
        bound: int = self._server.sockets[0].getsockname()[1]
        self.port = bound
        if self.faults.drop_after is not None:
            self.spawn(self._drop_timer())
        logger.info("pbx simulator listening", extra={"event_data": {"host": host, "port": bound, "version": self.config.version}})
        return bound

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.drop_connections()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        if self.cdr is not None:
            if self._cdr_pending:
                await asyncio.to_thread(self.cdr.write, self._cdr_pending)
            self.cdr.close()
        if self.trace is not None:
            self.trace.close()

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("simulator task failed", exc_info=task.exception())

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = str(writer.get_extra_info("peername"))
        session = Session(self, reader, writer, peer=peer)
        self.sessions.add(session)
        self.pbx.subscribe(session.on_event)
        self.stats["connections"] += 1
        session.send(f"Asterisk Call Manager/{self.config.version}\r\n".encode())
        session.writer_task = asyncio.get_running_loop().create_task(session.write_loop())
        try:
            await session.read_loop()
        except (ConnectionError, OSError):
            pass
        finally:
            session.close()
            self.pbx.unsubscribe(session.on_event)
            self.sessions.discard(session)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(session.writer_task, return_exceptions=True), 5)
            writer.close()

    def on_login(self, session: Session) -> None:
        if self._replay_bytes is not None:
            session.send(self._replay_bytes)

    async def restart(self, down_seconds: float) -> int:
        """Asterisk restarting: `Event: Shutdown` (Cleanly, Restart True), every call cut (their CDRs written),
        connections closed and refused for `down_seconds`, then listening again on the same port. Returns the calls cut."""
        host = self._server.sockets[0].getsockname()[0] if self._server is not None else "127.0.0.1"
        self.pbx.emit("Shutdown", "system", [("Shutdown", "Cleanly"), ("Restart", "True")])
        await asyncio.sleep(0.05)  # let the sessions write it
        if self._server is not None:
            self._server.close()
        self.drop_connections()
        cut = self.engine.cut_all()
        self.stats["restarts"] += 1
        await asyncio.sleep(down_seconds)
        self._server = await asyncio.start_server(self._accept, host, self.port)
        self.started_at = time.time()
        return cut

    def drop_connections(self) -> int:
        """Close every client connection at once (the PBX going away); returns how many were dropped."""
        dropped = 0
        for session in list(self.sessions):
            session.abort()
            dropped += 1
        self.stats["dropped"] += dropped
        return dropped

    async def _drop_timer(self) -> None:
        assert self.faults.drop_after is not None  # noqa: S101 - only scheduled when set
        await asyncio.sleep(self.faults.drop_after)
        while True:
            self.drop_connections()
            if not self.faults.drop_every:
                return
            await asyncio.sleep(self.faults.drop_every)

    def replay(self, data: bytes) -> int:
        """Write a capture's bytes, untouched, to every logged-in client; returns how many got it."""
        sent = 0
        for session in list(self.sessions):
            if session.user is not None:
                session.send(data)
                sent += 1
        return sent

    def set_device(self, interface: str, *, available: bool) -> None:
        """A phone registers or drops off: QueueMemberStatus 1 / 5; Originate to an unavailable phone fails (Reason 0)."""
        if available:
            self.unavailable.discard(interface)
            self.pbx.member_status(interface, NOT_INUSE)
        else:
            self.unavailable.add(interface)
            self.pbx.member_status(interface, UNAVAILABLE)

    def set_paused(self, interface: str, *, paused: bool, reason: str = "") -> None:
        """The operator pauses from the phone: one QueueMemberPause per queue."""
        for queue, member in self.pbx.find_members(interface):
            member.paused, member.paused_reason = paused, reason if paused else ""
            if paused:
                member.last_pause = int(time.time())
            self.pbx.emit("QueueMemberPause", "agent", member.blob(queue.name))

    # --- PBX hooks --------------------------------------------------------------------------------
    def hangup_requested(self, ch: Channel, cause: int) -> None:
        self.engine.hangup_requested(ch, cause)

    def _write_cdr(self, rows: list[dict[str, Any]]) -> None:
        """Rows are written off the event loop, in order, by one flusher task."""
        if self.cdr is None:
            return
        self._cdr_pending += rows
        if self._cdr_flushing is None or self._cdr_flushing.done():
            self._cdr_flushing = self.spawn(self._flush_cdr())

    async def _flush_cdr(self) -> None:
        while self._cdr_pending and self.cdr is not None:
            batch, self._cdr_pending = self._cdr_pending, []
            try:
                await asyncio.to_thread(self.cdr.write, batch)
            except Exception:
                logger.exception("cdr write failed", extra={"event_data": {"rows": len(batch)}})

    async def flush_cdr(self) -> None:
        """Wait until every finished call's CDR rows are in the table (tests, drills)."""
        while self._cdr_pending or (self._cdr_flushing is not None and not self._cdr_flushing.done()):
            if self._cdr_flushing is None or self._cdr_flushing.done():
                self._cdr_flushing = self.spawn(self._flush_cdr())
            await asyncio.sleep(0.01)
