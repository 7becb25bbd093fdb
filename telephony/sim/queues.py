"""app_queue's state: queues, members (device state, pause, in-call) and waiting callers, with its AMI blobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from telephony.sim.channels import Channel
from telephony.sim.wire import Pairs

# device states (QueueMember Status)
NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING, RINGINUSE, ONHOLD = 1, 2, 3, 4, 5, 6, 7, 8


@dataclass
class Member:
    interface: str
    name: str
    membership: str = "dynamic"
    penalty: int = 0
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = 0
    in_call: bool = False
    status: int = NOT_INUSE
    paused: bool = False
    paused_reason: str = ""
    wrapuptime: int = 0

    @property
    def available(self) -> bool:
        return self.status == NOT_INUSE and not self.paused and not self.in_call

    def blob(self, queue: str) -> Pairs:
        """`queue_member_blob_create()`: the body of QueueMemberStatus / Added / Removed / Pause."""
        return [
            ("Queue", queue),
            ("MemberName", self.name),
            ("Interface", self.interface),
            *self._state(),
            ("Ringinuse", "0"),
            ("Wrapuptime", str(self.wrapuptime)),
        ]

    def _state(self) -> Pairs:
        """The member's state headers, in the order both Asterisk bodies carry them."""
        return [
            ("StateInterface", self.interface),
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", str(int(self.in_call))),
            ("Status", str(self.status)),
            ("Paused", str(int(self.paused))),
            ("PausedReason", self.paused_reason),
        ]

    def status_item(self, queue: str) -> Pairs:
        """The `QueueMember` list item of QueueStatus (Name/Location, no Privilege)."""
        return [
            ("Event", "QueueMember"),
            ("Queue", queue),
            ("Name", self.name),
            ("Location", self.interface),
            *self._state(),
            ("Wrapuptime", str(self.wrapuptime)),
        ]


@dataclass
class Entry:
    channel: Channel
    joined_at: float
    original_position: int


@dataclass
class Queue:
    name: str
    strategy: str = "rrmemory"
    timeout: int = 15
    servicelevel: int = 30
    members: dict[str, Member] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0
    completed_in_sl: int = 0
    holdtime: int = 0
    talktime: int = 0
    _rr: int = 0

    def position(self, channel: Channel) -> int:
        for index, entry in enumerate(self.entries, start=1):
            if entry.channel is channel:
                return index
        return 0

    def next_member(self, *, exclude: set[str]) -> Member | None:
        """rrmemory: the next available member after the last one tried."""
        names = list(self.members)
        for step in range(len(names)):
            member = self.members[names[(self._rr + step) % len(names)]]
            if member.available and member.interface not in exclude:
                self._rr = (self._rr + step + 1) % len(names)
                return member
        return None

    def params_item(self, now: float) -> Pairs:
        perf = 100.0 * self.completed_in_sl / self.completed if self.completed else 0.0
        done = self.completed + self.abandoned
        perf2 = 100.0 * self.completed_in_sl / done if done else 0.0
        del now
        return [
            ("Event", "QueueParams"),
            ("Queue", self.name),
            ("Max", "0"),
            ("Strategy", self.strategy),
            ("Calls", str(len(self.entries))),
            ("Holdtime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("Completed", str(self.completed)),
            ("Abandoned", str(self.abandoned)),
            ("ServiceLevel", str(self.servicelevel)),
            ("ServicelevelPerf", f"{perf:2.1f}"),
            ("ServicelevelPerf2", f"{perf2:2.1f}"),
            ("Weight", "0"),
        ]

    def entry_items(self, now: float) -> list[Pairs]:
        items = []
        for index, entry in enumerate(self.entries, start=1):
            ch = entry.channel
            items.append(
                [
                    ("Event", "QueueEntry"),
                    ("Queue", self.name),
                    ("Position", str(index)),
                    ("Channel", ch.name),
                    ("Uniqueid", ch.uniqueid),
                    ("CallerIDNum", ch.caller_num or "unknown"),
                    ("CallerIDName", ch.caller_name or "unknown"),
                    ("ConnectedLineNum", ch.connected_num or "unknown"),
                    ("ConnectedLineName", ch.connected_name or "unknown"),
                    ("Wait", str(int(now - entry.joined_at))),
                    ("Priority", "0"),
                ]
            )
        return items

    def summary_item(self, now: float) -> Pairs:
        logged_in = [m for m in self.members.values() if m.status not in (UNAVAILABLE, INVALID)]
        available = [m for m in logged_in if m.available]
        longest = int(now - self.entries[0].joined_at) if self.entries else 0
        return [
            ("Event", "QueueSummary"),
            ("Queue", self.name),
            ("LoggedIn", str(len(logged_in))),
            ("Available", str(len(available))),
            ("Callers", str(len(self.entries))),
            ("HoldTime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("LongestHoldTime", str(longest)),
        ]
