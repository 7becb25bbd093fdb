"""What jobs run with: the engine, Redis, mail and SMS transports and settings of this process.

rq jobs are plain functions taking ids, so their resources come from here: the process entrypoint (worker,
scheduler, a test) installs a context, or the first job builds one from the settings. After rq forks a
work-horse the inherited engine's pooled connections are dropped (never shared across processes).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis
from sqlalchemy import Engine
from sqlmodel import Session

from runtime.db import build_engine
from runtime.redis import connect
from runtime.settings import get_runtime_settings
from workers.mailer import LogTransport, MailTransport, SmtpTransport
from workers.outbox import drain_outbox
from workers.settings import WorkerSettings, get_worker_settings
from workers.sms import HttpSmsGateway, LogSmsGateway, SmsGateway


@dataclass
class JobContext:
    engine: Engine
    redis: redis.Redis
    settings: WorkerSettings
    secret_key: str
    data_dir: Path
    mailer: MailTransport
    sms: SmsGateway
    reg_prefix: str = "БР"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    pid: int = field(default_factory=os.getpid)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    def flush_outbox(self) -> None:
        """Publish what the job just committed (notifications' delivery jobs go out at once)."""
        with contextlib.suppress(redis.RedisError):  # the scheduler or the API drains it later; nothing is lost
            drain_outbox(self.engine, self.redis)


_current: JobContext | None = None


def mail_transport(settings: WorkerSettings) -> MailTransport:
    if settings.mail_transport == "smtp":
        return SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            timeout=settings.smtp_timeout_seconds,
        )
    return LogTransport()


def sms_gateway(settings: WorkerSettings) -> SmsGateway:
    if settings.sms_gateway == "http" and settings.sms_http_url:
        return HttpSmsGateway(settings.sms_http_url, settings.sms_http_token.get_secret_value(), settings.webhook_timeout_seconds)
    return LogSmsGateway()


def build_context() -> JobContext:
    """A context from the environment's settings (the entrypoints' way)."""
    runtime, settings = get_runtime_settings(), get_worker_settings()
    if not runtime.redis_url:
        msg = "set CALLCENTER_REDIS_URL: jobs and the scheduler need the Redis the API uses"
        raise RuntimeError(msg)
    return JobContext(
        engine=build_engine(runtime.effective_database_url, pool_size=2),
        redis=connect(runtime.redis_url, timeout=10),
        settings=settings,
        secret_key=runtime.secret_key.get_secret_value(),
        data_dir=runtime.data_dir,
        mailer=mail_transport(settings),
        sms=sms_gateway(settings),
        reg_prefix=runtime.reg_prefix,
    )


def install(context: JobContext | None) -> None:
    """Make `context` the one jobs in this process use (None: build from settings on first use)."""
    global _current
    _current = context


def current() -> JobContext:
    """This process's context; in a freshly forked work-horse the pooled DB connections are not reused."""
    global _current
    if _current is None:
        _current = build_context()
    if _current.pid != os.getpid():
        _current.engine.dispose(close=False)
        _current.pid = os.getpid()
    return _current
