"""E-petitions (art. 23-1): format check, review, signatures and the threshold, 10 working days, conversion."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from appeals.models import Appeal, AppealStatus, AppealSubject, Channel, Petition, Role
from appeals.petition_check import Candidate, Limits, check_petition
from tests.conftest import Clock
from tests.factories import make_user, token_for
from tests.workers.conftest import SmtpSink, run_jobs
from workers.context import JobContext
from workers.queues import DEFAULT, queue
from workers.settings import WorkerSettings, get_worker_settings

KYIV = ZoneInfo("Europe/Kyiv")
Headers = dict[str, dict[str, str]]
GOOD = {
    "title": "Облаштувати безпечний пішохідний перехід біля школи № 5",
    "text": "Просимо облаштувати регульований пішохідний перехід на вулиці Симона Петлюри біля школи № 5: діти щодня переходять дорогу.",
    "author_name": "Бондаренко Оксана Іванівна",
    "author_email": "oksana@example.net",
}


@pytest.fixture
def staff(client: TestClient, engine: Engine, clock: Clock) -> Headers:
    client.app.dependency_overrides[get_worker_settings] = lambda: WorkerSettings(petition_threshold=350, petition_collection_days=30)  # type: ignore[attr-defined]
    for name, role in (("sup", Role.supervisor), ("boss", Role.head), ("op", Role.operator)):
        make_user(engine, name, role, now=clock.now)
    return {name: token_for(client, name) for name in ("sup", "boss", "op")}


def _submit(client: TestClient, staff: Headers, **overrides: object) -> dict[str, object]:
    response = client.post("/api/petitions", json={**GOOD, **overrides}, headers=staff["op"])
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_the_format_check_flags_what_a_reviewer_must_see() -> None:
    limits = Limits(title_min=20, title_max=200, text_max=500)
    clean = check_petition(**GOOD, limits=limits, active=[])
    assert clean == {
        "passed": True,
        "missing": [],
        "title_length_ok": True,
        "text_length_ok": True,
        "banned": {},
        "in_competence": True,
        "competence_hints": [],
        "duplicate_of": None,
    }
    bad = check_petition(
        title="Коротко",
        text="Голосуйте за нашого кандидата! Купуйте зі знижкою. Вимагаємо від Верховна Рада змінити закон. Пишіть 0671234567",
        author_name="",
        author_email="not-an-email",
        limits=limits,
        active=[Candidate(7, "Облаштувати безпечний пішохідний перехід біля школи 5")],
    )
    assert bad["passed"] is False
    assert bad["missing"] == ["author_name", "author_email_valid"]
    assert bad["title_length_ok"] is False
    banned = bad["banned"]
    assert isinstance(banned, dict)
    assert set(banned) == {"campaigning", "advertising", "personal_data"}
    assert bad["in_competence"] is False
    assert (
        check_petition(**GOOD, limits=limits, active=[Candidate(7, "Облаштувати безпечний пішохідний перехід біля школи № 5!")])[
            "duplicate_of"
        ]
        == 7
    )


def test_publish_collect_reach_the_threshold_and_answer_in_10_working_days(
    client: TestClient, staff: Headers, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    petition = _submit(client, staff, external_id="e-dem-brovary-1234")
    assert petition["number"] == "ЕП-2026-000001"
    assert petition["status"] == "submitted"
    assert datetime.fromisoformat(str(petition["format_check_due_at"])).astimezone(KYIV).date().isoformat() == "2026-11-26"
    assert _submit(client, staff, external_id="e-dem-brovary-1234")["id"] == petition["id"]  # idempotent import
    published = client.post(f"/api/petitions/{petition['id']}/publish", json={}, headers=staff["sup"]).json()
    assert (published["status"], published["signatures_required"]) == ("collecting", 350)
    assert datetime.fromisoformat(str(published["collection_ends_at"])).astimezone(KYIV).date().isoformat() == "2026-12-24"
    client.post(f"/api/petitions/{petition['id']}/signatures", json={"count": 120}, headers=staff["sup"])
    reached = client.post(f"/api/petitions/{petition['id']}/signatures", json={"count": 358}, headers=staff["sup"]).json()
    assert reached["status"] == "consideration"
    assert datetime.fromisoformat(str(reached["answer_due_at"])).astimezone(KYIV).date().isoformat() == "2026-12-08"  # 10 working days
    answered = client.post(
        f"/api/petitions/{petition['id']}/answer",
        json={"decision": "Підтримано; перехід облаштують у 2027 році", "decision_ref": "рішення виконкому № 554"},
        headers=staff["boss"],
    ).json()
    assert answered["status"] == "answered"
    run_jobs(job_ctx)
    subjects = [m["Subject"] for m in smtp_sink.to("oksana@example.net")]
    assert subjects == [
        "Петиція ЕП-2026-000001: подано на перевірку",
        "Петиція ЕП-2026-000001: оприлюднено",
        "Петиція ЕП-2026-000001: розпочато розгляд",
        "Петиція ЕП-2026-000001: відповідь",
    ]


def test_flags_block_publication_until_accepted_and_a_refusal_gives_reasons(
    client: TestClient, staff: Headers, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    flagged = _submit(client, staff, text=GOOD["text"] + " Голосуйте за нашого кандидата.")
    response = client.post(f"/api/petitions/{flagged['id']}/publish", json={}, headers=staff["sup"])
    assert (response.status_code, response.json()["error"]["code"]) == (409, "petition_flags")
    short = _submit(client, staff, title="Коротко")
    response = client.post(f"/api/petitions/{short['id']}/publish", json={"accept_flags": True}, headers=staff["sup"])
    assert (response.status_code, response.json()["error"]["code"]) == (422, "petition_format_failed")
    rejected = client.post(
        f"/api/petitions/{short['id']}/reject", json={"reason": "назва коротша за 20 символів"}, headers=staff["sup"]
    ).json()
    assert rejected["status"] == "rejected"
    assert (
        client.post(f"/api/petitions/{flagged['id']}/publish", json={"accept_flags": True}, headers=staff["sup"]).json()["status"]
        == "collecting"
    )
    run_jobs(job_ctx)
    [refusal] = [m for m in smtp_sink.to("oksana@example.net") if "не оприлюднено" in m["Subject"]]
    assert "назва коротша за 20 символів" in refusal.get_content()
    again = client.post(f"/api/petitions/{short['id']}/reject", json={"reason": "ще раз"}, headers=staff["sup"])
    assert (again.status_code, again.json()["error"]["code"]) == (409, "petition_invalid_transition")


def test_a_petition_short_of_signatures_becomes_a_collective_appeal(
    client: TestClient, staff: Headers, engine: Engine, clock: Clock, job_ctx: JobContext
) -> None:
    petition = _submit(client, staff)
    client.post(f"/api/petitions/{petition['id']}/publish", json={}, headers=staff["sup"])
    client.post(f"/api/petitions/{petition['id']}/signatures", json={"count": 16}, headers=staff["sup"])
    clock.now = datetime(2026, 12, 25, 9, 0, tzinfo=KYIV)
    queue(DEFAULT, job_ctx.redis).enqueue("workers.petition_jobs.advance_petitions")
    run_jobs(job_ctx)
    with Session(engine) as session:
        row = session.get(Petition, petition["id"])
        assert row is not None
        assert (row.status.value, row.converted_appeal_id is not None) == ("converted", True)
        appeal = session.get(Appeal, row.converted_appeal_id)
        assert appeal is not None
        assert (appeal.channel, appeal.subject, appeal.status) == (Channel.petition, AppealSubject.collective, AppealStatus.draft)
        assert appeal.reply_email == "oksana@example.net"
