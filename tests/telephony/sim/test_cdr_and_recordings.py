"""CDR rows in Asterisk's `cdr` table (SQLite and PostgreSQL) and the stereo recordings with speech on both channels."""

from __future__ import annotations

import asyncio
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from telephony.sim.server import SimConfig, Simulator
from telephony.sim.spec import CallSpec
from tests.conftest import PG_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def cdr_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cdr.db'}"
        return
    name = f"cc_cdr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


async def test_cdr_rows_per_leg_as_asterisk_writes_them(cdr_url: str, tmp_path: Path) -> None:
    sim = Simulator(SimConfig(speed=1000, cdr_database_url=cdr_url, recordings_dir=tmp_path))
    try:
        answered = sim.engine.place(CallSpec(outcome="no_answer_then_answered", caller="+380501112233", did="1551"))
        abandoned = sim.engine.place(CallSpec(outcome="abandoned", caller="0671234567", did="1551", wait_seconds=5))
        outbound = sim.engine.place(CallSpec(kind="outbound", operator="PJSIP/op104", target="0441234567"))
        await asyncio.wait_for(asyncio.gather(answered.task, abandoned.task, outbound.task), 30)
        await sim.flush_cdr()
    finally:
        await sim.close()
    engine = create_engine(cdr_url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM cdr ORDER BY sequence"))]
    engine.dispose()
    by_call: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_call.setdefault(str(row["linkedid"]), []).append(row)
    first, second = by_call[answered.linkedid]
    assert first["channel"] == second["channel"] == answered.channel
    assert first["uniqueid"] == answered.uniqueid
    assert first["src"] == "+380501112233"
    assert first["dst"] == "1551"
    assert first["dcontext"] == "from-trunk"
    assert (first["disposition"], second["disposition"]) == ("NO ANSWER", "ANSWERED")
    assert str(second["dstchannel"]).startswith("PJSIP/op")
    assert second["lastapp"] == "Queue"
    assert int(second["billsec"]) > 0
    assert int(second["duration"]) >= int(second["billsec"])
    missed = by_call[abandoned.linkedid]  # one row per operator that rang, none answered
    assert all(r["disposition"] == "NO ANSWER" and str(r["dstchannel"]).startswith("PJSIP/op") for r in missed)
    assert {r["src"] for r in missed} == {"0671234567"}
    assert {r["lastapp"] for r in missed} == {"Queue"}
    [out] = by_call[outbound.linkedid]
    assert str(out["channel"]).startswith("PJSIP/op104-")
    assert str(out["dstchannel"]).startswith("PJSIP/trunk-")
    assert out["dcontext"] == "operators"
    assert out["disposition"] == "ANSWERED"
    assert all(r["amaflags"] == 3 and r["calldate"] is not None for r in rows)


async def test_cdr_table_is_created_once_and_reused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cdr.db'}"
    for _ in range(2):
        sim = Simulator(SimConfig(speed=1000, cdr_database_url=url, recordings_dir=tmp_path))
        placed = sim.engine.place(CallSpec(outcome="abandoned", wait_seconds=1))
        await asyncio.wait_for(placed.task, 10)
        await sim.flush_cdr()
        await sim.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cdr")).scalar_one() == 2
    engine.dispose()


def _channels(path: Path) -> tuple[int, np.ndarray, np.ndarray]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 2
        assert wav.getsampwidth() == 2
        rate = wav.getframerate()
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64)
    return rate, frames[0::2], frames[1::2]


async def test_recordings_are_stereo_speech_on_both_channels(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(speed=1000, recordings_dir=tmp_path))
    events: list[bytes] = []
    sim.pbx.subscribe(lambda _k, data: events.append(data))
    try:
        calls = [sim.engine.place(CallSpec()) for _ in range(3)]
        await asyncio.wait_for(asyncio.gather(*(c.task for c in calls)), 20)
    finally:
        await sim.close()
    _assert_speech_files(tmp_path, 3)
    assert sum(b"UserEvent: CallcenterRecording" in e for e in events) == 3


def test_the_committed_clips_are_small() -> None:
    clips = Path(__file__).resolve().parents[3] / "telephony" / "sim" / "clips"
    assert 0 < sum(p.stat().st_size for p in clips.glob("*.wav")) < 1_000_000


def _assert_speech_files(root: Path, count: int) -> None:
    files = sorted(root.rglob("*.wav"))
    assert len(files) == count
    for path in files:
        rate, left, right = _channels(path)
        assert rate == 8000
        assert 3 < len(left) / rate < 20
        for channel in (left, right):
            rms = float(np.sqrt(np.mean(channel**2)))
            assert rms > 300, "a channel is silent"
            active = np.mean(np.abs(channel) > 500)
            assert 0.1 < active < 0.9  # speech with pauses, not a tone
        # the two speakers take turns: they are not the same signal
        assert float(np.corrcoef(left, right)[0, 1]) < 0.2
