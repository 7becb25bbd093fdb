"""The wallboard snapshot on a busy day: 1,500,000 call records (a year) with 6,000 calls today (a mass outage), 40
operators with 1,200 state changes today, on PostgreSQL. Prints p50/p95 per panel and for the whole /api/wallboard.

The data set is bulk-generated once into its own database (`CALLCENTER_BENCH_PG_ADMIN_URL` server, database
`callcenter_bench_wallboard`) and reused by later runs.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import create_engine, text
from sqlmodel import Session

from appeals.agent_states import operator_board
from appeals.wallboard import day_start, queue_figures, queue_load
from appeals.wallboard_lists import deadline_board, missed_calls
from callcenter.wiring import upgrade_database
from runtime.db import build_engine

ADMIN_URL = os.environ.get("CALLCENTER_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DB_NAME = "callcenter_bench_wallboard"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
HISTORY_CALLS, TODAY_CALLS, OPERATORS, STATE_CHANGES, RUNS = 1_494_000, 6_000, 40, 1_200, 30
DATA_VERSION = "v1"
NULL = "\\N"
CALL_COLUMNS = "call_id, direction, caller, queue, operator_id, interface, started_at, answered_at, ended_at, answered, abandoned, wait_seconds, talk_seconds, source"


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _copy(conn: psycopg.Connection, table: str, columns: str, rows: io.StringIO) -> None:
    rows.seek(0)
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


def _call_row(rng: random.Random, n: int, started: datetime) -> str:
    op = rng.randint(1, OPERATORS)
    wait = round(rng.expovariate(1 / 25), 1)
    answered = rng.random() < 0.85
    abandoned = not answered and rng.random() < 0.8
    talk = round(rng.uniform(40, 400), 1) if answered else None
    answered_at = started + timedelta(seconds=wait) if answered else None
    ended = started + timedelta(seconds=wait + (talk or 0))
    who = (str(op), f"PJSIP/op{100 + op}") if answered else (NULL, NULL)
    queue = "hotline" if rng.random() < 0.8 else "consult"
    return (
        f"b{n}\tinbound\t+38044{n % 10_000_000:07d}\t{queue}\t{who[0]}\t{who[1]}\t{started.isoformat()}\t"
        f"{answered_at.isoformat() if answered_at else NULL}\t{ended.isoformat()}\t{'t' if answered else 'f'}\t{'t' if abandoned else 'f'}\t"
        f"{wait}\t{talk if talk is not None else NULL}\tami\n"
    )


def _generate(url: str) -> None:
    rng = random.Random(1551)
    start = day_start(NOW)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        users = io.StringIO()
        for op in range(1, OPERATORS + 1):
            users.write(f"{op}\toperator{op}\tОператор {op}\toperator\t-\tPJSIP/op{100 + op}\tt\t{NOW}\t{NOW}\n")
        _copy(conn, "app_user", "id, username, full_name, role, password_hash, extension, is_active, tokens_valid_after, created_at", users)
        calls = io.StringIO()
        for n in range(HISTORY_CALLS):
            calls.write(_call_row(rng, n, start - timedelta(seconds=rng.uniform(0, 365 * 86400))))
        for n in range(HISTORY_CALLS, HISTORY_CALLS + TODAY_CALLS):
            calls.write(_call_row(rng, n, start + timedelta(seconds=rng.uniform(0, (NOW - start).total_seconds()))))
        _copy(conn, "call", CALL_COLUMNS, calls)
        states = io.StringIO()
        for n in range(STATE_CHANGES):
            when = start + timedelta(seconds=rng.uniform(0, (NOW - start).total_seconds()))
            state = rng.choice(("free", "on_call", "on_call", "paused", "wrapup"))
            states.write(f"PJSIP/op{101 + n % OPERATORS}\t{state}\t{'обід' if state == 'paused' else ''}\t{when.isoformat()}\n")
        _copy(conn, "agent_state_log", "interface, state, reason, since", states)
        conn.execute("INSERT INTO alembic_version_bench VALUES (%s)", (DATA_VERSION,))
        conn.execute("ANALYZE")


def _database() -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME}).first()
        if exists:
            probe = create_engine(url)
            with probe.connect() as c:
                ready = c.execute(text("SELECT to_regclass('alembic_version_bench')")).scalar()
                version = c.execute(text("SELECT v FROM alembic_version_bench")).scalar() if ready else None
            probe.dispose()
            if version == DATA_VERSION:
                admin.dispose()
                return url
            conn.execute(text(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    upgrade_database(url)
    with create_engine(url).begin() as c:
        c.execute(text("CREATE TABLE alembic_version_bench (v text)"))
    started = time.perf_counter()
    _say(f"generating {HISTORY_CALLS + TODAY_CALLS:,} calls …")
    _generate(url)
    _say(f"generated in {time.perf_counter() - started:.0f} s")
    return url


def _time(fn: Callable[[], object]) -> list[float]:
    fn()  # warm the cache
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    engine = build_engine(_database())
    start = day_start(NOW)
    with Session(engine) as session:
        panels: dict[str, Callable[[], object]] = {
            "queues today": lambda: queue_figures(session, since=start, until=NOW, threshold=20),
            "operators today": lambda: operator_board(session, since=start, until=NOW),
            "load (8 h, 15 min)": lambda: queue_load(session, since=NOW - timedelta(hours=8), until=NOW, bucket=timedelta(minutes=15)),
            "missed calls": lambda: missed_calls(session, since=start),
            "deadlines": lambda: deadline_board(session, now=NOW),
        }
        total: list[float] = [0.0] * RUNS
        _say(f"{HISTORY_CALLS + TODAY_CALLS:,} calls, {TODAY_CALLS:,} today; {RUNS} runs each (ms)")
        for name, fn in panels.items():
            times = _time(fn)
            total = [a + b for a, b in zip(total, times, strict=True)]
            _say(f"  {name:<20} p50 {statistics.median(times):7.1f}   p95 {sorted(times)[int(RUNS * 0.95) - 1]:7.1f}")
        _say(f"  {'whole snapshot':<20} p50 {statistics.median(total):7.1f}   p95 {sorted(total)[int(RUNS * 0.95) - 1]:7.1f}")
    engine.dispose()


if __name__ == "__main__":
    main()
