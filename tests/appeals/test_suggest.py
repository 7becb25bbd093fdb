"""Category and address suggestions on Ukrainian, surzhyk and Russian texts (pure core, seed reference data)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import Session

from appeals.actors import Actor
from appeals.address_extract import AddressIndex, StreetRef
from appeals.lemmas import tokenize
from appeals.models import Role
from appeals.suggest import CategoryModel, CategoryRef, Example
from appeals.transcripts import suggest_for_text
from tests.conftest import Clock
from tests.factories import category, issue_in, make_registered

SEED = Path(__file__).resolve().parents[2] / "appeals" / "seed"


def seed_categories() -> list[CategoryRef]:
    rows = [r for r in csv.reader((SEED / "categories.csv").read_text(encoding="utf-8").splitlines()) if r and not r[0].startswith("#")][1:]
    parents = {r[1] for r in rows}
    return [CategoryRef(i, r[0], r[2], tuple(k for k in r[10].split(";") if k)) for i, r in enumerate(rows) if r[1] and r[0] not in parents]


def seed_streets() -> list[StreetRef]:
    rows = [r for r in csv.reader((SEED / "gazetteer.csv").read_text(encoding="utf-8").splitlines()) if r and not r[0].startswith("#")][1:]
    streets: dict[tuple[str, str], dict[str, object]] = {}
    for i, r in enumerate(rows):
        s = streets.setdefault((r[0], r[1]), {"id": len(streets) + 1, "aliases": tuple(a for a in r[2].split(";") if a), "houses": []})
        if r[4]:
            s["houses"].append((i, r[4]))  # type: ignore[attr-defined]
    return [StreetRef(int(v["id"]), k[0], k[1], v["aliases"], tuple(v["houses"])) for k, v in streets.items()]  # type: ignore[arg-type, call-overload]


@pytest.fixture(scope="module")
def model() -> CategoryModel:
    return CategoryModel.build(seed_categories())


@pytest.fixture(scope="module")
def index() -> AddressIndex:
    return AddressIndex.build(seed_streets())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Добрий день, у нас батареї холодні, опалення немає третій день", "no_heating"),
        ("Здравствуйте, в квартире нет отопления, батареи ледяные", "no_heating"),
        ("застрягли в ліфті між поверхами, там дитина", "lift_trapped"),
        ("в подъезде сильно пахнет газом", "gas_smell"),
        ("мусор не вивозять тиждень, баки переповнені", "garbage_collection"),
        ("величезна яма на дорозі, асфальт провалився", "potholes"),
        ("протікає дах, тече зі стелі на кухні", "roof_leak"),
        ("апалення не працює, батарєї холодні", "no_heating"),
        ("горячей води нєт вже тиждень", "no_hot_water"),
    ],
)
def test_top_category_for_how_people_say_it(model: CategoryModel, text: str, code: str) -> None:
    top = model.suggest(text)
    assert top, text
    assert top[0].code == code
    assert top[0].evidence
    assert 0 < top[0].confidence <= 1
    assert len(top) <= 3


def test_nothing_recognisable_gives_no_category(model: CategoryModel) -> None:
    assert model.suggest("алло, алло, ви мене чуєте?") == ()


def test_registered_appeals_teach_the_classifier(model: CategoryModel) -> None:
    text = "на подвір'ї годують голубів, все загаджено пір'ям і послідом"
    before = model.suggest(text)
    assert not before or before[0].code != "stray_animals"
    learned = CategoryModel.build(
        seed_categories(),
        [
            Example("сусідка годує голубів, загаджено весь під'їзд послідом", "stray_animals"),
            Example("голуби на горищі, послід скрізь, годують їх", "stray_animals"),
            Example("голубів розвели, загаджено лавки", "stray_animals"),
        ],
    )
    assert learned.suggest(text)[0].code == "stray_animals"


@pytest.mark.parametrize(
    ("text", "street", "house"),
    [
        ("у нас на Київській сім а холодно", "вулиця Київська", "7-А"),
        ("вул. Героїв України, 14-А, немає води", "вулиця Героїв України", "14-А"),
        ("на улице Гагарина дом 5 нет воды", "вулиця Героїв України", "5"),
        ("бульвар Незалежності 11/2, квартира 40, тече дах", "бульвар Незалежності", "11/2"),
        ("на Петлюри двадцять п'ять застряг ліфт", "вулиця Симона Петлюри", "25"),
        ("будинок 14 по Героїв України, опалення нема", "вулиця Героїв України", "14"),
        ("на Чорновола яма на дорозі", "вулиця В'ячеслава Чорновола", None),
        ("провулок Піщаний шість, сміття", "провулок Піщаний", "6"),
    ],
)
def test_address_from_speech(index: AddressIndex, text: str, street: str, house: str | None) -> None:
    found = index.extract(text)
    assert found is not None, text
    assert (found.street, found.house) == (street, house)
    assert (found.building_id is not None) == (house is not None)


def test_flat_number_is_not_the_house(index: AddressIndex) -> None:
    found = index.extract("Київська, квартира дванадцять")
    assert found is not None
    assert found.house is None


def test_no_address_in_the_text(index: AddressIndex) -> None:
    assert index.extract("маршрутка не ходить за графіком, чекаємо годину") is None


def test_spoken_numbers_become_digits() -> None:
    assert [t.lemma for t in tokenize("сто двадцять три, сорок сьомий, сім")] == ["123", "47", "7"]


def test_registered_appeals_in_the_register_change_the_suggestion(session: Session, clock: Clock) -> None:
    text = "на подвір'ї годують голубів, все загаджено пір'ям і послідом"
    assert not suggest_for_text(session, text).categories or suggest_for_text(session, text).categories[0].code != "stray_animals"
    operator = Actor(user_id=None, role=Role.operator)
    for description in (
        "годують голубів, загаджено все послідом",
        "голуби загадили балкони, годують їх",
        "загаджено голубами, годують на лавках",
    ):
        make_registered(session, operator, now=clock.now, issues=[issue_in(session, "stray_animals", description=description)])
    result = suggest_for_text(session, text)
    assert result.categories[0].code == "stray_animals"
    assert result.categories[0].category_id == category(session, "stray_animals").id
