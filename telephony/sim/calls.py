"""The call engine: inbound trunk calls through the dialplan and the queue, as extensions.conf runs them.

Each call is a task; `place()` creates the trunk leg at once (so callers get its ids) and the rest of the
call runs in simulated time. The event order follows ami.md §2.1/§2.2 and the captures.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telephony.sim.channels import Bridge, Channel
from telephony.sim.queues import INUSE, NOT_INUSE, RINGING, Member, Queue
from telephony.sim.spec import CallSpec

if TYPE_CHECKING:
    from telephony.sim.server import Simulator
    from telephony.sim.session import Session
    from telephony.sim.wire import Action

logger = logging.getLogger(__name__)
MONITOR_DIR = "/var/spool/asterisk/monitor"


@dataclass
class Placed:
    """What `place()` returns: the ids a test or drill waits on."""

    linkedid: str
    uniqueid: str
    channel: str
    task: asyncio.Task[Any]


def operator_ext(interface: str) -> str:
    """`PJSIP/op101` → `101` (the operators' dial plan numbers)."""
    resource = interface.split("/", 1)[-1]
    return resource[2:] if resource.startswith("op") else resource


class CallEngine:
    """Runs calls on the simulator's PBX; flows for transfers, outbound, internal and Originate live in `flows`."""

    def __init__(self, sim: Simulator) -> None:
        from telephony.sim.flows import Flows

        self.sim = sim
        self.pbx = sim.pbx
        self.clock = sim.clock
        self.flows = Flows(self)
        self.hangup_events: dict[str, asyncio.Event] = {}
        self.active: dict[str, Placed] = {}
        self.completed = 0

    # --- helpers shared by the flows ---------------------------------------------------------------
    async def wait(self, ch: Channel, seconds: float) -> bool:
        """Let simulated time pass on `ch`; True when something hung it up meanwhile (AMI Hangup, control)."""
        event = self.hangup_events.setdefault(ch.uniqueid, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout=max(0.0, seconds) / self.clock.speed)
        except TimeoutError:
            return False
        return True

    def hangup_requested(self, ch: Channel, cause: int) -> None:
        del cause
        self.hangup_events.setdefault(ch.uniqueid, asyncio.Event()).set()

    def operator_leg(self, interface: str, *, linkedid: str, context: str, exten: str, peer: Channel | None) -> Channel:
        ext = operator_ext(interface)
        return self.pbx.new_channel(
            self.pbx.channel_name(interface),
            context=context,
            exten=exten,
            state=0,
            linkedid=linkedid,
            caller_num=ext,
            caller_name=f"Оператор {ext}",
            connected_num=peer.caller_num if peer else "",
            connected_name=peer.caller_name if peer else "",
            language="uk",
        )

    def end(self, ch: Channel, cause: int = 16, *, request: bool = False) -> None:
        self.pbx.hangup(ch, cause, request=request)
        self.hangup_events.pop(ch.uniqueid, None)

    async def record_and_hang_up(self, trunk: Channel, *, recorded: bool, cause: int = 16) -> None:
        """The trunk leg's hangup handler: the stereo file is complete, then `UserEvent: CallcenterRecording`, then Hangup."""
        if recorded and self.sim.recorder is not None:
            relpath = self.sim.recorder.relpath(trunk.uniqueid, self.clock.now())
            self.pbx.goto(trunk, "callcenter-hangup", "s", 1, app="StopMixMonitor")
            await asyncio.to_thread(self.sim.recorder.write, relpath)
            self.pbx.user_event(
                trunk,
                "CallcenterRecording",
                [("Linkedid", trunk.linkedid), ("Uniqueid", trunk.uniqueid), ("RecordingFile", relpath), ("Layout", "stereo")],
            )
            self.sim.stats["recordings"] += 1
        self.end(trunk, cause)

    # --- entry points ------------------------------------------------------------------------------
    def place(self, spec: CallSpec) -> Placed:
        """Start a call now; inbound calls create their trunk leg before this returns."""
        spec.validate()
        if spec.kind in ("inbound", "local"):
            first = self._trunk_leg(spec)
            coro = self.inbound(first, spec)
        else:
            first = self.flows.phone_leg(spec)
            coro = self.flows.phone_call(first, spec)
        task = self.sim.spawn(coro)
        placed = Placed(first.linkedid, first.uniqueid, first.name, task)
        self.active[first.linkedid] = placed
        task.add_done_callback(lambda _t: self._done(first.linkedid))
        self.sim.stats["calls_placed"] += 1
        self.sim.stats[f"{'inbound' if spec.kind in ('inbound', 'local') else spec.kind}_calls"] += 1
        return placed

    def cut_all(self) -> int:
        """Stop every call at once, as a PBX restart does: no more events, CDR rows written, queues emptied."""
        placed = list(self.active.values())
        for call in placed:
            call.task.cancel()
        self.pbx.silent = True
        try:
            for ch in list(self.pbx.channels.values()):
                self.pbx.hangup(ch, 0)
        finally:
            self.pbx.silent = False
        for queue in self.pbx.queues.values():
            queue.entries.clear()
            for member in queue.members.values():
                member.in_call, member.status = False, NOT_INUSE
        self.hangup_events.clear()
        return len(placed)

    def _done(self, linkedid: str) -> None:
        self.active.pop(linkedid, None)
        self.completed += 1

    async def originate_action(self, session: Session, action: Action) -> None:
        await self.flows.originate(session, action)

    # --- inbound ---------------------------------------------------------------------------------
    def _trunk_leg(self, spec: CallSpec) -> Channel:
        num, name = ("", "") if spec.withheld else (spec.caller, spec.caller_name)
        if spec.caller.strip().lower() == "anonymous":
            num, name = "anonymous", "Anonymous"
        trunk = self.pbx.new_channel(
            self.pbx.channel_name(f"PJSIP/{self.sim.config.trunk}"),
            context="from-trunk",
            exten=spec.did,
            state=4,
            caller_num=num,
            caller_name=name,
        )
        self.pbx.open_cdr(trunk)
        return trunk

    async def inbound(self, trunk: Channel, spec: CallSpec) -> None:
        pbx, did = self.pbx, spec.did
        pbx.goto(trunk, "from-trunk", did, 1, app="NoOp", data=f"inbound {trunk.uniqueid}")
        trunk.language = "uk"  # Set(CHANNEL(language)=uk): a function write, no VarSet
        pbx.goto(trunk, "from-trunk", did, 3, app="Set", data="CHANNEL(hangup_handler_push)=callcenter-hangup,s,1")
        pbx.goto(trunk, "from-trunk", did, 4, app="Answer")
        pbx.set_state(trunk, 6)
        pbx.goto(trunk, "from-trunk", did, 5, app="Playback", data="custom/recording-notice")
        if await self.wait(trunk, spec.notice_seconds):
            await self.record_and_hang_up(trunk, recorded=False)
            return
        relpath = self.sim.recorder.relpath(trunk.uniqueid, self.clock.now()) if self.sim.recorder else f"{trunk.uniqueid}.wav"
        pbx.goto(trunk, "from-trunk", did, 9, app="MixMonitor", data="${CC_RECFILE},D")
        pbx.var_set(trunk, "MIXMONITOR_FILENAME", f"{MONITOR_DIR}/{relpath}")
        pbx.emit("MixMonitorStart", "call", trunk.snapshot())
        if spec.kind == "local":
            await self.flows.local_forward(trunk, spec)
            return
        queue = self.pbx.queues.get(spec.queue) or next(iter(self.pbx.queues.values()))
        pbx.goto(trunk, "from-trunk", did, 10, app="Queue", data=f"{queue.name},tc,,,600")
        pbx.set_cdr_app(trunk, "Queue", f"{queue.name},tc,,,600")
        agent, member = await self.queue_wait(trunk, queue, spec)
        if agent is None or member is None:
            return
        await self.flows.talk(trunk, agent, member, queue, spec)

    async def queue_wait(self, trunk: Channel, queue: Queue, spec: CallSpec) -> tuple[Channel | None, Member | None]:
        """QueueCallerJoin, then ring members until one answers or the caller leaves (abandon, key 1, timeout)."""
        pbx, joined = self.pbx, self.clock.now()
        from telephony.sim.queues import Entry

        queue.entries.append(Entry(trunk, joined, len(queue.entries) + 1))
        pbx.emit(
            "QueueCallerJoin",
            "agent",
            [*trunk.snapshot(), ("Queue", queue.name), ("Position", str(queue.position(trunk))), ("Count", str(len(queue.entries)))],
        )
        leaves = spec.outcome in ("abandoned", "callback_request", "timeout")
        deadline = joined + spec.wait_seconds
        attempts = 0
        while True:
            remaining = deadline - self.clock.now() if leaves else 3600.0
            if remaining <= 0:
                await self.leave_queue(trunk, queue, spec, None, joined)
                return None, None
            member = self._pick(queue, spec)
            if member is None:
                if await self.wait(trunk, min(1.0, remaining)):
                    await self.leave_queue(trunk, queue, spec, None, joined, hung_up=True)
                    return None, None
                continue
            attempts += 1
            agent = self.ring(trunk, member, queue)
            answers = not leaves and not (spec.outcome == "no_answer_then_answered" and attempts == 1)
            ring_for = min(spec.ring_seconds, remaining) if (answers or leaves) else float(queue.timeout)
            if await self.wait(trunk, ring_for):
                await self.leave_queue(trunk, queue, spec, (agent, member), joined, hung_up=True)
                return None, None
            if leaves and self.clock.now() >= deadline - 1e-6:
                await self.leave_queue(trunk, queue, spec, (agent, member), joined)
                return None, None
            if answers:
                self.connect(trunk, agent, member, queue, joined, ring_for)
                return agent, member
            self.ring_no_answer(trunk, agent, member, queue, ring_for)
            await self.wait(trunk, 1.0)

    def _pick(self, queue: Queue, spec: CallSpec) -> Member | None:
        if spec.operator:
            member = queue.members.get(spec.operator)
            return member if member is not None and member.available else None
        return queue.next_member(exclude=set())

    def ring(self, trunk: Channel, member: Member, queue: Queue) -> Channel:
        pbx = self.pbx
        agent = self.operator_leg(member.interface, linkedid=trunk.linkedid, context="operators", exten=trunk.exten, peer=trunk)
        agent.application, agent.app_data = "AppQueue", "(Outgoing Line)"
        pbx.emit(
            "AgentCalled",
            "agent",
            [
                *trunk.snapshot(),
                *agent.snapshot("Dest"),
                ("Queue", queue.name),
                ("Interface", member.interface),
                ("MemberName", member.name),
            ],
        )
        pbx.dial_begin(trunk, agent, member.interface)
        pbx.set_state(agent, 5)
        pbx.dial_state(trunk, agent, "RINGING")
        pbx.member_status(member.interface, RINGING)
        return agent

    def ring_no_answer(self, trunk: Channel, agent: Channel, member: Member, queue: Queue, ring_for: float) -> None:
        pbx = self.pbx
        pbx.emit(
            "AgentRingNoAnswer",
            "agent",
            [
                *trunk.snapshot(),
                *agent.snapshot("Dest"),
                ("Queue", queue.name),
                ("Interface", member.interface),
                ("MemberName", member.name),
                ("RingTime", str(int(ring_for))),
            ],
        )
        pbx.dial_end(trunk, agent, "NOANSWER")
        self.end(agent, 16)
        pbx.member_status(member.interface, NOT_INUSE)

    def connect(self, trunk: Channel, agent: Channel, member: Member, queue: Queue, joined: float, ring_for: float) -> Bridge:
        pbx = self.pbx
        pbx.set_state(agent, 6)
        pbx.dial_end(trunk, agent, "ANSWER")
        position = queue.position(trunk)
        queue.entries = [e for e in queue.entries if e.channel is not trunk]
        pbx.emit(
            "QueueCallerLeave",
            "agent",
            [*trunk.snapshot(), ("Queue", queue.name), ("Count", str(len(queue.entries))), ("Position", str(position))],
        )
        trunk.connected_num, trunk.connected_name = agent.caller_num, agent.caller_name
        hold = int(self.clock.now() - joined)
        pbx.emit(
            "AgentConnect",
            "agent",
            [
                *trunk.snapshot(),
                *agent.snapshot("Dest"),
                ("Queue", queue.name),
                ("Interface", member.interface),
                ("MemberName", member.name),
                ("HoldTime", str(hold)),
                ("RingTime", str(int(ring_for))),
            ],
        )
        queue.completed += 1
        queue.completed_in_sl += int(hold <= queue.servicelevel)
        queue.holdtime = (queue.holdtime * (queue.completed - 1) + hold) // queue.completed
        pbx.member_status(member.interface, INUSE, in_call=True)
        return pbx.bridge(trunk, agent)

    async def leave_queue(
        self, trunk: Channel, queue: Queue, spec: CallSpec, ringing: tuple[Channel, Member] | None, joined: float, *, hung_up: bool = False
    ) -> None:
        """The caller leaves without an operator: hang-up/timeout → Abandon + Leave; key 1 → Leave + UserEvent."""
        pbx = self.pbx
        by_key = spec.outcome == "callback_request" and not hung_up
        timeout = spec.outcome == "timeout" and not hung_up
        if not by_key and not timeout:
            pbx.emit("HangupRequest", "call", [*trunk.snapshot(), ("Cause", "16")])
        if ringing is not None:
            agent, member = ringing
            pbx.dial_end(trunk, agent, "CANCEL")
            self.end(agent, 16)
            pbx.member_status(member.interface, NOT_INUSE)
        position = queue.position(trunk)
        queue.entries = [e for e in queue.entries if e.channel is not trunk]
        if not by_key:
            queue.abandoned += 1
            pbx.emit(
                "QueueCallerAbandon",
                "agent",
                [
                    *trunk.snapshot(),
                    ("Queue", queue.name),
                    ("Position", str(position)),
                    ("OriginalPosition", str(position)),
                    ("HoldTime", str(int(self.clock.now() - joined))),
                ],
            )
        pbx.emit(
            "QueueCallerLeave",
            "agent",
            [*trunk.snapshot(), ("Queue", queue.name), ("Count", str(len(queue.entries))), ("Position", str(position))],
        )
        if by_key:
            pbx.goto(trunk, "callcenter-queue-exit", "1", 1, app="UserEvent", data="CallcenterCallbackRequest")
            pbx.user_event(
                trunk,
                "CallcenterCallbackRequest",
                [("Linkedid", trunk.linkedid), ("CallerIDNum", trunk.caller_num or "<unknown>"), ("Queue", queue.name)],
            )
            self.sim.stats["callback_requests"] += 1
        if by_key or timeout:
            pbx.goto(trunk, trunk.context, trunk.exten, trunk.priority + 1, app="Playback", data="custom/we-will-call-back")
            await self.wait(trunk, 2.0)
        await self.record_and_hang_up(trunk, recorded=False)
