"""Settings of the API process (env prefix CALLCENTER_)."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    api_host: str = Field("127.0.0.1", description="address `callcenter api` listens on")
    api_port: int = Field(8000, description="port `callcenter api` listens on")
    token_ttl_minutes: int = Field(720, description="lifetime of a bearer token (a shift)")
    outbox_interval_seconds: float = Field(0.2, description="how often the API drains the transactional outbox to Redis")
    public_url: str = Field("http://127.0.0.1:8000", description="the console's public URL, used in links sent to executors")
    open311_jurisdiction_id: str = Field(
        "",
        description="Open311 `jurisdiction_id` this server answers for (e.g. `brovary-rada.gov.ua`); empty = any, as one-city servers may",
    )
    service_level_seconds: int = Field(
        20,
        ge=1,
        le=600,
        description="service-level threshold for reports: a call answered within this many seconds of waiting counts as served",
    )
    photos_dir: Path = Field(Path("var/photos"), description="where executors' photos of the work are stored (one file each, `YYYY/MM/…`)")
    photo_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="largest photo an executor may attach, in bytes (each of JPEG, PNG or WebP)"
    )
    media_link_ttl_seconds: int = Field(
        300,
        ge=30,
        le=3600,
        description="lifetime of the signed link the appeal page's player streams a recording from (each link is one audited play)",
    )


@functools.lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
