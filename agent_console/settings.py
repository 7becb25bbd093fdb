"""Settings of the API process (env prefix CALLCENTER_)."""

from __future__ import annotations

import functools

from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    token_ttl_minutes: int = 720
    outbox_interval_seconds: float = 0.2
    public_url: str = "http://127.0.0.1:8000"


@functools.lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
