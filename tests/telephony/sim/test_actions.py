"""Event lists, Originate outcomes and queue-member actions, over real TCP (ami.md §1.7, §2.3, §2.5)."""

from __future__ import annotations

import asyncio

import pytest

from telephony.sim.server import Simulator
from telephony.sim.spec import CallSpec
from tests.telephony.sim.client import Frame, RawAmi, get


async def _list(ami: RawAmi, action: str, complete: str, *pairs: tuple[str, str]) -> tuple[Frame, list[Frame], Frame]:
    await ami.send(("Action", action), ("ActionID", f"l-{action}"), *pairs)
    frames = await ami.until(lambda f: get(f, "Event") == complete)
    mine = [f for f in frames if get(f, "ActionID") == f"l-{action}"]
    return mine[0], mine[1:-1], mine[-1]


async def test_queue_status_is_an_event_list_with_action_id_last(sim: Simulator, ami: RawAmi) -> None:
    sim.engine.place(CallSpec(caller="+380501234567", outcome="abandoned", wait_seconds=500, notice_seconds=0))
    await ami.until(lambda f: get(f, "Event") == "QueueCallerJoin")
    ack, items, done = await _list(ami, "QueueStatus", "QueueStatusComplete", ("Queue", "hotline"))
    assert ack == [("Response", "Success"), ("ActionID", "l-QueueStatus"), ("EventList", "start"), ("Message", "Queue status will follow")]
    kinds = [get(i, "Event") for i in items]
    assert kinds[0] == "QueueParams"
    assert kinds.count("QueueMember") == 4
    assert kinds[-1] == "QueueEntry"
    assert all(i[-1] == ("ActionID", "l-QueueStatus") and get(i, "Privilege") is None for i in items)
    entry = items[-1]
    assert get(entry, "CallerIDNum") == "+380501234567"
    assert get(entry, "CallerIDName") == "unknown"
    assert get(entry, "Position") == "1"
    member = next(i for i in items if get(i, "Event") == "QueueMember")
    assert [k for k, _ in member][:4] == ["Event", "Queue", "Name", "Location"]
    assert done == [
        ("Event", "QueueStatusComplete"),
        ("ActionID", "l-QueueStatus"),
        ("EventList", "Complete"),
        ("ListItems", str(len(items))),
    ]


async def test_queue_summary(sim: Simulator, ami: RawAmi) -> None:
    ack, items, done = await _list(ami, "QueueSummary", "QueueSummaryComplete")
    assert get(ack, "Message") == "Queue summary will follow"
    hotline = next(i for i in items if get(i, "Queue") == "hotline")
    assert get(hotline, "LoggedIn") == "4"
    assert get(hotline, "Available") == "4"
    assert get(hotline, "Callers") == "0"
    assert get(done, "ListItems") == str(len(items)) == "2"


async def test_core_show_channels_lists_live_legs_with_action_id_second(sim: Simulator, ami: RawAmi) -> None:
    placed = sim.engine.place(CallSpec(notice_seconds=500))
    ack, items, done = await _list(ami, "CoreShowChannels", "CoreShowChannelsComplete")
    assert get(ack, "Message") == "Channels will follow"
    assert len(items) == 1
    assert items[0][1] == ("ActionID", "l-CoreShowChannels")
    item = items[0]
    assert get(item, "Uniqueid") == get(item, "Linkedid") == placed.uniqueid
    assert get(item, "Context") == "from-trunk"
    assert get(item, "Exten") == "1551"
    assert [k for k, _ in item][-4:] == ["Application", "ApplicationData", "Duration", "BridgeId"]
    assert get(done, "ListItems") == "1"


async def test_empty_list_still_completes(ami: RawAmi) -> None:
    _, items, done = await _list(ami, "CoreShowChannels", "CoreShowChannelsComplete")
    assert items == []
    assert get(done, "ListItems") == "0"


ORIGINATE = (
    ("Channel", "PJSIP/op101"),
    ("Context", "callcenter-callback"),
    ("Exten", "380501234567"),
    ("Priority", "1"),
    ("Async", "true"),
)


async def _originate(ami: RawAmi, channel_id: str, *extra: tuple[str, str], channel: str = "PJSIP/op101") -> tuple[Frame, Frame]:
    pairs = [(k, channel if k == "Channel" else v) for k, v in ORIGINATE]
    response = await ami.action(
        "Originate", *pairs, ("ChannelId", channel_id), ("Variable", "CC_APPEAL_ID=7"), ("Variable", "CC_TASK_ID=9"), *extra
    )
    aid = get(response, "ActionID")
    frames = await ami.until(lambda f: get(f, "Event") == "OriginateResponse" and get(f, "ActionID") == aid)
    return response, frames[-1]


