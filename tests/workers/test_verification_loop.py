"""The verification loop end to end through the API and real jobs: report → callback task → outcomes (domain.md §5.2)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from appeals.models import Answer, CallbackTask, Issue, IssueStatus, Role, StatusChange
from tests.conftest import Clock
from tests.factories import building, category, make_user, token_for
from tests.workers.conftest import SmtpSink, run_jobs
from workers.context import JobContext

KYIV = ZoneInfo("Europe/Kyiv")
Headers = dict[str, dict[str, str]]


@pytest.fixture
def staff(client: TestClient, engine: Engine, clock: Clock) -> Headers:
    for name, role in (("op", Role.operator), ("sup", Role.supervisor), ("crew", Role.executor), ("cb", Role.callback_agent)):
        make_user(engine, name, role, now=clock.now)
    return {name: token_for(client, name) for name in ("op", "sup", "crew", "cb")}


def _register(client: TestClient, staff: Headers, engine: Engine, **extra: object) -> dict[str, object]:
    with Session(engine) as session:
        issue = {
            "category_id": category(session, "no_heating").id,
            "building_id": building(session, "Симона Петлюри", "5").id,
            "description": "Холодні батареї, третій день",
        }
    body = {
        "caller": "050 123 45 67",
        "applicant_name": "Іваненко Петро Іванович",
        "applicant_address": "вул. Симона Петлюри, 5, кв. 3",
        "issues": [issue],
        "register": True,
        **extra,
    }
    response = client.post("/api/appeals", json=body, headers=staff["op"])
    assert response.status_code == 201, response.text
    return dict(response.json())


def _act(client: TestClient, headers: dict[str, str], issue_id: int, action: str, **extra: object) -> dict[str, object]:
    response = client.post(f"/api/issues/{issue_id}/transitions", json={"action": action, **extra}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json()["issue"])


def _verification_task(client: TestClient, staff: Headers) -> dict[str, object]:
    tasks = client.get("/api/callbacks", params={"kind": "verification"}, headers=staff["cb"]).json()["items"]
    assert len(tasks) == 1, tasks
    return dict(tasks[0])


def _attempt(client: TestClient, staff: Headers, task_id: object, outcome: str, **extra: object) -> dict[str, object]:
    response = client.post(f"/api/callbacks/{task_id}/attempts", json={"outcome": outcome, **extra}, headers=staff["cb"])
    assert response.status_code == 200, response.text
    return dict(response.json())


def _issue_status(engine: Engine, issue_id: int) -> Issue:
    with Session(engine) as session:
        issue = session.get(Issue, issue_id)
        assert issue is not None
        return issue


def _to_reported(client: TestClient, staff: Headers, engine: Engine, job_ctx: JobContext, **extra: object) -> int:
    appeal = _register(client, staff, engine, **extra)
    run_jobs(job_ctx)
    issue_id = int(appeal["issues"][0]["id"])  # type: ignore[index]
    assert _act(client, staff["crew"], issue_id, "accept")["status"] == "in_work"
    assert _act(client, staff["crew"], issue_id, "report_done", reason="Замінено засувку на вводі")["status"] == "reported_done"
    run_jobs(job_ctx)
    return issue_id


def test_confirmed_closes_the_issue_and_keeps_the_score(
    client: TestClient, staff: Headers, engine: Engine, job_ctx: JobContext, clock: Clock
) -> None:
    issue_id = _to_reported(client, staff, engine, job_ctx)
    assert _issue_status(engine, issue_id).status is IssueStatus.on_verification
    task = _verification_task(client, staff)
    assert (task["issue_id"], task["phone"], task["max_attempts"]) == (issue_id, "+380501234567", 3)
    assert datetime.fromisoformat(str(task["due_at"])).astimezone(KYIV) == datetime(2026, 11, 25, 19, 0, tzinfo=KYIV)
    clock.advance(hours=1)
    done = _attempt(client, staff, task["id"], "confirmed", satisfaction=4, note="тепло")
    assert (done["status"], done["satisfaction"]) == ("done", 4)
    issue = _issue_status(engine, issue_id)
    assert issue.status is IssueStatus.closed_confirmed
    with Session(engine) as session:
        change = session.exec(select(StatusChange).where(StatusChange.entity_id == issue_id, StatusChange.action == "confirm")).one()
        assert change.detail["satisfaction"] == 4
    assert client.get(f"/api/appeals/{issue.appeal_id}", headers=staff["sup"]).json()["status"] == "closed"


def test_no_answer_retries_on_the_work_calendar_then_closes_unverified(
    client: TestClient, staff: Headers, engine: Engine, job_ctx: JobContext, clock: Clock
) -> None:
    issue_id = _to_reported(client, staff, engine, job_ctx)
    task = _verification_task(client, staff)
    first = _attempt(client, staff, task["id"], "no_answer")  # Tue 11:30 Kyiv
    assert first["status"] == "pending"
    assert datetime.fromisoformat(str(first["next_attempt_at"])).astimezone(KYIV) == datetime(2026, 11, 24, 14, 30, tzinfo=KYIV)
    clock.now = datetime(2026, 11, 24, 14, 35, tzinfo=KYIV)
    second = _attempt(client, staff, task["id"], "busy")
    assert datetime.fromisoformat(str(second["next_attempt_at"])).astimezone(KYIV) == datetime(2026, 11, 25, 14, 0, tzinfo=KYIV)
    assert _issue_status(engine, issue_id).status is IssueStatus.on_verification
    clock.now = datetime(2026, 11, 25, 14, 5, tzinfo=KYIV)
    staff["cb"] = token_for(client, "cb")  # a new shift
    third = _attempt(client, staff, task["id"], "no_answer")
    assert third["status"] == "done"
    issue = _issue_status(engine, issue_id)
    assert (issue.status, issue.verification_attempts) == (IssueStatus.closed_unverified, 3)


def test_the_retry_skips_the_weekend(client: TestClient, staff: Headers, engine: Engine, job_ctx: JobContext, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 27, 17, 0, tzinfo=KYIV)  # Friday afternoon
    staff.update({name: token_for(client, name) for name in staff})
    _to_reported(client, staff, engine, job_ctx)
    task = _verification_task(client, staff)
    assert datetime.fromisoformat(str(task["due_at"])).astimezone(KYIV) == datetime(2026, 11, 30, 19, 0, tzinfo=KYIV)  # Monday
    clock.now = datetime(2026, 11, 27, 17, 30, tzinfo=KYIV)
    first = _attempt(client, staff, task["id"], "no_answer")
    assert datetime.fromisoformat(str(first["next_attempt_at"])).astimezone(KYIV) == datetime(2026, 11, 30, 9, 0, tzinfo=KYIV)


def test_disputes_rework_with_the_same_executor_then_escalate(
    client: TestClient, staff: Headers, engine: Engine, job_ctx: JobContext, clock: Clock, smtp_sink: SmtpSink
) -> None:
    issue_id = _to_reported(client, staff, engine, job_ctx)
    for round_ in (1, 2):
        task = _verification_task(client, staff)
        _attempt(client, staff, task["id"], "disputed", note="досі холодно")
        issue = _issue_status(engine, issue_id)
        assert (issue.status, issue.rework_count) == (IssueStatus.rework, round_)
        run_jobs(job_ctx)
        [rework] = [m for m in smtp_sink.to("btve@example.org") if f"На доопрацювання ({round_})" in m["Subject"]]
        assert "досі холодно" in rework.get_content()
        clock.advance(hours=2)
        _act(client, staff["crew"], issue_id, "report_done", reason=f"повторно, спроба {round_}")
        run_jobs(job_ctx)
    task = _verification_task(client, staff)
    _attempt(client, staff, task["id"], "disputed", note="втретє холодно")
    assert _issue_status(engine, issue_id).status is IssueStatus.escalated  # never a silent close
    run_jobs(job_ctx)
    [desk] = [m for m in smtp_sink.to("dispatch@brovary.example") if "Ескалація" in m["Subject"]]
    assert "доопрацювань: 2" in desk.get_content()
    with Session(engine) as session:
        tasks = session.exec(select(CallbackTask).where(CallbackTask.issue_id == issue_id).order_by(col(CallbackTask.id))).all()
        assert [t.outcome for t in tasks] == ["disputed", "disputed", "disputed"]


def test_an_email_appeal_gets_the_answer_by_email_so_it_can_close(
    client: TestClient, staff: Headers, engine: Engine, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    issue_id = _to_reported(client, staff, engine, job_ctx, channel="email", reply_email="petro@example.net", signed=True)
    [answer_mail] = [m for m in smtp_sink.to("petro@example.net") if "результат розгляду" in m["Subject"]]
    assert "Замінено засувку на вводі" in answer_mail.get_content()
    with Session(engine) as session:
        answer = session.exec(select(Answer).where(Answer.issue_id == issue_id)).one()
        assert (answer.channel, answer.interim) == ("email", False)
    task = _verification_task(client, staff)
    _attempt(client, staff, task["id"], "confirmed", satisfaction=5)
    assert _issue_status(engine, issue_id).status is IssueStatus.closed_confirmed


def test_a_verification_call_must_end_in_a_verification_outcome(
    client: TestClient, staff: Headers, engine: Engine, job_ctx: JobContext
) -> None:
    _to_reported(client, staff, engine, job_ctx)
    task = _verification_task(client, staff)
    response = client.post(f"/api/callbacks/{task['id']}/attempts", json={"outcome": "reached"}, headers=staff["cb"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "callback_outcome_invalid"
