"""A burst larger than a console's queue drops that console with close code 4408 (it reconnects and resyncs)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from websockets.exceptions import ConnectionClosed

from agent_console.hub import HubConfig
from appeals.models import Role, User
from runtime.streams import EVENTS, EVENTS_MAXLEN, event_fields
from tests.agent_console.console.wsclient import Console, token, wait_until
from tests.browser.conftest import Live


@pytest.fixture(scope="module")
def hub_config() -> HubConfig:
    return HubConfig(queue_size=16, heartbeat_seconds=30.0)


async def test_a_burst_over_the_queue_bound_drops_the_console_with_4408(live: Live, staff: Callable[..., User]) -> None:
    staff("sup_burst", Role.supervisor)
    console = await Console.open(live, token(live, "sup_burst"))
    assert (await console.next())["type"] == "snapshot"
    pipe = live.redis.pipeline(transaction=False)
    for n in range(200):  # one XREAD batch: dispatched without yielding to the sender, so the queue of 16 overflows
        pipe.xadd(
            EVENTS, event_fields("queue.state", {"queue": "hotline", "waiting": n, "members": [], "counters": {}}), maxlen=EVENTS_MAXLEN
        )
    await asyncio.to_thread(pipe.execute)
    with pytest.raises(ConnectionClosed) as closed:
        await console.drain()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408
    hub = live.app.state.hub
    await wait_until(lambda: not hub.clients)
