"""What the console hub knows about calls in progress (folded from `cc:events`) and who may see each event.

Pure: no I/O. The hub (agent_console/hub.py) feeds every stream entry to `LiveState.apply` and asks `audience`
which connected consoles get it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appeals.models import Role

CONSOLE_ROLES = frozenset({Role.operator, Role.supervisor, Role.callback_agent})
"""Roles that may open the live socket; executors, heads and admins have no live desk."""

BROADCAST_TO_DESKS = frozenset({"appeal.updated", "appeal.transcribed", "command.result"})
"""Ids and statuses only (no personal data): every operator, supervisor and callback agent gets them, the page filters."""

CARD_EVENTS = frozenset({"call.agent_ringing", "call.agent_released"})


@dataclass
class LiveCall:
    call_id: str
    appeal_id: int | None = None
    caller: str | None = None
    caller_known: bool = False
    queue: str | None = None
    offered_at: str = ""
    ringing: set[str] = field(default_factory=set)
    answered_by: str | None = None
    card: dict[str, Any] | None = None

    def public(self) -> dict[str, Any]:
        """The call as a snapshot lists it (the caller's number is on the card, not here)."""
        return {
            "call_id": self.call_id,
            "appeal_id": self.appeal_id,
            "queue": self.queue,
            "offered_at": self.offered_at,
            "ringing": sorted(self.ringing),
            "answered_by": self.answered_by,
        }

    def involves(self, interface: str | None) -> bool:
        return interface is not None and (interface in self.ringing or self.answered_by == interface)


@dataclass
class LiveState:
    """Calls in progress by call id; bounded so a PBX that never reports hang-ups cannot grow it forever."""

    max_calls: int = 5000
    calls: dict[str, LiveCall] = field(default_factory=dict)

    def call(self, call_id: str) -> LiveCall:
        found = self.calls.get(call_id)
        if found is None:
            if len(self.calls) >= self.max_calls:
                self.calls.pop(next(iter(self.calls)))
            found = self.calls[call_id] = LiveCall(call_id)
        return found

    def apply(self, type_: str, at: str, data: dict[str, Any]) -> LiveCall | None:
        """Fold one event into the state; returns the call it concerns (after the change), if any."""
        call_id = data.get("call_id")
        if not isinstance(call_id, str) or not type_.startswith("call."):
            return None
        if type_ == "call.ended":
            return self.calls.pop(call_id, None) or LiveCall(call_id)
        call = self.call(call_id)
        if data.get("appeal_id") is not None:
            call.appeal_id = data["appeal_id"]
        interface = data.get("interface")
        if type_ == "call.offered":
            call.caller, call.caller_known, call.queue, call.offered_at = data.get("caller"), True, data.get("queue"), at
        elif type_ == "call.agent_ringing" and interface:
            call.ringing.add(interface)
        elif type_ == "call.agent_released" and interface:
            call.ringing.discard(interface)
        elif type_ == "call.answered":
            call.answered_by = interface
            if interface:
                call.ringing.discard(interface)
        return call

    def for_interface(self, interface: str | None) -> list[LiveCall]:
        return [c for c in self.calls.values() if c.involves(interface)]


@dataclass(frozen=True)
class Audience:
    """Who gets one event: supervisors, every desk role, and/or the consoles of some interfaces."""

    supervisors: bool = False
    desks: bool = False
    interfaces: frozenset[str] = frozenset()


def audience(type_: str, data: dict[str, Any], call: LiveCall | None) -> Audience:
    """The consoles an event goes to. Call events: supervisors and the operators on the call; queue state: supervisors."""
    if type_ in BROADCAST_TO_DESKS:
        return Audience(supervisors=True, desks=True)
    if type_ == "queue.state":
        return Audience(supervisors=True)
    if type_.startswith("call."):
        interfaces = set(call.ringing) if call else set()
        for key in ("interface",):
            if isinstance(data.get(key), str):
                interfaces.add(data[key])
        if call and call.answered_by:
            interfaces.add(call.answered_by)
        return Audience(supervisors=True, interfaces=frozenset(interfaces))
    return Audience(supervisors=True)
