"""The benchmarks' seeded database: 300,000 citizens (one phone each) and 1,000,000 appeals with an issue each.

Generated once per backend and cached: PostgreSQL in its own database (`callcenter_bench_card`, through COPY),
SQLite in `var/bench/volume-<version>.sqlite`. A benchmark that writes takes a copy (`copy_postgres`,
`copy_sqlite`) so the cached data set stays as generated. Half the numbers a benchmark dials are known
(`phone(n)` for n in 1..CITIZENS), so the caller-card lookup works on real rows.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlmodel import Session

from appeals.models import Appeal, Citizen, CitizenPhone, Issue
from appeals.seeding import seed_reference
from bench.cache import cached_database
from callcenter.wiring import upgrade_database
from runtime.db import build_engine

CITIZENS, APPEALS = 300_000, 1_000_000
DATA_VERSION = "v1"
PG_DB_NAME = "callcenter_bench_card"
SQLITE_CACHE = Path("var/bench") / f"volume-{DATA_VERSION}.sqlite"
STATUSES = ("registered", "closed", "closed", "closed", "consultation", "draft")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def phone(n: int) -> str:
    """The phone of seeded citizen `n` (1..CITIZENS), E.164."""
    return f"+38050{n:07d}"


def citizen_rows() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for cid in range(1, CITIZENS + 1):
        citizen = {
            "id": cid,
            "full_name": f"Громадянин {cid}",
            "address_text": f"вул. Київська, {cid % 300}",
            "privileges": [],
            "is_priority": False,
            "requires_first_head": False,
            "note": "",
            "created_at": NOW,
            "updated_at": NOW,
        }
        yield citizen, {"id": cid, "citizen_id": cid, "phone": phone(cid), "label": ""}


def appeal_rows() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(appeal, its one issue), reproducible (seeded random)."""
    rng = random.Random(1551)
    for aid in range(1, APPEALS + 1):
        cid = rng.randint(1, CITIZENS)
        created = NOW - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        status = rng.choice(STATUSES)
        appeal = {
            "id": aid,
            "number": f"БР-{created.year}-{aid:07d}" if status in ("registered", "closed") else None,
            "status": status,
            "channel": "phone",
            "kind": "application",
            "form": "oral",
            "subject": "individual",
            "receipt_sign": "primary",
            "admissibility": "accepted",
            "is_repeated": False,
            "caller": phone(cid),
            "citizen_id": cid,
            "applicant_name": f"Громадянин {cid}",
            "applicant_address": f"вул. Київська, {cid % 300}",
            "reply_channel": "phone",
            "summary": "",
            "is_priority": False,
            "requires_first_head": False,
            "missed": False,
            "signed": False,
            "discard_note": "",
            "consultation_note": "",
            "deadline_restored": False,
            "received_at": created,
            "created_at": created,
            "updated_at": created,
        }
        issue = {
            "id": aid,
            "appeal_id": aid,
            "seq": 1,
            "category_id": rng.randint(2, 60),
            "address_text": f"вул. Київська, {cid % 300}",
            "description": "опис",
            "executor_override": False,
            "status": "in_work" if status == "registered" else "closed_confirmed",
            "due_at": created + timedelta(days=15),
            "rework_count": 0,
            "reopen_count": 0,
            "verification_attempts": 0,
            "resolution_text": "",
            "overdue_notified": False,
            "attention_notified": False,
            "updated_at": created,
        }
        yield appeal, issue


def _prepare_schema(url: str) -> None:
    upgrade_database(url)
    engine = build_engine(url)
    with Session(engine) as session:
        seed_reference(session)
    engine.dispose()


# -- PostgreSQL --------------------------------------------------------------------------------------
def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def copy_text(conn: psycopg.Connection, table: str, columns: str, rows: io.StringIO) -> None:
    """COPY the text-format `rows` into `table` (quoted by the caller when needed)."""
    rows.seek(0)
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


def _copy(conn: psycopg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(row[c]) for c in columns) + "\n")
    copy_text(conn, f'"{table}"', ", ".join(columns), buffer)


