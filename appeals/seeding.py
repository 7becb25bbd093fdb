"""Reference data loading from CSV (executors, roles, categories, gazetteer); idempotent, sites replace the files."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from appeals.errors import DomainValidationError
from appeals.models import (
    Building,
    Category,
    EmergencyClass,
    Executor,
    ExecutorKind,
    ExecutorRole,
    RoleBinding,
    SlaUnit,
    StatutoryClass,
    Street,
)

SEED_DIR = Path(__file__).parent / "seed"


@dataclass
class SeedReport:
    executors: int = 0
    roles: int = 0
    categories: int = 0
    streets: int = 0
    buildings: int = 0


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file whose `#` lines are comments, with their line numbers."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1) if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader([line for _, line in lines])
    for (number, _), row in zip(lines[1:], reader, strict=False):
        yield number, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _bad(path: Path, line: int, message: str) -> DomainValidationError:
    return DomainValidationError(f"{path.name} line {line}: {message}", code="seed_invalid")


def load_executors(session: Session, path: Path) -> int:
    count = 0
    for line, row in read_rows(path):
        try:
            kind = ExecutorKind(row["kind"])
        except (KeyError, ValueError) as exc:
            raise _bad(path, line, f"unknown executor kind {row.get('kind')!r}") from exc
        executor = session.exec(select(Executor).where(Executor.code == row["code"])).first() or Executor(
            code=row["code"], name=row["name"]
        )
        parent = session.exec(select(Executor).where(Executor.code == row["parent"])).first() if row.get("parent") else None
        executor.kind, executor.name, executor.short_name = kind, row["name"], row.get("short_name", "")
        executor.email, executor.phone, executor.dispatch_phone = (
            row.get("email") or None,
            row.get("phone") or None,
            row.get("dispatch_phone") or None,
        )
        executor.parent_id = parent.id if parent else None
        session.add(executor)
        session.flush()
        count += 1
    return count


def load_roles(session: Session, path: Path) -> int:
    count = 0
    for line, row in read_rows(path):
        role = session.exec(select(ExecutorRole).where(ExecutorRole.code == row["role"])).first() or ExecutorRole(
            code=row["role"], name=row["role_name"]
        )
        role.name = row["role_name"]
        session.add(role)
        session.flush()
        executor = session.exec(select(Executor).where(Executor.code == row["executor"])).first()
        if executor is None:
            raise _bad(path, line, f"unknown executor {row['executor']!r}")
        district = row.get("district") or None
        binding = session.exec(
            select(RoleBinding).where(
                RoleBinding.role_id == role.id, RoleBinding.district == district, col(RoleBinding.building_id).is_(None)
            )
        ).first()
        binding = binding or RoleBinding(role_id=role.id or 0, executor_id=executor.id or 0, district=district)
        binding.executor_id = executor.id or 0
        session.add(binding)
        count += 1
    session.flush()
    return count


def load_categories(session: Session, path: Path) -> int:
    count = 0
    for order, (line, row) in enumerate(read_rows(path)):
        try:
            emergency, unit, statutory = (
                EmergencyClass(row["emergency_class"]),
                SlaUnit(row["sla_unit"]),
                StatutoryClass(row["statutory_class"]),
            )
            sla_value = int(row["sla_value"])
        except (KeyError, ValueError) as exc:
            raise _bad(path, line, str(exc)) from exc
        role = session.exec(select(ExecutorRole).where(ExecutorRole.code == row["role"])).first()
        if role is None:
            raise _bad(path, line, f"unknown executor role {row['role']!r}")
        parent = session.exec(select(Category).where(Category.code == row["parent"])).first() if row.get("parent") else None
        category = session.exec(select(Category).where(Category.code == row["code"])).first() or Category(
            code=row["code"], name=row["name"]
        )
        category.parent_id, category.name = (parent.id if parent else None), row["name"]
        category.emergency_class, category.sla_value, category.sla_unit, category.statutory_class = emergency, sla_value, unit, statutory
        category.requires_address = row.get("requires_address", "1") == "1"
        category.default_role_id, category.topic_group = role.id, row.get("topic_group") or "other"
        category.keywords = [k.strip() for k in row.get("keywords", "").split(";") if k.strip()]
        category.sort_order = order
        session.add(category)
        session.flush()
        count += 1
    return count


def load_gazetteer(session: Session, path: Path) -> tuple[int, int]:
    """Streets (rows with an empty house) and buildings; existing rows are updated, none deleted."""
    streets: dict[tuple[str, str], Street] = {(s.kind, s.name): s for s in session.exec(select(Street)).all()}
    buildings = {(b.street_id, b.house): b for b in session.exec(select(Building)).all()}
    n_streets = n_buildings = 0
    for line, row in read_rows(path):
        kind, name = row.get("street_kind") or "вулиця", row.get("street_name", "")
        if not name:
            raise _bad(path, line, "street_name is empty")
        street = streets.get((kind, name))
        if street is None:
            street = streets[(kind, name)] = Street(kind=kind, name=name)
            n_streets += 1
        street.aliases = [a.strip() for a in row.get("old_names", "").split(";") if a.strip()]
        street.district = row.get("district") or street.district
        session.add(street)
        if not row.get("house"):
            continue
        session.flush()
        key = (street.id or 0, row["house"])
        building = buildings.get(key) or Building(street_id=street.id or 0, house=row["house"])
        building.district = row.get("district") or None
        try:
            building.lat, building.lon = (float(row["lat"]) if row.get("lat") else None), (float(row["lon"]) if row.get("lon") else None)
        except ValueError as exc:
            raise _bad(path, line, f"bad coordinates {row.get('lat')!r}, {row.get('lon')!r}") from exc
        if key not in buildings:
            buildings[key] = building
            n_buildings += 1
        session.add(building)
    session.flush()
    return n_streets, n_buildings


def seed_reference(session: Session, *, seed_dir: Path = SEED_DIR, gazetteer: Path | None = None) -> SeedReport:
    """Load every reference file and commit once; running it again changes nothing."""
    report = SeedReport()
    report.executors = load_executors(session, seed_dir / "executors.csv")
    report.roles = load_roles(session, seed_dir / "roles.csv")
    report.categories = load_categories(session, seed_dir / "categories.csv")
    report.streets, report.buildings = load_gazetteer(session, gazetteer or seed_dir / "gazetteer.csv")
    session.commit()
    return report
