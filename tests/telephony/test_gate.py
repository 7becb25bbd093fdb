"""The listener's write gate: bounded concurrency, drafts first, and a slot kept for drafts on parallel backends."""

from __future__ import annotations

import asyncio

import pytest

from telephony.gate import WriteGate


async def _hold(gate: WriteGate, priority: int, name: str, log: list[str], release: asyncio.Event) -> None:
    async with gate.slot(priority):
        log.append(name)
        await release.wait()


async def test_at_most_n_writers_and_drafts_jump_the_queue() -> None:
    log: list[str] = []
    gate, release = WriteGate(1), asyncio.Event()
    first = asyncio.create_task(_hold(gate, 1, "end-1", log, release))
    await asyncio.sleep(0)
    waiting = [
        asyncio.create_task(_hold(gate, p, n, log, release)) for p, n in ((1, "end-2"), (0, "offer-1"), (1, "end-3"), (0, "offer-2"))
    ]
    await asyncio.sleep(0.01)
    assert log == ["end-1"]  # one slot: everyone else waits
    release.set()
    await asyncio.gather(first, *waiting)
    assert log == ["end-1", "offer-1", "offer-2", "end-2", "end-3"]  # drafts first, arrival order within a priority
    assert gate.free == 1


async def test_a_kept_slot_serves_only_drafts() -> None:
    log: list[str] = []
    gate = WriteGate(2, reserved=1)
    slow = asyncio.Event()
    ends = [asyncio.create_task(_hold(gate, 1, f"end-{i}", log, slow)) for i in range(3)]
    await asyncio.sleep(0.01)
    assert log == ["end-0"]  # answers and hang-ups get one slot between them
    fast = asyncio.Event()
    offer = asyncio.create_task(_hold(gate, 0, "offer", log, fast))
    await asyncio.sleep(0.01)
    assert log == ["end-0", "offer"]  # the next caller's draft does not wait behind them
    fast.set()
    await offer
    await asyncio.sleep(0.01)
    assert log == ["end-0", "offer"]  # the freed kept slot is not taken by an end
    slow.set()
    await asyncio.gather(*ends)
    assert log == ["end-0", "offer", "end-1", "end-2"]
    assert gate.free == 2


async def test_a_cancelled_waiter_gives_its_turn_on() -> None:
    log: list[str] = []
    gate, release = WriteGate(1), asyncio.Event()
    holder = asyncio.create_task(_hold(gate, 1, "a", log, release))
    await asyncio.sleep(0)
    gone = asyncio.create_task(_hold(gate, 0, "gone", log, release))
    after = asyncio.create_task(_hold(gate, 1, "b", log, release))
    await asyncio.sleep(0.01)
    gone.cancel()
    release.set()
    await asyncio.gather(holder, after)
    assert log == ["a", "b"]
    assert gate.free == 1


def test_a_gate_must_leave_a_slot_for_every_priority() -> None:
    with pytest.raises(ValueError, match="slot for every priority"):
        WriteGate(1, reserved=1)
