"""Console hub end to end: caller-card latency from the AMI frame on the wire to the operator's WebSocket; memory per console.

Three real processes on the seeded database (bench/volume.py: 300,000 citizens, 1,000,000 appeals; a fresh copy per
run): `callcenter pbx-sim` (190 phones PJSIP/op101…op290 in `hotline`, `--trace-file`), `callcenter listener` and
`callcenter api`, with the Redis at CALLCENTER_BENCH_REDIS_URL (default redis://127.0.0.1:6379/5, flushed). 190
operators (extensions = the simulator's queue members) and 10 supervisors connect to /ws/console. The bench places
CALLCENTER_BENCH_CALLS_PER_SECOND (20) inbound calls/s for CALLCENTER_BENCH_SECONDS (60) through the simulator's
control interface, half from seeded citizens' numbers; each rings an operator (AgentCalled), who answers, except every
10th call, which first rings out at one operator (AgentRingNoAnswer: that card must be withdrawn) and then rings another.

Latency = the simulator handing AgentCalled to the listener's socket (its wire trace, time.time()) → the ringing
operator's client reading the card frame (time.time(), same machine). Every AgentCalled must give that operator
exactly one card, and every AgentRingNoAnswer a `card.withdrawn` at that console: missing cards, cards at the wrong
console and cards left standing are failures (the run raises). The listener's share is read off the card's stream
entry id (Redis stamps it when added). Memory: the API process's RSS with every console connected minus before, per
console. Backends: CALLCENTER_BENCH_CONSOLE_DATABASES (default `sqlite,postgresql`; PostgreSQL at
CALLCENTER_BENCH_PG_ADMIN_URL). CALLCENTER_BENCH_KEEP_LOGS=1 keeps the processes' logs and the wire trace.
Run: `.venv/bin/python -m bench console`; quick: `CALLCENTER_BENCH_SECONDS=10 CALLCENTER_BENCH_CONSOLE_DATABASES=sqlite …`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlmodel import Session
from websockets.asyncio.client import connect

from bench import volume
from runtime.heap import freeze_startup_heap

OPERATORS, SUPERVISORS = 190, 10
SECRET = "bench-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway key for throwaway servers
AMI_SECRET = "bench-ami-secret"  # noqa: S105 - as above
CALL = {"outcome": "answered", "ring_seconds": 2.0, "talk_seconds": 4.0}
"""Short rings and talks keep 190 operators free for 20 new calls/s; the recording notice before the queue stays the
simulator's default (4 s, as extensions.conf plays it): the time the listener has to write a call's draft before a
phone rings."""
NO_ANSWER_EVERY = 10  # every 10th call: the first operator lets it ring out (AgentRingNoAnswer, card withdrawn), the next answers
PG_ADMIN = os.environ.get("CALLCENTER_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _add_users(db_url: str) -> list[tuple[int, str, str | None]]:
    from appeals.models import Role, User
    from runtime.db import build_engine

    engine = build_engine(db_url)
    with Session(engine) as session:
        users = [
            User(
                username=f"bench{i}",
                full_name=f"Оператор {i}",
                role=Role.operator if i < OPERATORS else Role.supervisor,
                password_hash="-",  # noqa: S106 - nobody signs in with a password: tokens are issued with the API's key
                extension=f"PJSIP/op{101 + i}" if i < OPERATORS else None,
            )
            for i in range(OPERATORS + SUPERVISORS)
        ]
        session.add_all(users)
        session.commit()
        out = [(u.id or 0, u.role.value, u.extension) for u in users]
    engine.dispose()
    return out


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def _listens(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Seen:
    """What the consoles saw: each operator card as (call id, card interface, console extension, read at, on cc:events at)."""

    cards: list[tuple[str, str, str, float, float]] = field(default_factory=list)
    supervisor_cards: int = 0
    withdrawn: list[tuple[str, str, str]] = field(default_factory=list)  # (call id, interface, console extension)
    snapshots: int = 0
    frames: int = 0
    errors: list[BaseException] = field(default_factory=list)


async def _console(port: int, token: str, extension: str | None, seen: Seen) -> None:
    async with connect(f"ws://127.0.0.1:{port}/ws/console?token={token}", max_size=2**24, open_timeout=60) as ws:
        async for raw in ws:
            at = time.time()
            seen.frames += 1
            msg = json.loads(raw)
            kind = msg.get("type")
            if kind == "card":
                if extension is None:
                    seen.supervisor_cards += 1
                else:
                    xadd = int(str(msg.get("id", "0-0")).split("-")[0]) / 1000  # Redis stamps the entry id (ms) when it is added
                    seen.cards.append((str(msg["call_id"]), str(msg.get("interface")), extension, at, xadd))
            elif kind == "card.withdrawn" and extension is not None:
                seen.withdrawn.append((str(msg["call_id"]), str(msg.get("interface")), extension))
            elif kind == "snapshot":
                seen.snapshots += 1


async def _place_calls(control: int, rate: float, seconds: float) -> list[str]:
    rng = random.Random(20)
    calls = int(rate * seconds)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{control}", timeout=30) as http:

        async def place(n: int) -> str:
            known = n % 2 == 0
            caller = volume.phone(rng.randint(1, volume.CITIZENS)) if known else f"+38067{rng.randint(0, 9_999_999):07d}"
            outcome = "no_answer_then_answered" if n % NO_ANSWER_EVERY == NO_ANSWER_EVERY // 2 else "answered"
            response = await http.post("/calls", json={**CALL, "outcome": outcome, "caller": caller})
            response.raise_for_status()
            return str(response.json()["linkedid"])

        tasks = []
        for n in range(calls):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(place(n)))
        placed = await asyncio.gather(*tasks)
        while (await http.get("/status")).json()["active_calls"]:  # noqa: ASYNC110 - polling another process
            await asyncio.sleep(0.5)
    return list(placed)


async def _drive(
    api: int, control: int, api_pid: int, users: list[tuple[int, str, str | None]], rate: float, seconds: float
) -> dict[str, Any]:
    from agent_console.tokens import issue_token

    now = datetime.now(UTC)
    seen = Seen()
    base_rss = _rss_kib(api_pid)
    tasks = [
        asyncio.create_task(_console(api, issue_token(SECRET, uid, now=now, ttl=timedelta(hours=2)), ext, seen))
        for uid, _role, ext in users
    ]
    deadline = time.monotonic() + 120
    while seen.snapshots < len(users) and time.monotonic() < deadline:  # noqa: ASYNC110 - a counter the consoles bump
        await asyncio.sleep(0.2)
    if seen.snapshots < len(users):
        raise RuntimeError(f"only {seen.snapshots}/{len(users)} consoles got their snapshot")
    await asyncio.sleep(2)
    per_console = (_rss_kib(api_pid) - base_rss) / len(users)
    freeze_startup_heap()  # the measuring client too: a full collection here would stall every console's reader
    load_before = os.getloadavg()
    busy = asyncio.create_task(_busiest_after(seconds / 2))
    placed = await _place_calls(control, rate, seconds)
    await asyncio.sleep(3)
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    seen.errors = [r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
    return {
        "seen": seen,
        "placed": placed,
        "busy": await busy,
        "per_console": per_console,
        "base_rss": base_rss,
        "load": (load_before, os.getloadavg()),
    }


async def _busiest_after(delay: float) -> str:
    """The machine's busiest processes half-way through the calls (other jobs share it): `%CPU command`."""
    await asyncio.sleep(delay)
    ps = await asyncio.create_subprocess_exec("ps", "-eo", "pcpu,args", "--sort=-pcpu", stdout=subprocess.PIPE)
    out, _ = await ps.communicate()
    return "; ".join(" ".join(line.split()[:4])[:70] for line in out.decode().splitlines()[1:6])