def _generate_postgres(url: str) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        pairs = list(citizen_rows())
        _copy(conn, "citizen", [c for c, _ in pairs])
        _copy(conn, "citizen_phone", [p for _, p in pairs])
        batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for pair in appeal_rows():
            batch.append(pair)
            if len(batch) == 200_000:
                _copy(conn, "appeal", [a for a, _ in batch])
                _copy(conn, "issue", [i for _, i in batch])
                batch = []
        _copy(conn, "appeal", [a for a, _ in batch])
        _copy(conn, "issue", [i for _, i in batch])
        for table in ("citizen", "citizen_phone", "appeal", "issue"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.execute("CREATE TABLE bench_meta (version text)")
        conn.execute("INSERT INTO bench_meta VALUES (%s)", (DATA_VERSION,))
        conn.commit()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def ensure_postgres(admin_url: str) -> str:
    """The URL of the cached PostgreSQL data set, generated first if missing or of another version."""
    url, ready = cached_database(admin_url, PG_DB_NAME, DATA_VERSION)
    if ready:
        return url
    started = time.perf_counter()
    _prepare_schema(url)
    _generate_postgres(url)
    _say(f"generated {CITIZENS:,} citizens and {APPEALS:,} appeals in {time.perf_counter() - started:.0f} s (cached for later runs)")
    return url


def copy_postgres(admin_url: str, name: str) -> str:
    """A fresh database `name` cloned from the cached data set (CREATE DATABASE … TEMPLATE); returns its URL."""
    source = ensure_postgres(admin_url)
    del source
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # FILE_COPY (PostgreSQL 15+): the copy is checkpointed before and after instead of WAL-logging a gigabyte that
        # later checkpoints would flush in the middle of the measurement
        strategy = " STRATEGY FILE_COPY" if (conn.dialect.server_version_info or (0,)) >= (15,) else ""
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{PG_DB_NAME}"{strategy}'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade_database(url)  # migrations added since the data set was generated
    with admin.connect() as conn:
        conn.execute(text("CHECKPOINT"))  # the migration's writes too: the run starts with nothing dirty to flush
    admin.dispose()
    return url


def drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# -- SQLite ------------------------------------------------------------------------------------------
def _insert(engine: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)


def _generate_sqlite(url: str) -> None:
    engine = build_engine(url)
    pairs = list(citizen_rows())
    _insert(engine, Citizen.__table__, [c for c, _ in pairs])  # type: ignore[attr-defined]
    _insert(engine, CitizenPhone.__table__, [p for _, p in pairs])  # type: ignore[attr-defined]
    batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for pair in appeal_rows():
        batch.append(pair)
        if len(batch) == 100_000:
            _insert(engine, Appeal.__table__, [a for a, _ in batch])  # type: ignore[attr-defined]
            _insert(engine, Issue.__table__, [i for _, i in batch])  # type: ignore[attr-defined]
            batch = []
    _insert(engine, Appeal.__table__, [a for a, _ in batch])  # type: ignore[attr-defined]
    _insert(engine, Issue.__table__, [i for _, i in batch])  # type: ignore[attr-defined]
    engine.dispose()


def ensure_sqlite() -> Path:
    """The cached SQLite data set, generated first if missing."""
    if SQLITE_CACHE.is_file():
        _say(f"reusing the generated data set in {SQLITE_CACHE}")
        return SQLITE_CACHE
    SQLITE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    partial = SQLITE_CACHE.with_suffix(".part")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    url = f"sqlite:///{partial}"
    _prepare_schema(url)
    _generate_sqlite(url)
    with sqlite3.connect(partial) as conn:
        conn.execute("ANALYZE")
    partial.replace(SQLITE_CACHE)
    _say(f"generated {CITIZENS:,} citizens and {APPEALS:,} appeals (SQLite) in {time.perf_counter() - started:.0f} s (cached)")
    return SQLITE_CACHE


def copy_sqlite(target: Path) -> str:
    """A copy of the cached SQLite data set at `target`; returns its URL."""
    shutil.copyfile(ensure_sqlite(), target)
    url = f"sqlite:///{target}"
    upgrade_database(url)  # migrations added since the data set was generated
    return url
