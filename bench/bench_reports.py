"""Reports at a year's scale on PostgreSQL: 200,000 appeals with their issues, history, assignments, callbacks and calls.

A Brovary-sized year (a few thousand appeals a week); 2 % of older issues stay open (overdue), newer ones are in work. The data set is generated once into its own database
(`callcenter_bench_reports`) and reused. Prints the time of each report for one month and for the year to date,
and of the /metrics live counts.
"""

from __future__ import annotations

import io
import random
import resource
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import psycopg
from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.models import Category, Executor
from appeals.reports.catalog import REPORTS, build_report
from appeals.reports.live import live_counts
from appeals.reports.scope import ReportFilter, month_filter
from bench.bench_card_lookup import ADMIN_URL, _say
from bench.cache import cached_database
from bench.volume import copy_text as _copy
from callcenter.wiring import upgrade_database
from runtime.db import build_engine

DB_NAME = "callcenter_bench_reports"
APPEALS = 200_000
DATA_VERSION = "reports-v3"
YEAR_START = datetime(2026, 1, 1, 6, tzinfo=UTC)
SPAN_MINUTES = 333 * 24 * 60  # to 30 Nov
NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


class Writer:
    def __init__(self) -> None:
        self.buffers: dict[str, io.StringIO] = {}
        self.ids: dict[str, int] = {}

    def row(self, table: str, *values: object) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        cells = ["\\N" if v is None else ("t" if v is True else "f" if v is False else str(v)) for v in values]
        self.buffers.setdefault(table, io.StringIO()).write(f"{self.ids[table]}\t" + "\t".join(cells) + "\n")
        return self.ids[table]


COLUMNS = {
    "appeal": "id, number, status, channel, kind, form, subject, receipt_sign, admissibility, is_repeated, caller, applicant_name, applicant_address, "
    "reply_channel, summary, is_priority, requires_first_head, missed, signed, discard_note, consultation_note, deadline_restored, received_at, "
    "registered_at, closed_at, created_at, updated_at",
    "issue": "id, appeal_id, seq, category_id, executor_id, address_text, description, executor_override, status, registered_at, due_at, sla_due_at, "
    "attention_at, rework_count, reopen_count, verification_attempts, resolution_text, closed_at, overdue_notified, attention_notified, updated_at",
    "status_change": "id, entity, entity_id, appeal_id, action, from_status, to_status, reason, detail, at",
    "assignment": "id, issue_id, executor_id, state, is_override, assigned_at, accepted_at, reported_at, result, result_text",
    "callback_task": "id, kind, status, dedup_key, issue_id, attempts, max_attempts, next_attempt_at, outcome, satisfaction, comment, priority, created_at, updated_at, closed_at",
    "callback_attempt": "id, task_id, attempted_at, outcome, satisfaction, note",
    "call": "id, call_id, appeal_id, direction, queue, started_at, answered_at, ended_at, answered, abandoned, wait_seconds, talk_seconds, source",
}


@dataclass(frozen=True)
class Life:
    """One generated issue's timeline."""

    aid: int
    executor: int
    t0: datetime
    accept: datetime
    report: datetime
    end: datetime
    outcome: str
    rework: int

    @property
    def closed(self) -> bool:
        return self.outcome != "in_work"


def _life(rng: random.Random, aid: int, executors: list[int]) -> Life:
    t0 = YEAR_START + timedelta(minutes=rng.randint(0, SPAN_MINUTES))
    age = (NOW - t0).days
    closed = rng.random() < (0.98 if age > 45 else 0.85 if age > 15 else 0.5)  # a little stays open for long, as in life
    outcome = rng.choices(["closed_confirmed", "closed_explained", "closed_unverified"], [60, 20, 5])[0] if closed else "in_work"
    accept = t0 + timedelta(hours=rng.uniform(0.2, 30))
    report = accept + timedelta(hours=rng.uniform(2, 400))
    rework = 1 if outcome == "closed_confirmed" and rng.random() < 0.1 else 0
    return Life(aid, rng.choice(executors), t0, accept, report, report + timedelta(hours=rng.uniform(1, 48)), outcome, rework)


def _steps(life: Life) -> list[tuple[str, str, str, datetime]]:
    steps = [
        ("register", "draft", "registered", life.t0),
        ("assign", "registered", "assigned", life.t0),
        ("accept", "assigned", "in_work", life.accept),
    ]
    if not life.closed:
        return steps
    done, report, end = "report_explained" if life.outcome == "closed_explained" else "report_done", life.report, life.end
    steps.append((done, "in_work", "reported_done", report))
    if life.rework:
        steps += [("start_verification", "reported_done", "on_verification", report), ("dispute", "on_verification", "rework", report + timedelta(hours=2)),
                  ("accept", "rework", "in_work", report + timedelta(hours=3)), (done, "in_work", "reported_done", end - timedelta(hours=1))]  # fmt: skip
    closing = {"closed_confirmed": "confirm", "closed_explained": "close_explained", "closed_unverified": "close_unverified"}[life.outcome]
    return [
        *steps,
        ("start_verification", "reported_done", "on_verification", end - timedelta(minutes=30)),
        (closing, "on_verification", life.outcome, end),
    ]


