"""`callcenter scheduler`: the periodic-job loop (one leader at a time through a Redis lock)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from runtime.db import build_engine
from runtime.log import configure_logging
from runtime.redis import connect
from runtime.settings import get_runtime_settings
from workers.scheduler import Scheduler, periodic_jobs
from workers.settings import get_worker_settings


def _cmd_scheduler(_args: argparse.Namespace) -> int:
    settings, worker = get_runtime_settings(), get_worker_settings()
    configure_logging(settings.log_level)
    if not settings.redis_url:
        sys.stderr.write("callcenter scheduler: set CALLCENTER_REDIS_URL (the demo passes its embedded Redis to it)\n")
        return 2
    engine = build_engine(settings.effective_database_url, pool_size=2)
    client = connect(settings.redis_url, timeout=5)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        Scheduler(engine, client, periodic_jobs(worker)).run(stop, interval=worker.scheduler_tick_seconds)
    finally:
        client.close()
        engine.dispose()
    return 0


def add_commands(sub: Any) -> None:
    parser = sub.add_parser("scheduler", help="enqueue periodic jobs (deadline watch, mailbox, digests, retention) and drain the outbox")
    parser.set_defaults(func=_cmd_scheduler)
