"""The wallboard snapshot: today's figures from a small seeded set of calls (numbers derived by hand), live queue
state from `cc:queues`, the missed-call list, deadlines per executor, and the spy command with its role checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from agent_console.app import AppConfig, create_app
from agent_console.deps import get_now
from appeals.callback_tasks import create_callback_task
from appeals.models import Call, CallbackKind, CallDirection, Role, User
from runtime.streams import COMMANDS, QUEUES_KEY, decode_entry, read_range
from tests.conftest import SECRET, Clock
from tests.factories import actor_of, executor, issues_of, make_registered, make_user, token_for

Headers = dict[str, dict[str, str]]
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 11:30 in Kyiv; the day began at 22:00 UTC on the 23rd


@pytest.fixture
def staff(client: TestClient, engine: Engine, clock: Clock) -> Headers:
    make_user(engine, "op1", Role.operator, now=clock.now, extension="PJSIP/op101")
    make_user(engine, "op2", Role.operator, now=clock.now, extension="PJSIP/op102")
    make_user(engine, "sup", Role.supervisor, now=clock.now, extension="PJSIP/op190")
    make_user(engine, "sup2", Role.supervisor, now=clock.now, extension=None)
    make_user(engine, "cb", Role.callback_agent, now=clock.now, extension="PJSIP/op150")
    return {name: token_for(client, name) for name in ("op1", "op2", "sup", "sup2", "cb")}


def _call(session: Session, call_id: str, minute: int, **fields: object) -> None:
    started = datetime(2026, 11, 24, 8, 0, tzinfo=UTC) + timedelta(minutes=minute)
    values: dict[str, object] = {"queue": "hotline", "direction": CallDirection.inbound, "caller": "+380441234567"}
    values |= fields
    wait = float(str(values.get("wait_seconds") or 0))
    talk = values.get("talk_seconds")
    values.setdefault("answered_at", started + timedelta(seconds=wait) if values.get("answered") else None)
    values.setdefault("ended_at", started + timedelta(seconds=wait + float(str(talk or 0))))
    session.add(Call(call_id=call_id, started_at=started, **values))  # type: ignore[arg-type]


def _seed_calls(engine: Engine) -> None:
    """hotline: 4 offered (2 answered: waits 10 and 30 s, talks 100 and 200 s; 1 abandoned after 45 s; 1 timed out after 60 s);
    consult: 1 answered after 5 s, talk 60 s; yesterday's call and an outbound call do not count."""
    with Session(engine) as session:
        op1 = session.exec(select(User).where(User.username == "op1")).one().id
        op2 = session.exec(select(User).where(User.username == "op2")).one().id
        _call(session, "c1", 0, answered=True, wait_seconds=10, talk_seconds=100, operator_id=op1, interface="PJSIP/op101")
        _call(session, "c2", 10, answered=True, wait_seconds=30, talk_seconds=200, operator_id=op1, interface="PJSIP/op101")
        _call(session, "c3", 20, abandoned=True, wait_seconds=45, caller="+380501112233")
        _call(session, "c4", 30, queue="consult", answered=True, wait_seconds=5, talk_seconds=60, operator_id=op2, interface="PJSIP/op102")
        _call(session, "c5", 40, wait_seconds=60, caller=None)
        _call(session, "old", -11 * 60, answered=True, wait_seconds=1, talk_seconds=10, operator_id=op1)
        _call(session, "out", 50, direction=CallDirection.outbound, answered=True, talk_seconds=30, operator_id=op2)
        session.commit()
        create_callback_task(session, CallbackKind.missed_call, dedup_key="missed:c3", now=NOW, phone="+380501112233", call_id="c3")
        session.commit()


def test_today_figures_per_queue_and_total(client: TestClient, staff: Headers, engine: Engine) -> None:
    _seed_calls(engine)
    body = client.get("/api/wallboard", headers=staff["sup"]).json()
    assert body["service_level_seconds"] == 20
    assert body["day_start"].startswith("2026-11-24T00:00:00+02:00")
    today = {row["queue"]: row for row in body["today"]}
    assert set(today) == {"hotline", "consult", ""}
    hot = today["hotline"]
    assert (hot["offered"], hot["answered"], hot["abandoned"], hot["answered_in_sl"]) == (4, 2, 1, 1)
    assert (hot["service_level_pct"], hot["abandoned_pct"], hot["avg_wait_seconds"], hot["avg_talk_seconds"]) == (25.0, 25.0, 20.0, 150.0)
    consult = today["consult"]
    assert (consult["offered"], consult["service_level_pct"], consult["avg_wait_seconds"], consult["avg_talk_seconds"]) == (
        1,
        100.0,
        5.0,
        60.0,
    )
    total = today[""]
    assert (total["offered"], total["answered"], total["abandoned"], total["answered_in_sl"]) == (5, 3, 1, 2)
    assert (total["service_level_pct"], total["abandoned_pct"], total["avg_wait_seconds"], total["avg_talk_seconds"]) == (
        40.0,
        20.0,
        15.0,
        120.0,
    )
    operators = {o["extension"]: o for o in body["operators"]}
    assert (operators["PJSIP/op101"]["calls"], operators["PJSIP/op101"]["talk_seconds"], operators["PJSIP/op101"]["aht_seconds"]) == (
        2,
        300.0,
        150.0,
    )
    assert (operators["PJSIP/op102"]["calls"], operators["PJSIP/op102"]["aht_seconds"], operators["PJSIP/op102"]["name"]) == (
        1,
        60.0,
        "op2",
    )


