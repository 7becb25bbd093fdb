"""Suggestion accuracy on the frozen labelled set: top-1/top-3 category and exact address on the held-out half."""

from __future__ import annotations

import csv
import hashlib
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session

from appeals.address_extract import AddressIndex
from appeals.seeding import seed_reference
from appeals.suggest import CategoryModel, Example
from appeals.transcripts import category_refs, street_refs
from callcenter.wiring import upgrade_database
from runtime.db import build_engine

DATA = Path(__file__).resolve().parent / "data"


def load_rows() -> list[dict[str, str]]:
    raw = (DATA / "appeals_eval.csv").read_bytes()
    if hashlib.sha256(raw).hexdigest() != (DATA / "appeals_eval.sha256").read_text(encoding="utf-8").strip():
        msg = "bench/data/appeals_eval.csv changed after it was frozen"
        raise SystemExit(msg)
    return list(csv.DictReader(raw.decode("utf-8").splitlines()))


def evaluate(model: CategoryModel, index: AddressIndex, rows: list[dict[str, str]]) -> dict[str, float]:
    top1 = top3 = addr_ok = addr_n = false_addr = no_addr_n = 0
    for row in rows:
        codes = [c.code for c in model.suggest(row["text"])]
        top1 += bool(codes) and codes[0] == row["category"]
        top3 += row["category"] in codes[:3]
        found = index.extract(row["text"])
        if row["street"]:
            addr_n += 1
            addr_ok += bool(found and found.street.endswith(row["street"]) and (found.house or "") == row["house"])
        else:
            no_addr_n += 1
            false_addr += found is not None
    n = len(rows)
    return {"top1": top1 / n, "top3": top3 / n, "address": addr_ok / max(addr_n, 1), "false_address": false_addr / max(no_addr_n, 1)}


def main() -> None:
    rows = load_rows()
    held_out = [r for r in rows if int(r["id"]) % 2 == 0]
    registered = [Example(r["text"], r["category"]) for r in rows if int(r["id"]) % 2 == 1]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_database(url)
        engine = build_engine(url)
        with Session(engine) as session:
            seed_reference(session)
            categories, streets = category_refs(session), street_refs(session)
        engine.dispose()
    index = AddressIndex.build(streets)
    seed_only = evaluate(CategoryModel.build(categories), index, held_out)
    learned = evaluate(CategoryModel.build(categories, registered), index, held_out)
    non_uk = [r for r in held_out if r["style"] != "uk"]
    learned_non_uk = evaluate(CategoryModel.build(categories, registered), index, non_uk)
    out = sys.stdout
    out.write(f"labelled set: {len(rows)} texts (sha256 frozen), held-out half: {len(held_out)}, learned from: {len(registered)}\n")
    out.write(f"seed classifier only:      top-1 {seed_only['top1']:.1%}  top-3 {seed_only['top3']:.1%}\n")
    out.write(f"seed + registered appeals: top-1 {learned['top1']:.1%}  top-3 {learned['top3']:.1%}\n")
    out.write(
        f"  of which surzhyk/Russian/misspelled ({len(non_uk)}): top-1 {learned_non_uk['top1']:.1%}  top-3 {learned_non_uk['top3']:.1%}\n"
    )
    out.write(
        f"address exact match (street + house): {learned['address']:.1%}; an address found where none was said: {learned['false_address']:.1%}\n"
    )
