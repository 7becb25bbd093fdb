"""Asterisk's CDR rows (cdr_pgsql's standard `cdr` table), one per party-A/party-B pair, written at hangup."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, create_engine, insert

logger = logging.getLogger(__name__)
METADATA = MetaData()
CDR_TABLE = Table(
    "cdr",
    METADATA,
    Column("calldate", DateTime(timezone=True), nullable=False),
    Column("clid", String(80), nullable=False, default=""),
    Column("src", String(80), nullable=False, default=""),
    Column("dst", String(80), nullable=False, default=""),
    Column("dcontext", String(80), nullable=False, default=""),
    Column("channel", String(80), nullable=False, default=""),
    Column("dstchannel", String(80), nullable=False, default=""),
    Column("lastapp", String(80), nullable=False, default=""),
    Column("lastdata", String(80), nullable=False, default=""),
    Column("duration", Integer, nullable=False, default=0),
    Column("billsec", Integer, nullable=False, default=0),
    Column("disposition", String(45), nullable=False, default=""),
    Column("amaflags", Integer, nullable=False, default=0),
    Column("accountcode", String(20), nullable=False, default=""),
    Column("uniqueid", String(150), nullable=False, default=""),
    Column("userfield", String(255), nullable=False, default=""),
    Column("peeraccount", String(20), nullable=False, default=""),
    Column("linkedid", String(150), nullable=False, default=""),
    Column("sequence", Integer, nullable=False, default=0),
)
DIAL_DISPOSITION = {"ANSWER": "ANSWERED", "BUSY": "BUSY", "NOANSWER": "NO ANSWER", "CANCEL": "NO ANSWER", "CONGESTION": "CONGESTION"}


@dataclass
class CdrRow:
    """One CDR in the making; `start`/`answer`/`end` are simulated epoch seconds."""

    clid: str
    src: str
    dst: str
    dcontext: str
    channel: str
    uniqueid: str
    linkedid: str
    sequence: int
    start: float
    wall_start: float
    dstchannel: str = ""
    lastapp: str = ""
    lastdata: str = ""
    answer: float | None = None
    disposition: str = ""
    userfield: str = ""

    def finish(self, end: float, *, channel_answered: float | None) -> dict[str, Any]:
        """The row as the table stores it; a dial-less leg answered by the dialplan counts as ANSWERED."""
        if not self.disposition:
            if self.dstchannel:
                self.disposition = "NO ANSWER"
            else:
                self.answer = channel_answered
                self.disposition = "ANSWERED" if channel_answered is not None else "NO ANSWER"
        billsec = int(end - self.answer) if self.answer is not None and self.disposition == "ANSWERED" else 0
        return {
            "calldate": datetime.fromtimestamp(self.wall_start, UTC),
            "clid": self.clid,
            "src": self.src,
            "dst": self.dst,
            "dcontext": self.dcontext,
            "channel": self.channel,
            "dstchannel": self.dstchannel,
            "lastapp": self.lastapp,
            "lastdata": self.lastdata,
            "duration": max(0, int(end - self.start)),
            "billsec": max(0, billsec),
            "disposition": self.disposition,
            "amaflags": 3,  # DOCUMENTATION
            "accountcode": "",
            "uniqueid": self.uniqueid,
            "userfield": self.userfield,
            "peeraccount": "",
            "linkedid": self.linkedid,
            "sequence": self.sequence,
        }


class CdrWriter:
    """Writes finished rows into `cdr` (PostgreSQL or SQLite), creating the table if it is missing."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        METADATA.create_all(self.engine, checkfirst=True)
        self.written = 0

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(insert(CDR_TABLE), rows)
        self.written += len(rows)

    def close(self) -> None:
        self.engine.dispose()
