"""The labelled appeal texts of the suggestion benchmark are frozen: their hash is committed beside them."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from sqlmodel import Session, col, select

from appeals.models import Building, Category, Street


def test_the_labelled_set_is_frozen_and_large_enough(repo_root: Path) -> None:
    data = repo_root / "bench" / "data" / "appeals_eval.csv"
    frozen = (repo_root / "bench" / "data" / "appeals_eval.sha256").read_text(encoding="utf-8").strip()
    assert hashlib.sha256(data.read_bytes()).hexdigest() == frozen
    rows = list(csv.DictReader(data.read_text(encoding="utf-8").splitlines()))
    assert len(rows) >= 150
    assert sum(r["style"] != "uk" for r in rows) / len(rows) >= 0.30


def test_every_label_exists_in_the_seed_reference_data(repo_root: Path, session: Session) -> None:
    rows = list(csv.DictReader((repo_root / "bench" / "data" / "appeals_eval.csv").read_text(encoding="utf-8").splitlines()))
    codes = set(session.exec(select(Category.code)).all())
    houses = {
        (s, h) for s, h in session.exec(select(Street.name, Building.house).join(Building, col(Building.street_id) == Street.id)).all()
    }
    assert {r["category"] for r in rows} <= codes
    assert {(r["street"], r["house"]) for r in rows if r["street"]} <= houses
