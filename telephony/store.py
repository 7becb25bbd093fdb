"""The listener's writes (sync, run in a worker thread): one use case of the core per effect, then the outbox drained
so the `call.*` events go out within milliseconds of the commit."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import redis
from redis.exceptions import LockError
from redis.lock import Lock
from sqlalchemy import Engine, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from appeals.calls import CallEnd, active_calls, add_recording, answer_call, end_call, request_callback
from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import OutboxMessage, RecordingLayout
from runtime import streams
from runtime.log import fields, mask_phone
from telephony.effects import Answered, CallbackRequested, Ended, Offered, RecordingReady
from workers.outbox import BATCH, DRAIN_LOCK, try_drain

logger = logging.getLogger(__name__)
OFFERED_HOLD_BACK = ("call.offered", timedelta(seconds=5))
"""The listener's drainer leaves fresh `call.offered` rows to `offer`, which publishes each right after its commit
(and re-arms the drainer when it could not): a drainer taking the row in between would only delay it."""


def _call_id_of(payload: dict[str, Any]) -> object:
    data = payload.get("data")
    return data.get("call_id") if isinstance(data, dict) else None


class Store:
    """Sync use cases run in worker threads; `offer` publishes at once, the listener's drainer publishes the rest."""

    def __init__(self, engine: Engine, client: redis.Redis) -> None:
        self.engine, self.client = engine, client
        self._outbox_lock = threading.Lock()  # this process's drains and call.offered publishes take turns

    def drain(self, *, everything: bool = True) -> bool:
        """Publish what the outbox holds, batch after batch; False when it must be tried again (another process had
        the SQLite drain turn, or Redis failed), so the listener's drainer re-arms instead of leaving rows behind.
        `everything=False` leaves fresh `call.offered` rows to `offer` (see OFFERED_HOLD_BACK)."""
        hold_back = None if everything else OFFERED_HOLD_BACK
        try:
            with self._outbox_lock:
                while True:
                    done = try_drain(self.engine, self.client, batch=BATCH, hold_back=hold_back)
                    if done is None:
                        return False
                    if done < BATCH:
                        return True
        except redis.RedisError as exc:
            logger.warning("outbox drain failed; the scheduler or API will publish later", extra=fields(error=str(exc)))
            return False
        except SQLAlchemyError as exc:  # the database is down or restarting: the rows wait in it, tried again
            logger.warning("outbox drain failed: database unavailable", extra=fields(error=type(exc).__name__))
            return False

    def offer(self, effect: Offered, *, now: datetime, source: str = "ami") -> tuple[int | None, float | None]:
        """The call's record and draft (once per call id); returns the appeal id and when `call.offered` went out."""
        call = IncomingCall(
            call_id=effect.call_id,
            caller=effect.caller,
            caller_name=effect.caller_name,
            started_at=effect.started_at,
            did=effect.did,
            queue=effect.queue,
            channel=effect.channel,
        )
        published: float | None = None
        with Session(self.engine) as session:
            record, appeal, created = open_call_draft(session, call, now=now)
            appeal_id = sa_inspect(appeal).identity[0] if created else appeal.id
            if created:
                with self._outbox_lock:
                    published = self._publish_offered(session, effect, now)
            if created and source != "ami":
                record.source = source
                session.add(record)
                session.commit()
        if created:
            logger.info("call offered", extra=fields(call_id=effect.call_id, appeal_id=appeal_id, caller=mask_phone(effect.caller)))
        return appeal_id, published

    def _publish_offered(self, session: Session, effect: Offered, now: datetime) -> float | None:
        """XADD the draft's `call.offered` right after the commit and mark its outbox row published, saving a drain
        round. One UPDATE … RETURNING claims the row (PostgreSQL: it waits for a drainer that locked the row first,
        then finds it published and leaves it; SQLite: under the drainers' Redis turn), the XADD goes out, and the
        claim commits; a failed XADD rolls the claim back, so the outbox keeps the row and nothing goes out twice.
        Rows of other calls offered in the same instant are claimed and published with it, from their payloads."""
        lock = None
        if self.engine.dialect.name == "sqlite":
            lock = Lock(self.client, DRAIN_LOCK, timeout=30, blocking=True, blocking_timeout=0.5, thread_local=False)
            try:
                if not lock.acquire():
                    return None
            except redis.RedisError:
                return None
        try:
            claimed = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.topic) == "call.offered",
                    col(OutboxMessage.created_at) == now,
                    col(OutboxMessage.published_at).is_(None),
                )
                .values(published_at=now)
                .returning(col(OutboxMessage.id), col(OutboxMessage.payload))
                .execution_options(synchronize_session=False)
            ).all()
            if not any(_call_id_of(payload) == effect.call_id for _, payload in claimed):
                session.rollback()
                return None
            try:
                pipe = self.client.pipeline(transaction=False)
                for _, payload in sorted(claimed, key=lambda row: int(row[0])):
                    data = payload.get("data")
                    version = int(str(payload.get("v", 1)))
                    fields_ = streams.event_fields("call.offered", data if isinstance(data, dict) else {}, version=version, at=now)
                    pipe.xadd(streams.EVENTS, fields_, maxlen=streams.EVENTS_MAXLEN, approximate=True)
                pipe.execute()
            except redis.RedisError as exc:
                session.rollback()
                logger.warning("call.offered not published; the outbox keeps it", extra=fields(call_id=effect.call_id, error=str(exc)))
                return None
            published = time.perf_counter()
            session.commit()
            return published
        finally:
            if lock is not None:
                with contextlib.suppress(redis.RedisError, LockError):
                    lock.release()

    def answer(self, effect: Answered, *, queue: str | None = None) -> None:
        with Session(self.engine) as session:
            answer_call(session, effect.call_id, interface=effect.interface, wait_seconds=effect.wait_seconds, now=effect.at, queue=queue)

    def end(self, effect: Ended, *, queue: str | None) -> None:
        end = CallEnd(effect.cause, effect.cause_text, effect.answered, effect.abandoned, effect.talk_seconds, queue)
        with Session(self.engine) as session:
            end_call(session, effect.call_id, end, now=effect.at)
        logger.info("call ended", extra=fields(call_id=effect.call_id, answered=effect.answered, abandoned=effect.abandoned))

    def recording(self, effect: RecordingReady, *, now: datetime) -> int | None:
        try:
            layout = RecordingLayout(effect.layout)
        except ValueError:
            layout = RecordingLayout.stereo
        with Session(self.engine) as session:
            row = add_recording(session, effect.call_id, relpath=effect.relpath, layout=layout, now=now)
            rid = row.id if row else None
        if rid is None:
            logger.warning("recording for an unknown call ignored", extra=fields(call_id=effect.call_id))
        return rid

    def callback(self, effect: CallbackRequested, *, now: datetime) -> None:
        with Session(self.engine) as session:
            task = request_callback(session, effect.call_id, number=effect.number, now=now)
        if task is None:
            logger.warning("callback requested without a number", extra=fields(call_id=effect.call_id))

    def close_vanished(self, live: Iterable[str], *, now: datetime) -> list[str]:
        """Open call records the PBX no longer has (they ended while we were away): close them."""
        keep = set(live)
        closed: list[str] = []
        with Session(self.engine) as session:
            for call in active_calls(session, now=now):
                if call.call_id in keep or call.source != "ami":
                    continue
                end_call(session, call.call_id, CallEnd(cause_text="ended while the AMI link was down", answered=call.answered), now=now)
                closed.append(call.call_id)
        if closed:
            self.drain()
        return closed
