"""The appeal page in a real browser: the player streams the call recording from a signed link with HTTP Range."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect
from sqlmodel import Session, col, select

from appeals.models import AuditEvent, Role, TranscriptStatus, User
from appeals.transcripts import SegmentIn, TranscriptIn, save_transcript
from tests.browser.conftest import Live, sign_in
from tests.workers.conftest import add_recording


def test_the_player_streams_the_recording_with_range_requests(
    page: Page, live: Live, staff: Callable[..., User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live.app.state, "recordings_dir", tmp_path)
    staff("op_listen", Role.operator, extension="PJSIP/op171")
    rec = add_recording(live.engine, tmp_path, "stereo_caller_left_8k.wav", "2026/11/24/play-1.wav")
    with Session(live.engine) as session:
        data = TranscriptIn(TranscriptStatus.done, 4.65, [SegmentIn("caller", 0.1, 4.2, "холодні батареї", 0.8)], model="ko")
        save_transcript(session, rec.recording_id, data, suggestions=None, now=datetime.now(UTC))
    media: list[Request] = []
    page.on("request", lambda r: media.append(r) if "/media/recordings/" in r.url else None)
    sign_in(page, live, "op_listen", next_path=f"/appeals/{rec.appeal_id}")
    page.get_by_role("button", name="▶ Прослухати").click()
    audio = page.locator("#ap-recordings audio")
    expect(audio).to_have_attribute("src", re.compile(rf"^/media/recordings/{rec.recording_id}\.wav\?u=\d+&exp=\d+&sig=[\w-]+$"))
    page.wait_for_function("() => document.querySelector('#ap-recordings audio').readyState >= 1")  # metadata came through
    assert media, "the <audio> element fetched nothing from the signed link"
    assert all(r.headers.get("authorization") is None for r in media)  # the link, not the bearer token, authorises it
    assert any((r.headers.get("range") or "").startswith("bytes=") for r in media), [r.headers for r in media]
    assert page.evaluate("() => document.querySelector('#ap-recordings audio').duration") == pytest.approx(4.65, abs=0.1)
    with Session(live.engine) as session:
        plays = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "recording", col(AuditEvent.entity_id) == str(rec.recording_id))
        ).all()
    assert [p.action for p in plays] == ["listen"]
