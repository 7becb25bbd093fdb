"""Executors' photos of the work on an issue: the image type sniffed from the bytes, a size limit, one row per photo.

Files go through a `PhotoStore` port (the adapter writes them to disk); a batch is kept whole or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.errors import DomainValidationError, NotFoundError
from appeals.history import record_audit
from appeals.models import Attachment, Issue, Role

IMAGE_SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


class PhotoStore(Protocol):
    """Where photo bytes live; `relpath`s are relative to the store's root."""

    def save(self, data: bytes, suffix: str, *, now: datetime) -> str: ...

    def delete(self, relpath: str) -> None: ...


@dataclass(frozen=True)
class PhotoIn:
    filename: str
    data: bytes


def sniff_image(data: bytes) -> str | None:
    """The image type by magic bytes (JPEG, PNG, WebP), or None: the client's name and type are never trusted."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def check_photos(photos: Sequence[PhotoIn], *, max_bytes: int) -> list[str]:
    """Each photo's sniffed type, after checking every one.

    Raises:
        DomainValidationError: `photo_required`, `photo_too_large` or `photo_not_image` (field `photos`), naming the file.
    """
    if not photos:
        raise DomainValidationError("Додайте хоча б одне фото", code="photo_required", fields={"photos": "required"})
    types = []
    for photo in photos:
        name = photo.filename or "без назви"
        if len(photo.data) > max_bytes:
            message = f"Фото «{name}» завелике: {_megabytes(len(photo.data))} МБ, можна до {_megabytes(max_bytes)} МБ"
            raise DomainValidationError(message, code="photo_too_large", fields={"photos": "too_large"}, hints={"photos": message})
        kind = sniff_image(photo.data)
        if kind is None:
            message = f"Файл «{name}» — не фото: додайте зображення JPEG, PNG або WebP"
            raise DomainValidationError(message, code="photo_not_image", fields={"photos": "not_image"}, hints={"photos": message})
        types.append(kind)
    return types


def _own_issue(session: Session, issue_id: int, actor: Actor) -> Issue:
    issue = session.get(Issue, issue_id)
    if issue is None or actor.role is not Role.executor or issue.executor_id is None or issue.executor_id != actor.executor_id:
        raise NotFoundError("assignment", issue_id)
    return issue


def attach_photos(
    session: Session, issue_id: int, photos: Sequence[PhotoIn], *, actor: Actor, now: datetime, store: PhotoStore, max_bytes: int
) -> list[Attachment]:
    """The executor's photos of the work on its own issue: all stored and recorded, or none.

    Raises:
        NotFoundError: the issue is not assigned to the actor's organisation.
        DomainValidationError: see `check_photos`.
    """
    issue = _own_issue(session, issue_id, actor)
    types = check_photos(photos, max_bytes=max_bytes)
    saved: list[str] = []
    try:
        rows = []
        for photo, kind in zip(photos, types, strict=True):
            saved.append(store.save(photo.data, IMAGE_SUFFIX[kind], now=now))
            row = Attachment(
                appeal_id=issue.appeal_id,
                issue_id=issue_id,
                uploaded_by=actor.user_id,
                filename=(photo.filename or "photo")[-255:],
                content_type=kind,
                size=len(photo.data),
                sha256=hashlib.sha256(photo.data).hexdigest(),
                relpath=saved[-1],
                created_at=now,
            )
            session.add(row)
            rows.append(row)
        session.flush()
        record_audit(session, actor, "attach_photos", "issue", issue_id, now=now, detail={"photos": [r.id for r in rows]})
        session.commit()
    except BaseException:
        session.rollback()
        for relpath in saved:
            store.delete(relpath)
        raise
    return rows


def appeal_photos(session: Session, appeal_id: int) -> list[Attachment]:
    """The executors' photos of an appeal's issues, oldest first."""
    query = select(Attachment).where(Attachment.appeal_id == appeal_id, col(Attachment.issue_id).is_not(None))
    return list(session.exec(query.order_by(col(Attachment.id))).all())


def visible_photo(session: Session, photo_id: int, actor: Actor) -> Attachment:
    """A photo the actor may see: any case role; an executor only its own organisation's.

    Raises:
        NotFoundError: no such photo, or not the executor's.
    """
    row = session.get(Attachment, photo_id)
    if row is None or row.issue_id is None:
        raise NotFoundError("attachment", photo_id)
    if actor.role is Role.executor:
        issue = session.get(Issue, row.issue_id)
        if issue is None or issue.executor_id is None or issue.executor_id != actor.executor_id:
            raise NotFoundError("attachment", photo_id)
    return row
