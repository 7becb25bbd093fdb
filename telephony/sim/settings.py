"""The simulator's settings: the same CALLCENTER_ names the listener reads (telephony/settings.py), so both sides agree."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class PbxSimSettings(BaseSettings):
    """Every field maps to CALLCENTER_<NAME>; the CLI options of `callcenter pbx-sim` override them."""

    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    ami_username: str = Field("callcenter", description="AMI user (manager.conf section)")
    ami_secret: SecretStr = Field(SecretStr("callcenter-demo"), description="AMI secret; the demo uses `callcenter-demo`")
    pbx_sim_port: int = Field(5038, ge=0, le=65535, description="TCP port the PBX simulator listens on")
    pbx_sim_rate: float = Field(6.0, ge=0, description="calls per minute the simulator generates in scenario mode")
    cdr_database_url: str = Field("", description="SQLAlchemy URL of Asterisk's CDR database (table `cdr`)")
    recordings_dir: Path = Field(Path("var/recordings"), description="Asterisk's monitor directory (recording relpaths are under it)")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING")

    @field_validator("cdr_database_url")
    @classmethod
    def _check_cdr_url(cls, value: str) -> str:
        if value:
            make_url(value)
        return value


@functools.lru_cache
def get_pbx_sim_settings() -> PbxSimSettings:
    return PbxSimSettings()