def _expected(trace: Path, placed: set[str], event: str = "AgentCalled") -> dict[tuple[str, str], list[float]]:
    """(call id, interface) → when each `event` frame went to the listener's socket, for the bench's own calls (a call
    that rang out at an operator may ring that operator again: two frames, two cards)."""
    out: dict[tuple[str, str], list[float]] = {}
    for line in trace.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        key = (str(item.get("Linkedid")), str(item.get("Interface")))
        if item.get("event") == event and key[0] in placed:
            out.setdefault(key, []).append(float(item["at"]))
    return out


def _report(name: str, rate: float, seconds: float, trace: Path, r: dict[str, Any]) -> list[str]:
    seen: Seen = r["seen"]
    expected = _expected(trace, set(r["placed"]))
    rang_out = {key: len(v) for key, v in _expected(trace, set(r["placed"]), "AgentRingNoAnswer").items()}
    withdrawn = Counter((call_id, ext) for call_id, interface, ext in seen.withdrawn if interface == ext)
    not_withdrawn = sum(max(0, n - withdrawn[key]) for key, n in rang_out.items())
    latencies: list[float] = []
    listener: list[float] = []
    got: Counter[tuple[str, str]] = Counter()
    wrong = duplicates = 0
    for call_id, interface, extension, at, xadd in seen.cards:
        key = (call_id, extension)
        if interface != extension or key not in expected:
            wrong += 1
        elif got[key] >= len(expected[key]):
            duplicates += 1
        else:
            rang = expected[key][got[key]]  # the n-th card of this call at this console answers its n-th ring
            got[key] += 1
            latencies.append((at - rang) * 1000)
            listener.append((xadd - rang) * 1000)
    frames, received = sum(len(v) for v in expected.values()), sum(got.values())
    missing = frames - received
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 2 else [float("nan")] * 99
    (l1, _, _), (l2, _, _) = r["load"]
    _say(
        f"{name}: {len(r['placed'])} calls at {rate:g}/s for {seconds:g} s; {OPERATORS} operators + {SUPERVISORS} supervisors connected; "
        f"load average {l1:.1f} → {l2:.1f}"
    )
    _say(f"  busiest processes mid-run (%CPU since start): {r['busy']}")
    _say(f"  AgentCalled frames (cards expected): {frames}; cards received by the ringing operator: {received}; missing: {missing}")
    _say(f"  cards at the wrong console: {wrong}; duplicates: {duplicates}; to supervisors: {seen.supervisor_cards}")
    _say(
        f"  rang out (AgentRingNoAnswer): {sum(rang_out.values())}; their cards withdrawn at that console: "
        f"{sum(min(n, withdrawn[key]) for key, n in rang_out.items())}; "
        f"not withdrawn: {not_withdrawn}; withdrawals in all: {len(seen.withdrawn)}"
    )
    _say(
        f"  card latency, AMI frame written → card frame read: p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, max {max(latencies or [0]):.1f} ms "
        "(target p99 < 50 ms)"
    )
    lq = statistics.quantiles(listener, n=100, method="inclusive") if len(listener) > 2 else [float("nan")] * 99
    _say(
        f"    of which frame written → call.agent_ringing on cc:events (listener, 1 ms resolution): p50 {lq[49]:.1f} ms, p99 {lq[98]:.1f} ms"
    )
    _say(
        f"  API RSS per connected console: {r['per_console']:.0f} KiB (base {r['base_rss'] / 1024:.0f} MiB); console errors: {len(seen.errors)}"
    )
    problems = []
    if missing or wrong or not_withdrawn or seen.errors:
        problems.append(
            f"{name}: {missing} cards missing, {wrong} at the wrong console, {not_withdrawn} not withdrawn, {len(seen.errors)} console errors"
        )
    return problems


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "callcenter", *args], env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def run_once(name: str, db_url: str, redis_url: str, tmp: Path, rate: float, seconds: float) -> list[str]:
    users = _add_users(db_url)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    ami, control, api = _free_port(), _free_port(), _free_port()
    trace = tmp / f"trace-{name}.jsonl"
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": db_url,
        "CALLCENTER_REDIS_URL": redis_url,
        "CALLCENTER_SECRET_KEY": SECRET,
        "CALLCENTER_AMI_SECRET": AMI_SECRET,
        "CALLCENTER_AMI_PORT": str(ami),
        "CALLCENTER_RECORDINGS_DIR": str(tmp / "recordings"),
        "CALLCENTER_DATA_DIR": str(tmp),
        "CALLCENTER_LOG_LEVEL": "WARNING",
    }
    sim_args = ["pbx-sim", "--scenario", "none", "--port", str(ami), "--control-port", str(control), "--operators", str(OPERATORS)]
    traced = ["--trace-file", str(trace), "--trace-event", "AgentCalled", "--trace-event", "AgentRingNoAnswer"]
    procs = [_spawn([*sim_args, *traced], env, tmp / f"pbx-sim-{name}.log")]
    try:
        _wait_for(lambda: _listens(control), "the simulator")
        procs.append(_spawn(["api", "--port", str(api)], env, tmp / f"api-{name}.log"))
        procs.append(_spawn(["listener"], env, tmp / f"listener-{name}.log"))
        _wait_for(lambda: _listens(api), "the API")
        _wait_for(lambda: '"up"' in str(client.get("cc:listener") or ""), "the listener's AMI link")
        result = asyncio.run(_drive(api, control, procs[1].pid, users, rate, seconds))
        return _report(name, rate, seconds, trace, result)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        client.flushdb()
        client.close()


