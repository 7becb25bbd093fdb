"""The call tracker (pure): groups legs into calls by Linkedid and follows an inbound call to its end.

A call is keyed by the Linkedid it had at first sight (for an inbound call: the trunk leg's Uniqueid). Every leg
is remembered by its Uniqueid, so a Linkedid that changes on bridging or an attended transfer moves the leg
(and merges the calls). Local-channel halves, operator legs and dialled trunk legs carry the call's Linkedid
and therefore never start a call. A call is inbound when its first leg is a trunk channel (configured
endpoints) whose Uniqueid is its Linkedid, and, if we saw it being created, it started in an inbound context.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta

from telephony.call_state import TrackedCall, caller_gave_up, interface_of
from telephony.effects import (
    AgentReleased,
    AgentRinging,
    Answered,
    CallbackRequested,
    Effect,
    Ended,
    Offered,
    QueueJoined,
    RecordingReady,
    Transferred,
)
from telephony.events import (
    AgentEvent,
    BridgeEvent,
    CallEvent,
    CallOver,
    ChannelItem,
    DialEvent,
    Leg,
    LegEvent,
    QueueCallerEvent,
    TransferEvent,
    UserSignal,
)

MEMORY = 20_000
RECORDING_EVENT = "CallcenterRecording"
CALLBACK_EVENT = "CallcenterCallbackRequest"
QUEUE_EXIT_EVENT = "QueueExit"


class Tracker:
    def __init__(self, *, trunk_endpoints: Iterable[str], inbound_contexts: Iterable[str]) -> None:
        self.trunk_endpoints = frozenset(trunk_endpoints)
        self.inbound_contexts = frozenset(inbound_contexts)
        self.calls: dict[str, TrackedCall] = {}
        self.leg_call: dict[str, str] = {}
        self.linked: dict[str, str] = {}
        self.gone: OrderedDict[str, None] = OrderedDict()
        self.originated: set[str] = set()
        self._trunk_cache: dict[str, bool] = {}
        self.requests_seen = False  # HangupRequest events reach us (a filtered capture has none)

    # -- classification -------------------------------------------------------------------------------
    def is_trunk(self, channel: str) -> bool:
        known = self._trunk_cache.get(channel)
        if known is None:
            tech, _, rest = channel.partition("/")
            known = (
                bool(rest)
                and tech != "Local"
                and (interface_of(rest) in self.trunk_endpoints or interface_of(channel) in self.trunk_endpoints)
            )
            if len(self._trunk_cache) > MEMORY:
                self._trunk_cache.clear()
            self._trunk_cache[channel] = known
        return known

    def _is_phone(self, channel: str) -> bool:
        return not channel.startswith("Local/") and not self.is_trunk(channel)

    def inbound_calls(self) -> list[TrackedCall]:
        return [c for c in self.calls.values() if c.inbound]

    # -- legs -----------------------------------------------------------------------------------------
    def _forget(self, key: str) -> None:
        self.gone[key] = None
        while len(self.gone) > MEMORY:
            self.gone.popitem(last=False)

    def _touch(self, leg: Leg, now: datetime, out: list[Effect], *, created: bool = False, age: float = 0.0) -> TrackedCall | None:
        if leg.leg_id in self.gone:
            return None
        target = self.linked.get(leg.call_id)
        current = self.leg_call.get(leg.leg_id)
        if current is not None and (target is None or target == current):
            self.linked.setdefault(leg.call_id, current)
            return self.calls.get(current)
        if target is None:
            if leg.call_id in self.gone:
                return None
            target = self._new_call(leg, now - timedelta(seconds=age), out, created=created)
        if current is not None:
            self._detach(leg.leg_id, current, now, out)
        call = self.calls[target]
        call.legs.add(leg.leg_id)
        if not leg.channel.startswith("Local/"):
            call.real_legs.add(leg.leg_id)
        self.leg_call[leg.leg_id] = target
        return call

    def _new_call(self, leg: Leg, started: datetime, out: list[Effect], *, created: bool) -> str:
        inbound = (
            self.is_trunk(leg.channel)
            and leg.leg_id == leg.call_id
            and leg.leg_id not in self.originated
            and (not created or leg.context in self.inbound_contexts)
        )
        call = TrackedCall(leg.call_id, inbound, started, trunk_leg=leg.leg_id if inbound else "")
        self.calls[call.call_id] = call
        self.linked[leg.call_id] = call.call_id
        if inbound:
            did = leg.exten if created and leg.exten not in ("", "s") else None
            out.append(Offered(call.call_id, leg.caller_number, leg.caller_name, did, leg.channel, started))
        return call.call_id

    def _detach(self, leg_id: str, key: str, now: datetime, out: list[Effect]) -> None:
        call = self.calls.get(key)
        self.leg_call.pop(leg_id, None)
        if call is None:
            return
        call.legs.discard(leg_id)
        call.real_legs.discard(leg_id)
        if not call.real_legs:  # Local-channel halves alone do not keep a call alive
            self._end(call, now, out)

    def _end(self, call: TrackedCall, now: datetime, out: list[Effect]) -> None:
        self.calls.pop(call.call_id, None)
        for linkedid in [k for k, v in self.linked.items() if v == call.call_id]:
            del self.linked[linkedid]
            self._forget(linkedid)
        for leg_id in call.legs:
            self.leg_call.pop(leg_id, None)
            self._forget(leg_id)
        self._forget(call.call_id)
        if not call.inbound:
            return
        for interface in sorted(call.ringing):
            out.append(AgentReleased(call.call_id, interface, "caller_gone"))
        answered = call.answered_at is not None
        abandoned = not answered and caller_gave_up(call, now, requests_seen=self.requests_seen)
        talk = (now - call.answered_at).total_seconds() if call.answered_at else None
        out.append(Ended(call.call_id, now, call.cause, call.cause_text, answered, abandoned, call.queue_exit, talk))

    # -- events ---------------------------------------------------------------------------------------
    def handle(self, event: CallEvent, now: datetime) -> list[Effect]:
        out: list[Effect] = []
        if isinstance(event, LegEvent):
            self._on_leg(event, now, out)
        elif isinstance(event, DialEvent):
            self._on_dial(event, now, out)
        elif isinstance(event, BridgeEvent):
            self._touch(event.leg, now, out)
        elif isinstance(event, QueueCallerEvent):
            self._on_queue(event, now, out)
        elif isinstance(event, AgentEvent):
            self._on_agent(event, now, out)
        elif isinstance(event, TransferEvent):
            self._on_transfer(event, now, out)
        elif isinstance(event, UserSignal):
            self._on_user(event, now, out)
        elif isinstance(event, CallOver):
            key = self.linked.get(event.call_id)
            if key is not None and key in self.calls:
                self._end(self.calls[key], now, out)
        return out

    def _on_leg(self, event: LegEvent, now: datetime, out: list[Effect]) -> None:
        call = self._touch(event.leg, now, out, created=event.kind == "new")
        if call is None:
            return
        if event.kind == "hangup_request":
            self.requests_seen = True
            if event.leg.leg_id == call.trunk_leg and not call.abandon_seen:
                call.caller_hung_up = True
            return
        if event.kind != "hangup":
            return
        if event.leg.leg_id == call.trunk_leg:
            call.cause, call.cause_text = event.cause, event.cause_text
        self._detach(event.leg.leg_id, call.call_id, now, out)

    def _ring(self, call: TrackedCall, interface: str, out: list[Effect]) -> None:
        if call.inbound and call.answered_at is None and interface not in call.ringing:
            call.ringing.add(interface)
            out.append(AgentRinging(call.call_id, interface))

    def _release(self, call: TrackedCall, interface: str, reason: str, out: list[Effect]) -> None:
        if interface in call.ringing:
            call.ringing.discard(interface)
            out.append(AgentReleased(call.call_id, interface, reason))

    def _answer(self, call: TrackedCall, interface: str | None, now: datetime, out: list[Effect]) -> None:
        if not call.inbound or call.answered_at is not None:
            return
        call.answered_at, call.interface = now, interface
        wait = (now - call.joined_at).total_seconds() if call.joined_at else None
        out.append(Answered(call.call_id, interface, now, wait))
        for other in sorted(call.ringing - {interface} if interface else call.ringing):
            out.append(AgentReleased(call.call_id, other, "answered_elsewhere"))
        call.ringing.clear()

    def _on_dial(self, event: DialEvent, now: datetime, out: list[Effect]) -> None:
        if event.leg is not None:
            self._touch(event.leg, now, out)
        call = self._touch(event.dest, now, out)
        if call is None or event.dest.channel.startswith("Local/"):
            return
        phone = self._is_phone(event.dest.channel)
        interface = interface_of(event.dest.channel)
        if event.kind == "begin" and phone:
            self._ring(call, interface, out)
        elif event.kind == "end" and event.status == "ANSWER":
            self._answer(call, interface if phone else None, now, out)
        elif event.kind == "end" and phone:
            self._release(call, interface, event.status.lower() or "no_answer", out)

    def _on_queue(self, event: QueueCallerEvent, now: datetime, out: list[Effect]) -> None:
        call = self._touch(event.leg, now, out)
        if call is None or not call.inbound:
            return
        if event.kind == "join" and call.queue is None:
            call.queue, call.joined_at = event.queue, now - timedelta(seconds=0)
            out.append(QueueJoined(call.call_id, event.queue))
        elif event.kind == "abandon":
            call.abandon_seen, call.abandon_at = True, now

    def _on_agent(self, event: AgentEvent, now: datetime, out: list[Effect]) -> None:
        call = self._touch(event.leg, now, out)
        if event.dest is not None:
            self._touch(event.dest, now, out)
        if call is None:
            return
        if event.kind == "called":
            self._ring(call, event.interface, out)
        elif event.kind in ("ring_no_answer", "dump"):
            self._release(call, event.interface, event.kind, out)
        elif event.kind == "connect":
            self._answer(call, event.interface, now, out)
        elif event.kind == "complete" and event.reason == "transfer" and call.inbound:
            out.append(Transferred(call.call_id, "queue", event.interface))

    def _on_transfer(self, event: TransferEvent, now: datetime, out: list[Effect]) -> None:
        keys = [k for k in (self._touch(leg, now, out) for leg in event.legs) if k is not None]
        calls = list(dict.fromkeys(c.call_id for c in keys))
        if not calls or not event.ok:
            return
        main: TrackedCall | None = next((self.calls[k] for k in calls if k in self.calls and self.calls[k].inbound), None)
        main = main or self.calls.get(calls[0])
        if main is None:
            return
        for key in calls:
            other = self.calls.get(key)
            if other is None or other is main:
                continue
            for leg_id in other.legs:
                self.leg_call[leg_id] = main.call_id
            main.legs |= other.legs
            main.real_legs |= other.real_legs
            for linkedid, value in list(self.linked.items()):
                if value == key:
                    self.linked[linkedid] = main.call_id
            del self.calls[key]
        if main.inbound:
            out.append(Transferred(main.call_id, event.kind, event.target))

    def _on_user(self, event: UserSignal, now: datetime, out: list[Effect]) -> None:
        call = self._touch(event.leg, now, out) if event.leg is not None else None
        if call is None and event.call_id:
            key = self.linked.get(event.call_id)
            call = self.calls.get(key) if key else None
        call_id = call.call_id if call is not None else event.call_id
        if event.name == RECORDING_EVENT and call_id and event.headers.get("RecordingFile"):
            out.append(RecordingReady(call_id, event.headers["RecordingFile"], event.headers.get("Layout", "stereo") or "stereo"))
        elif event.name == CALLBACK_EVENT and call_id:
            if call is not None:
                call.callback_requested = True
            out.append(CallbackRequested(call_id, event.headers.get("CallerIDNum"), event.headers.get("Queue")))
        elif event.name == QUEUE_EXIT_EVENT and call is not None:
            status = event.headers.get("Status", "").strip().upper()
            call.queue_exit = status or None

    # -- resynchronisation ----------------------------------------------------------------------------
    def resync(self, channels: Iterable[ChannelItem], now: datetime) -> list[Effect]:
        """Adopt live channels we did not know (calls that began while we were away), end calls that are gone."""
        out: list[Effect] = []
        items = list(channels)
        live = {item.leg.leg_id for item in items}
        for call in list(self.calls.values()):
            for leg_id in list(call.legs):
                if leg_id not in live and call.call_id in self.calls:
                    self._detach(leg_id, call.call_id, now, out)
        bridges: dict[str, list[ChannelItem]] = {}
        for item in items:
            self._touch(item.leg, now, out, age=item.duration_seconds)
            if item.bridge_id:
                bridges.setdefault(item.bridge_id, []).append(item)
        for members in bridges.values():
            for item in members:
                tracked = self.calls.get(self.leg_call.get(item.leg.leg_id, ""))
                if tracked is None or item.leg.leg_id != tracked.trunk_leg:
                    continue
                phones = [m for m in members if self._is_phone(m.leg.channel)]
                if phones:
                    self._answer(tracked, interface_of(phones[0].leg.channel), now, out)
        return out
