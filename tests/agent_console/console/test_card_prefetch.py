"""The hub builds a call's caller card when the call is offered, so the ringing operator gets it without waiting for
the card's query; a failed or missing prefetch falls back to building it at ringing time. The card builder is the
hub's injected seam (a slow one stands in for a loaded database); stream entries go through `dispatch` as read."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aredis

from agent_console.hub import Client, ConsoleHub, ConsoleUser, Outgoing
from agent_console.hub_state import LiveCall
from appeals.models import Role
from runtime.streams import event_fields
from tests.conftest import REDIS_URL

BUILD_SECONDS = 0.3


class SlowCards:
    """A card source that takes BUILD_SECONDS per card and can be told to fail."""

    def __init__(self) -> None:
        self.built: list[str] = []
        self.fail = False

    async def __call__(self, call: LiveCall) -> dict[str, Any]:
        self.built.append(call.call_id)
        await asyncio.sleep(BUILD_SECONDS)
        if self.fail:
            raise RuntimeError("database unavailable")
        return {"phone": call.caller}


async def _worklist(_user: ConsoleUser) -> dict[str, Any]:
    return {}


@pytest.fixture
async def hub() -> AsyncIterator[tuple[ConsoleHub, SlowCards]]:
    client = aredis.Redis.from_url(REDIS_URL, decode_responses=True)
    cards = SlowCards()
    yield ConsoleHub(client, cards=cards, worklist=_worklist), cards
    await client.aclose()


def _console(hub: ConsoleHub, role: Role, extension: str | None = None) -> Client:
    client = hub.register(ConsoleUser(len(hub.clients) + 1, f"u{len(hub.clients)}", "", role, extension))
    client.release(Outgoing("{}"))  # its snapshot went out
    client.queue.get_nowait()
    return client


async def _send(hub: ConsoleHub, n: int, type_: str, **data: Any) -> None:
    fields = {str(k): str(v) for k, v in event_fields(type_, data).items()}
    await hub.dispatch(f"{n}-0", fields)


async def test_the_card_is_built_when_the_call_is_offered_and_ready_when_the_phone_rings(hub: tuple[ConsoleHub, SlowCards]) -> None:
    console, cards = hub
    operator = _console(console, Role.operator, "PJSIP/op101")
    supervisor = _console(console, Role.supervisor)
    await _send(console, 1, "call.offered", call_id="c1", appeal_id=7, caller="+380441230001", queue="hotline")
    await asyncio.sleep(BUILD_SECONDS + 0.2)  # the notice and the queue: the card is built meanwhile
    started = time.monotonic()
    await _send(console, 2, "call.agent_ringing", call_id="c1", appeal_id=7, interface="PJSIP/op101")
    assert time.monotonic() - started < BUILD_SECONDS / 2
    assert cards.built == ["c1"]
    card = operator.queue.get_nowait()
    assert card.card_at is not None
    assert '"type": "card"' in card.text
    assert '"phone": "+380441230001"' in card.text
    assert [supervisor.queue.get_nowait().text for _ in range(2)][1] == card.text  # offered, then the same card
    assert len(console.prefetch) == 0


async def test_a_failed_prefetch_is_built_again_at_ringing_and_an_unanswered_call_drops_its_card(hub: tuple[ConsoleHub, SlowCards]) -> None:
    console, cards = hub
    operator = _console(console, Role.operator, "PJSIP/op101")
    cards.fail = True
    await _send(console, 1, "call.offered", call_id="c2", appeal_id=None, caller="+380441230002", queue="hotline")
    await asyncio.sleep(BUILD_SECONDS + 0.2)
    cards.fail = False
    await _send(console, 2, "call.agent_ringing", call_id="c2", appeal_id=None, interface="PJSIP/op101")
    assert cards.built == ["c2", "c2"]
    assert '"phone": "+380441230002"' in operator.queue.get_nowait().text

    await _send(console, 3, "call.offered", call_id="c3", appeal_id=None, caller="+380441230003", queue="hotline")
    assert len(console.prefetch) == 1
    await _send(console, 4, "call.ended", call_id="c3", cause="16", answered=False, abandoned=True)
    assert len(console.prefetch) == 0


async def test_no_console_connected_means_no_card_query(hub: tuple[ConsoleHub, SlowCards]) -> None:
    console, cards = hub
    await _send(console, 1, "call.offered", call_id="c4", appeal_id=None, caller="+380441230004", queue="hotline")
    await asyncio.sleep(0.05)
    assert cards.built == []
    assert len(console.prefetch) == 0
