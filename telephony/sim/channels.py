"""Channels and bridges as Asterisk 20 reports them: the snapshot block, states and hangup causes."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from telephony.sim.wire import Pairs, c_escape

STATE_DESC = {0: "Down", 1: "Rsrvd", 2: "OffHook", 3: "Dialing", 4: "Ring", 5: "Ringing", 6: "Up", 7: "Busy"}
CAUSES = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    21: "Call Rejected",
    26: "Answered elsewhere",
    27: "Destination out of order",
    34: "Circuit/channel congestion",
}
UNKNOWN = "<unknown>"


@dataclass
class Channel:
    """One leg; `Uniqueid`/`Linkedid` follow Asterisk (dialed legs inherit the caller's Linkedid)."""

    name: str
    uniqueid: str
    linkedid: str
    context: str
    exten: str
    state: int = 0
    caller_num: str = ""
    caller_name: str = ""
    connected_num: str = ""
    connected_name: str = ""
    language: str = "en"
    accountcode: str = ""
    priority: int = 1
    application: str = ""
    app_data: str = ""
    created_at: float = field(default_factory=time.time)
    answered_at: float | None = None
    bridge: Bridge | None = None
    hungup: bool = False

    @property
    def interface(self) -> str:
        """`PJSIP/op101` for `PJSIP/op101-0000002b` (the device / queue member interface)."""
        return self.name.rsplit("-", 1)[0]

    def snapshot(self, prefix: str = "") -> Pairs:
        """`ast_manager_build_channel_state_string_prefix()`: 14 keys, `<unknown>` for empty caller fields."""
        p = prefix
        return [
            (f"{p}Channel", self.name),
            (f"{p}ChannelState", str(self.state)),
            (f"{p}ChannelStateDesc", STATE_DESC.get(self.state, f"Unknown ({self.state})")),
            (f"{p}CallerIDNum", self.caller_num or UNKNOWN),
            (f"{p}CallerIDName", c_escape(self.caller_name) or UNKNOWN),
            (f"{p}ConnectedLineNum", self.connected_num or UNKNOWN),
            (f"{p}ConnectedLineName", c_escape(self.connected_name) or UNKNOWN),
            (f"{p}Language", self.language),
            (f"{p}AccountCode", self.accountcode),
            (f"{p}Context", self.context),
            (f"{p}Exten", self.exten),
            (f"{p}Priority", str(self.priority)),
            (f"{p}Uniqueid", self.uniqueid),
            (f"{p}Linkedid", self.linkedid),
        ]


@dataclass
class Bridge:
    """A basic two-party bridge (`simple_bridge`)."""

    uniqueid: str = field(default_factory=lambda: str(uuid.uuid4()))
    channels: list[Channel] = field(default_factory=list)

    def block(self, prefix: str = "") -> Pairs:
        p = prefix
        return [
            (f"{p}BridgeUniqueid", self.uniqueid),
            (f"{p}BridgeType", "basic"),
            (f"{p}BridgeTechnology", "simple_bridge"),
            (f"{p}BridgeCreator", UNKNOWN),
            (f"{p}BridgeName", UNKNOWN),
            (f"{p}BridgeNumChannels", str(len(self.channels))),
            (f"{p}BridgeVideoSourceMode", "none"),
        ]


def cause_pairs(cause: int) -> Pairs:
    return [("Cause", str(cause)), ("Cause-txt", CAUSES.get(cause, "Unknown"))]


def duration_text(seconds: float) -> str:
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
