"""`callcenter probe`: the container health checks against real Redis, a real rq worker registration and HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import redis
from rq import Queue, Worker

from callcenter.probe import ProbeFailedError, probe_api, probe_listener, probe_scheduler, probe_worker
from runtime.streams import LISTENER_KEY
from tests.conftest import REDIS_URL
from tests.drills.servers import free_port
from workers.queues import rq_connection
from workers.scheduler import LOCK_KEY


def test_listener_probe_follows_the_heartbeat(redis_client: redis.Redis) -> None:
    with pytest.raises(ProbeFailedError, match="no listener heartbeat"):
        probe_listener(redis_client)
    redis_client.set(LISTENER_KEY, json.dumps({"state": "down", "since": "2026-11-28T10:00:00+00:00", "at": "x"}), ex=6)
    assert probe_listener(redis_client) == "listener ok (ami down)"  # AMI down is the PBX's state; the process is alive


def test_scheduler_probe_needs_a_leader(redis_client: redis.Redis) -> None:
    with pytest.raises(ProbeFailedError, match="leader lock"):
        probe_scheduler(redis_client)
    redis_client.set(LOCK_KEY, "token", ex=30)
    assert probe_scheduler(redis_client) == "scheduler ok"


def test_worker_probe_finds_this_hosts_rq_worker(redis_client: redis.Redis) -> None:
    raw = rq_connection(redis_client)
    now = datetime.now(UTC)
    with pytest.raises(ProbeFailedError, match="0 registered"):
        probe_worker(raw, hostname=socket.gethostname(), now=now)
    worker = Worker([Queue("asr", connection=raw)], connection=raw)
    worker.register_birth()  # type: ignore[no-untyped-call]
    worker.heartbeat()
    try:
        assert probe_worker(raw, hostname=socket.gethostname(), now=now).startswith("1 worker(s) ok")
        with pytest.raises(ProbeFailedError, match="1 registered"):  # a hung worker stops heartbeating
            probe_worker(raw, hostname=socket.gethostname(), now=now + timedelta(minutes=30))
        with pytest.raises(ProbeFailedError):
            probe_worker(raw, hostname="another-container", now=now)
    finally:
        worker.register_death()  # type: ignore[no-untyped-call]


class _Health(BaseHTTPRequestHandler):
    status = 200
    body: ClassVar[dict[str, object]] = {}

    def do_GET(self) -> None:
        payload = json.dumps(self.body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[int, type[_Health]]]:
    handler = type("Handler", (_Health,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


def test_api_probe_ignores_an_ami_outage_but_not_a_database_outage(health_server: tuple[int, type[_Health]]) -> None:
    port, handler = health_server
    handler.status, handler.body = 503, {"status": "degraded", "db": {"status": "up"}, "redis": {"status": "up"}, "ami": {"status": "down"}}
    assert probe_api(port) == "api ok (ami down)"
    handler.body = {"status": "degraded", "db": {"status": "down"}, "redis": {"status": "up"}, "ami": {"status": "up"}}
    with pytest.raises(ProbeFailedError, match="db is down"):
        probe_api(port)


def test_api_probe_reports_a_silent_port() -> None:
    with pytest.raises(ProbeFailedError, match="does not answer"):
        probe_api(free_port())


def test_probe_command_exits_non_zero_with_the_reason(redis_client: redis.Redis) -> None:
    env = {**os.environ, "CALLCENTER_REDIS_URL": REDIS_URL, "CALLCENTER_SECRET_KEY": "probe-secret-0123456789"}
    down = subprocess.run([sys.executable, "-m", "callcenter", "probe", "listener"], env=env, capture_output=True, text=True, timeout=60)
    assert down.returncode == 1
    assert down.stderr.strip() == "callcenter probe listener: no listener heartbeat in Redis (cc:listener)"
    redis_client.set(LISTENER_KEY, json.dumps({"state": "up", "since": "x", "at": "x"}), ex=120)
    up = subprocess.run([sys.executable, "-m", "callcenter", "probe", "listener"], env=env, capture_output=True, text=True, timeout=60)
    assert (up.returncode, up.stdout.strip()) == (0, "listener ok (ami up)")
