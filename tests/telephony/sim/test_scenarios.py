"""The call engine's event sequences: well-formed, Linkedid-consistent, per outcome (ami.md §2, the captures)."""

from __future__ import annotations

import asyncio
import random

import pytest

from telephony.sim.scenario import burst, random_spec, run_scenario
from telephony.sim.server import SimConfig, Simulator
from telephony.sim.spec import OUTCOMES, CallSpec
from tests.telephony.sim.events import Recorder, check_well_formed


@pytest.fixture
async def fast(tmp_path):
    sim = Simulator(SimConfig(speed=1000, recordings_dir=tmp_path / "rec"))
    yield sim
    await sim.close()


async def _run(sim: Simulator, *specs: CallSpec) -> Recorder:
    rec = Recorder(sim)
    placed = [sim.engine.place(spec) for spec in specs]
    await asyncio.wait_for(asyncio.gather(*(p.task for p in placed)), 30)
    await asyncio.sleep(0.05)  # Originate-free flows finish with their task
    check_well_formed(rec.events)
    return rec


@pytest.mark.parametrize("outcome", OUTCOMES)
async def test_each_inbound_outcome_is_well_formed(fast: Simulator, outcome: str) -> None:
    rec = await _run(fast, CallSpec(outcome=outcome))
    trunk = rec.named("Newchannel")[0]
    assert trunk["Channel"].startswith("PJSIP/trunk-")
    assert trunk["Uniqueid"] == trunk["Linkedid"]
    assert trunk["Context"] == "from-trunk"
    assert trunk["Exten"] == "1551"
    assert trunk["ChannelState"] == "4"
    assert trunk["ChannelStateDesc"] == "Ring"
    trunk_hangups = [h for h in rec.named("Hangup") if h["Uniqueid"] == trunk["Uniqueid"]]
    assert len(trunk_hangups) == 1
    assert trunk_hangups[0]["Cause"] == "16"
    recordings = rec.user("CallcenterRecording")
    answered = outcome in ("answered", "agent_hangup", "no_answer_then_answered", "blind_transfer", "attended_transfer")
    assert len(recordings) == int(answered)
    assert bool(rec.named("AgentConnect")) == answered
    if answered:
        r = recordings[0]
        assert r["Linkedid"] == r["Uniqueid"] == trunk["Uniqueid"]
        assert r["Layout"] == "stereo"
        assert r["RecordingFile"].endswith(f"/{trunk['Uniqueid']}.wav")
        assert r["RecordingFile"].count("/") == 3
        assert (fast.config.recordings_dir / r["RecordingFile"]).is_file()  # type: ignore[operator]
        hangups = rec.named("Hangup")
        assert rec.events.index(r) < rec.events.index(next(h for h in hangups if h["Uniqueid"] == trunk["Uniqueid"]))


async def test_abandon_sequence(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(outcome="abandoned", wait_seconds=10, ring_seconds=30))
    names = [e["Event"] for e in rec.events]
    assert names.index("HangupRequest") < names.index("QueueCallerAbandon") < names.index("QueueCallerLeave") < len(names) - 1
    assert [e["DialStatus"] for e in rec.named("DialEnd")] == ["CANCEL"]
    abandon = rec.named("QueueCallerAbandon")[0]
    assert abandon["Queue"] == "hotline"
    assert abandon["OriginalPosition"] == "1"
    assert int(abandon["HoldTime"]) >= 9


async def test_callback_request_leaves_the_queue_without_abandon(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(outcome="callback_request", caller="+380671112233"))
    assert not rec.named("QueueCallerAbandon")
    [request] = rec.user("CallcenterCallbackRequest")
    trunk = rec.named("Newchannel")[0]
    assert request["Linkedid"] == trunk["Uniqueid"]
    assert request["CallerIDNum"] == "+380671112233"
    assert request["Queue"] == "hotline"


async def test_ring_no_answer_then_the_next_operator(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(outcome="no_answer_then_answered"))
    [rna] = rec.named("AgentRingNoAnswer")
    [connect] = rec.named("AgentConnect")
    assert rna["Interface"] != connect["Interface"]
    assert [e["DialStatus"] for e in rec.named("DialEnd")] == ["NOANSWER", "ANSWER"]
    assert all(e["DestLinkedid"] == e["Linkedid"] for e in rec.named("AgentCalled"))


async def test_agent_legs_inherit_the_linkedid_and_carry_the_did(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(operator="PJSIP/op103"))
    trunk, agent = rec.named("Newchannel")
    assert agent["Channel"].startswith("PJSIP/op103-")
    assert agent["Linkedid"] == trunk["Uniqueid"] != agent["Uniqueid"]
    assert agent["Exten"] == "1551"
    assert agent["Context"] == "operators"
    assert agent["ChannelState"] == "0"
    [called] = rec.named("AgentCalled")
    assert called["Interface"] == called["MemberName"] == "PJSIP/op103"
    assert called["DestConnectedLineNum"] == "+380441234567"
    statuses = [e["Status"] for e in rec.named("QueueMemberStatus") if e["Interface"] == "PJSIP/op103"]
    assert statuses[:2] == ["6", "2"]
    assert statuses[-1] == "1"
    [complete] = rec.named("AgentComplete")
    assert complete["Reason"] == "caller"


async def test_blind_transfer(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(outcome="blind_transfer", operator="PJSIP/op101", transfer_to="PJSIP/op102"))
    [transfer] = rec.named("BlindTransfer")
    assert transfer["TransfererChannel"].startswith("PJSIP/op101-")
    assert transfer["Extension"] == "102"
    assert [c["Reason"] for c in rec.named("AgentComplete")] == ["transfer"]
    trunk = rec.named("Newchannel")[0]
    second = next(e for e in rec.named("Newchannel") if e["Channel"].startswith("PJSIP/op102-"))
    assert second["Linkedid"] == trunk["Uniqueid"]


