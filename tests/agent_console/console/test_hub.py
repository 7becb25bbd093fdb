"""The console hub through the real app on uvicorn and the real Redis: events are published into cc:events, as the
listener does (the seam), and consoles are real WebSocket clients over TCP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import Session
from websockets.exceptions import ConnectionClosed

from appeals.models import Role, User
from runtime.metrics import CARD_LATENCY
from runtime.streams import QUEUES_KEY, publish
from tests.agent_console.console.wsclient import Console, token
from tests.browser.conftest import Live, start_live
from tests.factories import make_citizen

PHONE = "+380441230001"


def _card_count() -> float:
    return next(s.value for m in CARD_LATENCY.collect() for s in m.samples if s.name.endswith("_count"))


@pytest.fixture
def desk(live: Live, staff: Callable[..., User], request: pytest.FixtureRequest) -> dict[str, str]:
    """Two operators, a supervisor and a callback agent (unique per test), and their tokens."""
    tag = request.node.name[-20:].replace("[", "_").replace("]", "_")
    names = {"op1": f"o1{tag}", "op2": f"o2{tag}", "sup": f"s{tag}", "cb": f"c{tag}"}
    staff(names["op1"], Role.operator, extension=f"PJSIP/a{tag}")
    staff(names["op2"], Role.operator, extension=f"PJSIP/b{tag}")
    staff(names["sup"], Role.supervisor)
    staff(names["cb"], Role.callback_agent)
    return {key: token(live, name) for key, name in names.items()} | {"ext1": f"PJSIP/a{tag}", "ext2": f"PJSIP/b{tag}"}


async def test_a_wrong_token_and_a_role_without_a_console_are_refused(live: Live, staff: Callable[..., User]) -> None:
    console = await Console.open(live, "v1.1.2.3.forged")
    with pytest.raises(ConnectionClosed) as closed:
        await console.next()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    staff("exec_ws", Role.executor)
    console = await Console.open(live, token(live, "exec_ws"))
    with pytest.raises(ConnectionClosed) as closed:
        await console.next()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_the_card_goes_to_the_ringing_operator_and_supervisors_only_and_is_withdrawn(live: Live, desk: dict[str, str]) -> None:
    with Session(live.engine) as session:
        make_citizen(session, "Коваленко Ірина", [PHONE], now=datetime.now(UTC), address="вул. Київська, 12")
    live.redis.hset(QUEUES_KEY, "hotline", json.dumps({"waiting": [], "members": [], "counters": {"offered": 3}}))
    consoles = {key: await Console.open(live, desk[key]) for key in ("op1", "op2", "sup", "cb")}
    snapshots = {key: await c.next() for key, c in consoles.items()}
    assert all(s["type"] == "snapshot" for s in snapshots.values())
    assert snapshots["sup"]["queues"][0]["queue"] == "hotline"
    assert snapshots["op1"]["queues"] == []
    before = _card_count()

    publish(live.redis, "call.offered", {"call_id": "c-card-1", "appeal_id": None, "caller": PHONE, "did": "1551", "queue": "hotline"})
    ringing_id = publish(live.redis, "call.agent_ringing", {"call_id": "c-card-1", "appeal_id": None, "interface": desk["ext1"]})

    card = await consoles["op1"].next()
    assert card["type"] == "card"
    assert card["id"] == ringing_id
    assert card["interface"] == desk["ext1"]
    assert card["card"]["phone_display"] == "+380 44 123 0001"
    assert [c["full_name"] for c in card["card"]["citizens"]] == ["Коваленко Ірина"]
    sup_offered = await consoles["sup"].next()
    assert sup_offered["type"] == "call.offered"
    sup_card = await consoles["sup"].next()
    assert sup_card["type"] == "card"
    assert sup_card["call_id"] == "c-card-1"

    released_id = publish(live.redis, "call.agent_released", {"call_id": "c-card-1", "interface": desk["ext1"]})
    withdrawn = await consoles["op1"].next()
    assert withdrawn == {"type": "card.withdrawn", "id": released_id, "call_id": "c-card-1", "interface": desk["ext1"]}
    assert (await consoles["sup"].next())["type"] == "card.withdrawn"

    marker = publish(live.redis, "appeal.updated", {"appeal_id": 1, "status": "registered"})
    for key in ("op2", "cb"):  # the first thing the others see is the broadcast: no card, no call events
        assert (await consoles[key].next())["id"] == marker
    assert _card_count() == before + 1
    for c in consoles.values():
        await c.close()


async def test_a_reconnecting_console_resyncs_from_a_snapshot_with_its_ringing_card(live: Live, desk: dict[str, str]) -> None:
    op = await Console.open(live, desk["op1"])
    await op.next()
    publish(live.redis, "call.offered", {"call_id": "c-re-1", "appeal_id": None, "caller": PHONE, "did": "1551", "queue": "hotline"})
    publish(live.redis, "call.agent_ringing", {"call_id": "c-re-1", "appeal_id": None, "interface": desk["ext1"]})
    last = (await op.next())["id"]
    await op.close()
    publish(live.redis, "call.answered", {"call_id": "c-re-1", "interface": desk["ext1"]})  # missed while away

    op = await Console.open(live, desk["op1"], last_id=last)
    snapshot = await op.next()
    assert snapshot["type"] == "snapshot"
    assert snapshot["resync"] is True
    assert snapshot["id"] > last
    assert [c["answered_by"] for c in snapshot["calls"]] == [desk["ext1"]]
    assert snapshot["cards"][0]["card"]["phone_display"] == "+380 44 123 0001"

    await op.send({"type": "resync"})
    again = await op.next()
    assert again["type"] == "snapshot"
    assert again["resync"] is True
    assert again["cards"] == snapshot["cards"]
    ended = publish(live.redis, "call.ended", {"call_id": "c-re-1", "cause": "16", "answered": True, "abandoned": False})
    assert (await op.next())["id"] == ended
    await op.close()


async def test_another_api_instance_serves_the_same_user(live: Live, desk: dict[str, str], db_url: str, redis_url: str) -> None:
    second, stop = start_live(db_url, redis_url, live.app.state.hub.config)
    try:
        op = await Console.open(second, desk["op2"])
        await op.next()
        publish(live.redis, "call.offered", {"call_id": "c-two-1", "appeal_id": None, "caller": None, "did": "1551", "queue": "hotline"})
        publish(live.redis, "call.agent_ringing", {"call_id": "c-two-1", "appeal_id": None, "interface": desk["ext2"]})
        card = await op.next()
        assert card["type"] == "card"
        assert card["card"]["phone"] is None
        assert card["card"]["citizens"] == []
        await op.close()
    finally:
        await asyncio.to_thread(stop)
