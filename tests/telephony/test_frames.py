"""The frame parser and the translator: table-driven cases and hypothesis fuzzing (garbage, truncation, splits)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telephony.events import AgentEvent, LegEvent, MemberEvent, QueueCallerEvent, UserSignal
from telephony.frames import FrameParser, parse_frame
from telephony.translate import c_unescape, translate
from tests.telephony.wire import Chan, agent, hangup, member_status, message, new_channel, queue_abandon, user_event

KEY = st.text(alphabet=st.characters(min_codepoint=65, max_codepoint=122, exclude_characters=":\\[]^`"), min_size=1, max_size=12)
VALUE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).map(str.strip)
FRAME = st.lists(st.tuples(KEY, VALUE), min_size=1, max_size=8).map(lambda pairs: [("Event", "Test"), *pairs])
GARBAGE = st.binary(max_size=60).filter(lambda b: b"\n" not in b and b":" not in b)


def _feed(chunks: list[bytes]) -> list[dict[str, str]]:
    parser = FrameParser()
    out: list[dict[str, str]] = []
    for chunk in chunks:
        out += [dict(f) for f in parser.feed(chunk)]
    return out


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(frames=st.lists(FRAME, min_size=1, max_size=6), cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=12))
def test_split_frames_arrive_whole(frames: list[list[tuple[str, str]]], cuts: list[int]) -> None:
    data = b"".join(message(f) for f in frames)
    got = _feed(_split(data, cuts))
    assert [g["Event"] for g in got] == ["Test"] * len(frames)
    for g, f in zip(got, frames, strict=True):
        first: dict[str, str] = {}
        for k, v in f:
            first.setdefault(k, v)
        assert g == first


@settings(max_examples=200)
@given(garbage=st.lists(GARBAGE, max_size=5), cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=8))
def test_garbage_between_frames_loses_no_well_formed_event(garbage: list[bytes], cuts: list[int]) -> None:
    good = [message([("Event", "Newchannel"), ("Uniqueid", f"1.{i}"), ("CallerIDName", "Петренко Олена")]) for i in range(len(garbage) + 1)]
    data = b"".join(g + (junk + b"\r\n\r\n" if junk.strip() else b"") for g, junk in zip(good, [*garbage, b""], strict=True))
    got = [f for f in _feed(_split(data, cuts)) if f.get("Event") == "Newchannel"]
    assert [f["Uniqueid"] for f in got] == [f"1.{i}" for i in range(len(good))]
    assert all(f["CallerIDName"] == "Петренко Олена" for f in got)


@settings(max_examples=300)
@given(st.binary(max_size=400), st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_arbitrary_bytes_never_crash(data: bytes, cuts: list[int]) -> None:
    for frame in _feed(_split(b"Asterisk Call Manager/9.0.0\r\n" + data, cuts)):
        translate(frame)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "Event",
                "Channel",
                "Uniqueid",
                "Linkedid",
                "Queue",
                "Interface",
                "Cause",
                "Position",
                "UserEvent",
                "DestChannel",
                "DestUniqueid",
                "Status",
                "Paused",
                "Duration",
            ]
        ),
        VALUE,
    )
)
def test_translator_never_raises(msg: dict[str, str]) -> None:
    for name in (
        "Newchannel",
        "Hangup",
        "DialBegin",
        "QueueCallerJoin",
        "AgentCalled",
        "QueueMemberStatus",
        "UserEvent",
        "CoreShowChannel",
        "BlindTransfer",
        "QueueEntry",
        "OriginateResponse",
        "CEL",
    ):
        translate({**msg, "Event": name})


def test_truncated_frame_waits_and_utf8_split_inside_a_character_survives() -> None:
    data = new_channel(Chan("PJSIP/trunk-00000001", "1.1", "1.1", name="Петренко Олена"))
    cut = data.index("е".encode()) + 1  # inside the two bytes of "е"
    parser = FrameParser()
    assert list(parser.feed(data[:cut])) == []
    (frame,) = parser.feed(data[cut:])
    assert frame["CallerIDName"] == "Петренко Олена"


def test_banner_repeated_keys_bare_lf_and_malformed() -> None:
    parser = FrameParser()
    frames = list(
        parser.feed(b"Asterisk Call Manager/9.0.0\r\nno colon here\r\n\r\nEvent: X\nChanVariable: A=1\nChanVariable: B=2\nEmpty: \n\n")
    )
    assert parser.version == "9.0.0"
    assert parser.malformed == 1
    assert frames[0].values_of("ChanVariable") == ["A=1", "B=2"]
    assert frames[0]["Empty"] == ""
    assert parse_frame("Key: value") is None


def test_translate_table() -> None:
    trunk = Chan("PJSIP/trunk-00000001", "1.1", "1.1", num="<unknown>", name='Іван \\"Малий\\"')
    op = Chan("PJSIP/op101-00000002", "1.2", "1.1", state="0", num="101", context="operators")
    cases: list[tuple[bytes, type, Callable[[Any], bool]]] = [
        (new_channel(trunk), LegEvent, lambda e: e.leg.caller_number is None and e.leg.caller_name == 'Іван "Малий"'),
        (hangup(trunk, 0, "Unknown"), LegEvent, lambda e: e.kind == "hangup" and e.cause == 0),
        (queue_abandon(trunk, "hotline", 9), QueueCallerEvent, lambda e: e.kind == "abandon" and e.hold_seconds == 9),
        (
            agent("AgentCalled", trunk, op, "hotline", "PJSIP/op101", "Оператор 101"),
            AgentEvent,
            lambda e: e.interface == "PJSIP/op101" and e.dest.leg_id == "1.2",
        ),
        (
            member_status("QueueMemberPause", "hotline", "PJSIP/op101", "Оператор 101", paused=True, reason="обід"),
            MemberEvent,
            lambda e: e.paused and e.paused_reason == "обід",
        ),
        (
            user_event(trunk, "CallcenterRecording", ("Linkedid", "1.1"), ("RecordingFile", "2026/11/28/1.1.wav")),
            UserSignal,
            lambda e: e.call_id == "1.1" and e.headers["RecordingFile"].endswith(".wav"),
        ),
    ]
    for data, kind, check in cases:
        (frame,) = FrameParser().feed(data)
        event = translate(frame)
        assert isinstance(event, kind)
        assert check(event)
    assert translate({"Event": "Newchannel"}) is None
    assert translate({"Event": "VarSet", "Channel": "x"}) is None
    assert c_unescape("a\\\\b\\n") == "a\\b\n"
