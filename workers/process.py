"""The worker process: a forking rq worker with rq's scheduler, serving the given queues.

Anything expensive that every job needs (the Vosk model for `asr`) is loaded here, in the parent, before rq
forks a work-horse per job, so children share it copy-on-write and never reload it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence

import redis
from rq import Worker

from workers.queues import ALL_QUEUES, ASR, queue

logger = logging.getLogger(__name__)


def _preload_asr() -> None:
    from workers.asr_jobs import preload_model  # imported only by workers that serve `asr` (it loads vosk)

    preload_model()


PRELOADERS: dict[str, Callable[[], None]] = {ASR: _preload_asr}
"""Per-queue hooks run once in the parent before the first fork (the ASR part registers the model loader)."""


def resolve_queues(names: Sequence[str]) -> list[str]:
    """The queues to serve: the given names (validated), or all of them."""
    chosen = list(dict.fromkeys(names)) or list(ALL_QUEUES)
    unknown = [n for n in chosen if n not in ALL_QUEUES]
    if unknown:
        msg = f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(ALL_QUEUES)}"
        raise ValueError(msg)
    return chosen


def run_worker(connection: redis.Redis, names: Sequence[str], *, burst: bool = False) -> bool:
    """Serve the queues until SIGTERM (warm shutdown: the running job finishes) or, with `burst`, until empty."""
    chosen = resolve_queues(names)
    for name in chosen:
        hook = PRELOADERS.get(name)
        if hook is not None:
            hook()
    worker = Worker([queue(n, connection) for n in chosen], connection=connection, name=f"{socket.gethostname()}.{os.getpid()}")
    logger.info("worker starting", extra={"event_data": {"queues": chosen, "burst": burst}})
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="WARNING"))
