"""Executors' photos of the work: type sniffed from the bytes, a size limit, the right organisation, nothing half-kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from agent_console.app import AppConfig
from appeals.actors import SYSTEM
from appeals.issues import transition_issue
from appeals.models import Attachment, IssueAction, Role
from appeals.photos import sniff_image
from tests.conftest import SECRET, Clock
from tests.factories import actor_of, issues_of, make_registered, make_user, token_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 64
LIMIT = 4096


@pytest.fixture
def app_config(tmp_path: Path) -> AppConfig:
    return AppConfig(secret_key=SECRET, reg_prefix="БР", photos_dir=tmp_path / "photos", photo_max_bytes=LIMIT)


@pytest.fixture
def assigned(engine: Engine, clock: Clock) -> tuple[int, int]:
    """(appeal_id, issue_id) of a registered appeal whose issue is assigned to the heating company `btve`."""
    operator = make_user(engine, "op", Role.operator, now=clock.now, extension="PJSIP/op101")
    make_user(engine, "crew", Role.executor, now=clock.now, org="btve")
    with Session(engine) as session:
        appeal = make_registered(session, actor_of(operator), now=clock.now)
        issue_id = issues_of(session, appeal.id or 0)[0].id or 0
        transition_issue(session, issue_id, IssueAction.assign, actor=SYSTEM, now=clock.now)
        return appeal.id or 0, issue_id


def _files(*items: tuple[str, bytes, str]) -> list[tuple[str, tuple[str, io.BytesIO, str]]]:
    return [("photos", (name, io.BytesIO(data), ctype)) for name, data, ctype in items]


def _stored(engine: Engine) -> list[Attachment]:
    with Session(engine) as session:
        return list(session.exec(select(Attachment).where(col(Attachment.issue_id).is_not(None))).all())


def test_sniffing_trusts_bytes_not_names() -> None:
    assert (sniff_image(PNG), sniff_image(JPEG), sniff_image(WEBP)) == ("image/png", "image/jpeg", "image/webp")
    assert sniff_image(b"%PDF-1.7") is None
    assert sniff_image(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None


def test_the_executor_attaches_photos_and_the_case_roles_see_them(
    client: TestClient, engine: Engine, clock: Clock, assigned: tuple[int, int], tmp_path: Path
) -> None:
    appeal_id, issue_id = assigned
    crew = token_for(client, "crew")
    response = client.post(
        f"/api/issues/{issue_id}/photos", files=_files(("before.png", PNG, "image/png"), ("after.jpg", JPEG, "image/jpeg")), headers=crew
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [(p["filename"], p["content_type"], p["issue_id"]) for p in body] == [
        ("before.png", "image/png", issue_id),
        ("after.jpg", "image/jpeg", issue_id),
    ]
    rows = _stored(engine)
    assert [r.appeal_id for r in rows] == [appeal_id, appeal_id]
    assert all((tmp_path / "photos" / r.relpath).read_bytes() in (PNG, JPEG) for r in rows)
    listed = client.get(f"/api/appeals/{appeal_id}/photos", headers=token_for(client, "op")).json()
    assert [p["id"] for p in listed] == [p["id"] for p in body]
    image = client.get(listed[0]["url"], headers=token_for(client, "op"))
    assert (image.status_code, image.headers["content-type"], image.content) == (200, "image/png", PNG)
    assert image.headers["x-content-type-options"] == "nosniff"
    assert client.get(listed[0]["url"], headers=crew).status_code == 200


def test_a_client_supplied_type_is_ignored(client: TestClient, engine: Engine, assigned: tuple[int, int]) -> None:
    _, issue_id = assigned
    response = client.post(f"/api/issues/{issue_id}/photos", files=_files(("x.jpg", WEBP, "image/jpeg")), headers=token_for(client, "crew"))
    assert (response.status_code, response.json()[0]["content_type"]) == (201, "image/webp")


@pytest.mark.parametrize(
    ("files", "code", "words"),
    [
        ([("big.jpg", JPEG + b"\x00" * LIMIT, "image/jpeg")], "photo_too_large", "завелике"),
        ([("report.pdf", b"%PDF-1.7 fake", "image/jpeg")], "photo_not_image", "не фото"),
        ([("ok.png", PNG, "image/png"), ("virus.exe", b"MZ\x90\x00", "image/png")], "photo_not_image", "«virus.exe»"),
    ],
)
def test_bad_photos_are_refused_in_ukrainian_and_nothing_is_kept(
    client: TestClient,
    engine: Engine,
    assigned: tuple[int, int],
    tmp_path: Path,
    files: list[tuple[str, bytes, str]],
    code: str,
    words: str,
) -> None:
    _, issue_id = assigned
    response = client.post(f"/api/issues/{issue_id}/photos", files=_files(*files), headers=token_for(client, "crew"))
    error = response.json()["error"]
    assert (response.status_code, error["code"], set(error["fields"])) == (422, code, {"photos"})
    assert words in error["message"]
    assert error["field_messages"]["photos"] == error["message"]
    assert _stored(engine) == []
    assert not any(p.is_file() for p in (tmp_path / "photos").rglob("*"))


def test_an_upload_without_files_is_a_ukrainian_422(client: TestClient, assigned: tuple[int, int]) -> None:
    _, issue_id = assigned
    response = client.post(f"/api/issues/{issue_id}/photos", data={"x": "1"}, headers=token_for(client, "crew"))
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field_messages"]["photos"]) == (422, "validation_failed", "Обов'язкове поле")


def test_wrong_role_or_organisation_may_not_attach(client: TestClient, engine: Engine, clock: Clock, assigned: tuple[int, int]) -> None:
    appeal_id, issue_id = assigned
    operator = client.post(f"/api/issues/{issue_id}/photos", files=_files(("a.png", PNG, "image/png")), headers=token_for(client, "op"))
    assert (operator.status_code, operator.json()["error"]["code"]) == (403, "forbidden")
    assert "Роль «оператор» не має доступу" in operator.json()["error"]["message"]
    make_user(engine, "water", Role.executor, now=clock.now, org="blagoustriy")
    other = client.post(f"/api/issues/{issue_id}/photos", files=_files(("a.png", PNG, "image/png")), headers=token_for(client, "water"))
    assert (other.status_code, other.json()["error"]["code"]) == (404, "assignment_not_found")
    assert _stored(engine) == []
    client.post(f"/api/issues/{issue_id}/photos", files=_files(("a.png", PNG, "image/png")), headers=token_for(client, "crew"))
    [photo] = client.get(f"/api/appeals/{appeal_id}/photos", headers=token_for(client, "op")).json()
    assert client.get(photo["url"], headers=token_for(client, "water")).status_code == 404
    assert client.get(f"/api/appeals/{appeal_id}/photos", headers=token_for(client, "water")).status_code == 403
