"""AMI actions on PBX state: the event lists (CoreShowChannels, QueueStatus, QueueSummary) and the queue-member actions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from telephony.sim.channels import duration_text
from telephony.sim.queues import Member
from telephony.sim.wire import Action, Pairs, encode

if TYPE_CHECKING:
    from telephony.sim.session import Session

TRUE = ("yes", "true", "y", "t", "1", "on")


def _send_list(session: Session, action: Action, message: str, items: list[Pairs], complete: str, *, aid_last: bool) -> None:
    """`EventList: start` ack, the items (ActionID last or second, as app_queue / manager.c put it), the Complete event."""
    session.respond(action, "Success", message, eventlist=True)
    aid = action.action_id
    if session.sim.faults.cut_list:  # disconnect mid-list: half the items, no Complete
        items = items[: len(items) // 2]
    for item in items:
        if aid is None:
            session.send(encode(item))
        elif aid_last:
            session.send(encode([*item, ("ActionID", aid)]))
        else:
            session.send(encode([item[0], ("ActionID", aid), *item[1:]]))
    if session.sim.faults.cut_list:
        session.close()
        return
    tail: Pairs = [("Event", complete)]
    if aid is not None:
        tail.append(("ActionID", aid))
    tail += [("EventList", "Complete"), ("ListItems", str(len(items)))]
    session.send(encode(tail))


async def core_show_channels(session: Session, action: Action) -> None:
    pbx, now = session.sim.pbx, session.sim.pbx.clock.now()
    items = [
        [
            ("Event", "CoreShowChannel"),
            *ch.snapshot(),
            ("Application", ch.application),
            ("ApplicationData", ch.app_data),
            ("Duration", duration_text(now - ch.created_at)),
            ("BridgeId", ch.bridge.uniqueid if ch.bridge else ""),
        ]
        for ch in list(pbx.channels.values())
    ]
    _send_list(session, action, "Channels will follow", items, "CoreShowChannelsComplete", aid_last=False)


async def queue_status(session: Session, action: Action) -> None:
    pbx, now = session.sim.pbx, session.sim.pbx.clock.now()
    wanted_queue, wanted_member = action.get("Queue"), action.get("Member")
    items: list[Pairs] = []
    for queue in pbx.queues.values():
        if wanted_queue and queue.name != wanted_queue:
            continue
        items.append(queue.params_item(now))
        items += [m.status_item(queue.name) for m in queue.members.values() if not wanted_member or m.interface == wanted_member]
        items += queue.entry_items(now)
    _send_list(session, action, "Queue status will follow", items, "QueueStatusComplete", aid_last=True)


async def queue_summary(session: Session, action: Action) -> None:
    pbx, now = session.sim.pbx, session.sim.pbx.clock.now()
    wanted = action.get("Queue")
    items = [q.summary_item(now) for q in pbx.queues.values() if not wanted or q.name == wanted]
    _send_list(session, action, "Queue summary will follow", items, "QueueSummaryComplete", aid_last=True)


async def queue_pause(session: Session, action: Action) -> None:
    pbx = session.sim.pbx
    interface, paused_text = action.get("Interface"), action.get("Paused")
    if not interface or not paused_text:
        session.respond(action, "Error", "Need 'Interface' and 'Paused' parameters.")
        return
    paused = paused_text.strip().lower() in TRUE
    found = [(q, m) for q, m in pbx.find_members(interface) if not action.get("Queue") or q.name == action.get("Queue")]
    if not found:
        session.respond(action, "Error", "Interface not found")
        return
    session.respond(action, "Success", "Interface paused successfully" if paused else "Interface unpaused successfully")
    for queue, member in found:
        member.paused = paused
        member.paused_reason = action.get("Reason") if paused else ""
        if paused:
            member.last_pause = int(time.time())
        pbx.emit("QueueMemberPause", "agent", member.blob(queue.name))
    session.sim.stats["queue_actions"] += 1


async def queue_add(session: Session, action: Action) -> None:
    pbx = session.sim.pbx
    name, interface = action.get("Queue"), action.get("Interface")
    if not name or not interface:
        session.respond(action, "Error", "'Queue' and 'Interface' must be specified.")
        return
    queue = pbx.queues.get(name)
    if queue is None:
        session.respond(action, "Error", "Unable to add interface to queue: No such queue")
        return
    if interface in queue.members:
        session.respond(action, "Error", "Unable to add interface: Already there")
        return
    status = session.sim.device_state(interface)
    paused = action.get("Paused").strip().lower() in TRUE
    member = Member(
        interface=interface, name=action.get("MemberName") or interface, login_time=int(time.time()), status=status, paused=paused
    )
    member.paused_reason = action.get("Reason") if paused else ""
    member.penalty = int(action.get("Penalty") or 0)
    queue.members[interface] = member
    session.respond(action, "Success", "Added interface to queue")
    pbx.emit("QueueMemberAdded", "agent", member.blob(queue.name))
    session.sim.stats["queue_actions"] += 1


async def queue_remove(session: Session, action: Action) -> None:
    pbx = session.sim.pbx
    name, interface = action.get("Queue"), action.get("Interface")
    if not name or not interface:
        session.respond(action, "Error", "Need 'Queue' and 'Interface' parameters.")
        return
    queue = pbx.queues.get(name)
    if queue is None:
        session.respond(action, "Error", "Unable to remove interface from queue: No such queue")
        return
    member = queue.members.get(interface)
    if member is None:
        session.respond(action, "Error", "Unable to remove interface: Not there")
        return
    if member.membership != "dynamic":
        session.respond(action, "Error", f"Unable to remove interface '{interface}' from queue '{name}': Not dynamic")
        return
    del queue.members[interface]
    session.respond(action, "Success", "Removed interface from queue")
    pbx.emit("QueueMemberRemoved", "agent", member.blob(queue.name))
    session.sim.stats["queue_actions"] += 1


async def hangup(session: Session, action: Action) -> None:
    pbx = session.sim.pbx
    target = action.get("Channel")
    ch = next((c for c in pbx.channels.values() if c.name == target), None)
    if ch is None:
        session.respond(action, "Error", "No such channel")
        return
    session.respond(action, "Success", "Channel Hungup")
    session.sim.hangup_requested(ch, int(action.get("Cause") or 16))


async def command(session: Session, action: Action) -> None:
    text = action.get("Command").strip()
    if text == "core show version":
        lines = ["Asterisk 20.10.0 built by callcenter pbx-sim (simulator)"]
    elif text == "core show channels count":
        lines = [f"{len(session.sim.pbx.channels)} active channels"]
    else:
        lines = [f"No such command '{text}' (type 'core show help {text}' for other possible commands)"]
    session.respond(action, "Success", "Command output follows", extra=[("Output", line) for line in lines])