def test_service_level_threshold_is_configurable(engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    app = create_app(
        AppConfig(secret_key=SECRET, service_level_seconds=30), engine=engine, redis_client=redis_client, drain_outbox_in_background=False
    )
    app.dependency_overrides[get_now] = lambda: clock.now
    with TestClient(app) as client:
        make_user(engine, "op1", Role.operator, now=clock.now, extension="PJSIP/op101")
        make_user(engine, "op2", Role.operator, now=clock.now, extension="PJSIP/op102")
        make_user(engine, "sup", Role.supervisor, now=clock.now)
        _seed_calls(engine)
        body = client.get("/api/wallboard", headers=token_for(client, "sup")).json()
    hot = next(r for r in body["today"] if r["queue"] == "hotline")
    assert (body["service_level_seconds"], hot["answered_in_sl"], hot["service_level_pct"]) == (30, 2, 50.0)


def test_queue_load_buckets_and_missed_calls(client: TestClient, staff: Headers, engine: Engine) -> None:
    _seed_calls(engine)
    body = client.get("/api/wallboard", params={"hours": 2, "bucket_minutes": 15}, headers=staff["sup"]).json()
    load = body["load"]
    assert [b["start"][11:16] for b in load] == ["07:30", "07:45", "08:00", "08:15", "08:30", "08:45", "09:00", "09:15"]
    assert [b["offered"] for b in load] == [0, 0, 2, 1, 2, 0, 0, 0]
    assert [b["abandoned"] for b in load] == [0, 0, 0, 1, 0, 0, 0, 0]
    # callers waiting on average: (10 + 30) s / 900 s, 45 s / 900 s, (5 + 60) s / 900 s
    assert [b["avg_waiting"] for b in load[2:5]] == [0.04, 0.05, 0.07]
    missed = body["missed"]
    assert [m["call"]["call_id"] for m in missed] == ["c5", "c3"]
    assert (missed[0]["caller_display"], missed[0]["call"]["task_id"]) == ("", None)
    assert missed[1]["caller_display"] == "+380 50 111 2233"
    assert (missed[1]["call"]["task_status"], missed[1]["call"]["attempts"]) == ("pending", 0)


def test_live_queue_state_with_agent_states(client: TestClient, staff: Headers, redis_client: redis.Redis) -> None:
    since = (NOW - timedelta(seconds=75)).isoformat()
    member = {"paused": False, "paused_reason": "", "in_call": False, "since": since}
    state = {
        "queue": "hotline",
        "waiting": [
            {"call_id": "w1", "caller_masked": "••• 4567", "position": 1, "wait_seconds": 42.5, "entered_at": since},
            {"call_id": "w2", "caller_masked": "••• 1111", "position": 2, "wait_seconds": 3.0, "entered_at": since},
        ],
        "members": [
            {**member, "interface": "PJSIP/op101", "name": "op101", "status": 2, "in_call": True},
            {**member, "interface": "PJSIP/op102", "name": "op102", "status": 1, "paused": True, "paused_reason": "обід"},
            {**member, "interface": "PJSIP/op103", "name": "Оператор 103", "status": 6},
            {**member, "interface": "PJSIP/op104", "name": "op104", "status": 1, "paused": True, "paused_reason": "wrapup"},
            {**member, "interface": "PJSIP/op105", "name": "op105", "status": 1},
            {**member, "interface": "PJSIP/op107", "name": "op107", "status": 1, "paused": True, "paused_reason": "wrap_up"},
            {**member, "interface": "PJSIP/op108", "name": "op108", "status": 1, "paused": True, "paused_reason": "lunch"},
            {**member, "interface": "PJSIP/op106", "name": "op106", "status": 5},
        ],
        "counters": {"offered": 7, "answered": 4, "abandoned": 1},
    }
    redis_client.hset(QUEUES_KEY, "hotline", json.dumps(state))
    redis_client.set("cc:listener", json.dumps({"state": "up", "since": since, "at": NOW.isoformat()}))
    body = client.get("/api/wallboard", headers=staff["sup"]).json()
    assert body["listener"]["state"] == "up"
    [live] = body["live"]
    assert (live["queue"], len(live["waiting"]), live["longest_wait_seconds"]) == ("hotline", 2, 42.5)
    states = {a["interface"]: (a["state"], a["state_label"], a["name"]) for a in live["agents"]}
    assert states == {
        "PJSIP/op101": ("on_call", "розмова", "op1"),
        "PJSIP/op102": ("paused", "пауза", "op2"),
        "PJSIP/op103": ("ringing", "дзвонить", "Оператор 103"),
        "PJSIP/op104": ("wrapup", "обробка", "op104"),
        "PJSIP/op105": ("free", "вільний", "op105"),
        "PJSIP/op106": ("offline", "не в мережі", "op106"),
        "PJSIP/op107": ("wrapup", "обробка", "op107"),
        "PJSIP/op108": ("paused", "пауза", "op108"),
    }
    reasons = {a["interface"]: a["paused_reason"] for a in live["agents"]}
    assert (reasons["PJSIP/op107"], reasons["PJSIP/op108"]) == ("Обробка після дзвінка", "Обід")  # the console's catalogue codes
    assert next(a for a in live["agents"] if a["interface"] == "PJSIP/op102")["paused_reason"] == "обід"


def test_deadlines_per_executor(client: TestClient, staff: Headers, engine: Engine, clock: Clock) -> None:
    with Session(engine) as session:
        op = session.exec(select(User).where(User.username == "op1")).one()
        crew_id = executor(session, "btve").id
        due = {
            "late": NOW - timedelta(days=2),
            "later": NOW - timedelta(hours=1),
            "near": NOW + timedelta(days=1),
            "fine": NOW + timedelta(days=10),
        }
        for key, when in due.items():
            appeal = make_registered(session, actor_of(op), now=NOW - timedelta(days=20))
            [issue] = issues_of(session, appeal.id or 0)
            issue.executor_id, issue.due_at = crew_id, when
            issue.attention_at = when - timedelta(days=3) if key != "fine" else when - timedelta(days=2)
            session.add(issue)
        session.commit()
    body = client.get("/api/wallboard", headers=staff["sup"]).json()
    [board] = body["deadlines"]
    assert (board["executor_id"], board["overdue"], board["near"]) == (crew_id, 2, 1)
    assert [item["overdue"] for item in board["items"]] == [True, True, False]
    assert board["items"][0]["number"].endswith("/1")


def test_spy_writes_a_command_with_expiry(client: TestClient, staff: Headers, redis_client: redis.Redis, clock: Clock) -> None:
    response = client.post("/api/wallboard/spy", json={"interface": "PJSIP/op101", "mode": "whisper"}, headers=staff["sup"])
    assert response.status_code == 202, response.text
    accepted = response.json()
    [(_, fields)] = read_range(redis_client, COMMANDS)
    kind, _v, _at, data = decode_entry(fields)
    assert kind == "spy"
    # the listener's spy reads the spied phone from `number` and the mode from `reason` (telephony/commands.py)
    assert (data["kind"], data["interface"], data["number"], data["reason"]) == ("spy", "PJSIP/op190", "PJSIP/op101", "whisper")
    assert data["command_id"] == accepted["command_id"]
    assert datetime.fromisoformat(data["expires_at"]) == clock.now + timedelta(seconds=30)
    status = client.get(f"/api/commands/{accepted['command_id']}", headers=staff["sup"]).json()
    assert (status["status"], status["kind"]) == ("pending", "spy")


def test_spy_refusals(client: TestClient, staff: Headers, redis_client: redis.Redis) -> None:
    no_phone = client.post("/api/wallboard/spy", json={"interface": "PJSIP/op101"}, headers=staff["sup2"])
    assert (no_phone.status_code, no_phone.json()["error"]["code"]) == (422, "extension_required")
    bad = client.post("/api/wallboard/spy", json={"interface": "op101"}, headers=staff["sup"])
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "spy_target_invalid")
    bad_mode = client.post("/api/wallboard/spy", json={"interface": "PJSIP/op101", "mode": "shout"}, headers=staff["sup"])
    assert (bad_mode.status_code, bad_mode.json()["error"]["code"]) == (422, "validation_failed")
    agent = client.post("/api/wallboard/spy", json={"interface": "PJSIP/op101"}, headers=staff["cb"])
    assert (agent.status_code, agent.json()["error"]["code"]) == (403, "forbidden")
    assert read_range(redis_client, COMMANDS) == []


def test_operator_and_callback_agent_cannot_open_the_wallboard(client: TestClient, staff: Headers) -> None:
    for who in ("op1", "cb"):
        response = client.get("/api/wallboard", headers=staff[who])
        assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    assert client.get("/api/wallboard").status_code == 401


def test_page_shells_carry_no_data_and_name_their_roles(client: TestClient) -> None:
    board = client.get("/supervisor")
    assert board.status_code == 200
    assert 'data-roles="supervisor"' in board.text
    assert 'data-tv="0"' in board.text
    assert 'data-tv="1"' in client.get("/supervisor", params={"tv": 1}).text
    tv = client.get("/wallboard/tv").text
    assert 'data-tv="1"' in tv
    assert "wb-tv-link" not in tv
    desk = client.get("/callbacks")
    assert 'data-roles="callback_agent,supervisor"' in desk.text
    assert "/static/callbacks.js" in desk.text
    assert client.get("/static/wallboard.js").status_code == 200
