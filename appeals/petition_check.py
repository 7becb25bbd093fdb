"""The e-petition format check (art. 23-1 and the city statute): required fields, lengths, banned content, competence,
duplicates. Pure: it flags, a supervisor decides."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

BANNED: dict[str, tuple[str, ...]] = {
    "violence": ("вбити", "вбивай", "розстріл", "підпалити", "підпаліть", "знищити їх", "насильств", "тероризм", "теракт"),
    "overthrow": ("повалення", "скинути владу", "захопити владу", "відокремлення", "федералізац", "автономію для"),
    "hatred": ("расов", "національної ворожнеч", "релігійної ворожнеч", "ненависть до", "нижча раса"),
    "war_propaganda": ("пропаганда війни", "слава росії", "русский мир", "руський мир"),
    "obscene": ("хуй", "хуя", "пизд", "єбат", "ебат", "бляд", "блят", "сука", "підар", "мудак"),
    "campaigning": ("голосуйте за", "голосуй за", "обирайте", "наш кандидат", "передвиборч"),
    "advertising": ("купуйте", "знижк", "промокод", "замовляйте у нас", "найкраща ціна"),
}
"""Word stems per flag (lower case); local statutes add obscenity, campaigning and advertising to the law's list."""

OUT_OF_COMPETENCE: tuple[str, ...] = (
    "верховна рада",
    "верховну раду",
    "президент",
    "кабінет міністрів",
    "кабмін",
    "закон україни",
    "мобілізац",
    "нато",
    "зміни до конституції",
    "пенсійний вік",
    "митн",
)
"""Matters of the state, not of the city council: a hint for the reviewer."""

_PERSONAL = re.compile(r"(\+?380\d{9}|\b0\d{9}\b|[\w.+-]+@[\w-]+\.[\w.]+)")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Limits:
    title_min: int = 20
    title_max: int = 200
    text_max: int = 10_000


@dataclass(frozen=True)
class Candidate:
    """An active petition a new one may duplicate."""

    id: int
    title: str


def _hits(text: str, stems: Iterable[str]) -> list[str]:
    low = text.lower()
    return sorted({s for s in stems if s in low})


def check_petition(
    *, title: str, text: str, author_name: str, author_email: str, limits: Limits, active: Iterable[Candidate]
) -> dict[str, object]:
    """The checklist a reviewer sees; `passed` is False when a hard rule (fields, lengths) fails."""
    missing = [
        name
        for name, value in (("title", title), ("text", text), ("author_name", author_name), ("author_email", author_email))
        if not value.strip()
    ]
    if author_email.strip() and not _EMAIL.match(author_email.strip()):
        missing.append("author_email_valid")
    title_ok = limits.title_min <= len(title.strip()) <= limits.title_max
    text_ok = 0 < len(text.strip()) <= limits.text_max
    whole = f"{title}\n{text}"
    banned = {flag: hits for flag, stems in BANNED.items() if (hits := _hits(whole, stems))}
    personal = sorted(set(_PERSONAL.findall(text)) - {author_email.strip()})
    if personal:
        banned["personal_data"] = [f"{len(personal)} контакт(и) третіх осіб"]
    hints = _hits(whole, OUT_OF_COMPETENCE)
    duplicate = max(((fuzz.token_set_ratio(title.lower(), c.title.lower()), c.id) for c in active), default=(0.0, None))
    return {
        "passed": not missing and title_ok and text_ok,
        "missing": missing,
        "title_length_ok": title_ok,
        "text_length_ok": text_ok,
        "banned": banned,
        "in_competence": not hints,
        "competence_hints": hints,
        "duplicate_of": duplicate[1] if duplicate[0] >= 85 else None,
    }
