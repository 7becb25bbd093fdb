"""The PBX simulator as a load source: calls and AMI events per second it produces and delivers over real TCP.

1. flat out: 2000 mixed calls at speed 10 000 (simulated time barely waits), one logged-in TCP client reading
   everything; figures: calls/s, events/s and MB/s received by the client.
2. real time: 50 new inbound calls per second for 20 s (the listener's benchmark target) with 4-8 s calls;
   figures: how late the placements ran (p50/p99/max) and the event rate the client saw.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from telephony.sim.scenario import random_spec
from telephony.sim.server import SimConfig, Simulator
from telephony.sim.spec import CallSpec


async def _reader(port: int, counter: dict[str, int], stop: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"Action: Login\r\nUsername: callcenter\r\nSecret: callcenter-demo\r\n\r\n")
    await writer.drain()
    while not stop.is_set():
        try:
            data = await asyncio.wait_for(reader.read(1 << 16), 0.2)
        except TimeoutError:
            continue
        if not data:
            break
        counter["bytes"] += len(data)
        counter["events"] += data.count(b"\r\nPrivilege: ")
    writer.close()


async def _drained(counter: dict[str, int]) -> None:
    """Until the client has read nothing new for 0.3 s (dialplan-class events are not sent to it)."""
    last = -1
    while counter["bytes"] != last:
        last = counter["bytes"]
        await asyncio.sleep(0.3)


async def flat_out(calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(SimConfig(speed=10_000, operators=40, recordings_dir=Path(tmp)))
        await sim.start()
        counter = {"bytes": 0, "events": 0}
        stop = asyncio.Event()
        task = asyncio.get_running_loop().create_task(_reader(sim.port, counter, stop))
        await asyncio.sleep(0.2)
        rng = random.Random(1)
        started = time.perf_counter()
        placed = [sim.engine.place(random_spec(rng, sim.operator_interfaces())) for _ in range(calls)]
        await asyncio.gather(*(p.task for p in placed))
        await _drained(counter)
        elapsed = time.perf_counter() - started - 0.3
        stop.set()
        await task
        await sim.close()
    sys.stdout.write(
        f"flat out: {calls} calls in {elapsed:.2f} s = {calls / elapsed:.0f} calls/s; {counter['events']} events = "
        f"{counter['events'] / elapsed:.0f} events/s, {counter['bytes'] / elapsed / 1e6:.1f} MB/s to one TCP client "
        f"({sim.stats['recordings']} stereo recordings written)\n"
    )


async def real_time(rate: int, seconds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(SimConfig(speed=1, operators=400, recordings_dir=Path(tmp)))
        await sim.start()
        counter = {"bytes": 0, "events": 0}
        stop = asyncio.Event()
        task = asyncio.get_running_loop().create_task(_reader(sim.port, counter, stop))
        await asyncio.sleep(0.2)
        rng = random.Random(2)
        lateness: list[float] = []
        start = time.perf_counter()
        for n in range(rate * seconds):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            lateness.append(time.perf_counter() - due)
            spec = CallSpec(
                caller=f"+38050{rng.randint(1_000_000, 9_999_999)}", notice_seconds=0.5, ring_seconds=1, talk_seconds=rng.uniform(2, 6)
            )
            sim.engine.place(spec)
        events_before = counter["events"]
        elapsed = time.perf_counter() - start
        await asyncio.gather(*(p.task for p in list(sim.engine.active.values())))
        stop.set()
        await task
        await sim.close()
    lateness.sort()
    p99 = lateness[int(len(lateness) * 0.99) - 1]
    sys.stdout.write(
        f"real time: {rate} calls/s for {seconds} s ({rate * seconds} calls, 400 phones): placement late by "
        f"p50 {statistics.median(lateness) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {lateness[-1] * 1000:.1f} ms; "
        f"{events_before / elapsed:.0f} events/s delivered\n"
    )


def main() -> None:
    asyncio.run(flat_out(2000))
    asyncio.run(real_time(50, 20))


if __name__ == "__main__":
    main()
