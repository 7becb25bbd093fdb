"""`callcenter worker [QUEUE…]`: the rq worker process."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from runtime.log import configure_logging
from runtime.redis import connect
from runtime.settings import get_runtime_settings
from workers.preload import register_preloaders
from workers.process import resolve_queues, run_worker
from workers.queues import ALL_QUEUES
from workers.settings import get_worker_settings


def _cmd_worker(args: argparse.Namespace) -> int:
    settings = get_runtime_settings()
    configure_logging(settings.log_level)
    try:
        queues = resolve_queues(args.queues)
    except ValueError as exc:
        sys.stderr.write(f"callcenter worker: {exc}\n")
        return 2
    if not settings.redis_url:
        sys.stderr.write("callcenter worker: set CALLCENTER_REDIS_URL (the demo passes its embedded Redis to its worker)\n")
        return 2
    register_preloaders()
    run_worker(connect(settings.redis_url, timeout=30, decode=False), queues, burst=args.burst or get_worker_settings().worker_burst)
    return 0


def add_commands(sub: Any) -> None:
    worker = sub.add_parser("worker", help=f"run an rq worker (queues: {', '.join(ALL_QUEUES)}; default all)")
    worker.add_argument("queues", nargs="*", metavar="QUEUE")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.set_defaults(func=_cmd_worker)
