"""Fixtures for jobs: a real SMTP server (aiosmtpd) on loopback, the job context, running queued jobs for real; recordings for ASR jobs."""

from __future__ import annotations

import email
import http.server
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from rq import SimpleWorker
from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import Executor, Recording, RecordingLayout
from asr.settings import get_asr_settings
from runtime.settings import get_runtime_settings
from tests.asr.conftest import FIXTURES, ko_model_dir
from tests.conftest import SECRET, Backend, Clock
from tests.workers.imap_server import ImapServer
from workers import context
from workers.context import JobContext
from workers.mailer import SmtpTransport
from workers.outbox import drain_outbox
from workers.queues import ALL_QUEUES, queue, rq_connection
from workers.settings import WorkerSettings
from workers.sms import LogSmsGateway


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpSink:
    """Collects every message the server accepted, parsed, with its envelope."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook name
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m, (_, rcpt) in zip(self.messages, self.envelopes, strict=True) if address in rcpt]


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, data_size_limit=64 * 1024 * 1024)
    controller.start()
    sink.port = port
    yield sink
    controller.stop()


@pytest.fixture
def restore_executors(engine: Engine) -> Iterator[None]:
    """Executors are reference data (not truncated between tests): put back whatever a test changed."""
    with Session(engine) as session:
        saved = [e.model_dump() for e in session.exec(select(Executor)).all()]
    yield
    with Session(engine) as session:
        for row in saved:
            executor = session.get(Executor, row["id"])
            if executor is not None:
                for key, value in row.items():
                    setattr(executor, key, value)
                session.add(executor)
        session.commit()


def worker_settings(smtp_port: int, **overrides: Any) -> WorkerSettings:
    values: dict[str, Any] = {
        "mail_transport": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "mail_from": "Контакт-центр <cc@brovary.example>",
        "supervisor_email": "dispatch@brovary.example",
        "public_url": "https://cc.brovary.example",
    }
    values.update(overrides)
    return WorkerSettings(**values)


@pytest.fixture
def job_ctx(engine: Engine, redis_client: redis.Redis, smtp_sink: SmtpSink, clock: Clock, tmp_path: Path) -> Iterator[JobContext]:
    """The context jobs run with in this process: the test DB and Redis, SMTP to the sink, the test clock."""
    settings = worker_settings(smtp_sink.port)
    ctx = JobContext(
        engine=engine,
        redis=redis_client,
        settings=settings,
        secret_key=SECRET,
        data_dir=tmp_path,
        mailer=SmtpTransport("127.0.0.1", smtp_sink.port, timeout=5),
        sms=LogSmsGateway(),
        clock=lambda: clock.now,
    )
    context.install(ctx)
    yield ctx
    context.install(None)


def run_jobs(ctx: JobContext, *, rounds: int = 10) -> int:
    """Drain the outbox and run every queued job in-process (rq SimpleWorker on real Redis) until none is left."""
    done = 0
    connection = rq_connection(ctx.redis)
    for _ in range(rounds):
        drain_outbox(ctx.engine, ctx.redis)
        pending = sum(queue(name, ctx.redis).count for name in ALL_QUEUES)
        if pending == 0:
            break
        worker = SimpleWorker([queue(name, ctx.redis) for name in ALL_QUEUES], connection=connection)
        worker.work(burst=True, logging_level="WARNING")
        done += pending
    return done


@dataclass
class WorkerProcess:
    """`callcenter worker` as a real forking process (rq work-horses, rq's scheduler)."""

    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_worker(
    repo_root: Path, tmp_path: Path, *, database_url: str, redis_url: str, queues: list[str], env: dict[str, str]
) -> WorkerProcess:
    log = tmp_path / f"worker-{len(list(tmp_path.glob('worker-*.log')))}.log"
    full_env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": database_url,
        "CALLCENTER_REDIS_URL": redis_url,
        "CALLCENTER_SECRET_KEY": SECRET,
        "CALLCENTER_DATA_DIR": str(tmp_path),
        **env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(repo_root / ".venv" / "bin" / "callcenter"), "worker", *queues], env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    return WorkerProcess(proc, log)


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@dataclass
class PrivateRedis:
    """A redis-server of our own on a spare port, for drills that stop and start it."""

    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            assert wait_until(lambda: _pings(client), timeout=10), "redis-server did not start"
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """dovecot on a spare loopback port; its folder lives outside pytest's root-only tmp tree (it runs as nobody)."""
    root = Path(tempfile.mkdtemp(prefix="cc-imap-"))
    server = ImapServer(root, free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class HttpSink:
    """A loopback HTTP server recording POSTs; `status` is what it answers."""

    port: int = 0
    status: int = 200
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = HttpSink()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            sink.requests.append((self.path, dict(self.headers.items()), body))
            self.send_response(sink.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            del args

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink
    server.shutdown()
    server.server_close()


@dataclass
class Recorded:
    recording_id: int
    appeal_id: int
    path: Path


@pytest.fixture
def asr_env(backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Environment an in-process job reads (the same variables the forked worker gets); returns the recordings dir."""
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    monkeypatch.setenv("CALLCENTER_DEMO", "1")
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", backend.url)
    monkeypatch.setenv("CALLCENTER_RECORDINGS_DIR", str(recordings))
    monkeypatch.setenv("CALLCENTER_VOSK_MODEL_PATH", ko_model_dir())
    get_runtime_settings.cache_clear()
    get_asr_settings.cache_clear()
    yield recordings
    get_runtime_settings.cache_clear()
    get_asr_settings.cache_clear()


def add_recording(
    engine: Engine, recordings: Path, source: str | None, relpath: str, *, layout: RecordingLayout = RecordingLayout.stereo
) -> Recorded:
    """A call with its draft appeal and a recording row; `source` (a fixture file name) is copied to `relpath`."""
    now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    target = recordings / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copy(FIXTURES / source, target)
    with Session(engine) as session:
        call_id = f"17545612{len(relpath)}.{abs(hash(relpath)) % 1000}"
        call, appeal, _ = open_call_draft(session, IncomingCall(call_id=call_id, caller="+380501234567", started_at=now), now=now)
        recording = Recording(call_id=call.call_id, relpath=relpath, layout=layout, created_at=now)
        session.add(recording)
        session.commit()
        return Recorded(recording.id or 0, appeal.id or 0, target)


@pytest.fixture
def rq_redis(redis_client: redis.Redis) -> Iterator[redis.Redis]:
    """The same (flushed) Redis database without response decoding, as rq needs it."""
    kwargs = redis_client.connection_pool.connection_kwargs
    client = redis.Redis(host=kwargs.get("host", "127.0.0.1"), port=kwargs.get("port", 6379), db=kwargs.get("db", 0), socket_timeout=30)
    yield client
    client.close()
