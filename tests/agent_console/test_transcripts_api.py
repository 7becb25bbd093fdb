"""Transcript and recording routes: roles, Range playback, and an audit row for every response that carries them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from agent_console.access import PERSONAL_DATA_ROUTES, ROUTE_ROLES
from appeals.models import AuditEvent, RecordingLayout, Role, TranscriptStatus
from appeals.transcripts import SegmentIn, TranscriptIn, save_transcript
from tests.conftest import Clock
from tests.factories import make_user, token_for
from tests.workers.conftest import Recorded, add_recording

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


@pytest.fixture
def recorded(engine: Engine, client: TestClient, clock: Clock) -> Recorded:
    recordings: Path = client.app.state.recordings_dir  # type: ignore[attr-defined]
    rec = add_recording(engine, recordings, "stereo_caller_left_8k.wav", "2026/11/24/42.wav")
    with Session(engine) as session:
        data = TranscriptIn(TranscriptStatus.done, 4.65, [SegmentIn("caller", 0.1, 4.2, "добрий день холодні батареї", 0.8)], model="ko")
        save_transcript(session, rec.recording_id, data, suggestions=None, now=clock.now)
    return rec


@pytest.fixture
def client_with_recordings(client: TestClient, tmp_path: Path) -> TestClient:
    client.app.state.recordings_dir = tmp_path  # type: ignore[attr-defined]
    return client


def urls(rec: Recorded) -> dict[tuple[str, str], str]:
    return {
        ("GET", "/api/appeals/{appeal_id}/transcripts"): f"/api/appeals/{rec.appeal_id}/transcripts",
        ("GET", "/api/recordings/{recording_id}/transcript"): f"/api/recordings/{rec.recording_id}/transcript",
        ("GET", "/api/recordings/{recording_id}/audio"): f"/api/recordings/{rec.recording_id}/audio",
        ("POST", "/api/recordings/{recording_id}/play"): f"/api/recordings/{rec.recording_id}/play",
    }


def pii_reads(engine: Engine) -> int:
    with Session(engine) as session:
        return len(
            session.exec(select(AuditEvent).where(col(AuditEvent.pii), col(AuditEvent.entity).in_(["transcript", "recording"]))).all()
        )


def test_every_personal_data_route_writes_an_audit_row(
    client_with_recordings: TestClient, engine: Engine, clock: Clock, recorded: Recorded
) -> None:
    client = client_with_recordings
    make_user(engine, "sup", Role.supervisor, now=clock.now)
    headers = token_for(client, "sup")
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    carrying = {
        (method.upper(), p)
        for p, ops in paths.items()
        for method in ops
        if p.startswith(("/api/recordings", "/api/appeals/{appeal_id}/transcripts"))
    }
    assert carrying == set(PERSONAL_DATA_ROUTES)
    for route, url in urls(recorded).items():
        assert route in ROUTE_ROLES
        before = pii_reads(engine)
        response = client.request(route[0], url, headers=headers)
        assert response.status_code == 200, response.text
        assert pii_reads(engine) == before + 1, route


def test_transcripts_of_an_appeal_are_per_speaker(
    client_with_recordings: TestClient, engine: Engine, clock: Clock, recorded: Recorded
) -> None:
    make_user(engine, "op", Role.operator, now=clock.now)
    body = client_with_recordings.get(
        f"/api/appeals/{recorded.appeal_id}/transcripts", headers=token_for(client_with_recordings, "op")
    ).json()
    assert [s["speaker"] for s in body[0]["segments"]] == ["caller"]
    assert body[0]["status"] == "done"


@pytest.mark.parametrize(
    ("role", "transcript", "audio"),
    [(Role.executor, 403, 403), (Role.admin, 403, 403), (Role.callback_agent, 200, 403), (Role.head, 200, 200)],
)
def test_only_roles_that_need_them_read_them(
    client_with_recordings: TestClient, engine: Engine, clock: Clock, recorded: Recorded, role: Role, transcript: int, audio: int
) -> None:
    make_user(engine, "someone", role, now=clock.now)
    headers = token_for(client_with_recordings, "someone")
    assert client_with_recordings.get(f"/api/recordings/{recorded.recording_id}/transcript", headers=headers).status_code == transcript
    response = client_with_recordings.get(f"/api/recordings/{recorded.recording_id}/audio", headers=headers)
    assert response.status_code == audio
    if audio == 403:
        assert response.json()["error"]["code"] == "forbidden"


def test_audio_supports_ranges_for_seeking(client_with_recordings: TestClient, engine: Engine, clock: Clock, recorded: Recorded) -> None:
    make_user(engine, "op", Role.operator, now=clock.now)
    headers = token_for(client_with_recordings, "op")
    whole = client_with_recordings.get(f"/api/recordings/{recorded.recording_id}/audio", headers=headers)
    assert whole.headers["content-type"] == "audio/wav"
    assert whole.content == (FIXTURES / "stereo_caller_left_8k.wav").read_bytes()
    part = client_with_recordings.get(f"/api/recordings/{recorded.recording_id}/audio", headers={**headers, "Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert part.content == whole.content[100:200]
    tail = client_with_recordings.get(f"/api/recordings/{recorded.recording_id}/audio", headers={**headers, "Range": "bytes=-10"})
    assert tail.content == whole.content[-10:]
    bad = client_with_recordings.get(f"/api/recordings/{recorded.recording_id}/audio", headers={**headers, "Range": "bytes=99999999-"})
    assert bad.status_code == 416


def test_rx_tx_legs_play_as_one_stereo_wav(client_with_recordings: TestClient, engine: Engine, clock: Clock) -> None:
    recordings: Path = client_with_recordings.app.state.recordings_dir  # type: ignore[attr-defined]
    rec = add_recording(engine, recordings, "call_rxtx-in.wav", "2026/11/24/9-in.wav", layout=RecordingLayout.rx_tx)
    shutil.copy(FIXTURES / "call_rxtx-out.wav", rec.path.with_name("9-out.wav"))
    make_user(engine, "op", Role.operator, now=clock.now)
    response = client_with_recordings.get(f"/api/recordings/{rec.recording_id}/audio", headers=token_for(client_with_recordings, "op"))
    assert response.status_code == 200
    assert response.content[:4] == b"RIFF"
    assert int.from_bytes(response.content[22:24], "little") == 2


def test_missing_transcript_and_file_are_404(client_with_recordings: TestClient, engine: Engine, clock: Clock) -> None:
    recordings: Path = client_with_recordings.app.state.recordings_dir  # type: ignore[attr-defined]
    rec = add_recording(engine, recordings, None, "2026/11/24/none.wav")
    make_user(engine, "op", Role.operator, now=clock.now)
    headers = token_for(client_with_recordings, "op")
    assert (
        client_with_recordings.get(f"/api/recordings/{rec.recording_id}/transcript", headers=headers).json()["error"]["code"]
        == "transcript_not_found"
    )
    assert client_with_recordings.get(f"/api/recordings/{rec.recording_id}/audio", headers=headers).status_code == 404


def _play(client: TestClient, recording_id: int, headers: dict[str, str]) -> str:
    response = client.post(f"/api/recordings/{recording_id}/play", headers=headers)
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    assert url.startswith(f"/media/recordings/{recording_id}.wav?")
    return url


def test_a_play_link_streams_with_range_and_the_play_is_audited_once(
    client_with_recordings: TestClient, engine: Engine, clock: Clock, recorded: Recorded
) -> None:
    client = client_with_recordings
    make_user(engine, "op", Role.operator, now=clock.now)
    before = pii_reads(engine)
    url = _play(client, recorded.recording_id, token_for(client, "op"))
    assert pii_reads(engine) == before + 1  # the play is the audited read
    size = len((FIXTURES / "stereo_caller_left_8k.wav").read_bytes())
    first = client.get(url, headers={"Range": "bytes=0-"})  # no bearer: what an <audio> element sends
    assert (first.status_code, first.headers["content-range"], first.headers["accept-ranges"]) == (
        206,
        f"bytes 0-{size - 1}/{size}",
        "bytes",
    )
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert (part.status_code, part.headers["content-range"]) == (206, f"bytes 100-199/{size}")
    assert part.content == first.content[100:200]
    assert client.get(url).status_code == 200
    assert pii_reads(engine) == before + 1  # the link's range requests are covered by the play's row
    with Session(engine) as session:
        row = session.exec(select(AuditEvent).where(AuditEvent.entity == "recording").order_by(col(AuditEvent.id).desc())).first()
        assert row is not None
        assert (row.action, row.entity_id, row.detail["via"]) == ("listen", str(recorded.recording_id), "link")


def test_a_forged_expired_or_foreign_play_link_is_refused(
    client_with_recordings: TestClient, engine: Engine, clock: Clock, recorded: Recorded
) -> None:
    client = client_with_recordings
    make_user(engine, "op", Role.operator, now=clock.now)
    url = _play(client, recorded.recording_id, token_for(client, "op"))
    path, query = url.split("?")
    params = dict(item.split("=", 1) for item in query.split("&"))
    forged_sig = client.get(f"{path}?u={params['u']}&exp={params['exp']}&sig={params['sig'][:-2]}AA")
    assert (forged_sig.status_code, forged_sig.json()["error"]["code"]) == (403, "media_link_invalid")
    longer = client.get(f"{path}?u={params['u']}&exp={int(params['exp']) + 3_600_000}&sig={params['sig']}")
    assert (longer.status_code, longer.json()["error"]["code"]) == (403, "media_link_invalid")
    other_recording = client.get(f"/media/recordings/{recorded.recording_id + 1}.wav?{query}")
    assert other_recording.status_code == 403
    other_user = client.get(f"{path}?u={int(params['u']) + 1}&exp={params['exp']}&sig={params['sig']}")
    assert other_user.status_code == 403
    assert client.get(path).status_code == 422  # no link at all
    clock.advance(minutes=6)  # past the 5-minute lifetime
    expired = client.get(url, headers={"Range": "bytes=0-"})
    assert (expired.status_code, expired.json()["error"]["code"]) == (403, "media_link_expired")
    assert "застаріло" in expired.json()["error"]["message"]


def test_a_play_link_is_only_for_roles_that_may_listen(
    client_with_recordings: TestClient, engine: Engine, clock: Clock, recorded: Recorded
) -> None:
    make_user(engine, "cb", Role.callback_agent, now=clock.now)
    denied = client_with_recordings.post(f"/api/recordings/{recorded.recording_id}/play", headers=token_for(client_with_recordings, "cb"))
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "forbidden")
