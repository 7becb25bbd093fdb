"""panoramisk 1.4 (the listener's library) as a client of the simulator: login, event lists, Originate, events."""

from __future__ import annotations

import asyncio

from panoramisk import Manager

from telephony.sim.server import Simulator
from telephony.sim.spec import CallSpec


async def test_panoramisk_logs_in_lists_and_receives_events(sim: Simulator) -> None:
    events: list[str] = []
    both = asyncio.Event()

    def on_event(_manager: Manager, msg: object) -> None:
        events.append(msg.event)  # type: ignore[attr-defined]
        if "OriginateResponse" in events and "AgentConnect" in events:
            both.set()

    manager = Manager(
        loop=asyncio.get_running_loop(), host="127.0.0.1", port=sim.port, username="callcenter", secret="callcenter-demo", ping_delay=60
    )
    manager.register_event("*", on_event)
    await manager.connect()
    assert await asyncio.wait_for(manager.authenticated_future, 5)
    status = await asyncio.wait_for(manager.send_action({"Action": "QueueStatus"}), 5)
    assert [m.event for m in status][-1] == "QueueStatusComplete"
    queued = await asyncio.wait_for(
        manager.send_action(
            {
                "Action": "Originate",
                "ActionID": "pano-1",
                "Channel": "PJSIP/op102",
                "Context": "callcenter-callback",
                "Exten": "380501234567",
                "Priority": "1",
                "Async": "true",
                "ChannelId": "pano-chan",
            },
            as_list=False,
        ),
        5,
    )
    assert queued.message == "Originate successfully queued"
    sim.engine.place(CallSpec(notice_seconds=0, ring_seconds=0, talk_seconds=1))
    await asyncio.wait_for(both.wait(), 10)
    manager.close()
