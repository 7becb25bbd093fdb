"""Our own AMI transcripts (tests/fixtures/ami/own/*.ami), built in Asterisk 20's wire format for the seam's
dialplan (trunk endpoint `trunk`, context `from-trunk`, queue `hotline`, operators PJSIP/op101…), with what each
must produce. `python -m tests.telephony.own_transcripts` rewrites the files; a test checks they are in sync."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.telephony.wire import (
    Chan,
    agent,
    bridge,
    dial_begin,
    dial_end,
    event,
    hangup,
    member_status,
    new_channel,
    new_state,
    queue_abandon,
    queue_join,
    queue_leave,
    user_event,
)

OWN = Path(__file__).resolve().parent.parent / "fixtures" / "ami" / "own"
Q = "hotline"


@dataclass(frozen=True)
class Expect:
    call_id: str
    caller: str | None
    answered_by: str | None = None
    abandoned: bool = False
    missed_task: bool = False
    requested_task: bool = False
    recording: str | None = None
    caller_name: str | None = None
    did: str | None = "1551"


def trunk(n: int, caller: str = "0501234567", name: str = "<unknown>") -> Chan:
    return Chan(f"PJSIP/trunk-{n:08x}", f"1764331000.{n}", f"1764331000.{n}", num=caller, name=name)


def op(n: int, ext: str, call: Chan, state: str = "0") -> Chan:
    return Chan(
        f"PJSIP/op{ext}-{n:08x}",
        f"1764331000.{n}",
        call.linkedid,
        state=state,
        num=ext,
        name=f"Оператор {ext}",
        cl_num=call.num,
        context="operators",
        exten=call.exten,
    )


def answered_call(t: Chan, o: Chan, *, bridge_id: str, recorded: bool = True) -> list[bytes]:
    up = t.at(state="6", priority="9")
    o_up = o.at(state="6")
    out = [
        new_channel(t),
        new_state(t.at(state="6", priority="3")),
        queue_join(up, Q, 1, 1),
        new_channel(o),
        agent("AgentCalled", up, o, Q, interface(o), f"Оператор {o.num}"),
        dial_begin(up, o, interface(o)),
        new_state(o.at(state="5")),
        dial_end(up, o_up, "ANSWER"),
        queue_leave(up, Q, 1, 0),
        agent("AgentConnect", up, o_up, Q, interface(o), f"Оператор {o.num}", ("HoldTime", "7"), ("RingTime", "5")),
        bridge("BridgeEnter", up, bridge_id, 1),
        bridge("BridgeEnter", o_up, bridge_id, 2),
        agent("AgentComplete", up, o_up, Q, interface(o), f"Оператор {o.num}", ("HoldTime", "7"), ("TalkTime", "60"), ("Reason", "caller")),
        bridge("BridgeLeave", up, bridge_id, 1),
        bridge("BridgeLeave", o_up, bridge_id, 0),
        hangup(o_up),
    ]
    if recorded:
        rel = f"2026/11/28/{t.uniqueid}.wav"
        out.append(
            user_event(
                up.at(context="from-trunk", exten="h"),
                "CallcenterRecording",
                ("Linkedid", t.linkedid),
                ("Uniqueid", t.uniqueid),
                ("RecordingFile", rel),
                ("Layout", "stereo"),
            )
        )
    out.append(hangup(up.at(exten="h")))
    return out


def interface(c: Chan) -> str:
    return c.channel.rsplit("-", 1)[0]


def build() -> dict[str, tuple[bytes, list[Expect]]]:
    out: dict[str, tuple[bytes, list[Expect]]] = {}
    t, o = trunk(1), op(2, "101", trunk(1))
    out["queue_answered_recorded"] = (
        b"".join(answered_call(t, o, bridge_id="b-1")),
        [Expect(t.linkedid, "+380501234567", "PJSIP/op101", recording=f"2026/11/28/{t.uniqueid}.wav")],
    )

    t = trunk(10)
    o = op(11, "101", t)
    up = t.at(state="6")
    out["queue_abandoned"] = (
        b"".join(
            [
                new_channel(t),
                new_state(up),
                queue_join(up, Q, 1, 1),
                new_channel(o),
                agent("AgentCalled", up, o, Q, "PJSIP/op101", "Оператор 101"),
                dial_begin(up, o, "PJSIP/op101"),
                event("HangupRequest", "call", up.snapshot(), [("Cause", "16")]),
                dial_end(up, o, "CANCEL"),
                hangup(o, 26, "Answered elsewhere"),
                queue_abandon(up, Q, 23),
                queue_leave(up, Q, 1, 0),
                hangup(up),
            ]
        ),
        [Expect(t.linkedid, "+380501234567", abandoned=True, missed_task=True)],
    )

    t = trunk(20, caller="0442001234")
    up = t.at(state="6")
    out["queue_timeout"] = (
        b"".join(
            [
                new_channel(t),
                new_state(up),
                queue_join(up, Q, 1, 1),
                queue_abandon(up, Q, 300),
                queue_leave(up, Q, 1, 0),
                user_event(up, "QueueExit", ("Status", "TIMEOUT")),
                hangup(up.at(exten="h")),
            ]
        ),
        [Expect(t.linkedid, "+380442001234", abandoned=False, missed_task=True)],
    )

    t = trunk(30, caller="anonymous", name="Anonymous")
    up = t.at(state="6")
    out["withheld_abandoned"] = (
        b"".join([new_channel(t), new_state(up), queue_join(up, Q, 1, 1), queue_abandon(up, Q, 5), queue_leave(up, Q, 1, 0), hangup(up)]),
        [Expect(t.linkedid, None, abandoned=True, missed_task=False, caller_name="Anonymous")],
    )

    t = trunk(40)
    up = t.at(state="6")
    o1, o2 = op(41, "101", t), op(42, "102", t)
    o2up = o2.at(state="6")
    out["ring_no_answer_then_next"] = (
        b"".join(
            [
                new_channel(t),
                new_state(up),
                queue_join(up, Q, 1, 1),
                new_channel(o1),
                agent("AgentCalled", up, o1, Q, "PJSIP/op101", "Оператор 101"),
                dial_begin(up, o1, "PJSIP/op101"),
                agent("AgentRingNoAnswer", up, o1, Q, "PJSIP/op101", "Оператор 101", ("RingTime", "15")),
                dial_end(up, o1, "NOANSWER"),
                hangup(o1, 19, "User alerting, no answer"),
                new_channel(o2),
                agent("AgentCalled", up, o2, Q, "PJSIP/op102", "Оператор 102"),
                dial_begin(up, o2, "PJSIP/op102"),
                dial_end(up, o2up, "ANSWER"),
                queue_leave(up, Q, 1, 0),
                agent("AgentConnect", up, o2up, Q, "PJSIP/op102", "Оператор 102", ("HoldTime", "20"), ("RingTime", "3")),
                agent(
                    "AgentComplete", up, o2up, Q, "PJSIP/op102", "Оператор 102", ("HoldTime", "20"), ("TalkTime", "30"), ("Reason", "agent")
                ),
                hangup(o2up),
                hangup(up),
            ]
        ),
        [Expect(t.linkedid, "+380501234567", "PJSIP/op102")],
    )

    t = trunk(50, caller="+380671112233")
    up = t.at(state="6")
    o1, o2 = op(51, "101", t), op(52, "102", t)
    out["ringall_answered_elsewhere"] = (
        b"".join(
            [
                new_channel(t),
                new_state(up),
                queue_join(up, Q, 1, 1),
                new_channel(o1),
                new_channel(o2),
                agent("AgentCalled", up, o1, Q, "PJSIP/op101", "Оператор 101"),
                dial_begin(up, o1, "PJSIP/op101"),
                agent("AgentCalled", up, o2, Q, "PJSIP/op102", "Оператор 102"),
                dial_begin(up, o2, "PJSIP/op102"),
                dial_end(up, o2.at(state="6"), "ANSWER"),
                dial_end(up, o1, "CANCEL"),
                hangup(o1, 26, "Answered elsewhere"),
                queue_leave(up, Q, 1, 0),
                agent("AgentConnect", up, o2.at(state="6"), Q, "PJSIP/op102", "Оператор 102", ("HoldTime", "4"), ("RingTime", "4")),
                hangup(o2.at(state="6")),
                hangup(up),
            ]
        ),
        [Expect(t.linkedid, "+380671112233", "PJSIP/op102")],
    )

    t = trunk(60, caller="0931234567")
    up = t.at(state="6")
    out["callback_requested"] = (
        b"".join(
            [
                new_channel(t),
                new_state(up),
                queue_join(up, Q, 1, 1),
                user_event(up, "CallcenterCallbackRequest", ("Linkedid", t.linkedid), ("CallerIDNum", "0931234567"), ("Queue", Q)),
                queue_abandon(up, Q, 40),
                queue_leave(up, Q, 1, 0),
                user_event(up, "QueueExit", ("Status", "WITHDRAW")),
                hangup(up),
            ]
        ),
        [Expect(t.linkedid, "+380931234567", requested_task=True, missed_task=False)],
    )

    cid = "5b1f7c2e-0d4a-4e38-9a51-7f3c2d1e0b9a"
    a = Chan(
        "PJSIP/op101-00000070", cid, cid, state="0", num="101", name="Оператор 101", context="callcenter-callback", exten="380501234567"
    )
    b = Chan("PJSIP/trunk-00000071", "1764331000.71", cid, state="0", num="380501234567", context="from-operators", exten="380501234567")
    out["outbound_callback"] = (
        b"".join(
            [
                new_channel(a),
                new_state(a.at(state="6")),
                new_channel(b),
                dial_begin(a.at(state="6"), b, "PJSIP/380501234567@trunk"),
                dial_end(a.at(state="6"), b.at(state="6"), "ANSWER"),
                hangup(b.at(state="6")),
                hangup(a.at(state="6")),
            ]
        ),
        [],
    )

    a = Chan("PJSIP/op101-00000080", "1764331000.80", "1764331000.80", num="101", name="Оператор 101", context="operators", exten="102")
    b = Chan("PJSIP/op102-00000081", "1764331000.81", "1764331000.80", state="0", num="102", context="operators", exten="102")
    out["internal_op_to_op"] = (
        b"".join(
            [new_channel(a), new_channel(b), dial_begin(a, b, "PJSIP/op102"), dial_end(a, b.at(state="6"), "ANSWER"), hangup(b), hangup(a)]
        ),
        [],
    )

    t = trunk(90, caller="0671234567", name='Петренко \\"Олена\\"')
    o = op(91, "101", t)
    out["cyrillic_escaped_name"] = (
        b"".join(answered_call(t, o, bridge_id="b-9", recorded=False)),
        [Expect(t.linkedid, "+380671234567", "PJSIP/op101", caller_name='Петренко "Олена"')],
    )

    t = trunk(100)
    up = t.at(state="6")
    l1 = Chan("Local/101@agents-00000065;1", "1764331000.101", t.linkedid, state="0", context="agents", exten="101")
    l2 = Chan("Local/101@agents-00000065;2", "1764331000.102", t.linkedid, state="4", context="agents", exten="101")
    o = op(103, "101", t)
    out["local_channel_member"] = (
        b"".join(
            [
                new_channel(t),
                new_state(up),
                queue_join(up, Q, 1, 1),
                new_channel(l1),
                new_channel(l2),
                event(
                    "LocalBridge",
                    "call",
                    l1.snapshot("LocalOne"),
                    l2.snapshot("LocalTwo"),
                    [("Context", "agents"), ("Exten", "101"), ("LocalOptimization", "Yes")],
                ),
                agent("AgentCalled", up, l1, Q, "Local/101@agents", "Оператор 101"),
                dial_begin(up, l1, "Local/101@agents"),
                new_channel(o),
                dial_begin(l2, o, "PJSIP/op101"),
                dial_end(l2, o.at(state="6"), "ANSWER"),
                dial_end(up, l1.at(state="6"), "ANSWER"),
                agent("AgentConnect", up, l1.at(state="6"), Q, "Local/101@agents", "Оператор 101", ("HoldTime", "3"), ("RingTime", "2")),
                hangup(l1.at(state="6")),
                hangup(l2.at(state="6")),
                hangup(o.at(state="6")),
                hangup(up),
            ]
        ),
        [Expect(t.linkedid, "+380501234567", "PJSIP/op101")],
    )

    t = trunk(110, caller="0441234567")
    o1 = op(111, "101", t)
    up, o1up = t.at(state="6"), o1.at(state="6")
    o2 = op(112, "102", t).at(context="operators", exten="102")
    out["blind_transfer"] = (
        b"".join(
            [
                new_channel(t),
                new_state(up),
                queue_join(up, Q, 1, 1),
                new_channel(o1),
                agent("AgentCalled", up, o1, Q, "PJSIP/op101", "Оператор 101"),
                dial_end(up, o1up, "ANSWER"),
                agent("AgentConnect", up, o1up, Q, "PJSIP/op101", "Оператор 101", ("HoldTime", "2"), ("RingTime", "2")),
                bridge("BridgeEnter", up, "b-11", 1),
                bridge("BridgeEnter", o1up, "b-11", 2),
                event(
                    "BlindTransfer",
                    "call",
                    [("Result", "Success")],
                    o1up.snapshot("Transferer"),
                    up.snapshot("Transferee"),
                    [
                        ("BridgeUniqueid", "b-11"),
                        ("BridgeType", "basic"),
                        ("IsExternal", "No"),
                        ("Context", "operators"),
                        ("Extension", "102"),
                    ],
                ),
                agent(
                    "AgentComplete",
                    up,
                    o1up,
                    Q,
                    "PJSIP/op101",
                    "Оператор 101",
                    ("HoldTime", "2"),
                    ("TalkTime", "10"),
                    ("Reason", "transfer"),
                ),
                bridge("BridgeLeave", o1up, "b-11", 1),
                hangup(o1up),
                new_channel(o2),
                dial_begin(up, o2, "PJSIP/op102"),
                dial_end(up, o2.at(state="6"), "ANSWER"),
                hangup(o2.at(state="6")),
                hangup(up),
            ]
        ),
        [Expect(t.linkedid, "+380441234567", "PJSIP/op101")],
    )

    out["member_pause_and_status"] = (
        b"".join(
            [
                member_status("QueueMemberAdded", Q, "PJSIP/op101", "Оператор 101"),
                member_status("QueueMemberPause", Q, "PJSIP/op101", "Оператор 101", paused=True, reason="обід"),
                member_status("QueueMemberStatus", Q, "PJSIP/op102", "Оператор 102", status=2, in_call=True),
                member_status("QueueMemberRemoved", Q, "PJSIP/op103", "Оператор 103"),
            ]
        ),
        [],
    )
    return out


def write_all() -> None:
    OWN.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in build().items():
        (OWN / f"{name}.ami").write_bytes(data)


if __name__ == "__main__":
    write_all()
