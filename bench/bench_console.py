"""Console hub: caller-card latency and memory per connected console.

The API runs as a child process (uvicorn, the real app, SQLite in a temp dir, the Redis at CALLCENTER_BENCH_REDIS_URL,
default redis://127.0.0.1:6379/14, flushed). 190 operators and 10 supervisors connect over WebSocket; calls arrive at
CALLCENTER_BENCH_CALLS_PER_SECOND (20) for CALLCENTER_BENCH_SECONDS (60): each is published into cc:events as the
listener would (call.offered, then call.agent_ringing to one operator, then released/ended). Latency = the ringing
event's publish → the card frame read by that operator's client. Telephony is not in the loop here (measured from the
cc:events publish, not from the AMI frame). Memory: the API process's RSS with 200 consoles minus before, per console.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from sqlmodel import Session
from websockets.asyncio.client import connect

OPERATORS, SUPERVISORS = 190, 10
SECRET = "bench-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway key for a throwaway server


def _serve(db_url: str, redis_url: str, port: int) -> None:
    import uvicorn

    from agent_console.app import AppConfig, create_app
    from runtime.db import build_engine
    from runtime.redis import connect as rconnect

    app = create_app(AppConfig(secret_key=SECRET), engine=build_engine(db_url), redis_client=rconnect(redis_url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None)


def _prepare(db_url: str) -> list[tuple[int, str, str | None]]:
    from appeals.models import Role, User
    from appeals.seeding import seed_reference
    from callcenter.wiring import upgrade_database
    from runtime.db import build_engine

    upgrade_database(db_url)
    engine = build_engine(db_url)
    users = []
    with Session(engine) as session:
        seed_reference(session)
        for i in range(OPERATORS + SUPERVISORS):
            op = i < OPERATORS
            user = User(
                username=f"b{i}",
                role=Role.operator if op else Role.supervisor,
                password_hash="-",  # noqa: S106 - nobody signs in with a password here: tokens are issued directly
                extension=f"PJSIP/op{1000 + i}" if op else None,
            )
            session.add(user)
            users.append(user)
        session.commit()
        out = [(u.id or 0, u.role.value, u.extension) for u in users]
    engine.dispose()
    return out


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _run(port: int, users: list[tuple[int, str, str | None]], client: redis.Redis, pid: int, rate: float, seconds: float) -> None:
    from agent_console.tokens import issue_token
    from runtime.streams import publish

    now = datetime.now(UTC)
    base_rss = _rss_kib(pid)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    cards_to_supervisors = 0

    async def console(user_id: int, role: str) -> None:
        nonlocal cards_to_supervisors
        token = issue_token(SECRET, user_id, now=now, ttl=timedelta(hours=2))
        async with connect(f"ws://127.0.0.1:{port}/ws/console?token={token}", max_size=2**24, open_timeout=30) as ws:
            async for raw in ws:
                msg = json.loads(raw)
                if msg["type"] == "card":
                    if role == "operator" and msg["call_id"] in sent:
                        latencies.append(time.perf_counter() - sent[msg["call_id"]])
                    elif role == "supervisor":
                        cards_to_supervisors += 1

    tasks = [asyncio.create_task(console(uid, role)) for uid, role, _ in users]
    await asyncio.sleep(5 + len(users) / 50)
    per_console = (_rss_kib(pid) - base_rss) / len(users)
    extensions = [ext for _, role, ext in users if ext]
    interval, calls = 1.0 / rate, int(rate * seconds)
    start = time.perf_counter()
    for n in range(calls):
        call_id = f"bench-{n}"
        ext = random.choice(extensions)
        await asyncio.to_thread(
            publish,
            client,
            "call.offered",
            {"call_id": call_id, "appeal_id": None, "caller": f"+38044{n % 10_000_000:07d}", "queue": "hotline"},
        )
        sent[call_id] = time.perf_counter()
        await asyncio.to_thread(publish, client, "call.agent_ringing", {"call_id": call_id, "appeal_id": None, "interface": ext})
        if n >= 40:
            old = f"bench-{n - 40}"
            await asyncio.to_thread(publish, client, "call.ended", {"call_id": old, "cause": "16", "answered": True, "abandoned": False})
        delay = start + (n + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.sleep(3)
    for task in tasks:
        task.cancel()
    errors = [r for r in await asyncio.gather(*tasks, return_exceptions=True) if not isinstance(r, asyncio.CancelledError)]
    if errors:
        sys.stdout.write(f"console errors: {len(errors)}, first: {errors[0]!r}\n")
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 2 else [float("nan")] * 99
    out = sys.stdout
    out.write(f"consoles: {OPERATORS} operators + {SUPERVISORS} supervisors; {calls} calls at {rate:g}/s over {seconds:g} s\n")
    out.write(f"cards delivered to operators: {len(latencies)}/{calls}; to supervisors: {cards_to_supervisors}\n")
    out.write(
        f"card latency (cc:events publish → WS frame read): p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, max {max(latencies or [0]) * 1000:.1f} ms\n"
    )
    out.write(f"API RSS per connected console: {per_console:.0f} KiB (base {base_rss / 1024:.0f} MiB)\n")


def _wait_for_port(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the API did not listen on port {port}")


def main() -> None:
    rate = float(os.environ.get("CALLCENTER_BENCH_CALLS_PER_SECOND", "20"))
    seconds = float(os.environ.get("CALLCENTER_BENCH_SECONDS", "60"))
    redis_url = os.environ.get("CALLCENTER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        users = _prepare(db_url)
        port = 18_000 + random.randint(0, 999)
        child = subprocess.Popen(  # noqa: S603 - runs this very module
            [sys.executable, "-c", f"from bench.bench_console import _serve; _serve({db_url!r}, {redis_url!r}, {port})"]
        )
        try:
            _wait_for_port(port)
            asyncio.run(_run(port, users, client, child.pid, rate, seconds))
        finally:
            child.terminate()
            child.wait(timeout=20)
            client.flushdb()


if __name__ == "__main__":
    main()
