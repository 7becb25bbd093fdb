"""The IMAP poller (queue `default`, from the scheduler): each new message becomes an appeal, a matched reply, or a
logged non-appeal. One bad message is recorded and flagged; it never stops the others."""

from __future__ import annotations

import hashlib
import logging

from redis.lock import Lock
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from appeals.mail_intake import InboundMail, intake_mail, message_key, record_too_large
from appeals.models import MailboxState, MailMessage, MailOutcome
from workers.context import JobContext, current
from workers.imap import Mailbox
from workers.mailparse import parse_message

logger = logging.getLogger(__name__)
LOCK_KEY = "cc:imap:lock"


def _save_raw(ctx: JobContext, key: str, raw: bytes, year_month: str) -> str:
    relpath = f"mail/{year_month}/{key}.eml"
    target = ctx.data_dir / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(raw)
    return relpath


def _process(ctx: JobContext, box: Mailbox, uid: int, mailbox: str, reg_prefix: str) -> str:
    size, arrived = box.meta(uid)
    now = ctx.now()
    limit = ctx.settings.mail_max_bytes
    if size > limit:
        header = box.fetch(uid, headers_only=True)
        mail = parse_message(header, data_dir=ctx.data_dir, arrived_at=arrived, headers_only=True)
        mail = InboundMail(**{**mail.__dict__, "size": size})
        with ctx.session() as session:
            row, _ = record_too_large(
                session,
                mail,
                key=message_key(mail.message_id, hashlib.sha256(header).hexdigest()),
                mailbox=mailbox,
                uid=uid,
                limit=limit,
                now=now,
            )
            outcome = row.outcome.value
        box.flag(uid, "\\Flagged")
        return outcome
    raw = box.fetch(uid)
    key = message_key("", hashlib.sha256(raw).hexdigest())
    try:
        mail = parse_message(raw, data_dir=ctx.data_dir, arrived_at=arrived)
        key = message_key(mail.message_id, hashlib.sha256(raw).hexdigest())
        raw_path = _save_raw(ctx, key, raw, now.strftime("%Y/%m"))
        with ctx.session() as session:
            row, new = intake_mail(session, mail, key=key, mailbox=mailbox, uid=uid, raw_path=raw_path, reg_prefix=reg_prefix, now=now)
            outcome = row.outcome.value if new else MailOutcome.duplicate.value
    except IntegrityError:
        outcome = MailOutcome.duplicate.value  # a concurrent poll took it
    except Exception as exc:
        logger.exception("mail intake failed for one message", extra={"event_data": {"uid": uid}})
        outcome = _quarantine(ctx, key, raw, uid, mailbox, f"{type(exc).__name__}: {exc}")
        box.flag(uid, "\\Flagged")
    box.flag(uid, "\\Seen")
    return outcome


def _quarantine(ctx: JobContext, key: str, raw: bytes, uid: int, mailbox: str, error: str) -> str:
    with ctx.session() as session:
        if session.exec(select(MailMessage).where(MailMessage.message_key == key)).first() is None:
            raw_path = _save_raw(ctx, key, raw, ctx.now().strftime("%Y/%m"))
            session.add(
                MailMessage(
                    message_key=key,
                    mailbox=mailbox,
                    uid=uid,
                    size=len(raw),
                    outcome=MailOutcome.malformed,
                    detail=error[:1000],
                    raw_path=raw_path,
                    processed_at=ctx.now(),
                )
            )
            session.commit()
    return MailOutcome.malformed.value


def poll_mailbox() -> dict[str, int]:
    """Read every message after the last one seen (per UIDVALIDITY); progress is saved after each message."""
    ctx = current()
    s = ctx.settings
    if not s.imap_host:
        return {}
    lock = Lock(ctx.redis, LOCK_KEY, timeout=900, blocking=False, thread_local=False)
    if not lock.acquire(blocking=False):
        return {}
    counts: dict[str, int] = {}
    try:
        with Mailbox(s.imap_host, s.imap_port, s.imap_username, s.imap_password.get_secret_value(), s.imap_security) as box:
            validity = box.select(s.imap_mailbox)
            with ctx.session() as session:
                state = session.get(MailboxState, s.imap_mailbox) or MailboxState(mailbox=s.imap_mailbox)
                if state.uidvalidity != validity:
                    state.uidvalidity, state.last_uid = validity, 0  # the folder was rebuilt: Message-IDs keep us from repeating
                session.add(state)
                session.commit()
                for uid in box.uids_after(state.last_uid):
                    outcome = _process(ctx, box, uid, s.imap_mailbox, ctx.reg_prefix)
                    counts[outcome] = counts.get(outcome, 0) + 1
                    state.last_uid, state.updated_at = uid, ctx.now()
                    session.add(state)
                    session.commit()
    finally:
        lock.release()
    ctx.flush_outbox()
    if counts:
        logger.info("mailbox polled", extra={"event_data": counts})
    return counts