async def test_originate_answered(sim: Simulator, ami: RawAmi) -> None:
    response, event = await _originate(ami, "cb-1111")
    assert get(response, "Message") == "Originate successfully queued"
    assert [k for k, _ in event][:4] == ["Event", "Privilege", "ActionID", "Response"]
    assert get(event, "Response") == "Success"
    assert get(event, "Reason") == "4"
    assert get(event, "Uniqueid") == "cb-1111"
    assert (get(event, "Channel") or "").startswith("PJSIP/op101-")
    assert get(event, "Context") == "callcenter-callback"
    assert get(event, "Exten") == "380501234567"
    frames = await ami.until(lambda f: get(f, "Event") == "DialBegin")
    assert get(frames[-1], "DestLinkedid") == "cb-1111"
    assert (get(frames[-1], "DestChannel") or "").startswith("PJSIP/trunk-")
    assert sim.originates[-1]["headers"][-2:] == [["Variable", "CC_APPEAL_ID=7"], ["Variable", "CC_TASK_ID=9"]]


@pytest.mark.parametrize(("outcome", "reason"), [("busy", "5"), ("noanswer", "3"), ("reject", "1"), ("congestion", "8")])
async def test_originate_failures_report_the_reason(sim: Simulator, ami: RawAmi, outcome: str, reason: str) -> None:
    sim.originate_script.push("PJSIP/op101", outcome)
    _, event = await _originate(ami, f"cb-{outcome}")
    assert get(event, "Response") == "Failure"
    assert get(event, "Reason") == reason
    assert get(event, "Channel") == "PJSIP/op101"  # the requested string, no -0000 suffix


async def test_originate_to_an_unknown_endpoint_fails_with_reason_0(ami: RawAmi) -> None:
    _, event = await _originate(ami, "cb-x", channel="SIP/nowhere")
    assert get(event, "Response") == "Failure"
    assert get(event, "Reason") == "0"
    assert get(event, "Uniqueid") == "cb-x"


async def test_originate_to_an_unregistered_phone_fails(sim: Simulator, ami: RawAmi) -> None:
    sim.unavailable.add("PJSIP/op103")
    _, event = await _originate(ami, "cb-y", channel="PJSIP/op103")
    assert get(event, "Reason") == "0"


async def test_sync_originate_blocks_then_answers(ami: RawAmi) -> None:
    pairs = [(k, "false" if k == "Async" else v) for k, v in ORIGINATE]
    response = await ami.action("Originate", *pairs, ("ChannelId", "sync-1"))
    assert get(response, "Response") == "Success"
    assert get(response, "Message") == "Originate successfully queued"


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ((), "Channel not specified"),
        ((("Channel", "op101"),), "Invalid channel"),
        ((("Channel", "PJSIP/op101"), ("Exten", "1")), "Originate with 'Exten' requires 'Context' and 'Priority'"),
        ((("Channel", "PJSIP/op101"), ("Context", "nowhere"), ("Exten", "1"), ("Priority", "1")), "Extension does not exist."),
        ((("Channel", "PJSIP/op101"), ("Context", "operators"), ("Exten", "1"), ("Priority", "x")), "Invalid priority"),
    ],
)
async def test_originate_validation_errors(ami: RawAmi, pairs: tuple[tuple[str, str], ...], message: str) -> None:
    response = await ami.action("Originate", *pairs)
    assert get(response, "Response") == "Error"
    assert get(response, "Message") == message


async def test_spy_originate_starts_chanspy_on_the_operators_call(sim: Simulator, ami: RawAmi) -> None:
    sim.engine.place(CallSpec(operator="PJSIP/op101", notice_seconds=0, ring_seconds=0, talk_seconds=300))
    await ami.until(lambda f: get(f, "Event") == "AgentConnect")
    response = await ami.action(
        "Originate",
        ("Channel", "PJSIP/op104"),
        ("Application", "ChanSpy"),
        ("Data", "PJSIP/op101,qE"),
        ("Async", "true"),
        ("ChannelId", "spy-1"),
    )
    assert get(response, "Response") == "Success"
    frames = await ami.until(lambda f: get(f, "Event") == "ChanSpyStart")
    result = next(f for f in frames if get(f, "Event") == "OriginateResponse")
    assert get(result, "Application") == "ChanSpy"
    assert get(result, "Data") == "PJSIP/op101,qE"
    assert get(result, "Reason") == "4"
    assert (get(frames[-1], "SpyeeChannel") or "").startswith("PJSIP/op101-")


