"""What the PBX told us, in our words (the translator's output; Asterisk names stop at translate.py).

Value objects by convention, not frozen: one or two are built for every AMI event, and a frozen dataclass's
__init__ costs about five times a plain one's (measured: parse + translate + track 12–15 % faster)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Leg:
    """One channel as a snapshot shows it: `leg_id` is the Uniqueid, `call_id` the Linkedid."""

    channel: str
    leg_id: str
    call_id: str
    state: str = ""
    caller_number: str | None = None
    caller_name: str | None = None
    connected_number: str | None = None
    context: str = ""
    exten: str = ""


@dataclass(slots=True)
class LegEvent:
    """A channel appeared (`new`), changed (`update`), or was hung up (`hangup`, with the cause)."""

    kind: str
    leg: Leg
    cause: int | None = None
    cause_text: str | None = None


@dataclass(slots=True)
class DialEvent:
    """A leg started or stopped dialling another (`begin`/`end`); `leg` is None for an Originate's first dial."""

    kind: str
    leg: Leg | None
    dest: Leg
    status: str = ""


@dataclass(slots=True)
class BridgeEvent:
    kind: str  # enter | leave
    leg: Leg
    bridge_id: str
    swap_leg_id: str | None = None


@dataclass(slots=True)
class QueueCallerEvent:
    """The caller joined, left (was connected or gave up), or abandoned a queue."""

    kind: str  # join | leave | abandon
    leg: Leg
    queue: str
    position: int | None = None
    hold_seconds: int | None = None


@dataclass(slots=True)
class AgentEvent:
    """An operator's phone: `called` (rings), `ring_no_answer`, `dump`, `connect` (answered), `complete` (call over)."""

    kind: str
    leg: Leg
    dest: Leg | None
    queue: str
    interface: str
    member_name: str = ""
    reason: str = ""
    talk_seconds: int | None = None
    hold_seconds: int | None = None


@dataclass(slots=True)
class TransferEvent:
    """A blind or attended transfer; `call_ids` are every Linkedid the transfer touched (they become one call)."""

    kind: str  # blind | attended
    ok: bool
    call_ids: tuple[str, ...]
    legs: tuple[Leg, ...]
    target: str = ""


@dataclass(slots=True)
class UserSignal:
    """A dialplan UserEvent: CallcenterRecording, CallcenterCallbackRequest, QueueExit, or any other name."""

    name: str
    leg: Leg | None
    call_id: str | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class MemberEvent:
    """A queue member (operator phone) as QueueMemberStatus/Pause/Added/Removed or a QueueStatus item shows it."""

    kind: str  # status | pause | added | removed | snapshot
    queue: str
    interface: str
    name: str = ""
    status: int = 0
    paused: bool = False
    paused_reason: str = ""
    in_call: bool = False
    calls_taken: int = 0


@dataclass(slots=True)
class QueueEntryItem:
    """A caller waiting in a queue, from a QueueStatus list (no Linkedid there: only the caller's Uniqueid)."""

    queue: str
    position: int
    channel: str
    leg_id: str
    caller_number: str | None
    wait_seconds: int


@dataclass(slots=True)
class QueueParamsItem:
    queue: str
    calls: int
    completed: int
    abandoned: int
    holdtime: int
    talktime: int


@dataclass(slots=True)
class ChannelItem:
    """A live channel from a CoreShowChannels list."""

    leg: Leg
    application: str
    bridge_id: str
    duration_seconds: int


@dataclass(slots=True)
class OriginateResult:
    action_id: str
    ok: bool
    reason: int | None
    channel: str
    leg_id: str


@dataclass(slots=True)
class CallOver:
    """CEL LINKEDID_END: the last channel of the call is gone."""

    call_id: str


@dataclass(slots=True)
class PbxState:
    """FullyBooted, Shutdown, or the end of an event list (`*Complete`)."""

    kind: str  # booted | shutdown | list_complete
    detail: str = ""
    action_id: str = ""


CallEvent = (
    LegEvent
    | DialEvent
    | BridgeEvent
    | QueueCallerEvent
    | AgentEvent
    | TransferEvent
    | UserSignal
    | MemberEvent
    | QueueEntryItem
    | QueueParamsItem
    | ChannelItem
    | OriginateResult
    | CallOver
    | PbxState
)
