"""Caller cards built ahead: the hub starts a call's card when the call is offered, so it is ready when a phone rings.

Between `call.offered` and the first `call.agent_ringing` the caller hears the recording notice and waits in the
queue (seconds); the card's query runs then instead of while the operator's phone is ringing, and the hub's stream
reader never waits for it. Cards of calls that end unanswered are dropped with the call; at most `limit` are kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from agent_console.hub_state import LiveCall

Card = dict[str, Any] | None
SafeCardBuilder = Callable[[LiveCall], Coroutine[Any, Any, Card]]
"""Builds a call's card; returns None (after logging) when it cannot."""


class CardPrefetch:
    def __init__(self, build: SafeCardBuilder, *, limit: int = 1000) -> None:
        self._build = build
        self._tasks: dict[str, asyncio.Task[Card]] = {}
        self.limit = limit

    def __len__(self) -> int:
        return len(self._tasks)

    def start(self, call: LiveCall) -> None:
        """Begin building `call`'s card in the background (once); the oldest prefetched card goes when full."""
        if call.card is not None or call.call_id in self._tasks:
            return
        if len(self._tasks) >= self.limit:
            self.drop(next(iter(self._tasks)))
        self._tasks[call.call_id] = asyncio.get_running_loop().create_task(self._build(call))

    async def take(self, call: LiveCall) -> Card:
        """The call's card: the prefetched one (waiting for it if still being built), else built now."""
        task = self._tasks.pop(call.call_id, None)
        if task is not None:
            card = await task
            if card is not None:
                return card
        return await self._build(call)

    def drop(self, call_id: str) -> None:
        """Forget a call's card (the call ended before any phone rang)."""
        task = self._tasks.pop(call_id, None)
        if task is not None:
            task.cancel()

    def close(self) -> None:
        for call_id in list(self._tasks):
            self.drop(call_id)
