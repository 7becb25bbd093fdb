"""Caller-card lookup at scale: 1,000,000 appeals / 300,000 citizens on PostgreSQL, half the numbers known.

The data set is bulk-generated once into its own database (`CALLCENTER_BENCH_PG_URL`, default database
`callcenter_bench_card` on the local server) and reused by later runs. Prints p50/p95/p99 of `lookup_caller`.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import create_engine, text
from sqlmodel import Session

from appeals.card import lookup_caller
from appeals.seeding import seed_reference
from callcenter.wiring import upgrade_database
from runtime.db import build_engine

ADMIN_URL = os.environ.get("CALLCENTER_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DB_NAME = "callcenter_bench_card"
CITIZENS, APPEALS, LOOKUPS = 300_000, 1_000_000, 4_000
DATA_VERSION = "v1"
STATUSES = ("registered", "closed", "closed", "closed", "consultation", "draft")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _phone(n: int) -> str:
    return f"+38050{n:07d}"


def _copy(conn: psycopg.Connection, table: str, columns: str, rows: io.StringIO) -> None:
    rows.seek(0)
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


CITIZEN_COLUMNS = "id, full_name, address_text, privileges, is_priority, requires_first_head, note, created_at, updated_at"
APPEAL_COLUMNS = (
    "id, number, status, channel, kind, form, subject, receipt_sign, admissibility, is_repeated, caller, citizen_id, applicant_name, "
    "applicant_address, reply_channel, summary, is_priority, requires_first_head, missed, signed, discard_note, consultation_note, "
    "deadline_restored, received_at, created_at, updated_at"
)
ISSUE_COLUMNS = (
    "id, appeal_id, seq, category_id, address_text, description, executor_override, status, due_at, rework_count, reopen_count, "
    "verification_attempts, resolution_text, overdue_notified, attention_notified, updated_at"
)


def _generate(url: str) -> None:
    rng = random.Random(1551)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        citizens, phones = io.StringIO(), io.StringIO()
        for cid in range(1, CITIZENS + 1):
            citizens.write(f"{cid}\tГромадянин {cid}\tвул. Київська, {cid % 300}\t[]\tf\tf\t\t{now}\t{now}\n")
            phones.write(f"{cid}\t{cid}\t{_phone(cid)}\t\n")
        _copy(conn, "citizen", CITIZEN_COLUMNS, citizens)
        _copy(conn, "citizen_phone", "id, citizen_id, phone, label", phones)
        appeals, issues = io.StringIO(), io.StringIO()
        for aid in range(1, APPEALS + 1):
            cid = rng.randint(1, CITIZENS)
            created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            status = rng.choice(STATUSES)
            number = f"БР-{created.year}-{aid:07d}" if status in ("registered", "closed") else "\\N"
            appeals.write(
                f"{aid}\t{number}\t{status}\tphone\tapplication\toral\tindividual\tprimary\taccepted\tf\t{_phone(cid)}\t{cid}\t"
                f"Громадянин {cid}\tвул. Київська, {cid % 300}\tphone\t\tf\tf\tf\tf\t\t\tf\t{created}\t{created}\t{created}\n"
            )
            issue_status = "in_work" if status == "registered" else "closed_confirmed"
            issues.write(
                f"{aid}\t{aid}\t1\t{rng.randint(2, 60)}\tвул. Київська, {cid % 300}\tопис\tf\t{issue_status}\t{created + timedelta(days=15)}\t"
                f"0\t0\t0\t\tf\tf\t{created}\n"
            )
        _copy(conn, "appeal", APPEAL_COLUMNS, appeals)
        _copy(conn, "issue", ISSUE_COLUMNS, issues)
        for table in ("citizen", "citizen_phone", "appeal", "issue"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.execute("CREATE TABLE bench_meta (version text)")
        conn.execute("INSERT INTO bench_meta VALUES (%s)", (DATA_VERSION,))
        conn.commit()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _ensure_database() -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    engine = create_engine(url)
    with engine.connect() as conn:
        ready = conn.execute(text("SELECT to_regclass('bench_meta')")).scalar()
        version = conn.execute(text("SELECT version FROM bench_meta")).scalar() if ready else None
    engine.dispose()
    if version == DATA_VERSION:
        _say(f"reusing the generated data set in {DB_NAME}")
        return url
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    started = time.perf_counter()
    upgrade_database(url)
    seed_engine = build_engine(url)
    with Session(seed_engine) as session:
        seed_reference(session)
    seed_engine.dispose()
    _generate(url)
    _say(f"generated {CITIZENS:,} citizens and {APPEALS:,} appeals in {time.perf_counter() - started:.0f} s (cached for later runs)")
    return url


def main() -> None:
    url = _ensure_database()
    engine = build_engine(url)
    rng = random.Random(7)
    numbers = [_phone(rng.randint(1, CITIZENS)) if i % 2 == 0 else f"+38067{rng.randint(0, 9_999_999):07d}" for i in range(LOOKUPS)]
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
