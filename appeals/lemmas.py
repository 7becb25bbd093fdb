"""Text normalisation for suggestions: tokens and lemmas of Ukrainian with Russian and surzhyk mixed in (pure).

Each word is lemmatised with pymorphy3's Ukrainian dictionary; a word Ukrainian does not know but Russian does
gets its Russian lemma, mapped onto the Ukrainian one where the two differ (`RU_UK`). Spoken numbers
("двадцять п'ять", "сорок сьомий") are read as digits, because recognisers and callers say house numbers in words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pymorphy3

APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'", "´": "'", "ё": "е"})
TOKEN = re.compile(r"\d+(?:[-/]?\d+)?(?:-?[а-яіїєґa-z]\b)?|[а-яіїєґa-z]+(?:['-][а-яіїєґa-z]+)*", re.IGNORECASE)

RU_UK: dict[str, str] = {
    "отопление": "опалення",
    "батарея": "батарея",
    "свет": "світло",
    "лифт": "ліфт",
    "мусор": "сміття",
    "улица": "вулиця",
    "дом": "будинок",
    "подъезд": "під'їзд",
    "крыша": "дах",
    "течь": "текти",
    "горячий": "гарячий",
    "холодный": "холодний",
    "фонарь": "ліхтар",
    "снег": "сніг",
    "светофор": "світлофор",
    "остановка": "зупинка",
    "канализация": "каналізація",
    "подвал": "підвал",
    "гололед": "ожеледиця",
    "свалка": "звалище",
    "больница": "лікарня",
    "льгота": "пільга",
    "вода": "вода",
    "нет": "немає",
    "нету": "немає",
    "труба": "труба",
    "прорвать": "прорвати",
    "прорыв": "прорив",
    "застрять": "застрягти",
    "собака": "собака",
    "яма": "яма",
    "дорога": "дорога",
    "дерево": "дерево",
    "упасть": "впасти",
    "квартира": "квартира",
    "запах": "запах",
    "газ": "газ",
    "вонять": "смердіти",
    "пахнуть": "пахнути",
    "электричество": "електрика",
    "напор": "тиск",
    "давление": "тиск",
    "течёт": "текти",
    "заливать": "заливати",
    "топить": "топити",
    "сосед": "сусід",
    "мусорка": "смітник",
    "контейнер": "контейнер",
    "вывоз": "вивіз",
    "вывозить": "вивозити",
    "детский": "дитячий",
    "площадка": "майданчик",
    "качеля": "гойдалка",
    "тротуар": "тротуар",
    "автобус": "автобус",
    "маршрутка": "маршрутка",
    "водитель": "водій",
    "субсидия": "субсидія",
    "помощь": "допомога",
    "садик": "садочок",
    "очередь": "черга",
    "убежище": "укриття",
    "укрытие": "укриття",
    "проспект": "проспект",
    "бульвар": "бульвар",
    "переулок": "провулок",
    "работать": "працювати",
    "лампочка": "лампочка",
    "темно": "темно",
    "скользко": "слизько",
    "трава": "трава",
    "счёт": "рахунок",
    "счет": "рахунок",
    "квитанция": "квитанція",
    "счётчик": "лічильник",
    "счетчик": "лічильник",
}

UNITS = {
    "нуль": 0,
    "один": 1,
    "одна": 1,
    "перший": 1,
    "два": 2,
    "дві": 2,
    "другий": 2,
    "три": 3,
    "третій": 3,
    "чотири": 4,
    "четвертий": 4,
    "п'ять": 5,
    "п'ятий": 5,
    "шість": 6,
    "шостий": 6,
    "сім": 7,
    "сьомий": 7,
    "вісім": 8,
    "восьмий": 8,
    "дев'ять": 9,
    "дев'ятий": 9,
    "десять": 10,
    "десятий": 10,
    "одинадцять": 11,
    "одинадцятий": 11,
    "дванадцять": 12,
    "дванадцятий": 12,
    "тринадцять": 13,
    "тринадцятий": 13,
    "чотирнадцять": 14,
    "чотирнадцятий": 14,
    "п'ятнадцять": 15,
    "п'ятнадцятий": 15,
    "шістнадцять": 16,
    "шістнадцятий": 16,
    "сімнадцять": 17,
    "сімнадцятий": 17,
    "вісімнадцять": 18,
    "вісімнадцятий": 18,
    "дев'ятнадцять": 19,
    "дев'ятнадцятий": 19,
    "пять": 5,
    "шесть": 6,
    "семь": 7,
    "восемь": 8,
    "девять": 9,
    "четыре": 4,
    "первый": 1,
    "второй": 2,
    "третий": 3,
}
TENS = {
    "двадцять": 20,
    "двадцятий": 20,
    "тридцять": 30,
    "тридцятий": 30,
    "сорок": 40,
    "сороковий": 40,
    "п'ятдесят": 50,
    "п'ятдесятий": 50,
    "шістдесят": 60,
    "шістдесятий": 60,
    "сімдесят": 70,
    "сімдесятий": 70,
    "вісімдесят": 80,
    "вісімдесятий": 80,
    "дев'яносто": 90,
    "дев'яностий": 90,
    "двадцать": 20,
    "тридцать": 30,
    "пятьдесят": 50,
}
HUNDREDS = {"сто": 100, "сотий": 100, "двісті": 200, "триста": 300, "чотириста": 400, "п'ятсот": 500, "двести": 200}


@dataclass(frozen=True)
class Token:
    """A word or number of the text: `surface` as written (lower case), `lemma` its normal form (digits for numbers)."""

    surface: str
    lemma: str
    is_number: bool = False


@functools.lru_cache(maxsize=1)
def _analyzers() -> tuple[pymorphy3.MorphAnalyzer, pymorphy3.MorphAnalyzer]:
    return pymorphy3.MorphAnalyzer(lang="uk"), pymorphy3.MorphAnalyzer(lang="ru")


def warm_up() -> None:
    """Load the dictionaries now (a worker parent does it before forking, so children share them)."""
    lemma("вулиця")


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The Ukrainian lemma of a lower-case word; a Russian word gets its Russian lemma mapped to Ukrainian."""
    uk, ru = _analyzers()
    parsed = uk.parse(word)[0]
    if parsed.is_known:
        return str(parsed.normal_form)
    ru_parsed = ru.parse(word)[0]
    if ru_parsed.is_known:
        normal = str(ru_parsed.normal_form)
        return RU_UK.get(normal, normal)
    return RU_UK.get(word, str(parsed.normal_form))


def _number_value(word: str) -> int | None:
    """The value of a number word, tried as written first ("сім", not its lemma "сей"), then by lemma."""
    for candidate in (word, lemma(word)):
        for table in (UNITS, TENS, HUNDREDS):
            if candidate in table:
                return table[candidate]
    return None


def _fold_numbers(words: list[str]) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(words):
        value = _number_value(words[i]) if not words[i][0].isdigit() else None
        if value is None:
            tokens.append(Token(words[i], words[i] if words[i][0].isdigit() else lemma(words[i]), words[i][0].isdigit()))
            i += 1
            continue
        total, j, last = value, i + 1, value
        while j < len(words) and (nxt := _number_value(words[j])) is not None and nxt < last and nxt < 100 and last >= 10:
            total, last, j = total + nxt, nxt, j + 1
        tokens.append(Token(" ".join(words[i:j]), str(total), True))
        i = j
    return tokens


def tokenize(text: str) -> list[Token]:
    """Tokens of a text with lemmas; spoken numbers folded into one numeric token."""
    words = [m.group().lower() for m in TOKEN.finditer(text.translate(APOSTROPHES))]
    return _fold_numbers(words)


def lemmas(text: str) -> list[str]:
    return [t.lemma for t in tokenize(text)]
