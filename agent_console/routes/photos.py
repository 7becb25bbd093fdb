"""Executors' photos of the work: upload (multipart, sniffed, size-limited), the list on the appeal page, the bytes."""

from __future__ import annotations

import contextlib
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.errors import NotFoundError
from appeals.models import Attachment
from appeals.photos import PhotoIn, appeal_photos, attach_photos, visible_photo

router = APIRouter(tags=["photos"])


class DiskPhotoStore:
    """Photos under one directory, `YYYY/MM/<random>.<ext>`, written to a temporary name and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, data: bytes, suffix: str, *, now: datetime) -> str:
        relpath = f"{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"
        target = self.root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)
        return relpath

    def delete(self, relpath: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.root / relpath).unlink()


class PhotoOut(BaseModel):
    id: int
    appeal_id: int
    issue_id: int | None
    filename: str
    content_type: str
    size: int
    uploaded_by: int | None
    created_at: datetime
    url: str


def _out(row: Attachment) -> PhotoOut:
    return PhotoOut(
        id=row.id or 0,
        appeal_id=row.appeal_id,
        issue_id=row.issue_id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
        url=f"/api/photos/{row.id}",
    )


@router.post("/api/issues/{issue_id}/photos", status_code=201)
def upload_photos(
    request: Request,
    issue_id: int,
    photos: Annotated[list[UploadFile], File(description="JPEG, PNG or WebP images")],
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
) -> list[PhotoOut]:
    """The executor's photos of the work on its organisation's issue; every file is checked before any is kept."""
    limit: int = request.app.state.photo_max_bytes
    items = [PhotoIn(filename=f.filename or "", data=f.file.read(limit + 1)) for f in photos]  # one byte over is enough to refuse
    rows = attach_photos(
        session, issue_id, items, actor=actor, now=now, store=DiskPhotoStore(request.app.state.photos_dir), max_bytes=limit
    )
    return [_out(r) for r in rows]


@router.get("/api/appeals/{appeal_id}/photos")
def list_photos(appeal_id: int, session: SessionDep) -> list[PhotoOut]:
    """The executors' photos of the appeal's issues (for the appeal page)."""
    return [_out(r) for r in appeal_photos(session, appeal_id)]


@router.get("/api/photos/{photo_id}")
def photo(request: Request, photo_id: int, session: SessionDep, actor: ActorDep) -> Response:
    row = visible_photo(session, photo_id, actor)
    try:
        data = (Path(request.app.state.photos_dir) / row.relpath).read_bytes()
    except OSError as exc:
        raise NotFoundError("attachment", photo_id) from exc
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=row.content_type, headers=headers)
