"""The live queue board (pure): callers waiting, members and per-queue counters, as `cc:queues` holds them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telephony.events import CallEvent, MemberEvent, QueueCallerEvent, QueueEntryItem, QueueParamsItem

# app_queue device states that mean "logged in" (not UNAVAILABLE 5 / INVALID 4) and "free" (NOT_INUSE 1, UNKNOWN 0)
_OFFLINE = frozenset({4, 5})
_FREE = frozenset({0, 1})


def mask_caller(number: str | None) -> str:
    if not number:
        return "прихований номер"
    digits = [c for c in number if c.isdigit()]
    return "••• " + "".join(digits[-4:])


@dataclass
class Waiting:
    call_id: str
    caller: str | None
    position: int
    entered_at: datetime


@dataclass
class Member:
    interface: str
    name: str
    status: int = 1
    paused: bool = False
    paused_reason: str = ""
    in_call: bool = False
    since: datetime | None = None


@dataclass
class QueueView:
    name: str
    waiting: dict[str, Waiting] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=lambda: {"offered": 0, "answered": 0, "abandoned": 0})


class QueueBoard:
    def __init__(self) -> None:
        self.queues: dict[str, QueueView] = {}
        self.dirty: set[str] = set()

    def view(self, name: str) -> QueueView:
        if name not in self.queues:
            self.queues[name] = QueueView(name)
        self.dirty.add(name)
        return self.queues[name]

    def apply(self, event: CallEvent, now: datetime, call_id_of_leg: dict[str, str] | None = None) -> None:
        if isinstance(event, QueueCallerEvent):
            self._caller(event, now)
        elif isinstance(event, MemberEvent):
            self._member(event, now)
        elif isinstance(event, QueueEntryItem):
            call_id = (call_id_of_leg or {}).get(event.leg_id, event.leg_id)
            entered = now - timedelta(seconds=event.wait_seconds)
            self.view(event.queue).waiting[call_id] = Waiting(call_id, event.caller_number, event.position, entered)
        elif isinstance(event, QueueParamsItem):
            view = self.view(event.queue)
            view.counters.update(answered=event.completed, abandoned=event.abandoned)
            view.counters["offered"] = max(view.counters["offered"], event.completed + event.abandoned + event.calls)

    def _caller(self, event: QueueCallerEvent, now: datetime) -> None:
        view = self.view(event.queue)
        call_id = event.leg.call_id
        if event.kind == "join":
            view.waiting[call_id] = Waiting(call_id, event.leg.caller_number, event.position or len(view.waiting) + 1, now)
            view.counters["offered"] += 1
        elif event.kind == "abandon":
            view.counters["abandoned"] += 1
            view.waiting.pop(call_id, None)
        elif event.kind == "leave":
            view.waiting.pop(call_id, None)
        self._renumber(view)

    def answered(self, queue: str | None) -> None:
        if queue:
            self.view(queue).counters["answered"] += 1

    def _member(self, event: MemberEvent, now: datetime) -> None:
        view = self.view(event.queue)
        if event.kind == "removed":
            view.members.pop(event.interface, None)
            return
        member = view.members.get(event.interface) or Member(event.interface, event.name, since=now)
        changed = (member.status, member.paused, member.in_call) != (event.status, event.paused, event.in_call)
        member.name, member.status, member.paused = event.name or member.name, event.status, event.paused
        member.paused_reason, member.in_call = event.paused_reason if event.paused else "", event.in_call
        if changed:
            member.since = now
        view.members[event.interface] = member

    @staticmethod
    def _renumber(view: QueueView) -> None:
        for position, item in enumerate(sorted(view.waiting.values(), key=lambda w: w.entered_at), start=1):
            item.position = position

    def reconcile(self, items: Iterable[CallEvent], now: datetime, call_id_of_leg: dict[str, str] | None = None) -> None:
        """A periodic QueueStatus: for each queue it lists, the PBX's word wins on who waits and who is a member (a
        missed event cannot leave a ghost caller or a wrong state on the wallboard), while the wait and time-in-state
        clocks already running are kept (a reset would restart them all)."""
        listed_waiting: dict[str, dict[str, QueueEntryItem]] = {}
        listed_members: dict[str, dict[str, MemberEvent]] = {}
        for item in items:
            if isinstance(item, QueueParamsItem):
                self.apply(item, now)
                listed_waiting.setdefault(item.queue, {})
                listed_members.setdefault(item.queue, {})
            elif isinstance(item, QueueEntryItem):
                call_id = (call_id_of_leg or {}).get(item.leg_id, item.leg_id)
                listed_waiting.setdefault(item.queue, {})[call_id] = item
            elif isinstance(item, MemberEvent):
                listed_members.setdefault(item.queue, {})[item.interface] = item
        for name in listed_waiting.keys() | listed_members.keys():
            view = self.view(name)
            entries = listed_waiting.get(name, {})
            for call_id in [c for c in view.waiting if c not in entries]:
                del view.waiting[call_id]
            for call_id, entry in entries.items():
                if call_id not in view.waiting:
                    entered = now - timedelta(seconds=entry.wait_seconds)
                    view.waiting[call_id] = Waiting(call_id, entry.caller_number, entry.position, entered)
            self._renumber(view)
            members = listed_members.get(name, {})
            for interface in [i for i in view.members if i not in members]:
                del view.members[interface]
            for event in members.values():
                self._member(event, now)

    def reset_live(self) -> None:
        """Before a resync: forget waiting callers and members (QueueStatus rebuilds them); counters stay."""
        for view in self.queues.values():
            view.waiting.clear()
            view.members.clear()
            self.dirty.add(view.name)

    def snapshot(self, name: str, now: datetime) -> dict[str, Any]:
        view = self.queues[name]
        waiting = sorted(view.waiting.values(), key=lambda w: w.position)
        members = list(view.members.values())
        logged_in = [m for m in members if m.status not in _OFFLINE]
        counters: dict[str, Any] = dict(view.counters)
        counters.update(
            longest_wait_seconds=max(((now - w.entered_at).total_seconds() for w in waiting), default=0.0),
            logged_in=len(logged_in),
            available=sum(1 for m in logged_in if m.status in _FREE and not m.paused and not m.in_call),
            paused=sum(1 for m in logged_in if m.paused),
            in_call=sum(1 for m in logged_in if m.in_call or m.status in (2, 3, 7, 8)),
        )
        return {
            "queue": name,
            "waiting": [
                {
                    "call_id": w.call_id,
                    "caller_masked": mask_caller(w.caller),
                    "position": w.position,
                    "wait_seconds": round((now - w.entered_at).total_seconds(), 1),
                    "entered_at": w.entered_at.isoformat(),
                }
                for w in waiting
            ],
            "members": [
                {
                    "interface": m.interface,
                    "name": m.name,
                    "status": m.status,
                    "paused": m.paused,
                    "paused_reason": m.paused_reason,
                    "in_call": m.in_call,
                    "since": m.since.isoformat() if m.since else None,
                }
                for m in members
            ],
            "counters": counters,
        }
