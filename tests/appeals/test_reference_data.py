"""Seed data and routing rules: the tree the city starts with, and category × address → executor."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from appeals.errors import DomainValidationError
from appeals.gazetteer import search_streets
from appeals.models import Building, Category, EmergencyClass, RoutingRule, SlaUnit, StatutoryClass, Street
from appeals.routing import resolve_executor
from appeals.seeding import SEED_DIR, load_gazetteer, read_rows, seed_reference
from tests.factories import building, category, executor


def test_seed_has_the_categories_the_issue_asks_for(session: Session) -> None:
    categories = session.exec(select(Category)).all()
    leaves = [c for c in categories if c.parent_id is not None]
    assert len(leaves) >= 40
    emergencies = [c for c in leaves if c.emergency_class is EmergencyClass.emergency and c.sla_unit is SlaUnit.hours]
    assert len(emergencies) >= 5
    assert {c.statutory_class for c in leaves} == {StatutoryClass.days_15, StatutoryClass.month}
    roots = {c.name for c in categories if c.parent_id is None}
    assert {"Житлово-комунальне господарство", "Благоустрій", "Дороги та транспорт", "Торгівля та побут", "Соціальний захист"} <= roots


@pytest.mark.parametrize("district", [None, "Масив", "Старий центр", "Торгмаш", "Центр", "Лісовий масив"])
def test_every_category_is_routed_to_an_executor_everywhere(session: Session, district: str | None) -> None:
    seeded = {row["code"] for _, row in read_rows(SEED_DIR / "categories.csv")}
    assert len(seeded) >= 40
    for cat in session.exec(select(Category).where(col(Category.code).in_(seeded))).all():
        assert resolve_executor(session, cat.id or 0, building_id=None, district=district) is not None, cat.code


def test_gazetteer_has_50_real_streets_with_former_names(session: Session) -> None:
    streets = session.exec(select(Street)).all()
    assert len(streets) >= 50
    assert search_streets(session, "Гагаріна")[0].name == "Героїв України"
    assert search_streets(session, "вул. лагун")[0].name == "Марії Лагунової"
    assert search_streets(session, "незалежн")[0].label == "бульвар Незалежності"


def test_seeding_again_changes_nothing(session: Session) -> None:
    before = (len(session.exec(select(Category)).all()), len(session.exec(select(Building)).all()))
    report = seed_reference(session)
    assert (report.streets, report.buildings) == (0, 0)
    assert (len(session.exec(select(Category)).all()), len(session.exec(select(Building)).all())) == before


def test_a_broken_gazetteer_line_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    bad = tmp_path / "gazetteer.csv"
    bad.write_text("street_kind,street_name,old_names,district,house,lat,lon\nвулиця,Київська,,Центр,1,north,east\n", encoding="utf-8")
    with pytest.raises(DomainValidationError, match=r"gazetteer\.csv line 2: bad coordinates"):
        load_gazetteer(session, bad)


def test_explicit_rules_beat_roles_and_the_most_specific_rule_wins(session: Session) -> None:
    cat = category(session, "potholes")
    house = building(session, "Київська", "10")
    assert resolve_executor(session, cat.id or 0, building_id=house.id, district="Старий центр") == executor(session, "roads")
    session.add(RoutingRule(category_id=cat.id or 0, executor_id=executor(session, "zhek2").id or 0, district="Старий центр"))
    session.add(RoutingRule(category_id=cat.id or 0, executor_id=executor(session, "inspection").id or 0, building_id=house.id))
    session.commit()
    assert resolve_executor(session, cat.id or 0, building_id=house.id, district="Старий центр") == executor(session, "inspection")
    assert resolve_executor(session, cat.id or 0, building_id=None, district="Старий центр") == executor(session, "zhek2")
    assert resolve_executor(session, cat.id or 0, building_id=None, district="Масив") == executor(session, "roads")
