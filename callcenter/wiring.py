"""Building a process's resources from settings: engine, Redis (configured or embedded), the API app."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from agent_console.app import AppConfig, create_app
from agent_console.settings import ApiSettings
from asr.settings import get_asr_settings
from runtime import redis as rt_redis
from runtime.db import build_engine
from runtime.settings import RuntimeSettings
from telephony.listener import Listener
from telephony.settings import TelephonySettings

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@dataclass
class Resources:
    """What a process owns; `close()` releases it (the embedded Redis is stopped)."""

    engine: Engine
    redis_url: str
    redis: redis.Redis
    embedded: rt_redis.EmbeddedRedis | None = None
    extra: list[object] = field(default_factory=list)

    def close(self) -> None:
        self.redis.close()
        self.engine.dispose()
        if self.embedded is not None:
            self.embedded.close()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(url: str) -> None:
    """Apply every migration (idempotent)."""
    command.upgrade(alembic_config(url), "head")


def open_resources(settings: RuntimeSettings) -> Resources:
    engine = build_engine(settings.effective_database_url)
    embedded = None
    url = settings.redis_url
    if not url:
        embedded = rt_redis.EmbeddedRedis(settings.data_dir)
        url = embedded.url
    return Resources(engine=engine, redis_url=url, redis=rt_redis.connect(url), embedded=embedded)


def build_api(settings: RuntimeSettings, api: ApiSettings, resources: Resources) -> object:
    config = AppConfig(
        secret_key=settings.secret_key.get_secret_value(),
        reg_prefix=settings.reg_prefix,
        token_ttl_minutes=api.token_ttl_minutes,
        outbox_interval_seconds=api.outbox_interval_seconds,
        public_url=api.public_url,
        recordings_dir=settings.recordings_dir,
        raw_sample_rate=get_asr_settings().asr_raw_sample_rate,
        open311_jurisdiction=api.open311_jurisdiction_id,
        service_level_seconds=api.service_level_seconds,
        media_link_ttl_seconds=api.media_link_ttl_seconds,
        photos_dir=api.photos_dir,
        photo_max_bytes=api.photo_max_bytes,
    )
    return create_app(config, engine=resources.engine, redis_client=resources.redis)


def build_listener(settings: RuntimeSettings, telephony: TelephonySettings) -> tuple[Listener, Callable[[], Awaitable[None]]]:
    """The listener with its engine, Redis clients and (optional) CDR engine; the second value closes them."""
    engine = build_engine(settings.effective_database_url, pool_size=4)
    client = rt_redis.connect(settings.redis_url, timeout=5)
    aclient = rt_redis.connect_async(settings.redis_url, timeout=5)
    cdr_engine = build_engine(telephony.cdr_database_url, pool_size=2) if telephony.cdr_database_url else None
    listener = Listener(telephony, engine=engine, client=client, aclient=aclient, cdr_engine=cdr_engine)

    async def close() -> None:
        await aclient.aclose()
        client.close()
        engine.dispose()
        if cdr_engine is not None:
            cdr_engine.dispose()

    return listener, close
