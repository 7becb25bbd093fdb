"""Originate as `action_originate()`/`fast_originate()` do it: validation, Async vs sync, OriginateResponse outcomes.

The first leg is the given Channel (an operator's phone). Its outcome comes from a script set through the
control interface (`script_originate`), else from the device state: an unknown or unavailable interface
fails with Reason 0, anything else answers (Reason 4) and then runs the context: `callcenter-callback`
dials the citizen through the trunk (recorded), `Application: ChanSpy` spies on the named phone.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from telephony.sim.channels import Channel
from telephony.sim.queues import INUSE, RINGING, UNAVAILABLE

if TYPE_CHECKING:
    from telephony.sim.flows import Flows
    from telephony.sim.session import Session
    from telephony.sim.wire import Action, Pairs

KNOWN_CONTEXTS = frozenset({"callcenter-callback", "operators", "from-trunk", "callcenter-spy"})
OUTCOMES = {"answer": (4, 16), "busy": (5, 17), "noanswer": (3, 19), "unavailable": (0, 20), "reject": (1, 21), "congestion": (8, 34)}
TRUE = ("yes", "true", "y", "t", "1", "on")


class OriginateScript:
    """Scripted outcomes per interface (operator leg) and per number (citizen leg); `answer` by default."""

    def __init__(self) -> None:
        self.first: dict[str, deque[str]] = {}
        self.second: dict[str, deque[str]] = {}

    def push(self, key: str, outcome: str, *, citizen: bool = False) -> None:
        if outcome not in OUTCOMES:
            msg = f"originate outcome must be one of {sorted(OUTCOMES)}, got {outcome!r}"
            raise ValueError(msg)
        (self.second if citizen else self.first).setdefault(key, deque()).append(outcome)

    def take(self, key: str, *, citizen: bool = False) -> str | None:
        queue = (self.second if citizen else self.first).get(key)
        return queue.popleft() if queue else None


def _validate(action: Action) -> str | None:
    channel = action.get("Channel")
    if not channel:
        return "Channel not specified"
    if "/" not in channel:
        return "Invalid channel"
    if action.get("Exten") and not (action.get("Context") and action.get("Priority")):
        return "Originate with 'Exten' requires 'Context' and 'Priority'"
    if action.get("Priority") and not action.get("Priority").isdigit():
        return "Invalid priority"
    if action.get("Timeout") and not action.get("Timeout").isdigit():
        return "Invalid timeout"
    if not action.get("Application") and action.get("Context") not in KNOWN_CONTEXTS:
        return "Extension does not exist."
    if len(action.get("ChannelId")) > 149:
        return "Uniqueid length exceeds maximum of 149"
    return None


def _variables(action: Action) -> dict[str, str]:
    out = {}
    for value in action.all("Variable"):
        for part in value.split(","):
            name, _, val = part.partition("=")
            if name.strip():
                out[name.strip()] = val
    return out


def _caller_id(text: str) -> tuple[str, str]:
    if "<" in text and text.endswith(">"):
        name, _, num = text[:-1].partition("<")
        return name.strip().strip('"'), num.strip()
    return "", text.strip()


async def originate(flows: Flows, session: Session, action: Action) -> None:
    error = _validate(action)
    sim = flows.sim
    sim.originates.append({"at": time.time(), "headers": [list(p) for p in action.pairs], "error": error})
    sim.stats["originates"] += 1
    if error is not None:
        session.respond(action, "Error", error)
        return
    if action.get("Async").strip().lower() in TRUE:
        session.respond(action, "Success", "Originate successfully queued")
        sim.spawn(run_first_leg(flows, action, async_response=True))
        return
    ok = await run_first_leg(flows, action, async_response=False)  # sync: the session blocks, as in Asterisk
    if ok:
        session.respond(action, "Success", "Originate successfully queued")
    else:
        session.respond(action, "Error", "Originate failed")


async def run_first_leg(flows: Flows, action: Action, *, async_response: bool) -> bool:
    """Ring the first leg; emit OriginateResponse (async only); on answer, run the dialplan or application."""
    pbx, sim = flows.pbx, flows.sim
    requested, chan_id = action.get("Channel"), action.get("ChannelId")
    outcome = sim.originate_script.take(requested) or ("unavailable" if sim.device_state(requested) == UNAVAILABLE else "answer")
    reason, cause = OUTCOMES[outcome]
    cid_name, cid_num = _caller_id(action.get("CallerID"))
    context, exten = action.get("Context"), action.get("Exten")
    leg: Channel | None = None
    if reason != 0:
        leg = pbx.new_channel(
            pbx.channel_name(requested),
            context=context or "default",
            exten=exten or "s",
            state=0,
            uniqueid=chan_id or None,
            caller_num=cid_num,
            caller_name=cid_name,
            language="uk",
        )
        for name, value in _variables(action).items():
            pbx.var_set(leg, name, value)
        pbx.set_state(leg, 5)
        pbx.member_status(requested, RINGING)
        timeout = int(action.get("Timeout") or 30000) / 1000
        await flows.engine.wait(leg, 2.0 if outcome == "answer" else min(timeout, 8.0))
    body: Pairs = [("ActionID", action.action_id)] if action.action_id is not None else []
    if outcome == "answer" and leg is not None:
        pbx.set_state(leg, 6)
        pbx.member_status(requested, INUSE, in_call=True)
        body += [("Response", "Success"), ("Channel", leg.name)]
    else:
        body += [("Response", "Failure"), ("Channel", requested)]
    where = (
        [("Application", action.get("Application")), ("Data", action.get("Data"))]
        if action.get("Application")
        else [("Context", context), ("Exten", exten)]
    )
    body += [*where, ("Reason", str(reason)), ("Uniqueid", leg.uniqueid if leg else (chan_id or "<unknown>"))]
    body += [("CallerIDNum", cid_num or "<unknown>"), ("CallerIDName", cid_name or "<unknown>")]
    if async_response:
        pbx.emit("OriginateResponse", "call", body)
    if outcome != "answer" or leg is None:
        if leg is not None:
            flows.engine.end(leg, cause)
        flows._member_free_silent(requested)
        return False
    sim.spawn(after_answer(flows, leg, action))
    return True


async def after_answer(flows: Flows, leg: Channel, action: Action) -> None:
    if action.get("Application").lower() == "chanspy":
        await spy(flows, leg, action.get("Data"))
    elif action.get("Context") == "callcenter-callback":
        await callback_dial(flows, leg, action.get("Exten"), task_id=_variables(action).get("CC_TASK_ID", ""))
    else:
        await flows.engine.wait(leg, 10.0)
        flows.engine.end(leg, 16, request=True)
    flows._member_free(leg.interface)


async def spy(flows: Flows, leg: Channel, data: str) -> None:
    pbx = flows.pbx
    target_if = data.split(",", 1)[0]
    spyee = next((c for c in list(pbx.channels.values()) if c.interface == target_if and c is not leg), None)
    pbx.goto(leg, "callcenter-spy", "s", 1, app="ChanSpy", data=data)
    if spyee is None:
        flows.engine.end(leg, 16)
        return
    pbx.emit("ChanSpyStart", "call", [*leg.snapshot("Spyer"), *spyee.snapshot("Spyee")])
    while spyee.uniqueid in pbx.channels and not await flows.engine.wait(leg, 1.0):
        pass
    pbx.emit("ChanSpyStop", "call", [*leg.snapshot("Spyer"), *spyee.snapshot("Spyee")])
    flows.engine.end(leg, 16)


async def callback_dial(flows: Flows, leg: Channel, number: str, *, task_id: str = "") -> None:
    """`callcenter-callback`: MixMonitor, then Dial(PJSIP/<number>@trunk); the citizen's outcome is scripted by number."""
    pbx, eng, trunk = flows.pbx, flows.engine, flows.sim.config.trunk
    pbx.open_cdr(leg)
    pbx.goto(leg, "callcenter-callback", number, 3, app="MixMonitor", data="${CC_RECFILE},D")
    pbx.emit("MixMonitorStart", "call", leg.snapshot())
    pbx.goto(leg, "callcenter-callback", number, 4, app="Dial", data=f"PJSIP/{number}@{trunk}")
    citizen = pbx.new_channel(
        pbx.channel_name(f"PJSIP/{trunk}"),
        context="from-trunk",
        exten="s",
        state=0,
        linkedid=leg.linkedid,
        caller_num=number,
        connected_num=leg.caller_num,
    )
    pbx.dial_begin(leg, citizen, f"{number}@{trunk}")
    outcome = flows.sim.originate_script.take(number, citizen=True) or "answer"
    pbx.set_state(citizen, 5)
    pbx.dial_state(leg, citizen, "RINGING")
    await eng.wait(leg, 3.0 if outcome == "answer" else 8.0)
    if outcome != "answer":
        status = {"busy": "BUSY", "noanswer": "NOANSWER", "congestion": "CONGESTION"}.get(outcome, "CHANUNAVAIL")
        pbx.dial_end(leg, citizen, status)
        eng.end(citizen, OUTCOMES[outcome][1])
        pbx.user_event(leg, "CallcenterCallbackResult", [("Linkedid", leg.linkedid), ("DialStatus", status), ("TaskId", task_id)])
        eng.end(leg, 16)
        return
    pbx.set_state(citizen, 6)
    pbx.dial_end(leg, citizen, "ANSWER")
    pbx.bridge(leg, citizen)
    await eng.wait(leg, 20.0)
    pbx.emit("HangupRequest", "call", [*citizen.snapshot(), ("Cause", "16")])
    pbx.leave_bridge(citizen)
    eng.end(citizen, 16)
    pbx.user_event(leg, "CallcenterCallbackResult", [("Linkedid", leg.linkedid), ("DialStatus", "ANSWER"), ("TaskId", task_id)])
    await eng.record_and_hang_up(leg, recorded=True)
