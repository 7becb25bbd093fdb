"""AMI message → our call event (pure). Unknown or incomplete messages give None; nothing here raises on bad input."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from telephony.events import (
    AgentEvent,
    BridgeEvent,
    CallEvent,
    CallOver,
    ChannelItem,
    DialEvent,
    Leg,
    LegEvent,
    MemberEvent,
    OriginateResult,
    PbxState,
    QueueCallerEvent,
    QueueEntryItem,
    QueueParamsItem,
    TransferEvent,
    UserSignal,
)

Msg = Mapping[str, str]
UNKNOWN = frozenset({"", "<unknown>", "unknown"})
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def c_unescape(value: str) -> str:
    """Undo Asterisk's ast_escape_c() on caller names (`\\"` → `"`); raw UTF-8 passes through."""
    if "\\" not in value:
        return value
    out: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(ch)
    return "".join(out)


def _opt(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in UNKNOWN else value


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


_SNAPSHOT = ("Channel", "Uniqueid", "Linkedid", "ChannelStateDesc", "CallerIDNum", "CallerIDName", "ConnectedLineNum", "Context", "Exten")
_KEYS: dict[str, tuple[str, ...]] = {}


def leg_of(msg: Msg, prefix: str = "") -> Leg | None:
    """The channel snapshot under `prefix` (``, `Dest`, `Transferee` …), or None when it lacks Channel/Uniqueid."""
    keys = _KEYS.get(prefix)
    if keys is None:
        keys = _KEYS[prefix] = tuple(prefix + k for k in _SNAPSHOT)
    get = msg.get
    channel, leg_id = get(keys[0]), get(keys[1])
    if not channel or not leg_id:
        return None
    number, name, connected = get(keys[4]), get(keys[5]), get(keys[6])
    if name is not None:
        name = _opt(name)
        if name is not None and "\\" in name:
            name = c_unescape(name)
    return Leg(
        channel,
        leg_id,
        get(keys[2]) or leg_id,
        get(keys[3], ""),
        None if number is None or number in UNKNOWN else _opt(number),
        name,
        None if connected is None or connected in UNKNOWN else _opt(connected),
        get(keys[7], ""),
        get(keys[8], ""),
    )


def _leg_event(kind: str) -> Callable[[Msg], CallEvent | None]:
    def build(msg: Msg) -> CallEvent | None:
        leg = leg_of(msg)
        if leg is None:
            return None
        if kind == "hangup":
            return LegEvent("hangup", leg, cause=_int(msg.get("Cause")), cause_text=msg.get("Cause-txt"))
        return LegEvent(kind, leg)

    return build


def _dial(kind: str) -> Callable[[Msg], CallEvent | None]:
    def build(msg: Msg) -> CallEvent | None:
        dest = leg_of(msg, "Dest")
        if dest is None:
            return None
        return DialEvent(kind, leg_of(msg), dest, status=msg.get("DialStatus", ""))

    return build


def _bridge(kind: str) -> Callable[[Msg], CallEvent | None]:
    def build(msg: Msg) -> CallEvent | None:
        leg = leg_of(msg)
        if leg is None:
            return None
        return BridgeEvent(kind, leg, msg.get("BridgeUniqueid", ""), _opt(msg.get("SwapUniqueid")))

    return build


def _queue_caller(kind: str) -> Callable[[Msg], CallEvent | None]:
    def build(msg: Msg) -> CallEvent | None:
        leg = leg_of(msg)
        if leg is None or not msg.get("Queue"):
            return None
        return QueueCallerEvent(kind, leg, msg["Queue"], _int(msg.get("Position")), _int(msg.get("HoldTime")))

    return build


def _agent(kind: str) -> Callable[[Msg], CallEvent | None]:
    def build(msg: Msg) -> CallEvent | None:
        leg = leg_of(msg)
        interface = msg.get("Interface", "")
        if leg is None or not interface:
            return None
        return AgentEvent(
            kind,
            leg,
            leg_of(msg, "Dest"),
            msg.get("Queue", ""),
            interface,
            member_name=c_unescape(msg.get("MemberName", "")),
            reason=msg.get("Reason", ""),
            talk_seconds=_int(msg.get("TalkTime")),
            hold_seconds=_int(msg.get("HoldTime")),
        )

    return build


def _member(kind: str) -> Callable[[Msg], CallEvent | None]:
    def build(msg: Msg) -> CallEvent | None:
        interface = msg.get("Interface") or msg.get("Location") or ""
        if not interface or not msg.get("Queue"):
            return None
        return MemberEvent(
            kind,
            msg["Queue"],
            interface,
            name=c_unescape(msg.get("MemberName") or msg.get("Name") or interface),
            status=_int(msg.get("Status")) or 0,
            paused=msg.get("Paused", "0").strip().lower() in ("1", "true", "yes"),
            paused_reason=msg.get("PausedReason", ""),
            in_call=msg.get("InCall", "0").strip() == "1",
            calls_taken=_int(msg.get("CallsTaken")) or 0,
        )

    return build


def _transfer(kind: str) -> Callable[[Msg], CallEvent | None]:
    prefixes = ("Transferer", "Transferee") if kind == "blind" else ("OrigTransferer", "SecondTransferer", "Transferee", "TransferTarget")

    def build(msg: Msg) -> CallEvent | None:
        legs = tuple(leg for leg in (leg_of(msg, p) for p in prefixes) if leg is not None)
        if not legs:
            return None
        call_ids = tuple(dict.fromkeys(leg.call_id for leg in legs))
        target = msg.get("Extension", "") if kind == "blind" else msg.get("TransferTargetChannel", "")
        return TransferEvent(kind, msg.get("Result", "") == "Success", call_ids, legs, target)

    return build


_CORE_HEADERS = frozenset(
    {"Event", "Privilege", "SystemName", "UserEvent", "Timestamp", "Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum"}
    | {"CallerIDName", "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context", "Exten", "Priority"}
    | {"Uniqueid", "Linkedid"}
)


def _user_event(msg: Msg) -> CallEvent | None:
    name = msg.get("UserEvent", "")
    if not name:
        return None
    leg = leg_of(msg)
    headers = {k: v for k, v in msg.items() if k not in _CORE_HEADERS}
    call_id = headers.get("Linkedid") or (leg.call_id if leg else None)
    if "CallerIDNum" in msg and leg is None:
        headers["CallerIDNum"] = msg["CallerIDNum"]
    return UserSignal(name, leg, call_id, headers)


def _queue_entry(msg: Msg) -> CallEvent | None:
    if not msg.get("Queue") or not msg.get("Uniqueid"):
        return None
    return QueueEntryItem(
        msg["Queue"],
        _int(msg.get("Position")) or 0,
        msg.get("Channel", ""),
        msg["Uniqueid"],
        _opt(msg.get("CallerIDNum")),
        _int(msg.get("Wait")) or 0,
    )


def _queue_params(msg: Msg) -> CallEvent | None:
    if not msg.get("Queue"):
        return None
    return QueueParamsItem(
        msg["Queue"],
        _int(msg.get("Calls")) or 0,
        _int(msg.get("Completed")) or 0,
        _int(msg.get("Abandoned")) or 0,
        _int(msg.get("Holdtime")) or 0,
        _int(msg.get("TalkTime")) or 0,
    )


def _duration(value: str) -> int:
    parts = [_int(p) or 0 for p in value.split(":")]
    total = 0
    for part in parts:
        total = total * 60 + part
    return total


def _core_show_channel(msg: Msg) -> CallEvent | None:
    leg = leg_of(msg)
    if leg is None:
        return None
    return ChannelItem(leg, msg.get("Application", ""), msg.get("BridgeId", ""), _duration(msg.get("Duration", "")))


def _originate(msg: Msg) -> CallEvent | None:
    return OriginateResult(
        msg.get("ActionID", ""),
        msg.get("Response", "") == "Success",
        _int(msg.get("Reason")),
        msg.get("Channel", ""),
        msg.get("Uniqueid", ""),
    )


def _cel(msg: Msg) -> CallEvent | None:
    if msg.get("EventName") != "LINKEDID_END" or not msg.get("LinkedID"):
        return None
    return CallOver(msg["LinkedID"])


TRANSLATORS: dict[str, Callable[[Msg], CallEvent | None]] = {
    "Newchannel": _leg_event("new"),
    "Newstate": _leg_event("update"),
    "NewCallerid": _leg_event("update"),
    "NewConnectedLine": _leg_event("update"),
    "Hangup": _leg_event("hangup"),
    "HangupRequest": _leg_event("hangup_request"),
    "SoftHangupRequest": _leg_event("hangup_request"),
    "DialBegin": _dial("begin"),
    "DialEnd": _dial("end"),
    "BridgeEnter": _bridge("enter"),
    "BridgeLeave": _bridge("leave"),
    "QueueCallerJoin": _queue_caller("join"),
    "QueueCallerLeave": _queue_caller("leave"),
    "QueueCallerAbandon": _queue_caller("abandon"),
    "AgentCalled": _agent("called"),
    "AgentRingNoAnswer": _agent("ring_no_answer"),
    "AgentDump": _agent("dump"),
    "AgentConnect": _agent("connect"),
    "AgentComplete": _agent("complete"),
    "QueueMemberStatus": _member("status"),
    "QueueMemberPause": _member("pause"),
    "QueueMemberAdded": _member("added"),
    "QueueMemberRemoved": _member("removed"),
    "QueueMember": _member("snapshot"),
    "QueueEntry": _queue_entry,
    "QueueParams": _queue_params,
    "CoreShowChannel": _core_show_channel,
    "BlindTransfer": _transfer("blind"),
    "AttendedTransfer": _transfer("attended"),
    "UserEvent": _user_event,
    "OriginateResponse": _originate,
    "CEL": _cel,
    "FullyBooted": lambda msg: PbxState("booted", msg.get("Status", "")),
    "Shutdown": lambda msg: PbxState("shutdown", msg.get("Shutdown", "")),
}


def translate(msg: Msg) -> CallEvent | None:
    """Our event for an AMI event message, or None for events we do not follow (and for malformed ones)."""
    name = msg.get("Event", "")
    build = TRANSLATORS.get(name)
    if build is not None:
        return build(msg)
    if name.endswith("Complete") and msg.get("EventList", "").lower() == "complete":
        return PbxState("list_complete", name, msg.get("ActionID", ""))
    return None