async def test_attended_transfer_joins_two_linkedid_trees(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(outcome="attended_transfer", operator="PJSIP/op101", transfer_to="PJSIP/op102"))
    trunk = rec.named("Newchannel")[0]
    consult = next(e for e in rec.named("Newchannel") if e["Channel"].startswith("PJSIP/op101-") and e["ChannelState"] == "4")
    assert consult["Uniqueid"] == consult["Linkedid"] != trunk["Uniqueid"]  # an independent tree
    [transfer] = rec.named("AttendedTransfer")
    assert transfer["OrigTransfererLinkedid"] == trunk["Uniqueid"]
    assert transfer["SecondTransfererLinkedid"] == consult["Uniqueid"]
    target = transfer["TransferTargetUniqueid"]
    swapped = next(e for e in rec.named("BridgeEnter") if e["Uniqueid"] == target and "SwapUniqueid" in e)
    assert swapped["Linkedid"] == trunk["Uniqueid"]  # the oldest Linkedid wins after the bridge


async def test_local_channel_halves_share_the_callers_linkedid(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(kind="local", caller="anonymous"))
    trunk = rec.named("Newchannel")[0]
    assert trunk["CallerIDNum"] == "anonymous"
    halves = [e for e in rec.named("Newchannel") if e["Channel"].startswith("Local/")]
    assert [h["Channel"][-2:] for h in halves] == [";1", ";2"]
    assert {h["Linkedid"] for h in halves} == {trunk["Uniqueid"]}
    assert rec.named("LocalBridge")


async def test_withheld_caller_shows_unknown(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(caller="", notice_seconds=0))
    trunk = rec.named("Newchannel")[0]
    assert trunk["CallerIDNum"] == "<unknown>"
    assert trunk["CallerIDName"] == "<unknown>"


async def test_outbound_trunk_leg_looks_inbound_but_is_not_first(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(kind="outbound", operator="PJSIP/op102", target="0501234567"))
    phone, trunk = rec.named("Newchannel")
    assert phone["Channel"].startswith("PJSIP/op102-")
    assert phone["Context"] == "operators"
    assert phone["Exten"] == "0501234567"
    assert trunk["Channel"].startswith("PJSIP/trunk-")
    assert trunk["Context"] == "from-trunk"
    assert trunk["Exten"] == "s"
    assert trunk["Linkedid"] == phone["Uniqueid"] != trunk["Uniqueid"]
    assert not rec.user("CallcenterRecording")


async def test_internal_call(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(kind="internal", operator="PJSIP/op101", target="102"))
    names = [e["Channel"].split("-")[0] for e in rec.named("Newchannel")]
    assert names == ["PJSIP/op101", "PJSIP/op102"]


async def test_cyrillic_and_quotes_in_caller_names_are_c_escaped(fast: Simulator) -> None:
    rec = await _run(fast, CallSpec(caller_name='ТОВ "Київ"', notice_seconds=0, outcome="abandoned", wait_seconds=1))
    assert rec.named("Newchannel")[0]["CallerIDName"] == 'ТОВ \\"Київ\\"'


async def test_two_hundred_simultaneous_calls_stay_well_formed(fast: Simulator) -> None:
    rng = random.Random(7)
    specs = [random_spec(rng, fast.operator_interfaces()) for _ in range(200)]
    rec = await _run(fast, *specs)
    firsts = {e["Linkedid"] for e in rec.named("Newchannel") if e["Uniqueid"] == e["Linkedid"] and e["Channel"].startswith("PJSIP/trunk-")}
    inbound = sum(1 for s in specs if s.kind in ("inbound", "local"))
    assert len(firsts) == inbound
    assert not fast.pbx.channels


async def test_mass_outage_burst(fast: Simulator) -> None:
    rec = Recorder(fast)
    linkedids = await burst(fast, 80, rng=random.Random(3), seconds=10)
    await asyncio.wait_for(asyncio.gather(*(p.task for p in list(fast.engine.active.values()))), 60)
    check_well_formed(rec.events)
    assert len(set(linkedids)) == 80
    assert max(int(e["Count"]) for e in rec.named("QueueCallerJoin")) > 10  # many wait at once
    assert rec.named("QueueCallerAbandon")
    assert rec.user("CallcenterCallbackRequest")


async def test_scenario_mode_generates_traffic(fast: Simulator) -> None:
    rec = Recorder(fast)
    task = asyncio.get_running_loop().create_task(run_scenario(fast, "mixed", rate=600, seed=1))
    await asyncio.sleep(0.5)
    task.cancel()
    assert len(rec.named("Newchannel")) > 5


async def test_operators_pause_and_drop_off_in_a_working_day(fast: Simulator) -> None:
    from telephony.sim.scenario import operator_activity

    rec = Recorder(fast)
    task = asyncio.get_running_loop().create_task(operator_activity(fast, random.Random(4)))
    await asyncio.sleep(3)  # ~50 simulated minutes
    task.cancel()
    pauses = rec.named("QueueMemberPause")
    statuses = rec.named("QueueMemberStatus")
    assert pauses or statuses
    touched = {e["Interface"] for e in pauses + statuses}
    assert touched <= {"PJSIP/op103", "PJSIP/op104"}  # the demo users' phones (op101, op102) are left alone
    assert {e["PausedReason"] for e in pauses if e["Paused"] == "1"} <= {"перерва", "обід", "навчання", "документи"}


async def test_unknown_scenario_is_refused(fast: Simulator) -> None:
    with pytest.raises(ValueError, match="unknown scenario 'holiday'"):
        await run_scenario(fast, "holiday", rate=1)
