"""Collecting the simulator's events in-process and checking the invariants Asterisk keeps."""

from __future__ import annotations

from collections import Counter

from telephony.sim.server import Simulator

Event = dict[str, str]


class Recorder:
    def __init__(self, sim: Simulator) -> None:
        self.events: list[Event] = []
        sim.pbx.subscribe(self._on)

    def _on(self, _klass: str, data: bytes) -> None:
        text = data.decode("utf-8")
        assert text.endswith("\r\n\r\n")
        event: Event = {}
        for line in text[:-4].split("\r\n"):
            key, sep, value = line.partition(": ")
            assert sep, f"malformed line {line!r}"
            event.setdefault(key, value)
        self.events.append(event)

    def named(self, name: str) -> list[Event]:
        return [e for e in self.events if e["Event"] == name]

    def user(self, name: str) -> list[Event]:
        return [e for e in self.events if e["Event"] == "UserEvent" and e.get("UserEvent") == name]


def check_well_formed(events: list[Event]) -> None:
    """Every Newchannel has exactly one Hangup after it and nothing after that; Linkedids name a real first leg;
    bridges, queue entries and rings are closed."""
    created: dict[str, int] = {}
    hung: dict[str, int] = {}
    uniqueids: set[str] = set()
    for index, e in enumerate(events):
        uid = e.get("Uniqueid", "")
        if e["Event"] == "Newchannel":
            assert uid not in created, f"duplicate Newchannel {uid}"
            created[uid] = index
            uniqueids.add(uid)
        elif e["Event"] == "Hangup":
            assert uid in created, f"Hangup without Newchannel: {uid}"
            assert uid not in hung, f"Hangup twice: {uid}"
            hung[uid] = index
        elif uid and e["Event"] not in ("OriginateResponse",):
            assert uid in created, f"{e['Event']} before Newchannel: {uid}"
            assert uid not in hung, f"{e['Event']} after Hangup: {uid}"
    assert set(created) == set(hung), f"channels never hung up: {set(created) - set(hung)}"
    for e in events:
        for prefix in (
            "",
            "Dest",
            "LocalOne",
            "LocalTwo",
            "Transferer",
            "Transferee",
            "OrigTransferer",
            "SecondTransferer",
            "TransferTarget",
        ):
            if f"{prefix}Linkedid" in e:
                assert e[f"{prefix}Linkedid"] in uniqueids, f"{e['Event']} {prefix}Linkedid names no channel"
    enters = Counter((e["BridgeUniqueid"], e["Uniqueid"]) for e in events if e["Event"] == "BridgeEnter")
    leaves = Counter((e["BridgeUniqueid"], e["Uniqueid"]) for e in events if e["Event"] == "BridgeLeave")
    assert enters == leaves
    assert Counter(e["BridgeUniqueid"] for e in events if e["Event"] == "BridgeCreate") == Counter(
        e["BridgeUniqueid"] for e in events if e["Event"] == "BridgeDestroy"
    )
    joins = Counter(e["Uniqueid"] for e in events if e["Event"] == "QueueCallerJoin")
    assert joins == Counter(e["Uniqueid"] for e in events if e["Event"] == "QueueCallerLeave")
    called = {e["DestUniqueid"] for e in events if e["Event"] == "AgentCalled"}
    ended = {e["DestUniqueid"] for e in events if e["Event"] == "DialEnd"}
    assert called <= ended, "a ringing operator leg never got its DialEnd"
