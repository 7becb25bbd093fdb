"""Call flows after the queue (talk, transfers), calls from phones (outbound, internal), Local channels, Originate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony.sim.channels import Channel
from telephony.sim.queues import INUSE, NOT_INUSE, RINGING, Member, Queue
from telephony.sim.spec import CallSpec

if TYPE_CHECKING:
    from telephony.sim.calls import CallEngine
    from telephony.sim.session import Session
    from telephony.sim.wire import Action


class Flows:
    def __init__(self, engine: CallEngine) -> None:
        self.engine = engine
        self.pbx = engine.pbx
        self.clock = engine.clock
        self.sim = engine.sim

    # --- after AgentConnect ------------------------------------------------------------------------
    async def talk(self, trunk: Channel, agent: Channel, member: Member, queue: Queue, spec: CallSpec) -> None:
        pbx, eng = self.pbx, self.engine
        started = self.clock.now()
        talk = spec.talk_seconds / 2 if spec.outcome.endswith("transfer") else spec.talk_seconds
        caller_gone = await eng.wait(trunk, talk)
        agent_first = spec.outcome == "agent_hangup" or (not caller_gone and await eng.wait(agent, 0))
        if not caller_gone and spec.outcome == "blind_transfer":
            await self.blind_transfer(trunk, agent, member, queue, spec, started)
            return
        if not caller_gone and spec.outcome == "attended_transfer":
            await self.attended_transfer(trunk, agent, member, queue, spec, started)
            return
        hanger = agent if agent_first and not caller_gone else trunk
        pbx.emit("HangupRequest", "call", [*hanger.snapshot(), ("Cause", "16")])
        self._agent_complete(trunk, agent, member, queue, started, "agent" if hanger is agent else "caller")
        pbx.leave_bridge(trunk)
        eng.end(agent, 16)
        self._member_free(member.interface)
        await eng.record_and_hang_up(trunk, recorded=True)

    def _agent_complete(self, trunk: Channel, agent: Channel, member: Member, queue: Queue, started: float, reason: str) -> None:
        talk = int(self.clock.now() - started)
        queue.talktime = (queue.talktime * max(0, queue.completed - 1) + talk) // max(1, queue.completed)
        self.pbx.emit(
            "AgentComplete",
            "agent",
            [
                *trunk.snapshot(),
                *agent.snapshot("Dest"),
                ("Queue", queue.name),
                ("Interface", member.interface),
                ("MemberName", member.name),
                ("HoldTime", "0"),
                ("TalkTime", str(talk)),
                ("Reason", reason),
            ],
        )

    def _member_free_silent(self, interface: str) -> None:
        """Back to idle without counting a call (a failed Originate)."""
        if self.pbx.find_members(interface):
            self.pbx.member_status(interface, NOT_INUSE, in_call=False)

    async def originate(self, session: Session, action: Action) -> None:
        from telephony.sim.originate import originate

        await originate(self, session, action)

    def _member_free(self, interface: str) -> None:
        for _queue, member in self.pbx.find_members(interface):
            member.calls_taken += 1
            member.last_call = int(self.clock.now())
        self.pbx.member_status(interface, NOT_INUSE, in_call=False)

    async def _dial_phone(self, caller: Channel, interface: str, *, context: str, exten: str, ring: float) -> Channel:
        """Dial an operator's phone from `caller` and let it answer."""
        pbx = self.pbx
        leg = self.engine.operator_leg(interface, linkedid=caller.linkedid, context=context, exten=exten, peer=caller)
        pbx.dial_begin(caller, leg, interface)
        pbx.set_state(leg, 5)
        pbx.dial_state(caller, leg, "RINGING")
        pbx.member_status(interface, RINGING)
        await self.engine.wait(caller, ring)
        pbx.set_state(leg, 6)
        pbx.dial_end(caller, leg, "ANSWER")
        pbx.member_status(interface, INUSE, in_call=True)
        return leg

    async def blind_transfer(self, trunk: Channel, agent: Channel, member: Member, queue: Queue, spec: CallSpec, started: float) -> None:
        pbx, eng = self.pbx, self.engine
        target = operator_ext_of(spec.transfer_to)
        assert agent.bridge is not None  # noqa: S101 - talk() runs on a bridged pair
        pbx.emit(
            "BlindTransfer",
            "call",
            [
                ("Result", "Success"),
                *agent.snapshot("Transferer"),
                *trunk.snapshot("Transferee"),
                *agent.bridge.block(),
                ("IsExternal", "No"),
                ("Context", "operators"),
                ("Extension", target),
            ],
        )
        self._agent_complete(trunk, agent, member, queue, started, "transfer")
        pbx.leave_bridge(trunk)
        eng.end(agent, 16)
        self._member_free(member.interface)
        pbx.goto(trunk, "operators", target, 1, app="Dial", data=spec.transfer_to)
        second = await self._dial_phone(trunk, spec.transfer_to, context="operators", exten=target, ring=spec.ring_seconds)
        pbx.bridge(trunk, second)
        await eng.wait(trunk, spec.talk_seconds / 2)
        pbx.emit("HangupRequest", "call", [*trunk.snapshot(), ("Cause", "16")])
        pbx.leave_bridge(trunk)
        eng.end(second, 16)
        self._member_free(spec.transfer_to)
        await eng.record_and_hang_up(trunk, recorded=True)

    async def attended_transfer(self, trunk: Channel, agent: Channel, member: Member, queue: Queue, spec: CallSpec, started: float) -> None:
        """The operator consults `transfer_to` on a second line (its own Linkedid tree), then joins the caller to it."""
        pbx, eng = self.pbx, self.engine
        first_bridge = agent.bridge
        assert first_bridge is not None  # noqa: S101 - talk() runs on a bridged pair
        pbx.emit("MusicOnHoldStart", "call", [*trunk.snapshot(), ("Class", "default")])
        target = operator_ext_of(spec.transfer_to)
        consult = pbx.new_channel(
            pbx.channel_name(member.interface),
            context="operators",
            exten=target,
            state=4,
            caller_num=agent.caller_num,
            caller_name=agent.caller_name,
            language="uk",
        )
        pbx.open_cdr(consult)
        pbx.goto(consult, "operators", target, 1, app="Dial", data=spec.transfer_to)
        second = await self._dial_phone(consult, spec.transfer_to, context="operators", exten=target, ring=spec.ring_seconds)
        pbx.set_state(consult, 6)
        second_bridge = pbx.bridge(consult, second)
        await eng.wait(consult, 5.0)
        pbx.emit(
            "AttendedTransfer",
            "call",
            [
                ("Result", "Success"),
                *agent.snapshot("OrigTransferer"),
                *first_bridge.block("Orig"),
                *consult.snapshot("SecondTransferer"),
                *second_bridge.block("Second"),
                *trunk.snapshot("Transferee"),
                *second.snapshot("TransferTarget"),
                ("IsExternal", "No"),
                ("DestType", "Bridge"),
                ("DestBridgeUniqueid", first_bridge.uniqueid),
            ],
        )
        self._agent_complete(trunk, agent, member, queue, started, "transfer")
        pbx.leave_bridge(second)
        pbx.enter_bridge(second, first_bridge, swap=agent)  # the target takes the operator's place; the oldest Linkedid wins
        eng.end(agent, 16)
        eng.end(consult, 16)
        pbx.emit("MusicOnHoldStop", "call", trunk.snapshot())
        self._member_free(member.interface)
        await eng.wait(trunk, spec.talk_seconds / 2)
        pbx.emit("HangupRequest", "call", [*trunk.snapshot(), ("Cause", "16")])
        pbx.leave_bridge(trunk)
        eng.end(second, 16)
        self._member_free(spec.transfer_to)
        await eng.record_and_hang_up(trunk, recorded=True)

    # --- Local channels ----------------------------------------------------------------------------
    async def local_forward(self, trunk: Channel, spec: CallSpec) -> None:
        """Dial(Local/101@operators): a ;1/;2 pair with the caller's Linkedid, LocalBridge, then the phone."""
        pbx, eng = self.pbx, self.engine
        interface = spec.operator or "PJSIP/op101"
        ext = operator_ext_of(interface)
        one_name, two_name = pbx.local_names(f"{ext}@operators")
        one = pbx.new_channel(one_name, context="operators", exten=ext, state=0, linkedid=trunk.linkedid, language="uk")
        two = pbx.new_channel(
            two_name,
            context="operators",
            exten=ext,
            state=4,
            linkedid=trunk.linkedid,
            caller_num=trunk.caller_num,
            caller_name=trunk.caller_name,
            language="uk",
        )
        pbx.emit(
            "LocalBridge",
            "call",
            [*one.snapshot("LocalOne"), *two.snapshot("LocalTwo"), ("Context", "operators"), ("Exten", ext), ("LocalOptimization", "No")],
        )
        pbx.goto(trunk, "from-trunk", trunk.exten, 11, app="Dial", data=f"Local/{ext}@operators")
        pbx.dial_begin(trunk, one, f"Local/{ext}@operators")
        phone = await self._dial_phone(two, interface, context="operators", exten=ext, ring=spec.ring_seconds)
        pbx.set_state(two, 6)
        pbx.set_state(one, 6)
        pbx.dial_end(trunk, one, "ANSWER")
        pbx.bridge(two, phone)
        pbx.bridge(trunk, one)
        await eng.wait(trunk, spec.talk_seconds)
        pbx.emit("HangupRequest", "call", [*trunk.snapshot(), ("Cause", "16")])
        pbx.leave_bridge(trunk)
        eng.end(one, 16)
        eng.end(two, 16)
        eng.end(phone, 16)
        self._member_free(interface)
        await eng.record_and_hang_up(trunk, recorded=True)

    # --- calls from phones -----------------------------------------------------------------------
    def phone_leg(self, spec: CallSpec) -> Channel:
        interface = spec.operator or "PJSIP/op101"
        target = (
            spec.target if spec.kind == "outbound" else operator_ext_of(spec.target) if spec.target.startswith("PJSIP/") else spec.target
        )
        ext = operator_ext_of(interface)
        leg = self.pbx.new_channel(
            self.pbx.channel_name(interface),
            context="operators",
            exten=target,
            state=4,
            caller_num=ext,
            caller_name=f"Оператор {ext}",
            language="uk",
        )
        self.pbx.open_cdr(leg)
        return leg

    async def phone_call(self, leg: Channel, spec: CallSpec) -> None:
        """An operator dials out through the trunk (the trunk leg says `from-trunk`/`s`: not inbound) or another phone."""
        pbx, eng = self.pbx, self.engine
        interface = leg.interface
        pbx.member_status(interface, INUSE, in_call=False)
        if spec.kind == "outbound":
            pbx.goto(leg, "operators", leg.exten, 1, app="Dial", data=f"PJSIP/{leg.exten}@{self.sim.config.trunk}")
            callee = pbx.new_channel(
                pbx.channel_name(f"PJSIP/{self.sim.config.trunk}"),
                context="from-trunk",
                exten="s",
                state=0,
                linkedid=leg.linkedid,
                caller_num=leg.exten,
                connected_num=leg.caller_num,
            )
            pbx.dial_begin(leg, callee, f"{leg.exten}@{self.sim.config.trunk}")
            pbx.set_state(callee, 5)
            pbx.dial_state(leg, callee, "RINGING")
            await eng.wait(leg, spec.ring_seconds)
            pbx.set_state(callee, 6)
            pbx.dial_end(leg, callee, "ANSWER")
        else:
            target = spec.target if spec.target.startswith("PJSIP/") else f"PJSIP/op{spec.target}"
            pbx.goto(leg, "operators", leg.exten, 1, app="Dial", data=target)
            callee = await self._dial_phone(leg, target, context="operators", exten=leg.exten, ring=spec.ring_seconds)
        pbx.set_state(leg, 6)
        pbx.bridge(leg, callee)
        await eng.wait(leg, spec.talk_seconds)
        pbx.emit("HangupRequest", "call", [*leg.snapshot(), ("Cause", "16")])
        pbx.leave_bridge(leg)
        eng.end(callee, 16)
        eng.end(leg, 16)
        if not callee.name.startswith(f"PJSIP/{self.sim.config.trunk}"):
            self._member_free(callee.interface)
        self._member_free(interface)


def operator_ext_of(interface: str) -> str:
    resource = interface.split("/", 1)[-1]
    return resource[2:] if resource.startswith("op") else resource
