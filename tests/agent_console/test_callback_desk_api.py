"""The callback desk through the API: worklist order, click-to-call writes an expiring Originate to `cc:commands`,
outcomes drive the core's state machine (confirmed → closed, not confirmed → rework, no answer → retry later,
refused), an invalid transition is a clear 409, and the role checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from agent_console.app import AppConfig, create_app
from agent_console.deps import get_now
from appeals.callback_tasks import create_callback_task
from appeals.models import CallbackKind, CallbackStatus, CallbackTask, Issue, IssueStatus, Role, User
from appeals.verification import start_verification
from runtime.streams import COMMANDS, EVENTS, decode_entry, publish, read_range
from tests.conftest import SECRET, Clock
from tests.factories import actor_of, issues_of, make_registered, make_user, token_for

Headers = dict[str, dict[str, str]]


@pytest.fixture
def staff(client: TestClient, engine: Engine, clock: Clock) -> Headers:
    make_user(engine, "op1", Role.operator, now=clock.now, extension="PJSIP/op101")
    make_user(engine, "sup", Role.supervisor, now=clock.now, extension="PJSIP/op190")
    make_user(engine, "cb", Role.callback_agent, now=clock.now, extension="PJSIP/op150")
    make_user(engine, "cb2", Role.callback_agent, now=clock.now, extension=None)
    return {name: token_for(client, name) for name in ("op1", "sup", "cb", "cb2")}


def _verification(engine: Engine, now: datetime) -> tuple[int, int]:
    """A registered phone appeal whose issue the executor reported done: (task id, issue id)."""
    with Session(engine) as session:
        op = session.exec(select(User).where(User.username == "op1")).one()
        appeal = make_registered(session, actor_of(op), now=now - timedelta(days=3))
        [issue] = issues_of(session, appeal.id or 0)
        issue.status = IssueStatus.reported_done
        session.add(issue)
        session.flush()
        task = start_verification(session, issue, appeal, now=now)
        session.commit()
        return task.id or 0, issue.id or 0


def _plain(engine: Engine, kind: CallbackKind, key: str, now: datetime, **fields: object) -> int:
    with Session(engine) as session:
        task, _ = create_callback_task(session, kind, dedup_key=key, now=now, phone=fields.pop("phone", "+380441234567"), **fields)  # type: ignore[arg-type]
        session.commit()
        return task.id or 0


def _issue(engine: Engine, issue_id: int) -> Issue:
    with Session(engine) as session:
        issue = session.get(Issue, issue_id)
        assert issue is not None
        return issue


def test_worklist_by_priority_then_deadline(client: TestClient, staff: Headers, engine: Engine, clock: Clock) -> None:
    now = clock.now
    late = _plain(engine, CallbackKind.missed_call, "a", now, due_at=now + timedelta(days=2))
    soon = _plain(engine, CallbackKind.requested_callback, "b", now, due_at=now + timedelta(hours=2))
    undated = _plain(engine, CallbackKind.missed_call, "c", now - timedelta(hours=1))
    urgent = _plain(engine, CallbackKind.missed_call, "d", now, priority=2, due_at=now + timedelta(days=5))
    body = client.get("/api/callback-desk", headers=staff["cb"]).json()
    assert [i["task"]["id"] for i in body["items"]] == [urgent, soon, late, undated]
    assert body["extension"] == "PJSIP/op150"
    assert body["items"][0]["task"]["phone_display"] == "+380 44 123 4567"
    only = client.get("/api/callback-desk", params={"kind": "requested_callback"}, headers=staff["cb"]).json()
    assert [i["task"]["id"] for i in only["items"]] == [soon]


def test_click_to_call_sends_an_expiring_originate(
    client: TestClient, staff: Headers, engine: Engine, redis_client: redis.Redis, clock: Clock
) -> None:
    task_id, _ = _verification(engine, clock.now)
    response = client.post(f"/api/callbacks/{task_id}/call", headers=staff["cb"])
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["task"]["status"] == "in_progress"
    [(_, fields)] = read_range(redis_client, COMMANDS)
    kind, _v, _at, data = decode_entry(fields)
    assert (kind, data["kind"], data["interface"], data["number"]) == ("originate", "originate", "PJSIP/op150", "+380501234567")
    assert (data["task_id"], data["appeal_id"] is not None, data["command_id"]) == (task_id, True, accepted["command_id"])
    assert datetime.fromisoformat(data["expires_at"]) == clock.now + timedelta(seconds=30)
    # the listener answers on cc:events; the desk reads it back (the WebSocket carries the same event)
    assert client.get(f"/api/commands/{accepted['command_id']}", headers=staff["cb"]).json()["status"] == "pending"
    publish(
        redis_client, "command.result", {"command_id": accepted["command_id"], "kind": "originate", "outcome": "failed", "reason": "busy"}
    )
    status = client.get(f"/api/commands/{accepted['command_id']}", headers=staff["cb"]).json()
    assert (status["status"], status["reason"]) == ("failed", "busy")
    # another agent cannot read this agent's command; a supervisor can
    assert client.get(f"/api/commands/{accepted['command_id']}", headers=staff["cb2"]).status_code == 404
    assert client.get(f"/api/commands/{accepted['command_id']}", headers=staff["sup"]).status_code == 200
    assert len(read_range(redis_client, EVENTS)) == 1


def test_click_to_call_refusals(client: TestClient, staff: Headers, engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    task_id = _plain(engine, CallbackKind.missed_call, "x", clock.now)
    no_phone = _plain(engine, CallbackKind.missed_call, "y", clock.now, phone=None)
    response = client.post(f"/api/callbacks/{task_id}/call", headers=staff["cb2"])
    assert (response.status_code, response.json()["error"]["code"]) == (422, "extension_required")
    response = client.post(f"/api/callbacks/{no_phone}/call", headers=staff["cb"])
    assert (response.status_code, response.json()["error"]["code"]) == (422, "callback_no_phone")
    response = client.post(f"/api/callbacks/{task_id}/call", headers=staff["op1"])
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    response = client.post("/api/callbacks/999999/call", headers=staff["cb"])
    assert (response.status_code, response.json()["error"]["code"]) == (404, "callback_not_found")
    assert read_range(redis_client, COMMANDS) == []


def test_confirmed_closes_the_issue_with_satisfaction(client: TestClient, staff: Headers, engine: Engine, clock: Clock) -> None:
    task_id, issue_id = _verification(engine, clock.now)
    client.post(f"/api/callbacks/{task_id}/call", headers=staff["cb"])
    response = client.post(
        f"/api/callbacks/{task_id}/attempts", json={"outcome": "confirmed", "satisfaction": 5, "note": "Дякує, тепло"}, headers=staff["cb"]
    )
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["outcome"], response.json()["satisfaction"]) == ("done", "confirmed", 5)
    assert _issue(engine, issue_id).status is IssueStatus.closed_confirmed
    # the task is closed now: a second outcome is an invalid transition with a clear message
    again = client.post(f"/api/callbacks/{task_id}/attempts", json={"outcome": "no_answer"}, headers=staff["cb"])
    assert (again.status_code, again.json()["error"]["code"]) == (409, "callback_invalid_transition")
    assert f"Зворотний дзвінок {task_id} у стані «Завершено»" in again.json()["error"]["message"]
    dial = client.post(f"/api/callbacks/{task_id}/call", headers=staff["cb"])
    assert (dial.status_code, dial.json()["error"]["code"]) == (409, "callback_invalid_transition")


def test_not_confirmed_sends_the_issue_to_rework(client: TestClient, staff: Headers, engine: Engine, clock: Clock) -> None:
    task_id, issue_id = _verification(engine, clock.now)
    response = client.post(f"/api/callbacks/{task_id}/attempts", json={"outcome": "disputed", "note": "Досі холодно"}, headers=staff["cb"])
    assert response.status_code == 200, response.text
    assert _issue(engine, issue_id).status is IssueStatus.rework


def test_no_answer_retries_later_then_refused_closes(client: TestClient, staff: Headers, engine: Engine, clock: Clock) -> None:
    task_id, issue_id = _verification(engine, clock.now)
    client.post(f"/api/callbacks/{task_id}/call", headers=staff["cb"])
    first = client.post(f"/api/callbacks/{task_id}/attempts", json={"outcome": "no_answer"}, headers=staff["cb"]).json()
    assert (first["status"], first["attempts"], first["outcome"]) == ("pending", 1, "no_answer")
    assert datetime.fromisoformat(first["next_attempt_at"]) > clock.now
    assert _issue(engine, issue_id).status is IssueStatus.on_verification
    refused = client.post(f"/api/callbacks/{task_id}/attempts", json={"outcome": "refused"}, headers=staff["cb"]).json()
    assert (refused["status"], refused["outcome"]) == ("done", "refused")
    assert _issue(engine, issue_id).status is IssueStatus.closed_unverified


def test_wrong_outcome_for_the_task_kind_is_refused(client: TestClient, staff: Headers, engine: Engine, clock: Clock) -> None:
    task_id = _plain(engine, CallbackKind.missed_call, "m", clock.now)
    response = client.post(f"/api/callbacks/{task_id}/attempts", json={"outcome": "confirmed"}, headers=staff["cb"])
    assert (response.status_code, response.json()["error"]["code"]) == (422, "callback_outcome_invalid")
    response = client.post(f"/api/callbacks/{task_id}/attempts", json={"outcome": "reached", "satisfaction": 9}, headers=staff["cb"])
    assert (response.status_code, response.json()["error"]["code"]) == (422, "satisfaction_invalid")
    with Session(engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        assert (task.status, task.attempts) == (CallbackStatus.pending, 0)


def test_without_redis_nothing_is_dialled_and_the_task_stays_pending(engine: Engine, clock: Clock) -> None:
    app = create_app(AppConfig(secret_key=SECRET), engine=engine, redis_client=None, drain_outbox_in_background=False)
    app.dependency_overrides[get_now] = lambda: clock.now
    with TestClient(app) as client:
        make_user(engine, "cb", Role.callback_agent, now=clock.now, extension="PJSIP/op150")
        task_id = _plain(engine, CallbackKind.missed_call, "r", clock.now)
        response = client.post(f"/api/callbacks/{task_id}/call", headers=token_for(client, "cb"))
    assert (response.status_code, response.json()["error"]["code"]) == (503, "redis_unavailable")
    with Session(engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        assert (task.status, task.assigned_to) == (CallbackStatus.pending, None)
