"""Registration → executor e-mail latency through the real path: outbox → scheduler drain → forking worker
(`route_appeal`, then `deliver`) → SMTP (aiosmtpd on loopback). PostgreSQL, a private redis-server.

Prints p50/p95/p99/max of the time from the registration's commit to the SMTP server accepting the executor's
message, at a steady rate and for a burst. Uses its own database `callcenter_bench_delivery` (recreated).
"""

from __future__ import annotations

import email
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.drafts import create_appeal
from appeals.models import Building, Category, Role, Street
from appeals.registration import register_appeal
from appeals.schemas import AppealCreate, IssueIn
from appeals.seeding import seed_reference
from callcenter.wiring import upgrade_database
from runtime.db import build_engine

ADMIN_URL = os.environ.get("CALLCENTER_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DB_NAME = "callcenter_bench_delivery"
ROOT = Path(__file__).resolve().parent.parent
STEADY, RATE, BURST = 60, 2.0, 200


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002 - aiosmtpd's hook
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        if message.get("X-Callcenter-Kind") == "executor_assignment":
            with self.lock:
                self.arrived[str(message["Subject"]).split(" ", 1)[0]] = time.perf_counter()
        return "250 OK"


def _database() -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    upgrade_database(url)
    return url


def _register(engine: Any, issue: IssueIn) -> tuple[str, float]:
    now = datetime.now(UTC)
    with Session(engine) as session:
        data = AppealCreate(caller="+380441234567", applicant_name="Бенч Петро", applicant_address="вул. Київська, 1", issues=[issue])
        draft = create_appeal(session, data, actor=Actor(None, Role.operator), now=now)
        session.commit()
        appeal = register_appeal(session, draft.id or 0, actor=Actor(None, Role.operator), now=now, reg_prefix="БР")
        committed = time.perf_counter()
        return f"[{appeal.number}/1]", committed


def _wait(sink: Sink, sent: dict[str, float], timeout: float) -> list[float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sink.lock:
            if all(n in sink.arrived for n in sent):
                break
        time.sleep(0.05)
    with sink.lock:
        return [(sink.arrived[n] - start) * 1000 for n, start in sent.items() if n in sink.arrived]


def _report(label: str, latencies: list[float], expected: int, elapsed: float | None = None) -> None:
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    extra = f", all {expected} delivered in {elapsed:.1f} s ({expected / elapsed:.0f}/s)" if elapsed else ""
    _say(
        f"{label}: {len(latencies)}/{expected} delivered; latency p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, "
        f"p99 {q[98]:.0f} ms, max {max(latencies):.0f} ms{extra}"
    )


def main() -> None:
    url = _database()
    engine = build_engine(url)
    with Session(engine) as session:
        seed_reference(session)
        category = session.exec(select(Category).where(Category.code == "no_heating")).one()
        house = session.exec(
            select(Building)
            .join(Street, col(Street.id) == Building.street_id)
            .where(Street.name == "Симона Петлюри", Building.house == "5")
        ).one()
    issue = IssueIn(category_id=category.id, building_id=house.id, description="Холодні батареї")
    sink, smtp_port, redis_port = Sink(), _port(), _port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    work = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    redis_proc = subprocess.Popen(  # noqa: S603 - the Debian redis-server
        ["/usr/bin/redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": url,
        "CALLCENTER_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CALLCENTER_SECRET_KEY": "bench-secret-0123456789",
        "CALLCENTER_DATA_DIR": str(work),
        "CALLCENTER_MAIL_TRANSPORT": "smtp",
        "CALLCENTER_SMTP_PORT": str(smtp_port),
        "CALLCENTER_SCHEDULER_TICK_SECONDS": "0.1",
        "CALLCENTER_LOG_LEVEL": "WARNING",
    }
    cli = str(ROOT / ".venv" / "bin" / "callcenter")
    procs = [
        subprocess.Popen([cli, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - our CLI
        for args in (["scheduler"], ["worker", "routing", "notify"], ["worker", "routing", "notify"])
    ]
    try:
        time.sleep(3)
        _say(f"PostgreSQL, private redis-server, 2 forking workers (routing+notify), scheduler tick 0.1 s, aiosmtpd; {os.cpu_count()} CPUs")
        warm = dict([_register(engine, issue)])
        _wait(sink, warm, 30)
        steady: dict[str, float] = {}
        for _ in range(STEADY):
            number, at = _register(engine, issue)
            steady[number] = at
            time.sleep(1 / RATE)
        _report(f"steady {RATE:.0f} registrations/s", _wait(sink, steady, 120), STEADY)
        burst: dict[str, float] = {}
        started = time.perf_counter()
        for _ in range(BURST):
            number, at = _register(engine, issue)
            burst[number] = at
        latencies = _wait(sink, burst, 300)
        _report(f"burst of {BURST}", latencies, BURST, elapsed=time.perf_counter() - started)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
        controller.stop()
        engine.dispose()
