"""Suggestions from what the caller said: the likely category and the address (pure; the operator confirms).

Category evidence per lemma comes from two sources that add up:
* the seed classifier: each category's `keywords` (a phrase matched as a lemma sequence weighs 2, a single lemma 1)
  and the content words of its name (0.5), a lemma's weight divided by the number of categories that share it;
* weights learned from appeals the operators registered: a lemma that occurs in n(t, c) of the n(t) registered
  texts containing it weighs `n(t, c) / (n(t) + 1) * log(1 + N / n(t))` for category c, so the classifier follows
  how this city's operators actually file calls.
Misspelled words are corrected to the nearest known lemma (rapidfuzz, ratio >= 85).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from appeals.address_extract import AddressIndex, AddressSuggestion
from appeals.lemmas import lemmas

STOP = frozenset(
    [
        "у",
        "в",
        "на",
        "не",
        "і",
        "й",
        "та",
        "що",
        "це",
        "є",
        "з",
        "до",
        "по",
        "а",
        "я",
        "ми",
        "нас",
        "мене",
        "вже",
        "ще",
        "дуже",
        "так",
        "там",
        "як",
        "бути",
        "мати",
        "який",
        "цей",
        "той",
        "все",
        "весь",
        "вони",
        "він",
        "вона",
        "наш",
        "мій",
        "за",
        "від",
        "для",
        "о",
        "об",
        "при",
        "коли",
        "де",
        "чи",
        "ні",
        "ну",
        "добрий",
        "день",
        "будь",
        "ласка",
        "алло",
        "здрастуйте",
        "здравствуйте",
        "пожалуйста",
        "можна",
        "треба",
        "потрібно",
        "хотіти",
        "хотіть",
        "сказати",
        "говорити",
        "дзвонити",
        "звернутися",
        "скарга",
        "прохання",
        "просити",
        "вулиця",
        "вул",
        "будинок",
        "квартира",
        "кв",
        "під'їзд",
        "номер",
        "і",
        "так",
        "але",
        "або",
        "бо",
        "щоб",
        "якщо",
        "тому",
        "ось",
        "то",
        "тут",
        "уже",
        "ж",
        "же",
        "би",
        "б",
        "вас",
        "ви",
        "вам",
        "його",
        "їх",
        "їй",
        "її",
        "нам",
        "мені",
        "і",
        "ще",
        "раз",
        "раз",
        "рік",
        "тиждень",
        "місяць",
        "сьогодні",
        "вчора",
        "завтра",
        "ранок",
        "вечір",
        "ніч",
        "весь",
        "цілий",
        "знову",
        "досі",
        "давно",
    ]
)
SEED_PHRASE, SEED_WORD, SEED_NAME, LEARNED = 2.0, 1.0, 0.5, 0.5


@dataclass(frozen=True)
class CategoryRef:
    id: int
    code: str
    name: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    """A registered appeal's text and the category the operator chose."""

    text: str
    category_code: str


@dataclass(frozen=True)
class CategorySuggestion:
    category_id: int
    code: str
    name: str
    score: float
    confidence: float
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "category_id": self.category_id,
            "code": self.code,
            "name": self.name,
            "score": round(self.score, 3),
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Suggestions:
    categories: tuple[CategorySuggestion, ...] = ()
    address: AddressSuggestion | None = None

    def to_json(self) -> dict[str, Any]:
        return {"categories": [c.to_json() for c in self.categories], "address": self.address.to_json() if self.address else None}


def _content(words: Iterable[str]) -> list[str]:
    return [w for w in words if w not in STOP and not w[0].isdigit() and len(w) > 1]


@dataclass
class CategoryModel:
    """Evidence weights per lemma and category, from the seed keywords plus registered appeals."""

    categories: dict[str, CategoryRef]
    words: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    phrases: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    learned: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def build(cls, categories: Iterable[CategoryRef], examples: Iterable[Example] = ()) -> CategoryModel:
        model = cls({c.code: c for c in categories})
        for ref in model.categories.values():
            for keyword in ref.keywords:
                seq = tuple(_content(lemmas(keyword)))
                if len(seq) > 1:
                    model.phrases.append((seq, ref.code))
                for lem in seq:
                    model.words[lem][ref.code] = max(model.words[lem].get(ref.code, 0.0), SEED_WORD)
            for lem in _content(lemmas(ref.name)):
                model.words[lem].setdefault(ref.code, SEED_NAME)
        for weights in model.words.values():
            spread = len(weights)
            for code in weights:
                weights[code] /= spread
        model.learn(examples)
        return model

    def learn(self, examples: Iterable[Example]) -> None:
        """Replace the learned weights with ones computed from these registered appeals."""
        per_term: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        total = 0
        for example in examples:
            if example.category_code not in self.categories:
                continue
            total += 1
            for lem in set(_content(lemmas(example.text))):
                per_term[lem][example.category_code] += 1
        self.learned = {}
        for lem, counts in per_term.items():
            n_t = sum(counts.values())
            idf = math.log(1 + total / n_t)
            self.learned[lem] = {code: n / (n_t + 1) * idf for code, n in counts.items()}

    @property
    def vocabulary(self) -> list[str]:
        return sorted(set(self.words) | set(self.learned))

    def _correct(self, words: list[str]) -> list[str]:
        known = set(self.words) | set(self.learned)
        vocab = self.vocabulary
        fixed = []
        for word in words:
            if word not in known and len(word) >= 5:
                hit = process.extractOne(word, vocab, scorer=fuzz.ratio, score_cutoff=85)
                word = hit[0] if hit else word
            fixed.append(word)
        return fixed

    def scores(self, text: str) -> dict[str, tuple[float, list[str]]]:
        seq = self._correct(_content(lemmas(text)))
        found: dict[str, tuple[float, list[str]]] = defaultdict(lambda: (0.0, []))
        for lem in set(seq):
            for source, factor in ((self.words, 1.0), (self.learned, LEARNED)):
                for code, weight in source.get(lem, {}).items():
                    score, evidence = found[code]
                    found[code] = (score + weight * factor, [*evidence, lem] if lem not in evidence else evidence)
        joined = " " + " ".join(seq) + " "
        for phrase, code in self.phrases:
            if " " + " ".join(phrase) + " " in joined:
                score, evidence = found[code]
                found[code] = (score + SEED_PHRASE, [*evidence, " ".join(phrase)])
        return dict(found)

    def suggest(self, text: str, *, limit: int = 3) -> tuple[CategorySuggestion, ...]:
        ranked = sorted(self.scores(text).items(), key=lambda item: (-item[1][0], item[0]))[:limit]
        total = sum(score for _, (score, _) in ranked) or 1.0
        return tuple(
            CategorySuggestion(ref.id, code, ref.name, score, score / total, tuple(evidence))
            for code, (score, evidence) in ranked
            if score > 0 and (ref := self.categories[code])
        )


def suggest(text: str, model: CategoryModel, index: AddressIndex) -> Suggestions:
    """Category candidates (best first, up to three) and the best address found in the text."""
    if not text.strip():
        return Suggestions()
    return Suggestions(model.suggest(text), index.extract(text))
