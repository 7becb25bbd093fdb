"""Preloading for the forking worker: import the job modules and build the job context once, in the parent,
before rq forks a work-horse per job (the imports alone take over a second; every horse would repeat them)."""

from __future__ import annotations

import gc
import importlib

from workers.context import current
from workers.process import PRELOADERS
from workers.queues import CALLBACKS, DEFAULT, NOTIFY, ROUTING

JOB_MODULES = (
    "workers.routing_jobs",
    "workers.notify_jobs",
    "workers.callback_jobs",
    "workers.deadline_jobs",
    "workers.mail_jobs",
    "workers.petition_jobs",
    "workers.retention_jobs",
)


def preload_jobs() -> None:
    """Idempotent: later calls find everything loaded."""
    for name in JOB_MODULES:
        importlib.import_module(name)
    current()  # engine, Redis client and transports; no connection is opened here
    gc.freeze()  # what is loaded now is shared with every work-horse; the horses' GC leaves it (and its pages) alone


def register_preloaders() -> None:
    """Run `preload_jobs` for the queues whose jobs are ours (the ASR part registers its own for `asr`)."""
    for name in (ROUTING, NOTIFY, CALLBACKS, DEFAULT):
        PRELOADERS.setdefault(name, preload_jobs)