def main() -> None:
    rate = float(os.environ.get("CALLCENTER_BENCH_CALLS_PER_SECOND", "20"))
    seconds = float(os.environ.get("CALLCENTER_BENCH_SECONDS", "60"))
    redis_url = os.environ.get("CALLCENTER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    backends = [b.strip() for b in os.environ.get("CALLCENTER_BENCH_CONSOLE_DATABASES", "sqlite,postgresql").split(",") if b.strip()]
    problems: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-console-"))
    try:
        for backend in backends:
            if backend == "sqlite":
                problems += run_once("SQLite", volume.copy_sqlite(tmp / "bench.db"), redis_url, tmp, rate, seconds)
            elif backend == "postgresql":
                db = f"cc_bench_console_{uuid.uuid4().hex[:8]}"
                try:
                    problems += run_once("PostgreSQL", volume.copy_postgres(PG_ADMIN, db), redis_url, tmp, rate, seconds)
                finally:
                    volume.drop_postgres(PG_ADMIN, db)
            else:
                raise ValueError(f"unknown backend {backend!r} in CALLCENTER_BENCH_CONSOLE_DATABASES (sqlite, postgresql)")
    finally:
        if os.environ.get("CALLCENTER_BENCH_KEEP_LOGS"):
            _say(f"process logs and traces kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if problems:
        raise RuntimeError("; ".join(problems))


if __name__ == "__main__":
    main()
