"""Telephony settings: the AMI link, which channels are the trunk, and where Asterisk's CDR table lives."""

from __future__ import annotations

import functools
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEMO_AMI_SECRET = "callcenter-demo"  # noqa: S105 - the documented demo secret of asterisk-config/manager.conf


def _split(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class TelephonySettings(BaseSettings):
    """The listener's (and the simulator's) settings; every field maps to CALLCENTER_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    ami_host: str = Field("127.0.0.1", description="Asterisk manager (AMI) host")
    ami_port: int = Field(5038, ge=1, le=65535, description="AMI TCP port")
    ami_username: str = Field("callcenter", description="AMI user (manager.conf section)")
    ami_secret: SecretStr = Field(SecretStr(DEMO_AMI_SECRET), description="AMI secret; the demo uses `callcenter-demo`")
    ami_trunk_endpoints: Annotated[tuple[str, ...], NoDecode] = Field(
        ("trunk",), description="comma list of PJSIP endpoints (or channel-name prefixes) that are the carrier trunk"
    )
    ami_inbound_contexts: Annotated[tuple[str, ...], NoDecode] = Field(
        ("from-trunk",), description="comma list of dialplan contexts where inbound trunk calls start"
    )
    ami_action_timeout: float = Field(5.0, gt=0, description="seconds any AMI action may take before it counts as failed")
    ami_reconnect_max: float = Field(30.0, gt=0, description="upper bound in seconds of the reconnect backoff (1, 2, 4 … ± 20 % jitter)")
    ami_ping_interval: float = Field(
        10.0, gt=0, description="seconds between AMI Pings; a Ping unanswered for as long (or the action timeout) drops the link"
    )
    ami_queue_poll_seconds: float = Field(
        60.0,
        ge=0,
        description="seconds between QueueStatus re-polls that correct the live queue board (`cc:queues`) from the PBX; 0 = only after a (re)connect",
    )
    cdr_database_url: str = Field("", description="SQLAlchemy URL of Asterisk's CDR database (table `cdr`); empty = no outage backfill")
    pbx_sim_port: int = Field(5038, ge=1, le=65535, description="TCP port the PBX simulator listens on")
    pbx_sim_rate: float = Field(6.0, ge=0, description="calls per minute the simulator generates in scenario mode")
    demo: bool = Field(False, description="demo mode: allows the placeholder secret")
    listener_heartbeat_seconds: float = Field(2.0, gt=0, description="how often the listener refreshes `cc:listener` (TTL is 3×)")

    _split_endpoints = field_validator("ami_trunk_endpoints", "ami_inbound_contexts", mode="before")(_split)

    @field_validator("cdr_database_url")
    @classmethod
    def _check_cdr_url(cls, value: str) -> str:
        if value:
            try:
                make_url(value)
            except ArgumentError as exc:
                msg = f"CALLCENTER_CDR_DATABASE_URL is not an SQLAlchemy URL ({exc})"
                raise ValueError(msg) from exc
        return value

    @model_validator(mode="after")
    def _refuse_demo_secret(self) -> TelephonySettings:
        if not self.demo and self.ami_secret.get_secret_value() in ("", DEMO_AMI_SECRET):
            msg = "CALLCENTER_AMI_SECRET is unset or the demo secret; set the manager.conf secret (or CALLCENTER_DEMO=1 for the demo)"
            raise ValueError(msg)
        return self


@functools.lru_cache
def get_telephony_settings() -> TelephonySettings:
    """The process-wide telephony settings, read once from the environment."""
    return TelephonySettings()
