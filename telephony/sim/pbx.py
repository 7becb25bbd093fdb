"""The simulated Asterisk: channels, bridges, queues and the AMI events every change produces.

Scenario scripts and the Originate handler drive it through small operations (`new_channel`, `answer`,
`dial_begin`, `bridge`, `hangup` …); each emits the events Asterisk 20 emits for it, with consistent
Uniqueid/Linkedid, and keeps the CDR rows Asterisk would write at hangup.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telephony.sim.cdr import DIAL_DISPOSITION, CdrRow
from telephony.sim.channels import Bridge, Channel, cause_pairs
from telephony.sim.clock import Clock
from telephony.sim.queues import Member, Queue
from telephony.sim.trace import WireTrace
from telephony.sim.wire import Pairs, encode

logger = logging.getLogger(__name__)
Subscriber = Callable[[str, bytes], None]


class Pbx:
    """Shared state of the simulated PBX; `subscribe` receives `(event class, wire bytes)` for every event."""

    def __init__(self, clock: Clock, queues: dict[str, Queue], *, cdr_sink: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
        self.clock = clock
        self.queues = queues
        self.channels: dict[str, Channel] = {}
        self.cdr_sink = cdr_sink
        self._subscribers: list[Subscriber] = []
        self._uid = itertools.count(1)
        self._seq: dict[str, itertools.count[int]] = {}
        self._cdr_seq = itertools.count(1)
        self._cdrs: dict[str, list[CdrRow]] = {}
        self._order: dict[str, int] = {}
        self.silent = False  # a PBX going down sends nothing more
        self.events_sent = 0
        self.finished_linkedids: list[str] = []
        self.on_linkedid_end: list[Callable[[str], None]] = []
        self.trace: WireTrace | None = None  # marks the traced events' frames (telephony/sim/trace.py)

    # --- plumbing ---------------------------------------------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def emit(self, name: str, klass: str, body: Pairs) -> None:
        if self.silent:
            return
        data = encode([("Event", name), ("Privilege", f"{klass},all"), *body])
        if self.trace is not None:
            data = self.trace.mark(name, data, body)
        self.events_sent += 1
        for subscriber in list(self._subscribers):
            subscriber(klass, data)

    def new_uniqueid(self) -> str:
        return f"{int(time.time())}.{next(self._uid)}"

    def channel_name(self, resource: str) -> str:
        """`PJSIP/op101` → `PJSIP/op101-0000002b` (one counter per technology, as chan_pjsip keeps)."""
        tech = resource.split("/", 1)[0]
        counter = self._seq.setdefault(tech, itertools.count(1))
        return f"{resource}-{next(counter):08x}"

    def local_names(self, target: str) -> tuple[str, str]:
        counter = self._seq.setdefault("Local", itertools.count(1))
        base = f"Local/{target}-{next(counter):08x}"
        return f"{base};1", f"{base};2"

    # --- channels ---------------------------------------------------------------------------------
    def new_channel(
        self, name: str, *, context: str, exten: str, state: int, linkedid: str | None = None, uniqueid: str | None = None, **attrs: Any
    ) -> Channel:
        uid = uniqueid or self.new_uniqueid()
        self._order.setdefault(uid, len(self._order))
        ch = Channel(
            name=name,
            uniqueid=uid,
            linkedid=linkedid or uid,
            context=context,
            exten=exten,
            state=state,
            created_at=self.clock.now(),
            **attrs,
        )
        self.channels[uid] = ch
        self.emit("Newchannel", "call", ch.snapshot())
        return ch

    def set_state(self, ch: Channel, state: int) -> None:
        ch.state = state
        if state == 6 and ch.answered_at is None:
            ch.answered_at = self.clock.now()
        self.emit("Newstate", "call", ch.snapshot())

    def goto(self, ch: Channel, context: str, exten: str, priority: int = 1, *, app: str = "", data: str = "") -> None:
        """Dialplan position (Newexten is class dialplan, so only readers of `dialplan` see it)."""
        ch.context, ch.exten, ch.priority = context, exten, priority
        if app:
            ch.application, ch.app_data = app, data
            self.emit("Newexten", "dialplan", [*ch.snapshot(), ("Extension", exten), ("Application", app), ("AppData", data)])

    def var_set(self, ch: Channel, variable: str, value: str) -> None:
        self.emit("VarSet", "dialplan", [*ch.snapshot(), ("Variable", variable), ("Value", value)])

    def user_event(self, ch: Channel | None, name: str, headers: Pairs) -> None:
        body = ch.snapshot() if ch is not None else []
        self.emit("UserEvent", "user", [*body, ("UserEvent", name), *headers])

    def hangup(self, ch: Channel, cause: int = 16, *, request: bool = False) -> None:
        if ch.hungup:
            return
        if request:
            self.emit("HangupRequest", "call", [*ch.snapshot(), *cause_pairs(cause)])
        if ch.bridge is not None:
            self.leave_bridge(ch)
        ch.hungup = True
        self.emit("Hangup", "call", [*ch.snapshot(), *cause_pairs(cause)])
        self.channels.pop(ch.uniqueid, None)
        self._write_cdrs(ch)
        if not any(c.uniqueid == ch.uniqueid or c.linkedid == ch.uniqueid for c in self.channels.values()):
            self._order.pop(ch.uniqueid, None)
        if not any(c.linkedid == ch.linkedid for c in self.channels.values()):
            self._order.pop(ch.linkedid, None)
            self._cel_linkedid_end(ch)
            self.finished_linkedids.append(ch.linkedid)
            for callback in list(self.on_linkedid_end):
                callback(ch.linkedid)

    def _cel_linkedid_end(self, ch: Channel) -> None:
        """`CEL EventName: LINKEDID_END` (cel.conf events=LINKEDID_END, [manager] enabled): the whole call is over."""
        stamp = datetime.fromtimestamp(self.clock.to_wall(self.clock.now()), UTC).strftime("%Y-%m-%d %H:%M:%S")
        self.emit(
            "CEL",
            "call",
            [
                ("EventName", "LINKEDID_END"),
                ("AccountCode", ch.accountcode),
                ("CallerIDnum", ch.caller_num),
                ("CallerIDname", ch.caller_name),
                ("CallerIDani", ch.caller_num),
                ("CallerIDrdnis", ""),
                ("CallerIDdnid", ""),
                ("Exten", ch.exten),
                ("Context", ch.context),
                ("Channel", ch.name),
                ("Application", ""),
                ("AppData", ""),
                ("EventTime", stamp),
                ("AMAFlags", "DOCUMENTATION"),
                ("UniqueID", ch.uniqueid),
                ("LinkedID", ch.linkedid),
                ("Userfield", ""),
                ("Peer", ""),
                ("PeerAccount", ""),
                ("Extra", ""),
            ],
        )

    # --- dialing and bridging ---------------------------------------------------------------------
    def dial_begin(self, caller: Channel | None, callee: Channel, dialstring: str) -> None:
        body = caller.snapshot() if caller is not None else []
        self.emit("DialBegin", "call", [*body, *callee.snapshot("Dest"), ("DialString", dialstring)])
        if caller is not None:
            self._cdr_dial(caller, callee)

    def dial_state(self, caller: Channel | None, callee: Channel, status: str = "RINGING") -> None:
        body = caller.snapshot() if caller is not None else []
        self.emit("DialState", "call", [*body, *callee.snapshot("Dest"), ("DialStatus", status)])

    def dial_end(self, caller: Channel | None, callee: Channel, status: str) -> None:
        body = caller.snapshot() if caller is not None else []
        self.emit("DialEnd", "call", [*body, *callee.snapshot("Dest"), ("DialStatus", status)])
        if caller is not None:
            for row in reversed(self._cdrs.get(caller.uniqueid, [])):
                if row.dstchannel == callee.name:
                    row.disposition = DIAL_DISPOSITION.get(status, "FAILED")
                    row.answer = self.clock.now() if status == "ANSWER" else None
                    break

    def bridge(self, a: Channel, b: Channel) -> Bridge:
        """Bridge two channels; the oldest Linkedid wins for both (CDR spec, "LinkedID Propagation")."""
        bridge = Bridge()
        self.emit("BridgeCreate", "call", bridge.block())
        for ch in (a, b):
            self.enter_bridge(ch, bridge)
        return bridge

    def enter_bridge(self, ch: Channel, bridge: Bridge, *, swap: Channel | None = None) -> None:
        others = [c for c in bridge.channels if c is not ch]
        if others:
            oldest = min([ch, *others], key=lambda c: self._order.get(c.linkedid, len(self._order)))
            for c in [ch, *others]:
                c.linkedid = oldest.linkedid
        bridge.channels.append(ch)
        ch.bridge = bridge
        extra = [("SwapUniqueid", swap.uniqueid)] if swap is not None else []
        self.emit("BridgeEnter", "call", [*bridge.block(), *ch.snapshot(), *extra])

    def leave_bridge(self, ch: Channel) -> None:
        bridge = ch.bridge
        if bridge is None:
            return
        bridge.channels.remove(ch)
        ch.bridge = None
        self.emit("BridgeLeave", "call", [*bridge.block(), *ch.snapshot()])
        if not bridge.channels:
            self.emit("BridgeDestroy", "call", bridge.block())

    # --- queue members ----------------------------------------------------------------------------
    def member_status(self, interface: str, status: int | None = None, *, in_call: bool | None = None) -> None:
        """Device state change of an interface: one QueueMemberStatus per queue it belongs to."""
        for queue in self.queues.values():
            member = queue.members.get(interface)
            if member is None:
                continue
            if status is not None:
                member.status = status
            if in_call is not None:
                member.in_call = in_call
            self.emit("QueueMemberStatus", "agent", member.blob(queue.name))

    def find_members(self, interface: str) -> list[tuple[Queue, Member]]:
        return [(q, q.members[interface]) for q in self.queues.values() if interface in q.members]

    # --- CDR --------------------------------------------------------------------------------------
    def open_cdr(self, ch: Channel, *, dst: str | None = None, app: str = "", data: str = "") -> None:
        """Make `ch` a party A (inbound trunk leg, a phone that dials, an originated leg)."""
        now = self.clock.now()
        clid = f'"{ch.caller_name}" <{ch.caller_num}>' if ch.caller_name else (f"<{ch.caller_num}>" if ch.caller_num else "")
        row = CdrRow(
            clid=clid,
            src=ch.caller_num,
            dst=dst if dst is not None else ch.exten,
            dcontext=ch.context,
            channel=ch.name,
            uniqueid=ch.uniqueid,
            linkedid=ch.linkedid,
            sequence=next(self._cdr_seq),
            start=now,
            wall_start=self.clock.to_wall(now),
            lastapp=app,
            lastdata=data,
        )
        self._cdrs.setdefault(ch.uniqueid, []).append(row)

    def set_cdr_app(self, ch: Channel, app: str, data: str) -> None:
        for row in self._cdrs.get(ch.uniqueid, [])[-1:]:
            row.lastapp, row.lastdata = app, data

    def _cdr_dial(self, caller: Channel, callee: Channel) -> None:
        rows = self._cdrs.get(caller.uniqueid)
        if not rows:
            return
        last = rows[-1]
        if last.dstchannel:  # a second dial from the same party A forks a new CDR
            last = CdrRow(**{**last.__dict__, "dstchannel": "", "answer": None, "disposition": "", "sequence": next(self._cdr_seq)})
            rows.append(last)
        last.dstchannel = callee.name
        last.linkedid = caller.linkedid

    def set_cdr_userfield(self, ch: Channel, value: str) -> None:
        """`Set(CDR(userfield)=…)` in the channel's dialplan: its current CDR carries the value."""
        for row in self._cdrs.get(ch.uniqueid, [])[-1:]:
            row.userfield = value

    def _write_cdrs(self, ch: Channel) -> None:
        rows = self._cdrs.pop(ch.uniqueid, [])
        if not rows or self.cdr_sink is None:
            return
        now = self.clock.now()
        for row in rows:
            row.linkedid = ch.linkedid
        self.cdr_sink([row.finish(now, channel_answered=ch.answered_at) for row in rows])
