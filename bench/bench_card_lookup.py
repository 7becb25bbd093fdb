"""Caller-card lookup at scale: 1,000,000 appeals / 300,000 citizens on PostgreSQL, half the numbers known.

The data set (bench/volume.py) is bulk-generated once into its own database (`callcenter_bench_card` on the server
of `CALLCENTER_BENCH_PG_ADMIN_URL`) and reused by later runs. Prints p50/p95/p99 of `lookup_caller`.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime

from sqlmodel import Session

from appeals.card import lookup_caller
from bench.volume import APPEALS, CITIZENS, ensure_postgres, phone
from runtime.db import build_engine

ADMIN_URL = os.environ.get("CALLCENTER_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LOOKUPS = 4_000


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    url = ensure_postgres(ADMIN_URL)
    engine = build_engine(url)
    rng = random.Random(7)
    numbers = [phone(rng.randint(1, CITIZENS)) if i % 2 == 0 else f"+38067{rng.randint(0, 9_999_999):07d}" for i in range(LOOKUPS)]
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    timings: list[float] = []
    known = 0
    with Session(engine) as session:
        for number in numbers[:200]:
            lookup_caller(session, number, now=now)  # warm the pool and caches
        for number in numbers:
            started = time.perf_counter()
            card = lookup_caller(session, number, now=now)
            timings.append((time.perf_counter() - started) * 1000)
            known += bool(card.citizens)
    engine.dispose()
    q = statistics.quantiles(timings, n=100)
    _say(f"caller-card lookup, PostgreSQL, {APPEALS:,} appeals / {CITIZENS:,} citizens, {LOOKUPS} lookups ({known} known numbers)")
    _say(f"  p50 {q[49]:.2f} ms   p95 {q[94]:.2f} ms   p99 {q[98]:.2f} ms   max {max(timings):.2f} ms   (target p99 < 5 ms)")


if __name__ == "__main__":
    main()
