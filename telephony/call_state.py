"""One call's state as the tracker follows it, and the pure rules it applies (telephony.tracker uses these)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_HEX = re.compile(r"[0-9a-fA-F]+")


def interface_of(channel: str) -> str:
    """`PJSIP/op101-0000002b` → `PJSIP/op101` (the AMI Interface a phone is known by)."""
    base, sep, suffix = channel.rpartition("-")
    return base if sep and base and _HEX.fullmatch(suffix) else channel


@dataclass
class TrackedCall:
    call_id: str
    inbound: bool
    started_at: datetime
    legs: set[str] = field(default_factory=set)
    real_legs: set[str] = field(default_factory=set)
    trunk_leg: str = ""
    queue: str | None = None
    joined_at: datetime | None = None
    ringing: set[str] = field(default_factory=set)
    answered_at: datetime | None = None
    interface: str | None = None
    abandon_seen: bool = False
    abandon_at: datetime | None = None
    caller_hung_up: bool = False
    queue_exit: str | None = None
    callback_requested: bool = False
    cause: int | None = None
    cause_text: str | None = None


def caller_gave_up(call: TrackedCall, now: datetime, *, requests_seen: bool) -> bool:
    """Abandon, told apart from a queue timeout / empty queue / withdrawal (QueueCallerAbandon fires for all).

    The caller hung up if their leg's hangup request came before the abandon; without hangup requests on the
    link (filtered captures), if the leg was gone within a second of the abandon (after a timeout the dialplan
    carries on). A QueueExit status or a requested callback means it was not an abandon.
    """
    if call.callback_requested or call.queue_exit is not None:
        return False
    if not call.abandon_seen:
        return call.caller_hung_up and call.queue is not None
    if requests_seen:
        return call.caller_hung_up
    return call.abandon_at is not None and (now - call.abandon_at) <= timedelta(seconds=1)
