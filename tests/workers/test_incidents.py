"""Mass incidents: declared by a supervisor, issues at the addresses link to it, the card and the IVR show it,
bursts of calls propose one, closing tells the linked citizens."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from appeals.actors import Actor
from appeals.card import lookup_caller
from appeals.models import Assignment, Incident, IncidentStatus, IssueStatus, Role
from tests.appeals.test_card_and_calls import count_statements
from tests.conftest import Clock
from tests.factories import building, category, issue_in, issues_of, make_citizen, make_registered, make_user, token_for
from tests.workers.conftest import SmtpSink, run_jobs
from workers.context import JobContext
from workers.settings import WorkerSettings, get_worker_settings

KYIV = ZoneInfo("Europe/Kyiv")
OPERATOR = Actor(None, Role.operator)
Headers = dict[str, dict[str, str]]


@pytest.fixture
def staff(client: TestClient, engine: Engine, clock: Clock) -> Headers:
    for name, role in (("op", Role.operator), ("sup", Role.supervisor), ("cb", Role.callback_agent)):
        make_user(engine, name, role, now=clock.now)
    return {name: token_for(client, name) for name in ("op", "sup", "cb")}


def _declare(client: TestClient, staff: Headers, engine: Engine, **extra: object) -> dict[str, object]:
    with Session(engine) as session:
        house = building(session, "Симона Петлюри", "5")
        body = {
            "category_id": category(session, "heat_pipe_burst").id,
            "title": "Прорив тепломережі на Симона Петлюри",
            "public_notice": "Аварія на тепломережі, опалення відновлять до 18:00.",
            "eta_at": "2026-11-24T16:00:00Z",
            "ivr_prompt": "custom/heat-outage-5",
            "addresses": [{"street_id": house.street_id, "building_id": house.id}],
            **extra,
        }
    response = client.post("/api/incidents", json=body, headers=staff["sup"])
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_calls_at_the_addresses_link_to_the_incident_instead_of_new_assignments(
    client: TestClient, staff: Headers, engine: Engine, session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    before = make_registered(session, OPERATOR, now=clock.now)  # no heating at Петлюри 5, before the declaration
    incident = _declare(client, staff, engine)
    assert incident["status"] == "active"
    assert incident["linked_issues"] == 1
    after = make_registered(session, OPERATOR, now=clock.advance(minutes=5), caller="+380671112233", name="Мельник Олена")
    elsewhere = make_registered(session, OPERATOR, now=clock.now, issues=[issue_in(session, street="Харківська", house="3")])
    run_jobs(job_ctx)
    for appeal in (before, after):
        [issue] = issues_of(session, appeal.id or 0)
        session.refresh(issue)
        assert (issue.status, issue.incident_id) == (IssueStatus.linked_to_incident, incident["id"])
        assert session.exec(select(Assignment).where(Assignment.issue_id == issue.id, Assignment.state == "new")).first() is None
    assert issues_of(session, elsewhere.id or 0)[0].status is IssueStatus.assigned
    assert len([m for m in smtp_sink.to("btve@example.org") if "Нове доручення" in m["Subject"]]) == 1  # only the other street
    assert client.get(f"/api/incidents/{incident['id']}", headers=staff["op"]).json()["linked_issues"] == 2
    closed = client.post(
        f"/api/incidents/{incident['id']}/close", json={"resolution": "Ділянку замінено, тепло подано"}, headers=staff["sup"]
    )
    assert closed.json()["status"] == "closed"
    run_jobs(job_ctx)
    for appeal in (before, after):
        [issue] = issues_of(session, appeal.id or 0)
        session.refresh(issue)
        assert issue.status is IssueStatus.on_verification  # confirmed with the citizen like any other
    tasks = client.get("/api/callbacks", params={"kind": "verification"}, headers=staff["cb"]).json()
    assert tasks["total"] == 2


def test_the_card_and_the_ivr_show_the_incident_at_the_callers_address(
    client: TestClient, staff: Headers, engine: Engine, session: Session, clock: Clock
) -> None:
    house = building(session, "Симона Петлюри", "5")
    citizen = make_citizen(session, "Гончар Василь", ["+380501112233"], now=clock.now)
    citizen.building_id = house.id
    session.add(citizen)
    session.commit()
    assert lookup_caller(session, "+380501112233", now=clock.now).incidents == []
    incident = _declare(client, staff, engine)
    with count_statements(session) as statements:
        card = lookup_caller(session, "+380501112233", now=clock.now)
    assert len(statements) == 1  # still the one-statement card
    assert [(i.id, i.title) for i in card.incidents] == [(incident["id"], "Прорив тепломережі на Симона Петлюри")]
    assert card.flags["incident"]
    clock.now = datetime(2026, 11, 24, 12, 0, tzinfo=KYIV)
    answer = client.get("/api/ivr/notice", params={"did": "0459461111", "caller": "0501112233"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    fields = {k: v[0] for k, v in parse_qs(answer.text).items()}
    assert fields == {
        "open": "1",
        "incident": str(incident["id"]),
        "prompt": "custom/heat-outage-5",
        "eta": "2026-11-24T16:00:00+00:00",
        "notice": "Аварія на тепломережі, опалення відновлять до 18:00.",
    }
    stranger = client.get("/api/ivr/notice", params={"caller": "+380661234567", "format": "json"}).json()
    assert (stranger["open"], stranger["incident_id"]) == (True, None)
    clock.now = datetime(2026, 11, 24, 21, 0, tzinfo=KYIV)
    assert parse_qs(client.get("/api/ivr/notice", params={"caller": ""}).text)["open"] == ["0"]
    clock.now = datetime(2026, 11, 28, 12, 0, tzinfo=KYIV)  # Saturday
    assert client.get("/api/ivr/notice", params={"format": "json"}).json()["open"] is False


def test_the_ivr_key_is_required_when_set(client: TestClient) -> None:
    client.app.dependency_overrides[get_worker_settings] = lambda: WorkerSettings(ivr_key="pbx-key-123")  # type: ignore[attr-defined]
    denied = client.get("/api/ivr/notice", params={"caller": "0501112233"})
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "ivr_key_invalid")
    assert client.get("/api/ivr/notice", params={"key": "pbx-key-123"}).status_code == 200


def test_a_burst_of_calls_proposes_an_incident_that_a_supervisor_confirms(
    client: TestClient, staff: Headers, engine: Engine, session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    job_ctx.settings = job_ctx.settings.model_copy(update={"incident_burst_calls": 3, "incident_burst_minutes": 30})
    houses = ["5", "7", "9"]
    for n, house in enumerate(houses):
        make_registered(
            session,
            OPERATOR,
            now=clock.advance(minutes=5),
            caller=f"+38050111220{n}",
            name=f"Заявник {n}",
            issues=[issue_in(session, house=house)],
        )
        run_jobs(job_ctx)
    [proposal] = session.exec(select(Incident)).all()
    assert proposal.status is IncidentStatus.proposed
    assert proposal.proposal_reason == "3 звернень за 30 хв"
    assert any("Можлива масова аварія" in m["Subject"] for m in smtp_sink.to("dispatch@brovary.example"))
    listed = client.get("/api/incidents", headers=staff["sup"]).json()
    assert [i["status"] for i in listed] == ["proposed"]
    confirmed = client.post(f"/api/incidents/{proposal.id}/confirm", headers=staff["sup"]).json()
    assert confirmed["status"] == "active"
    assert confirmed["linked_issues"] == 3  # the burst's own issues join it (their pending assignments are withdrawn)
    make_registered(
        session, OPERATOR, now=clock.advance(minutes=1), caller="+380501112299", name="Заявник 4", issues=[issue_in(session, house="11")]
    )
    run_jobs(job_ctx)
    assert client.get(f"/api/incidents/{proposal.id}", headers=staff["sup"]).json()["linked_issues"] == 4


def test_declaring_needs_addresses_and_a_known_category(client: TestClient, staff: Headers, engine: Engine) -> None:
    response = client.post("/api/incidents", json={"category_id": 1, "title": "Без адрес", "addresses": []}, headers=staff["sup"])
    assert (response.status_code, response.json()["error"]["code"]) == (422, "validation_failed")
    response = client.post(
        "/api/incidents", json={"category_id": 99999, "title": "Невідома", "addresses": [{"street_id": 1}]}, headers=staff["sup"]
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "category_unknown")
    assert client.post("/api/incidents", json={}, headers=staff["op"]).status_code == 403


def test_an_operator_links_a_call_by_hand(client: TestClient, staff: Headers, engine: Engine, session: Session, clock: Clock) -> None:
    incident = _declare(client, staff, engine)
    appeal = make_registered(session, OPERATOR, now=clock.now, issues=[issue_in(session, street="Харківська", house="3")])
    [issue] = issues_of(session, appeal.id or 0)
    linked = client.post(f"/api/incidents/{incident['id']}/link", json={"issue_id": issue.id}, headers=staff["op"])
    assert linked.status_code == 200, linked.text
    assert linked.json()["linked_issues"] == 1
    again = client.post(f"/api/incidents/{incident['id']}/link", json={"issue_id": issue.id}, headers=staff["op"])
    assert (again.status_code, again.json()["error"]["code"]) == (422, "incident_link_invalid")
