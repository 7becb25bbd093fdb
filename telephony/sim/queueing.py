"""app_queue for the simulator: a caller joins, operators ring one after another (rrmemory), and the caller is
connected, or leaves by hanging up, by pressing 1 (call me back) or at the queue's timeout (ami.md §2.1, §2.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony.sim.channels import Bridge, Channel
from telephony.sim.queues import INUSE, NOT_INUSE, RINGING, Entry, Member, Queue
from telephony.sim.spec import CALLBACK_USERFIELD, CallSpec

if TYPE_CHECKING:
    from telephony.sim.calls import CallEngine


class Queueing:
    def __init__(self, engine: CallEngine) -> None:
        self.engine = engine
        self.pbx = engine.pbx
        self.clock = engine.clock
        self.sim = engine.sim

    async def queue_wait(self, trunk: Channel, queue: Queue, spec: CallSpec) -> tuple[Channel | None, Member | None]:
        """QueueCallerJoin, then ring members until one answers or the caller leaves (abandon, key 1, timeout)."""
        pbx, joined = self.pbx, self.clock.now()
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
                if await self.engine.wait(trunk, min(1.0, remaining)):
                    await self.leave_queue(trunk, queue, spec, None, joined, hung_up=True)
                    return None, None
                continue
            attempts += 1
            agent = self.ring(trunk, member, queue)
            answers = not leaves and not (spec.outcome == "no_answer_then_answered" and attempts == 1)
            ring_for = min(spec.ring_seconds, remaining) if (answers or leaves) else float(queue.timeout)
            if await self.engine.wait(trunk, ring_for):
                await self.leave_queue(trunk, queue, spec, (agent, member), joined, hung_up=True)
                return None, None
            if leaves and self.clock.now() >= deadline - 1e-6:
                await self.leave_queue(trunk, queue, spec, (agent, member), joined)
                return None, None
            if answers:
                self.connect(trunk, agent, member, queue, joined, ring_for)
                return agent, member
            self.ring_no_answer(trunk, agent, member, queue, ring_for)
            await self.engine.wait(trunk, 1.0)

    def _pick(self, queue: Queue, spec: CallSpec) -> Member | None:
        if spec.operator:
            member = queue.members.get(spec.operator)
            return member if member is not None and member.available else None
        return queue.next_member(exclude=set())

    def ring(self, trunk: Channel, member: Member, queue: Queue) -> Channel:
        pbx = self.pbx
        agent = self.engine.operator_leg(member.interface, linkedid=trunk.linkedid, context="operators", exten=trunk.exten, peer=trunk)
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
        self.engine.end(agent, 16)
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
            self.engine.end(agent, 16)
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
            pbx.goto(trunk, "callcenter-queue-exit", "1", 1, app="Set", data=f"CDR(userfield)={CALLBACK_USERFIELD}")
            pbx.set_cdr_userfield(trunk, CALLBACK_USERFIELD)
            pbx.goto(trunk, "callcenter-queue-exit", "1", 2, app="UserEvent", data="CallcenterCallbackRequest")
            pbx.user_event(
                trunk,
                "CallcenterCallbackRequest",
                [("Linkedid", trunk.linkedid), ("CallerIDNum", trunk.caller_num or "<unknown>"), ("Queue", queue.name)],
            )
            self.sim.stats["callback_requests"] += 1
        if by_key or timeout:
            pbx.goto(trunk, trunk.context, trunk.exten, trunk.priority + 1, app="Playback", data="custom/we-will-call-back")
            await self.engine.wait(trunk, 2.0)
        await self.engine.record_and_hang_up(trunk, recorded=False)
