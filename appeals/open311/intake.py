"""Filing an Open311 request: validate the form, then create and register a web appeal through the ordinary use cases."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from appeals.actors import SYSTEM
from appeals.drafts import create_appeal, draft_issues
from appeals.errors import DomainValidationError, NotFoundError, PhoneNumberError
from appeals.models import AppealKind, Building, Channel, Open311ApiKey
from appeals.open311.keys import authenticate_api_key
from appeals.open311.location import resolve_place
from appeals.open311.services import find_service
from appeals.phones import normalize_phone
from appeals.registration import register_appeal
from appeals.schemas import AppealCreate, IssueIn

MAX_DESCRIPTION = 4000
_TAGS = re.compile(r"<[^>]{0,200}>")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Filed:
    service_request_id: str
    number: str
    service_notice: str
    account_id: str | None


def _number(form: Mapping[str, str], name: str, low: float, high: float, problems: dict[str, str]) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems[name] = f"{name} must be a number"
        return None
    if not low <= value <= high:
        problems[name] = f"{name} must be between {low:g} and {high:g}"
    return value


def _location(session: Session, form: Mapping[str, str], problems: dict[str, str]) -> tuple[int | None, float | None, float | None, str]:
    lat, lon = _number(form, "lat", -90, 90, problems), _number(form, "long", -180, 180, problems)
    address = (form.get("address_string") or "").strip()[:400]
    raw_id = (form.get("address_id") or "").strip()
    building_id = int(raw_id) if raw_id.isdigit() else None
    if raw_id and (building_id is None or session.get(Building, building_id) is None):
        problems["address_id"] = f"address_id {raw_id} is not in the city's address register"
    if (lat is None) != (lon is None):
        problems["long" if lon is None else "lat"] = "lat and long are sent together"
    if lat is None and not address and not raw_id:
        problems["location"] = "a location is required: lat and long, address_string or address_id"
    return building_id, lat, lon, address


def _applicant(form: Mapping[str, str], problems: dict[str, str]) -> tuple[str, str, str | None, str | None]:
    name = " ".join(p for p in ((form.get("last_name") or "").strip(), (form.get("first_name") or "").strip()) if p)
    if not (form.get("first_name") or "").strip() or not (form.get("last_name") or "").strip():
        problems["first_name"] = "first_name and last_name are required: an appeal names its author (art. 5)"
    residence = (form.get("attribute[applicant_address]") or "").strip()
    if not residence:
        problems["attribute[applicant_address]"] = "the applicant's address of residence is required (art. 5)"
    email = (form.get("email") or "").strip() or None
    if email and not _EMAIL.match(email):
        problems["email"] = f"'{email}' is not an e-mail address"
    phone = None
    try:
        phone = normalize_phone(form.get("phone") or None)
    except PhoneNumberError:
        problems["phone"] = "phone is not a number we can call back"
    if not email and not phone and "email" not in problems and "phone" not in problems:
        problems["email"] = "an e-mail or a phone is required for the answer"
    return name[:300], residence[:400], email, phone


def _description(form: Mapping[str, str], problems: dict[str, str]) -> str:
    text = _TAGS.sub("", form.get("description") or "").strip()
    if not text:
        problems["description"] = "description is required: the essence of the issue (art. 5)"
    elif len(text) > MAX_DESCRIPTION:
        problems["description"] = f"description is limited to {MAX_DESCRIPTION} characters"
    media = (form.get("media_url") or "").strip()
    if media and not media.lower().startswith(("http://", "https://")):
        problems["media_url"] = "media_url must be an http(s) URL"
    return f"{text}\n\nФото: {media}" if media and text else text


def file_request(session: Session, form: Mapping[str, str], *, now: datetime, reg_prefix: str, jurisdiction_id: str | None) -> Filed:
    """POST requests: check the key, the jurisdiction and the service, validate every field, register the appeal.

    Raises:
        ForbiddenError: a missing or invalid api_key.
        NotFoundError: an unknown jurisdiction_id or service_code.
        DomainValidationError: every invalid field, named in `fields`.
    """
    key = authenticate_api_key(session, form.get("api_key"), now=now)
    if jurisdiction_id and form.get("jurisdiction_id") and form["jurisdiction_id"].strip() != jurisdiction_id:
        raise NotFoundError("jurisdiction", form["jurisdiction_id"])
    code = (form.get("service_code") or "").strip()
    if not code:
        raise DomainValidationError("service_code is required", code="service_code_missing", fields={"service_code": "required"})
    category = find_service(session, code)
    problems: dict[str, str] = {}
    building_id, lat, lon, address = _location(session, form, problems)
    name, residence, email, phone = _applicant(form, problems)
    description = _description(form, problems)
    kind = (form.get("attribute[kind]") or AppealKind.application.value).strip()
    if kind not in {k.value for k in AppealKind}:
        problems["attribute[kind]"] = "kind is proposal, application or complaint"
    if problems:
        first = next(iter(problems.items()))
        raise DomainValidationError(f"{first[0]}: {first[1]}", code="request_invalid", fields=problems)
    place = resolve_place(session, building_id=building_id, lat=lat, lon=lon, address=address)
    data = AppealCreate(
        channel=Channel.open311,
        caller=phone,
        received_at=now,
        source_ref=_source(key, form),
        kind=AppealKind(kind),
        applicant_name=name,
        applicant_address=residence,
        reply_email=email,
        reply_channel="email" if email else "phone",
        summary=description,
        issues=[IssueIn(category_id=category.id, building_id=place.building_id, address_text=place.address_text, description=description)],
    )
    return _register(session, key, form, now=now, reg_prefix=reg_prefix, data=data, notice=category.public_notice)


def _source(key: Open311ApiKey, form: Mapping[str, str]) -> str:
    who = (form.get("account_id") or form.get("device_id") or "").strip()[:200]
    return f"open311:{key.id}:{who}"


def _register(
    session: Session, key: Open311ApiKey, form: Mapping[str, str], *, now: datetime, reg_prefix: str, data: AppealCreate, notice: str
) -> Filed:
    draft = create_appeal(session, data, actor=SYSTEM, now=now)
    key.requests_filed += 1
    session.add(key)
    appeal = register_appeal(session, draft.id or 0, actor=SYSTEM, now=now, reg_prefix=reg_prefix)
    issue_id = draft_issues(session, appeal.id or 0)[0].id
    text = f"Звернення зареєстровано за № {appeal.number}. " + (notice or "Строк розгляду — до 15 днів, складні питання — до 30 днів.")
    return Filed(str(issue_id), appeal.number or "", text.strip(), (form.get("account_id") or "").strip() or None)
