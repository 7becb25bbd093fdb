"""Outreach records: notifications to executors and citizens, deadline alerts, the e-mail intake log and attachments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from appeals.models.base import enum_field, json_dict, utcnow


class NotificationChannel(StrEnum):
    email = "email"
    sms = "sms"
    webhook = "webhook"


class NotificationStatus(StrEnum):
    """pending → sending (a delivery attempt claimed it) → sent | failed; cancelled by a supervisor."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"


class MailOutcome(StrEnum):
    """What the intake did with one mailbox message."""

    appeal = "appeal"
    executor_reply = "executor_reply"
    citizen_reply = "citizen_reply"
    duplicate = "duplicate"
    auto_reply = "auto_reply"
    spam = "spam"
    too_large = "too_large"
    malformed = "malformed"


class Notification(SQLModel, table=True):
    """One message to one recipient, created in the transaction that caused it and delivered at least once.

    `dedup_key` makes creation idempotent; `message_id` is fixed before the first send, so a re-send after a
    crash carries the same Message-ID and mail clients fold the copies.
    """

    __table_args__ = (Index("ix_notification_status_created", "status", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=40, index=True)
    channel: NotificationChannel = enum_field(NotificationChannel.email)
    recipient: str = Field(max_length=500)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", sa_type=Text)
    payload: dict[str, object] = json_dict()
    message_id: str | None = Field(default=None, max_length=250)
    status: NotificationStatus = enum_field(NotificationStatus.pending)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    issue_id: int | None = Field(default=None, foreign_key="issue.id", index=True)
    executor_id: int | None = Field(default=None, foreign_key="executor.id")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class DeadlineAlert(SQLModel, table=True):
    """The watcher's memory: one row per issue, alert kind and the due it was raised for (an extension re-arms it)."""

    __tablename__ = "deadline_alert"
    __table_args__ = (UniqueConstraint("issue_id", "kind", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    kind: str = Field(max_length=24)
    due_at: datetime
    raised_at: datetime


class MailboxState(SQLModel, table=True):
    """How far the IMAP poller has read a mailbox (UIDs are only meaningful within one UIDVALIDITY)."""

    __tablename__ = "mailbox_state"
    mailbox: str = Field(primary_key=True, max_length=200)
    uidvalidity: int = 0
    last_uid: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class MailMessage(SQLModel, table=True):
    """The intake log: every mailbox message seen, once per Message-ID, with what became of it."""

    __tablename__ = "mail_message"
    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(max_length=64, unique=True)
    message_id: str = Field(default="", max_length=300)
    mailbox: str = Field(default="INBOX", max_length=200)
    uid: int | None = None
    sender: str = Field(default="", max_length=254)
    subject: str = Field(default="", max_length=300)
    size: int = 0
    outcome: MailOutcome = enum_field(MailOutcome.appeal, index=True)
    detail: str = Field(default="", max_length=1000)
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    issue_id: int | None = Field(default=None, foreign_key="issue.id")
    raw_path: str | None = Field(default=None, max_length=400)
    auto_replied: bool = False
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime = Field(default_factory=utcnow)


class Attachment(SQLModel, table=True):
    """A file attached to an appeal: an e-mail attachment (`mail_id`; `relpath` under the data directory, by content hash)
    or an executor's photo of the work (`issue_id`, `uploaded_by`; `relpath` under the photos directory; the type is
    the one sniffed from the bytes, never the client's)."""

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    mail_id: int | None = Field(default=None, foreign_key="mail_message.id")
    issue_id: int | None = Field(default=None, foreign_key="issue.id", index=True)
    uploaded_by: int | None = Field(default=None, foreign_key="app_user.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=120)
    size: int = 0
    sha256: str = Field(max_length=64)
    relpath: str = Field(max_length=400)
    created_at: datetime = Field(default_factory=utcnow)