def _issue(w: Writer, rng: random.Random, aid: int, cats: list[int], executors: list[int]) -> None:
    life = _life(rng, aid, executors)
    t0, end, closed = life.t0, life.end, life.closed
    w.row("appeal", f"БР-2026-{aid:07d}", "closed" if closed else "registered", "phone", "application", "oral", "individual", "primary", "accepted", False,
          f"+38050{rng.randint(0, 9_999_999):07d}", "Громадянин", "вул. Київська, 1", "phone", "", False, False, False, False, "", "", False,
          t0, t0, end if closed else None, t0, end if closed else t0)  # fmt: skip
    iid = w.row("issue", aid, 1, rng.choice(cats), life.executor, "", "опис", False, life.outcome, t0, t0 + timedelta(days=15),
                t0 + timedelta(days=3), t0 + timedelta(days=2.25), life.rework, 0, 0, "", end if closed else None, False, False, end)  # fmt: skip
    for action, before, after, at in _steps(life):
        w.row("status_change", "issue", iid, aid, action, before, after, "", "{}", at)
    w.row("assignment", iid, life.executor, "reported" if closed else "accepted", False, t0, life.accept,
          life.report if closed else None, "done" if closed else None, "")  # fmt: skip
    if life.outcome == "closed_confirmed":
        score = rng.randint(1, 5)
        tid = w.row("callback_task", "verification", "done", f"verify:{iid}:0", iid, 1, 3, end, "confirmed", score, "", 0,
                    end - timedelta(minutes=30), end, end)  # fmt: skip
        w.row("callback_attempt", tid, end, "confirmed", score, "")
    answered = rng.random() < 0.9
    w.row("call", f"b-{aid}", aid, "inbound", "hotline", t0, t0 if answered else None, t0 + timedelta(minutes=4), answered, not answered,
          rng.uniform(2, 90), rng.uniform(30, 400) if answered else None, "ami")  # fmt: skip


def _generate(url: str, session: Session) -> None:
    rng = random.Random(2026)
    parents = {c.parent_id for c in session.exec(select(Category)).all()}
    cats = [c.id or 0 for c in session.exec(select(Category)).all() if c.id not in parents]
    executors = [e.id or 0 for e in session.exec(select(Executor)).all()]
    w = Writer()
    for aid in range(1, APPEALS + 1):
        _issue(w, rng, aid, cats, executors)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        for table, columns in COLUMNS.items():
            _copy(conn, f'"{table}"', columns, w.buffers[table])
            conn.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))")
        conn.execute("CREATE TABLE bench_meta (version text)")
        conn.execute("INSERT INTO bench_meta VALUES (%s)", (DATA_VERSION,))
        conn.commit()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    _say(
        f"generated {APPEALS:,} appeals, {w.ids['status_change']:,} history rows, {w.ids['callback_attempt']:,} callbacks, {w.ids['call']:,} calls"
    )


def _database() -> str:
    from appeals.seeding import seed_reference

    url, ready = cached_database(ADMIN_URL, DB_NAME, DATA_VERSION)
    if ready:
        return url
    started = time.perf_counter()
    upgrade_database(url)
    engine = build_engine(url)
    with Session(engine) as session:
        seed_reference(session)
        _generate(url, session)
    engine.dispose()
    _say(f"(generation took {time.perf_counter() - started:.0f} s, cached for later runs)")
    return url


def _time(engine: Engine, key: str, flt: ReportFilter) -> float:
    with Session(engine) as session:
        started = time.perf_counter()
        build_report(key, session, flt, now=NOW)
        return time.perf_counter() - started


def main() -> None:
    url = _database()
    engine = build_engine(url)
    month, year = month_filter(2026, 11), ReportFilter(start=date(2026, 1, 1), end=date(2026, 11, 30))
    _time(engine, "executors", month)  # warm up
    _say(f"reports on PostgreSQL, {APPEALS:,} appeals in 2026 (≈ {APPEALS // 12:,} a month); seconds per report:")
    _say(f"  {'report':<15}{'November':>10}{'Jan–Nov':>10}")
    for key in REPORTS:
        _say(f"  {key:<15}{_time(engine, key, month):>10.2f}{_time(engine, key, year):>10.2f}")
    with Session(engine) as session:
        started = time.perf_counter()
        counts = live_counts(session, now=NOW)
        elapsed = (time.perf_counter() - started) * 1000
    _say(f"  /metrics live counts: {elapsed:.0f} ms ({counts.overdue:,} overdue of {sum(counts.issues.values()):,} issues)")
    _say(f"  peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    engine.dispose()


if __name__ == "__main__":
    main()
