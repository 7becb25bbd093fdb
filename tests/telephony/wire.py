"""Building AMI traffic in Asterisk 20's exact wire format (field order from main/manager_channels.c, apps/app_queue.c)."""

from __future__ import annotations

from dataclasses import dataclass, replace

STATES = {"0": "Down", "4": "Ring", "5": "Ringing", "6": "Up"}


def message(pairs: list[tuple[str, str]]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in pairs).encode() + b"\r\n"


@dataclass(frozen=True)
class Chan:
    channel: str
    uniqueid: str
    linkedid: str
    state: str = "4"
    num: str = "<unknown>"
    name: str = "<unknown>"
    cl_num: str = "<unknown>"
    cl_name: str = "<unknown>"
    context: str = "from-trunk"
    exten: str = "1551"
    priority: str = "1"
    language: str = "uk"

    def at(self, **changes: str) -> Chan:
        return replace(self, **changes)

    def snapshot(self, prefix: str = "") -> list[tuple[str, str]]:
        return [
            (f"{prefix}Channel", self.channel),
            (f"{prefix}ChannelState", self.state),
            (f"{prefix}ChannelStateDesc", STATES.get(self.state, "Unknown")),
            (f"{prefix}CallerIDNum", self.num),
            (f"{prefix}CallerIDName", self.name),
            (f"{prefix}ConnectedLineNum", self.cl_num),
            (f"{prefix}ConnectedLineName", self.cl_name),
            (f"{prefix}Language", self.language),
            (f"{prefix}AccountCode", ""),
            (f"{prefix}Context", self.context),
            (f"{prefix}Exten", self.exten),
            (f"{prefix}Priority", self.priority),
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Linkedid", self.linkedid),
        ]


def event(name: str, klass: str, *parts: list[tuple[str, str]]) -> bytes:
    pairs = [("Event", name), ("Privilege", f"{klass},all")]
    for part in parts:
        pairs += part
    return message(pairs)


def new_channel(c: Chan) -> bytes:
    return event("Newchannel", "call", c.snapshot())


def new_state(c: Chan) -> bytes:
    return event("Newstate", "call", c.snapshot())


def hangup(c: Chan, cause: int = 16, text: str = "Normal Clearing") -> bytes:
    return event("Hangup", "call", c.snapshot(), [("Cause", str(cause)), ("Cause-txt", text)])


def dial_begin(caller: Chan | None, dest: Chan, dialstring: str) -> bytes:
    return event("DialBegin", "call", caller.snapshot() if caller else [], dest.snapshot("Dest"), [("DialString", dialstring)])


def dial_end(caller: Chan | None, dest: Chan, status: str) -> bytes:
    return event("DialEnd", "call", caller.snapshot() if caller else [], dest.snapshot("Dest"), [("DialStatus", status)])


def queue_join(c: Chan, queue: str, position: int, count: int) -> bytes:
    return event("QueueCallerJoin", "agent", c.snapshot(), [("Queue", queue), ("Position", str(position)), ("Count", str(count))])


def queue_leave(c: Chan, queue: str, position: int, count: int) -> bytes:
    return event("QueueCallerLeave", "agent", c.snapshot(), [("Queue", queue), ("Position", str(position)), ("Count", str(count))])


def queue_abandon(c: Chan, queue: str, hold: int) -> bytes:
    extra = [("Queue", queue), ("Position", "1"), ("OriginalPosition", "1"), ("HoldTime", str(hold))]
    return event("QueueCallerAbandon", "agent", c.snapshot(), extra)


def agent(name: str, caller: Chan, dest: Chan, queue: str, interface: str, member: str, *extra: tuple[str, str]) -> bytes:
    tail = [("Queue", queue), ("Interface", interface), ("MemberName", member), *extra]
    return event(name, "agent", caller.snapshot(), dest.snapshot("Dest"), tail)


def bridge(name: str, c: Chan, bridge_id: str, count: int) -> bytes:
    b = [
        ("BridgeUniqueid", bridge_id),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", str(count)),
        ("BridgeVideoSourceMode", "none"),
    ]
    return event(name, "call", b, c.snapshot())


def user_event(c: Chan | None, name: str, *headers: tuple[str, str]) -> bytes:
    return event("UserEvent", "user", c.snapshot() if c else [], [("UserEvent", name), *headers])


def member_status(
    name: str, queue: str, interface: str, member: str, *, status: int = 1, paused: bool = False, reason: str = "", in_call: bool = False
) -> bytes:
    pairs = [
        ("Queue", queue),
        ("MemberName", member),
        ("Interface", interface),
        ("StateInterface", interface),
        ("Membership", "dynamic"),
        ("Penalty", "0"),
        ("CallsTaken", "0"),
        ("LastCall", "0"),
        ("LastPause", "0"),
        ("LoginTime", "1764330000"),
        ("InCall", "1" if in_call else "0"),
        ("Status", str(status)),
        ("Paused", "1" if paused else "0"),
        ("PausedReason", reason),
        ("Ringinuse", "0"),
        ("Wrapuptime", "0"),
    ]
    return event(name, "agent", pairs)


def core_show_channel(c: Chan, action_id: str, *, application: str, bridge_id: str = "", duration: str = "00:00:05") -> bytes:
    pairs = [("Event", "CoreShowChannel"), ("ActionID", action_id), *c.snapshot()]
    pairs += [("Application", application), ("ApplicationData", ""), ("Duration", duration), ("BridgeId", bridge_id)]
    return message(pairs)
