"""Settings of the worker processes (env prefix CALLCENTER_)."""

from __future__ import annotations

import functools

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    worker_burst: bool = Field(False, description="`callcenter worker` exits when its queues are empty")


@functools.lru_cache
def get_worker_settings() -> WorkerSettings:
    return WorkerSettings()
