"""`callcenter listener`: the AMI listener process (JSON-line logs, `cc:listener` heartbeat, clean SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from callcenter.wiring import build_listener
from runtime.heap import freeze_startup_heap
from runtime.log import configure_logging, fields
from runtime.settings import get_runtime_settings
from telephony.settings import get_telephony_settings

logger = logging.getLogger(__name__)


async def _serve() -> int:
    settings, telephony = get_runtime_settings(), get_telephony_settings()
    listener, close = build_listener(settings, telephony)
    freeze_startup_heap()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    logger.info(
        "listener starting",
        extra=fields(ami=f"{telephony.ami_host}:{telephony.ami_port}", user=telephony.ami_username, cdr=bool(telephony.cdr_database_url)),
    )
    try:
        await listener.run(stop)
    finally:
        await close()
    if listener.failed:
        logger.error("listener stopped after a task failed")
        return 1
    logger.info("listener stopped")
    return 0


def _cmd_listener(_args: argparse.Namespace) -> int:
    settings = get_runtime_settings()
    configure_logging(settings.log_level)
    if not settings.redis_url:
        sys.stderr.write("callcenter listener: set CALLCENTER_REDIS_URL (the demo passes its embedded Redis to it)\n")
        return 2
    return asyncio.run(_serve())


def add_commands(sub: Any) -> None:
    parser = sub.add_parser("listener", help="follow Asterisk over AMI: a draft appeal per inbound call, live queue state, commands")
    parser.set_defaults(func=_cmd_listener)
