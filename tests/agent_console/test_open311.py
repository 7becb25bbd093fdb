"""Open311 GeoReport v2 against the spec's field lists and error format (domain.md §4.1), in JSON and XML."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from agent_console.app import AppConfig
from appeals.actors import Actor
from appeals.models import Appeal, AppealStatus, Channel, Issue, Role
from appeals.open311.keys import create_api_key
from tests.conftest import SECRET, Clock
from tests.factories import building, make_draft, make_registered, make_user, token_for

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
    "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
    "lat", "long", "media_url",
}  # fmt: skip
JURISDICTION = "brovary-rada.gov.ua"


@pytest.fixture
def app_config() -> AppConfig:
    return AppConfig(secret_key=SECRET, reg_prefix="БР", open311_jurisdiction=JURISDICTION)


@pytest.fixture
def api_key(engine: Engine, clock: Clock) -> str:
    with Session(engine) as session:
        return create_api_key(session, "Мобільний застосунок «Бровари»", actor=Actor(None, Role.admin), now=clock.now)[1]


def _xml(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(text.encode())  # noqa: S314 - our own server's output


def _form(api_key: str, **extra: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "jurisdiction_id": JURISDICTION,
        "service_code": "street_lighting",
        "address_string": "вул. Київська, 12",
        "first_name": "Олена",
        "last_name": "Ткаченко",
        "email": "olena@example.org",
        "phone": "050 765 43 21",
        "description": "Не світить ліхтар біля під'їзду <b>третій</b> день",
        "attribute[applicant_address]": "вул. Київська, 12, кв. 40",
        **extra,
    }


def test_service_list_has_the_spec_fields_in_json_and_xml(client: TestClient) -> None:
    services = client.get("/open311/v2/services.json").json()
    assert all(set(s) == SERVICE_FIELDS for s in services)
    codes = {s["service_code"]: s for s in services}
    assert "heating" not in codes  # a group of the tree, not a service
    heat = codes["no_heating"]
    assert (heat["group"], heat["metadata"], heat["type"]) == ("Теплопостачання", True, "realtime")
    assert "батарея" in heat["keywords"]
    root = _xml(client.get("/open311/v2/services.xml").text)
    assert root.tag == "services"
    assert len(root.findall("service")) == len(services)
    first = root.find("service")
    assert first is not None
    assert {child.tag for child in first} == SERVICE_FIELDS
    assert first.findtext("metadata") == "true"
    assert client.get("/open311/v2/services.xml").headers["content-type"] == "text/xml; charset=utf-8"


def test_service_definition_and_unknown_codes(client: TestClient) -> None:
    definition = client.get("/open311/v2/services/no_heating.json").json()
    assert definition["service_code"] == "no_heating"
    assert all(set(a) == ATTRIBUTE_FIELDS for a in definition["attributes"])
    residence = next(a for a in definition["attributes"] if a["code"] == "applicant_address")
    assert (residence["required"], residence["datatype"], residence["order"]) == (True, "string", 1)
    kinds = next(a for a in definition["attributes"] if a["code"] == "kind")
    assert [v["key"] for v in kinds["values"]] == ["proposal", "application", "complaint"]
    xml = _xml(client.get("/open311/v2/services/no_heating.xml").text)
    assert xml.tag == "service_definition"
    assert [a.findtext("code") for a in xml.iter("attribute")] == ["applicant_address", "kind"]
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service 'nope' was not found"}]
    missing_xml = _xml(client.get("/open311/v2/services/nope.xml").text)
    assert (missing_xml.tag, missing_xml.findtext("error/code")) == ("errors", "404")
    other = client.get("/open311/v2/services.json", params={"jurisdiction_id": "kyiv.gov.ua"})
    assert (other.status_code, other.json()[0]["code"]) == (404, 404)


def test_filing_needs_a_valid_key(client: TestClient, api_key: str) -> None:
    for key in ("", "o311_wrong"):
        response = client.post("/open311/v2/requests.json", data=_form(key))
        assert response.status_code == 403
        [error] = response.json()
        assert error["code"] == 403
        assert "api_key" in error["description"]
    xml = client.post("/open311/v2/requests.xml", data=_form("o311_wrong"))
    assert (xml.status_code, _xml(xml.text).findtext("error/code")) == (403, "403")


def test_filing_registers_a_web_appeal_and_the_request_is_public_without_personal_data(
    client: TestClient, engine: Engine, api_key: str
) -> None:
    response = client.post("/open311/v2/requests.json", data=_form(api_key, account_id="acc-77"))
    assert response.status_code == 201, response.text
    [filed] = response.json()
    assert set(filed) == {"service_request_id", "service_notice", "account_id"}
    assert filed["account_id"] == "acc-77"
    with Session(engine) as session:
        issue = session.get(Issue, int(filed["service_request_id"]))
        assert issue is not None
        appeal = session.get(Appeal, issue.appeal_id)
        assert appeal is not None
        assert (appeal.channel, appeal.status, appeal.caller, appeal.reply_email) == (
            Channel.open311,
            AppealStatus.registered,
            "+380507654321",
            "olena@example.org",
        )
        assert appeal.applicant_name == "Ткаченко Олена"
        assert issue.building_id == building(session, "Київська", "12").id  # the typed address matched the gazetteer
        assert issue.description == "Не світить ліхтар біля під'їзду третій день"  # tags stripped
        assert filed["service_notice"].startswith(f"Звернення зареєстровано за № {appeal.number}.")
    public = client.get(f"/open311/v2/requests/{filed['service_request_id']}.json")
    [request] = public.json()
    assert set(request) == REQUEST_FIELDS
    assert (request["status"], request["service_code"], request["address"], request["agency_responsible"]) == (
        "open", "street_lighting", "вул. Київська, 12", "Бровари-Благоустрій",
    )  # fmt: skip
    assert request["requested_datetime"] == "2026-11-24T11:30:00+02:00"
    assert request["lat"] == pytest.approx(50.50254, abs=0.01)
    for secret in ("Ткаченко", "Олена", "olena@", "7654321", "кв. 40", "ліхтар"):
        assert secret not in public.text
    xml = _xml(client.get(f"/open311/v2/requests/{filed['service_request_id']}.xml").text)
    assert xml.tag == "service_requests"
    element = xml.find("request")
    assert element is not None
    assert {c.tag for c in element} == REQUEST_FIELDS


def test_every_invalid_field_is_reported(client: TestClient, api_key: str) -> None:
    form = _form(api_key, first_name="", email="not-an-email", phone="", lat="95", description="")
    del form["attribute[applicant_address]"]
    response = client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 400
    errors = response.json()
    assert all(set(e) == {"code", "description"} and e["code"] == 400 for e in errors)
    fields = {e["description"].split(":")[0] for e in errors}
    assert fields == {"lat", "long", "first_name", "attribute[applicant_address]", "email", "description"}
    unknown = client.post("/open311/v2/requests.json", data=_form(api_key, service_code="teleport"))
    assert (unknown.status_code, unknown.json()[0]["code"]) == (404, 404)
    elsewhere = client.post("/open311/v2/requests.json", data=_form(api_key, jurisdiction_id="kyiv.gov.ua"))
    assert elsewhere.status_code == 404
    nowhere = _form(api_key)
    del nowhere["address_string"]
    assert client.post("/open311/v2/requests.xml", data=nowhere).status_code == 400


def test_a_point_is_placed_at_the_nearest_building(client: TestClient, engine: Engine, api_key: str) -> None:
    form = _form(api_key, lat="50.50420", long="30.78220")  # ~6 m from Київська, 1
    del form["address_string"]
    [filed] = client.post("/open311/v2/requests.json", data=form).json()
    with Session(engine) as session:
        issue = session.get(Issue, int(filed["service_request_id"]))
        assert issue is not None
        assert issue.building_id == building(session, "Київська", "1").id
    far = _form(api_key, lat="50.60000", long="30.90000")
    del far["address_string"]
    [other] = client.post("/open311/v2/requests.json", data=far).json()
    with Session(engine) as session:
        issue = session.get(Issue, int(other["service_request_id"]))
        assert issue is not None
        assert (issue.building_id, issue.address_text) == (None, "50.600000, 30.900000")


def test_request_list_filters(client: TestClient, engine: Engine, clock: Clock) -> None:
    operator = Actor(None, Role.operator)
    with Session(engine) as session:
        old = make_registered(session, operator, now=clock.now)
        make_draft(session, operator, now=clock.now)  # drafts are never public
        [old_issue] = session.exec(select(Issue).where(Issue.appeal_id == old.id)).all()
    clock.advance(days=1)
    listed = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [str(old_issue.id)]
    assert client.get("/open311/v2/requests.json", params={"status": "closed"}).json() == []
    assert len(client.get("/open311/v2/requests.json", params={"service_code": "no_heating,lifts"}).json()) == 1
    assert client.get("/open311/v2/requests.json", params={"service_code": "lifts"}).json() == []
    window = {"start_date": "2026-11-24T00:00:00Z", "end_date": "2026-11-25T00:00:00+02:00"}
    assert len(client.get("/open311/v2/requests.json", params=window).json()) == 1
    too_long = client.get("/open311/v2/requests.json", params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-25T00:00:00Z"})
    assert too_long.status_code == 400
    assert too_long.json() == [{"code": 400, "description": "start_date: the range may not span more than 90 days"}]
    bad = client.get("/open311/v2/requests.json", params={"start_date": "yesterday", "status": "pending"})
    assert {e["description"].split(":")[0] for e in bad.json()} == {"start_date", "status"}
    assert client.get("/open311/v2/requests/abc.json").status_code == 404
    assert client.get("/open311/v2/requests/999999.xml").status_code == 404


def test_admins_issue_and_revoke_keys(client: TestClient, engine: Engine, clock: Clock) -> None:
    make_user(engine, "root", Role.admin, now=clock.now)
    admin = token_for(client, "root")
    created = client.post("/api/open311/keys", json={"name": "FixMyStreet Бровари"}, headers=admin)
    assert created.status_code == 201
    key: dict[str, Any] = created.json()
    assert key["api_key"].startswith(key["prefix"])
    listed = client.get("/api/open311/keys", headers=admin).json()
    assert "api_key" not in listed[0]
    assert client.post("/open311/v2/requests.json", data=_form(key["api_key"])).status_code == 201
    assert client.get("/api/open311/keys", headers=admin).json()[0]["requests_filed"] == 1
    assert client.post(f"/api/open311/keys/{key['id']}/revoke", headers=admin).json()["is_active"] is False
    assert client.post("/open311/v2/requests.json", data=_form(key["api_key"])).status_code == 403


def test_discovery(client: TestClient) -> None:
    body = client.get("/open311/discovery.json").json()
    assert body["endpoints"][0]["url"].endswith("/open311/v2/")
    assert body["endpoints"][0]["formats"] == ["application/json", "text/xml"]


def test_oversized_and_malformed_values_are_refused_with_their_field(client: TestClient, api_key: str) -> None:
    cases = {
        "description": _form(api_key, description="х" * 4001),
        "media_url": _form(api_key, media_url="javascript:alert(1)"),
        "address_id": _form(api_key, address_id="99999999"),
        "phone": _form(api_key, phone="дзвоніть увечері"),
        "attribute[kind]": _form(api_key, **{"attribute[kind]": "petition"}),
    }
    for field, form in cases.items():
        response = client.post("/open311/v2/requests.json", data=form)
        assert response.status_code == 400, field
        assert [e["description"].split(":")[0] for e in response.json()] == [field]
    assert client.get("/open311/v2/requests.json", params={"service_request_id": ",".join(str(n) for n in range(1001))}).status_code == 400
