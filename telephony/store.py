"""The listener's writes (sync, run in a worker thread): one use case of the core per effect, then the outbox drained
so the `call.*` events go out within milliseconds of the commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

import redis
from sqlalchemy import Engine
from sqlmodel import Session

from appeals.calls import CallEnd, active_calls, add_recording, answer_call, end_call, request_callback
from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import RecordingLayout
from runtime.log import fields, mask_phone
from telephony.effects import Answered, CallbackRequested, Ended, Offered, RecordingReady
from workers.outbox import drain_outbox

logger = logging.getLogger(__name__)


class Store:
    def __init__(self, engine: Engine, client: redis.Redis) -> None:
        self.engine, self.client = engine, client

    def drain(self) -> None:
        try:
            drain_outbox(self.engine, self.client)
        except redis.RedisError as exc:
            logger.warning("outbox drain failed; the scheduler or API will publish later", extra=fields(error=str(exc)))

    def offer(self, effect: Offered, *, now: datetime, source: str = "ami") -> int | None:
        call = IncomingCall(
            call_id=effect.call_id,
            caller=effect.caller,
            caller_name=effect.caller_name,
            started_at=effect.started_at,
            did=effect.did,
            queue=effect.queue,
            channel=effect.channel,
        )
        with Session(self.engine) as session:
            record, appeal, created = open_call_draft(session, call, now=now)
            if created and source != "ami":
                record.source = source
                session.add(record)
                session.commit()
            appeal_id = appeal.id
        self.drain()
        if created:
            logger.info("call offered", extra=fields(call_id=effect.call_id, appeal_id=appeal_id, caller=mask_phone(effect.caller)))
        return appeal_id

    def answer(self, effect: Answered) -> None:
        with Session(self.engine) as session:
            answer_call(session, effect.call_id, interface=effect.interface, wait_seconds=effect.wait_seconds, now=effect.at)
        self.drain()

    def end(self, effect: Ended, *, queue: str | None) -> None:
        end = CallEnd(effect.cause, effect.cause_text, effect.answered, effect.abandoned, effect.talk_seconds, queue)
        with Session(self.engine) as session:
            end_call(session, effect.call_id, end, now=effect.at)
        self.drain()
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
        self.drain()
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
