"""Simulated time: scenario pauses run `speed` times faster than real time; durations are reported in simulated seconds."""

from __future__ import annotations

import asyncio
import time


class Clock:
    """`speed=1` is real time (demo, drills); tests use e.g. 200 so a 3-minute call takes under a second."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            msg = f"clock speed must be positive, got {speed}"
            raise ValueError(msg)
        self.speed = speed
        self._wall0 = time.time()
        self._mono0 = time.monotonic()

    def now(self) -> float:
        """Simulated epoch seconds (equal to the wall clock when speed is 1)."""
        return self._wall0 + (time.monotonic() - self._mono0) * self.speed

    def to_wall(self, simulated: float) -> float:
        """The real wall-clock moment of a simulated instant (CDR `calldate` uses it, so backfill windows match)."""
        return self._wall0 + (simulated - self._wall0) / self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)
