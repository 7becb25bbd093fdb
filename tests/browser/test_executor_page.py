"""The executor's page in a real browser: the assignment from the notification link, accept, report done with a comment
and a photo (shown on the appeal page)."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect
from sqlmodel import Session, select

from appeals.actors import SYSTEM
from appeals.issues import transition_issue
from appeals.models import IssueAction, Role, User
from tests.browser.conftest import Live, sign_in
from tests.factories import actor_of, issues_of, make_registered


def test_an_executor_accepts_and_reports_done_from_the_emailed_link(page: Page, live: Live, staff: Callable[..., User]) -> None:
    operator = staff("op_for_exec", Role.operator, extension="PJSIP/op181")
    staff("heat_exec", Role.executor, org="btve")
    with Session(live.engine) as session:
        appeal = make_registered(session, actor_of(operator), now=datetime.now(UTC))
        issue = issues_of(session, appeal.id or 0)[0]
        number, issue_id = appeal.number or "", issue.id or 0
        transition_issue(session, issue_id, IssueAction.assign, actor=SYSTEM, now=datetime.now(UTC))  # what the routing job does
    sign_in(page, live, "heat_exec", next_path=f"/executor/assignments/{issue_id}")
    expect(page.locator("#as-rows")).to_contain_text(number)
    expect(page.locator("#one-description")).to_contain_text("Холодні батареї")
    page.click("#one-actions [data-action=accept]")
    expect(page.locator("#one-status")).to_have_text("В роботі")
    page.click("#one-actions [data-action=report_done]")
    expect(page.locator("#one-error")).to_contain_text("Додайте коментар")
    page.fill("#one-form [name=reason]", "Замінено засувку, тепло подано")
    page.click("#one-actions [data-action=report_done]")
    expect(page.locator("#one-status")).not_to_have_text("В роботі")


def _png(width: int = 8, height: int = 6) -> bytes:
    """A real (tiny, orange) PNG the browser can decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xf0\x80\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_the_executor_attaches_a_photo_when_reporting_done_and_it_shows_on_the_appeal_page(
    page: Page, live: Live, staff: Callable[..., User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live.app.state, "photos_dir", tmp_path)
    operator = staff("op_photo", Role.operator, extension="PJSIP/op182")
    staff("heat_photo", Role.executor, org="btve")
    with Session(live.engine) as session:
        appeal = make_registered(session, actor_of(operator), now=datetime.now(UTC))
        appeal_id, issue_id = appeal.id or 0, issues_of(session, appeal.id or 0)[0].id or 0
        transition_issue(session, issue_id, IssueAction.assign, actor=SYSTEM, now=datetime.now(UTC))
        transition_issue(
            session,
            issue_id,
            IssueAction.accept,
            actor=actor_of(session.exec(select(User).where(User.username == "heat_photo")).one()),
            now=datetime.now(UTC),
        )
    sign_in(page, live, "heat_photo", next_path=f"/executor/assignments/{issue_id}")
    expect(page.locator("#one-status")).to_have_text("В роботі")
    expect(page.locator("#one-form")).to_contain_text("до 10 МБ кожне")
    page.fill("#one-form [name=reason]", "Замінено засувку, тепло подано")
    photos = page.locator("#one-form input[name=photos]")
    photos.set_input_files([FilePayload(name="lyst.pdf", mimeType="image/jpeg", buffer=b"%PDF-1.7 not an image")])
    page.click("#one-actions [data-action=report_done]")  # refused: a Ukrainian message by the field, nothing lost
    expect(page.locator("label:has(input[name=photos]) .field-error")).to_contain_text("Файл «lyst.pdf» — не фото")
    expect(page.locator("#one-status")).to_have_text("В роботі")
    expect(page.locator("#one-form [name=reason]")).to_have_value("Замінено засувку, тепло подано")
    photos.set_input_files([FilePayload(name="zasuvka.png", mimeType="image/png", buffer=_png(64, 48))])
    page.click("#one-actions [data-action=report_done]")
    expect(page.locator("#one-status")).not_to_have_text("В роботі")
    page.evaluate("() => sessionStorage.clear()")
    sign_in(page, live, "op_photo", next_path=f"/appeals/{appeal_id}")
    image = page.locator("#ap-photos img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("alt", re.compile(r"^Фото виконавця: "))
    page.wait_for_function("() => document.querySelector('#ap-photos img').naturalWidth === 64")