async def test_queue_pause_add_remove(sim: Simulator, ami: RawAmi) -> None:
    paused = await ami.action("QueuePause", ("Interface", "PJSIP/op102"), ("Paused", "true"), ("Queue", "hotline"), ("Reason", "обід"))
    assert get(paused, "Message") == "Interface paused successfully"
    event = (await ami.until(lambda f: get(f, "Event") == "QueueMemberPause"))[-1]
    assert get(event, "ActionID") is None
    assert get(event, "Paused") == "1"
    assert get(event, "PausedReason") == "обід"
    assert get(event, "Interface") == "PJSIP/op102"
    assert get(event, "Queue") == "hotline"
    unpaused = await ami.action("QueuePause", ("Interface", "PJSIP/op102"), ("Paused", "false"))
    assert get(unpaused, "Message") == "Interface unpaused successfully"
    missing = await ami.action("QueuePause", ("Interface", "PJSIP/op999"), ("Paused", "true"))
    assert get(missing, "Message") == "Interface not found"
    assert get(await ami.action("QueuePause", ("Interface", "PJSIP/op101")), "Message") == "Need 'Interface' and 'Paused' parameters."
    added = await ami.action("QueueAdd", ("Queue", "consult"), ("Interface", "PJSIP/op101"), ("MemberName", "Оператор 101"))
    assert get(added, "Message") == "Added interface to queue"
    event = (await ami.until(lambda f: get(f, "Event") == "QueueMemberAdded"))[-1]
    assert get(event, "MemberName") == "Оператор 101"
    assert get(event, "Membership") == "dynamic"
    assert get(event, "ActionID") is None
    again = await ami.action("QueueAdd", ("Queue", "consult"), ("Interface", "PJSIP/op101"))
    assert get(again, "Message") == "Unable to add interface: Already there"
    assert (
        get(await ami.action("QueueAdd", ("Queue", "nope"), ("Interface", "PJSIP/op101")), "Message")
        == "Unable to add interface to queue: No such queue"
    )
    removed = await ami.action("QueueRemove", ("Queue", "consult"), ("Interface", "PJSIP/op101"))
    assert get(removed, "Message") == "Removed interface from queue"
    assert await ami.until(lambda f: get(f, "Event") == "QueueMemberRemoved")
    assert (
        get(await ami.action("QueueRemove", ("Queue", "consult"), ("Interface", "PJSIP/op101")), "Message")
        == "Unable to remove interface: Not there"
    )
    static = await ami.action("QueueRemove", ("Queue", "hotline"), ("Interface", "PJSIP/op101"))
    assert get(static, "Message") == "Unable to remove interface 'PJSIP/op101' from queue 'hotline': Not dynamic"
    await asyncio.sleep(0)


async def test_command_output_lines(ami: RawAmi) -> None:
    sim_version = await ami.action("Command", ("Command", "core show version"))
    assert get(sim_version, "Response") == "Error"  # the listener's user has no `command` write class


async def test_callback_to_a_busy_citizen_reports_the_dial_status(sim: Simulator, ami: RawAmi) -> None:
    sim.originate_script.push("380501234567", "busy", citizen=True)
    _, event = await _originate(ami, "cb-busy")
    assert get(event, "Reason") == "4"  # the operator answered; the citizen is busy
    frames = await ami.until(lambda f: get(f, "UserEvent") == "CallcenterCallbackResult")
    assert get(frames[-1], "DialStatus") == "BUSY"
    assert get(frames[-1], "TaskId") == "9"
    assert get(frames[-1], "Linkedid") == "cb-busy"
    dial_end = next(f for f in frames if get(f, "Event") == "DialEnd")
    assert get(dial_end, "DialStatus") == "BUSY"


async def test_answered_callback_is_recorded_under_the_channel_id(sim: Simulator, ami: RawAmi) -> None:
    await _originate(ami, "cb-rec")
    frames = await ami.until(lambda f: get(f, "UserEvent") == "CallcenterRecording", limit=20)
    assert get(frames[-1], "Uniqueid") == get(frames[-1], "Linkedid") == "cb-rec"
    assert (get(frames[-1], "RecordingFile") or "").endswith("/cb-rec.wav")
    assert any(get(f, "UserEvent") == "CallcenterCallbackResult" and get(f, "DialStatus") == "ANSWER" for f in frames)
