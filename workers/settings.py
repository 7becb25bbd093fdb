"""Settings of the worker and scheduler processes (env prefix CALLCENTER_): mail, SMS, mailbox, policies, schedule."""

from __future__ import annotations

import functools
import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    worker_burst: bool = Field(False, description="`callcenter worker` exits when its queues are empty")
    mail_transport: Literal["log", "smtp"] = Field("log", description="`log` writes outgoing mail to the log (demo); `smtp` sends it")
    mail_from: str = Field(
        "Контакт-центр <contact-center@localhost>", description="From of outgoing mail; its domain is used in Message-IDs"
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP server for outgoing mail")
    smtp_port: int = Field(25, description="SMTP port (587 with starttls, 465 with ssl)")
    smtp_security: Literal["none", "starttls", "ssl"] = Field("none", description="SMTP transport security")
    smtp_username: str = Field("", description="SMTP login; empty = no authentication")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password")
    smtp_timeout_seconds: float = Field(20.0, description="SMTP connect/read timeout")
    public_url: str = Field("http://127.0.0.1:8000", description="the console's public URL, used in links sent to executors")
    supervisor_email: str = Field("", description="dispatch desk mailbox for escalations; empty = the active supervisors' own e-mails")
    sms_gateway: Literal["log", "http"] = Field("log", description="`log` writes SMS to the log; `http` posts JSON to the gateway URL")
    sms_http_url: str = Field("", description="the SMS gateway's endpoint (JSON {to, text, id}) for `http`")
    sms_http_token: SecretStr = Field(SecretStr(""), description="bearer token for the SMS gateway")
    webhook_timeout_seconds: float = Field(10.0, description="timeout of a webhook call to an executor's system")
    imap_host: str = Field("", description="IMAP server of the appeals mailbox; empty = e-mail intake off")
    imap_port: int = Field(993, description="IMAP port (143 with starttls/none)")
    imap_security: Literal["none", "starttls", "ssl"] = Field("ssl", description="IMAP transport security")
    imap_username: str = Field("", description="IMAP login")
    imap_password: SecretStr = Field(SecretStr(""), description="IMAP password")
    imap_mailbox: str = Field("INBOX", description="the folder the poller reads")
    imap_poll_seconds: int = Field(60, description="how often the scheduler polls the mailbox")
    mail_max_bytes: int = Field(15 * 1024 * 1024, description="larger messages stay in the mailbox, flagged, for a person")
    mail_auto_replies_per_day: int = Field(5, description="at most this many automatic replies to one sender a day (loop guard)")
    petition_threshold: int = Field(350, description="signatures an e-petition needs (the city statute's number)")
    petition_collection_days: int = Field(60, description="days a published petition collects signatures")
    petition_title_min: int = Field(20, description="shortest petition title")
    petition_title_max: int = Field(200, description="longest petition title")
    petition_text_max: int = Field(10_000, description="longest petition text")
    incident_burst_calls: int = Field(5, description="propose a mass incident after this many appeals …")
    incident_burst_minutes: int = Field(30, description="… of one category on one street within this many minutes")
    center_hours: str = Field("08:00-20:00", description="when the contact center takes calls (Kyiv time), for the IVR")
    center_open_days_off: bool = Field(False, description="whether the center also works on days off of the work calendar")
    ivr_key: SecretStr = Field(SecretStr(""), description="if set, /api/ivr/notice requires ?key= with this value")
    deadline_watch_seconds: int = Field(60, description="how often the deadline watcher runs")
    digest_time: str = Field("08:00", description="when executors get their daily digest (Kyiv time, working days)")
    notification_retention_days: int = Field(365, description="sent notifications are deleted after this many days")
    mail_log_retention_days: int = Field(90, description="raw copies of non-appeal mail (spam, auto-replies) are deleted after this")
    scheduler_tick_seconds: float = Field(1.0, description="the scheduler loop's tick")

    @field_validator("center_hours")
    @classmethod
    def _check_hours(cls, value: str) -> str:
        if not _HOURS.match(value):
            msg = "center_hours must look like 08:00-20:00"
            raise ValueError(msg)
        return value

    @field_validator("digest_time")
    @classmethod
    def _check_time(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            msg = "digest_time must look like 08:00"
            raise ValueError(msg)
        return value


@functools.lru_cache
def get_worker_settings() -> WorkerSettings:
    return WorkerSettings()
