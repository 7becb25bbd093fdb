"""Finding a street and house number in free speech, against the gazetteer (pure; rapidfuzz on lemmas).

"на Київській сім а", "вул. Героїв України, 14-А", "улица Гагарина дом 5" (a former name), "проспект
Незалежності 11/2": windows of one to three words are lemmatised and fuzzy-matched against every street's current
and former names (a single surname like "Петлюри" counts only after a street word or before a house number).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from appeals.lemmas import Token, lemma, tokenize

MARKERS = frozenset(
    [
        "вулиця",
        "вул",
        "улица",
        "ул",
        "проспект",
        "просп",
        "пр",
        "бульвар",
        "бульв",
        "бул",
        "провулок",
        "пров",
        "переулок",
        "пер",
        "майдан",
        "площа",
        "площадь",
        "пл",
        "проїзд",
        "узвіз",
        "шлях",
    ]
)
HOUSE_WORDS = frozenset(["будинок", "буд", "б", "дом", "д", "номер", "№"])
NOT_HOUSE = frozenset(["квартира", "кв", "під'їзд", "подъезд", "поверх", "этаж", "етаж", "година", "год", "рік", "хвилина", "день", "раз"])
CUTOFF = 84


def normalize_house(house: str) -> str:
    """`7-А`, `7а`, `7 а` → `7А`; `11/2` stays."""
    return re.sub(r"[\s\-]", "", house).upper()


@dataclass(frozen=True)
class StreetRef:
    id: int
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    houses: tuple[tuple[int, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class AddressSuggestion:
    street_id: int
    street: str
    house: str | None
    building_id: int | None
    score: float
    matched: str

    def to_json(self) -> dict[str, Any]:
        return {
            "street_id": self.street_id,
            "street": self.street,
            "house": self.house,
            "building_id": self.building_id,
            "score": round(self.score, 3),
            "matched": self.matched,
        }


@dataclass(frozen=True)
class _Key:
    text: str
    street: int
    words: int
    partial: bool


def _key_text(name: str) -> str:
    return " ".join(t.lemma for t in tokenize(name))


@dataclass
class AddressIndex:
    """The gazetteer prepared for matching: lemma keys of every name, former name and (unique) surname."""

    streets: list[StreetRef]
    keys: dict[int, list[_Key]] = field(default_factory=dict)

    @classmethod
    def build(cls, streets: Iterable[StreetRef]) -> AddressIndex:
        index = cls(list(streets))
        last_words: dict[str, list[int]] = {}
        for i, street in enumerate(index.streets):
            for name in (street.name, *street.aliases):
                text = _key_text(name)
                n = len(text.split())
                index.keys.setdefault(n, []).append(_Key(text, i, n, partial=False))
                if n > 1:
                    last_words.setdefault(text.split()[-1], []).append(i)
        for word, owners in last_words.items():
            if len(set(owners)) == 1 and len(word) > 3:
                index.keys.setdefault(1, []).append(_Key(word, owners[0], 1, partial=True))
        return index

    def _house(self, tokens: list[Token], start: int) -> str | None:
        j = start
        while j < len(tokens) and j < start + 3 and (tokens[j].lemma in HOUSE_WORDS or tokens[j].surface in HOUSE_WORDS):
            j += 1
        if j >= len(tokens) or not tokens[j].is_number or (j > 0 and tokens[j - 1].lemma in NOT_HOUSE):
            return None
        house = tokens[j].lemma
        if j + 1 < len(tokens) and len(tokens[j + 1].surface) == 1 and tokens[j + 1].surface.isalpha() and not house[-1].isalpha():
            house += tokens[j + 1].surface
        return normalize_house(house)

    def _house_before(self, tokens: list[Token], start: int) -> str | None:
        """ "будинок 14 по Героїв України": a number right after a house word, a few words before the street."""
        for j in range(max(0, start - 4), start):
            if tokens[j].lemma in HOUSE_WORDS or tokens[j].surface in HOUSE_WORDS:
                return self._house(tokens, j)
        return None

    def _candidates(self, tokens: list[Token]) -> Iterable[tuple[float, _Key, int, int]]:
        for i in range(len(tokens)):
            marker = i > 0 and (tokens[i - 1].lemma in MARKERS or tokens[i - 1].surface in MARKERS)
            for n in (3, 2, 1):
                window = tokens[i : i + n]
                if len(window) < n or any(t.is_number or t.lemma in MARKERS for t in window) or n not in self.keys:
                    continue
                text = " ".join(t.lemma for t in window)
                keys = self.keys[n]
                hit = process.extractOne(text, [k.text for k in keys], scorer=fuzz.ratio, score_cutoff=CUTOFF)
                if hit is None:
                    continue
                yield hit[1] + (15 if marker else 0), keys[hit[2]], i, i + n

    def extract(self, text: str) -> AddressSuggestion | None:
        """The most plausible street (and house, with its building when the gazetteer has it), or None."""
        tokens = tokenize(text)
        best: tuple[float, AddressSuggestion] | None = None
        for score, key, start, end in self._candidates(tokens):
            house = self._house(tokens, end) or self._house_before(tokens, start)
            has_marker = score > 100 or (start > 0 and tokens[start - 1].lemma in MARKERS)
            if key.partial and not (has_marker or house):
                continue
            if key.words == 1 and not key.partial and not (has_marker or house or score >= 97):
                continue
            total = score + (20 if house else 0) + 5 * key.words - (10 if key.partial else 0)
            if best is None or total > best[0]:
                street = self.streets[key.street]
                building = next((bid for bid, h in street.houses if house and normalize_house(h) == house), None)
                shown = next((h for bid, h in street.houses if bid == building), house)
                matched = " ".join(t.surface for t in tokens[start:end])
                best = (total, AddressSuggestion(street.id, street.label, shown, building, min(total / 140, 1.0), matched))
        return best[1] if best else None


def warm_up() -> None:
    lemma("київській")
