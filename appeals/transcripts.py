"""Use cases of transcripts: attach one to its recording's appeal (idempotent), suggestions from the register, reading.

Reading a transcript or a recording is reading personal data: the read functions write an audit row (pii).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from appeals.actors import Actor
from appeals.address_extract import AddressIndex, StreetRef
from appeals.errors import NotFoundError
from appeals.events import AppealTranscribed
from appeals.history import emit, record_audit
from appeals.models import (
    Appeal,
    AppealStatus,
    Building,
    Call,
    Category,
    Issue,
    Recording,
    Street,
    Transcript,
    TranscriptSegment,
    TranscriptStatus,
)
from appeals.suggest import CategoryModel, CategoryRef, Example, Suggestions, suggest

TRAINING_LIMIT = 3000


@dataclass(frozen=True)
class SegmentIn:
    speaker: str
    start: float
    end: float
    text: str
    confidence: float


@dataclass(frozen=True)
class TranscriptIn:
    """What the worker hands over: status, the segments (time order) and where they came from."""

    status: TranscriptStatus
    duration: float = 0.0
    segments: Sequence[SegmentIn] = ()
    model: str = ""
    source: str = "vosk"
    error: str = ""


def recording_context(session: Session, recording_id: int) -> tuple[Recording, Call | None]:
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFoundError("recording", recording_id)
    call = session.exec(select(Call).where(Call.call_id == recording.call_id)).first()
    return recording, call


def _upsert(session: Session, recording: Recording, appeal_id: int | None, now: datetime) -> Transcript:
    row = session.exec(select(Transcript).where(Transcript.recording_id == recording.id)).first()
    if row is not None:
        return row
    row = Transcript(recording_id=recording.id or 0, call_id=recording.call_id, appeal_id=appeal_id, created_at=now, updated_at=now)
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a concurrent attempt inserted it first
        row = session.exec(select(Transcript).where(Transcript.recording_id == recording.id)).one()
    return row


def save_transcript(
    session: Session, recording_id: int, data: TranscriptIn, *, suggestions: Suggestions | None, now: datetime
) -> Transcript:
    """The recording's one transcript, created or replaced (retries and re-runs never duplicate it); commits.

    A finished transcript queues `appeal.transcribed` in the outbox, in the same transaction.
    """
    recording, call = recording_context(session, recording_id)
    row = _upsert(session, recording, call.appeal_id if call else None, now)
    session.exec(delete(TranscriptSegment).where(col(TranscriptSegment.transcript_id) == row.id))
    for seq, seg in enumerate(data.segments):
        session.add(
            TranscriptSegment(
                transcript_id=row.id or 0,
                seq=seq,
                speaker=seg.speaker,
                start=seg.start,
                end=seg.end,
                text=seg.text,
                confidence=seg.confidence,
            )
        )
    row.status, row.duration, row.model, row.source = data.status, data.duration, data.model, data.source
    row.text = " ".join(s.text for s in data.segments if s.text)
    row.error = data.error[:1000]
    row.suggestions = suggestions.to_json() if suggestions is not None else {}
    row.attempts += 1
    row.updated_at = now
    session.add(row)
    if data.status is TranscriptStatus.done:
        emit(session, AppealTranscribed(appeal_id=row.appeal_id, recording_id=recording_id), now=now)
    session.commit()
    session.refresh(row)
    return row


def category_refs(session: Session) -> list[CategoryRef]:
    """Active leaf categories (the ones an issue is filed under)."""
    rows = session.exec(select(Category).where(col(Category.is_active))).all()
    parents = {c.parent_id for c in rows if c.parent_id}
    return [CategoryRef(c.id or 0, c.code, c.name, tuple(c.keywords)) for c in rows if c.id not in parents and c.parent_id]


def street_refs(session: Session) -> list[StreetRef]:
    houses: dict[int, list[tuple[int, str]]] = {}
    for b in session.exec(select(Building)).all():
        houses.setdefault(b.street_id, []).append((b.id or 0, b.house))
    return [
        StreetRef(s.id or 0, s.kind, s.name, tuple(s.aliases), tuple(houses.get(s.id or 0, []))) for s in session.exec(select(Street)).all()
    ]


def training_examples(session: Session, *, limit: int = TRAINING_LIMIT) -> list[Example]:
    """Texts of recently registered appeals with the category the operator filed (what the classifier learns from)."""
    rows = session.exec(
        select(Issue.description, Appeal.summary, Category.code, Appeal.id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .join(Category, col(Category.id) == Issue.category_id)
        .where(col(Appeal.status).in_([AppealStatus.registered, AppealStatus.closed]))
        .order_by(col(Issue.id).desc())
        .limit(limit)
    ).all()
    spoken: dict[int, str] = {}
    ids = [appeal_id for *_, appeal_id in rows]
    for appeal_id, text in session.exec(select(Transcript.appeal_id, Transcript.text).where(col(Transcript.appeal_id).in_(ids))).all():
        spoken[appeal_id or 0] = f"{spoken.get(appeal_id or 0, '')} {text}"
    return [Example(f"{desc} {summary} {spoken.get(appeal_id or 0, '')}".strip(), code) for desc, summary, code, appeal_id in rows]


def suggest_for_text(session: Session, text: str) -> Suggestions:
    """Category and address suggestions for a text, from the seed classifier, the register and the gazetteer."""
    model = CategoryModel.build(category_refs(session), training_examples(session))
    return suggest(text, model, AddressIndex.build(street_refs(session)))


def _segments(session: Session, transcript_id: int) -> list[TranscriptSegment]:
    return list(
        session.exec(
            select(TranscriptSegment).where(TranscriptSegment.transcript_id == transcript_id).order_by(col(TranscriptSegment.seq))
        ).all()
    )


def read_appeal_transcripts(
    session: Session, appeal_id: int, *, actor: Actor, now: datetime
) -> list[tuple[Transcript, list[TranscriptSegment]]]:
    """The appeal's transcripts with segments; the read is audited (personal data). Commits the audit row."""
    if session.get(Appeal, appeal_id) is None:
        raise NotFoundError("appeal", appeal_id)
    rows = session.exec(select(Transcript).where(Transcript.appeal_id == appeal_id).order_by(col(Transcript.id))).all()
    result = [(t, _segments(session, t.id or 0)) for t in rows]
    record_audit(
        session, actor, "read", "transcript", f"appeal:{appeal_id}", now=now, pii=True, detail={"transcripts": [t.id for t in rows]}
    )
    session.commit()
    return result


def read_recording_transcript(
    session: Session, recording_id: int, *, actor: Actor, now: datetime
) -> tuple[Transcript, list[TranscriptSegment]]:
    recording_context(session, recording_id)
    row = session.exec(select(Transcript).where(Transcript.recording_id == recording_id)).first()
    if row is None:
        raise NotFoundError("transcript", f"of recording {recording_id}")
    record_audit(session, actor, "read", "transcript", row.id, now=now, pii=True, detail={"recording_id": recording_id})
    session.commit()
    return row, _segments(session, row.id or 0)


def recordings_older_than(session: Session, cutoff: datetime) -> list[Recording]:
    """Recordings past the retention period whose files have not been deleted yet."""
    query = select(Recording).where(col(Recording.created_at) < cutoff, col(Recording.purged_at).is_(None)).order_by(col(Recording.id))
    return list(session.exec(query).all())


def mark_purged(session: Session, recording: Recording, *, actor: Actor, now: datetime, reason: str) -> None:
    recording.purged_at = now
    session.add(recording)
    record_audit(session, actor, "purge", "recording", recording.id, now=now, pii=True, detail={"reason": reason})
