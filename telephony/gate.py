"""A write gate: at most N concurrent DB writes; a waiting `call.offered` write goes before the others, and on a
backend with parallel writers some slots are kept for it, so a burst of answers and hang-ups never makes the next
caller's draft wait for a slot."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator


class WriteGate:
    def __init__(self, slots: int, *, reserved: int = 0) -> None:
        """`reserved` of the `slots` serve only priority-0 work (must leave at least one slot for the rest)."""
        if slots < 1 or not 0 <= reserved < slots:
            raise ValueError(f"a gate needs a slot for every priority: slots={slots}, reserved={reserved}")
        self.free, self.reserved = slots, reserved
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def _eligible(self, priority: int) -> bool:
        return self.free > (self.reserved if priority > 0 else 0)

    @contextlib.asynccontextmanager
    async def slot(self, priority: int) -> AsyncIterator[None]:
        """Hold one slot; lower `priority` values are served first, in arrival order within a priority."""
        if self._eligible(priority) and not (self._waiting and self._waiting[0][0] <= priority):
            self.free -= 1
        else:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), future))
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self._release()
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        self.free += 1
        while self._waiting:
            priority, _, future = self._waiting[0]
            if future.done():  # cancelled while waiting
                heapq.heappop(self._waiting)
                continue
            if not self._eligible(priority):
                return  # the best waiter may not take a kept slot; every other waiter ranks no higher
            heapq.heappop(self._waiting)
            self.free -= 1
            future.set_result(None)
            if not self.free:
                return
