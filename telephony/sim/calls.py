"""The call engine: inbound trunk calls through the dialplan and the queue, as extensions.conf runs them.

Each call is a task; `place()` creates the trunk leg at once (so callers get its ids) and the rest of the
call runs in simulated time. The event order follows ami.md §2.1/§2.2 and the captures.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telephony.sim.channels import Channel
from telephony.sim.queues import NOT_INUSE
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
        from telephony.sim.queueing import Queueing

        self.sim = sim
        self.pbx = sim.pbx
        self.clock = sim.clock
        self.flows = Flows(self)
        self.queueing = Queueing(self)
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
            language="uk",  # pjsip.conf: the trunk endpoint has language=uk
        )
        self.pbx.open_cdr(trunk)
        return trunk

    async def inbound(self, trunk: Channel, spec: CallSpec) -> None:
        pbx, did = self.pbx, spec.did
        pbx.goto(trunk, "from-trunk", did, 1, app="NoOp", data=f"inbound {trunk.uniqueid}")
        trunk.language = "uk"  # Set(CHANNEL(language)=uk) again in the dialplan: a function write, no VarSet
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
        agent, member = await self.queueing.queue_wait(trunk, queue, spec)
        if agent is None or member is None:
            return
        await self.flows.talk(trunk, agent, member, queue, spec)
