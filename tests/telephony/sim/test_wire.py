"""The simulator's action parser (pure): garbage never crashes it, and a well-formed action is never lost however
the bytes are split or whatever garbage came before it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from telephony.sim.wire import Action, ActionReader, c_escape, encode

KEYS = st.text(alphabet=st.characters(min_codepoint=65, max_codepoint=122, whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12)
VALUES = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=30).map(str.strip)


def _feed_all(reader: ActionReader, chunks: list[bytes]) -> list[Action]:
    out: list[Action] = []
    for chunk in chunks:
        out.extend(reader.feed(chunk))
    return out


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@settings(max_examples=300)
@given(st.binary(max_size=2000), st.lists(st.integers(min_value=0), max_size=20))
def test_garbage_never_crashes(data: bytes, cuts: list[int]) -> None:
    reader = ActionReader()
    for action in _feed_all(reader, _split(data, cuts)):
        assert action.pairs  # only non-empty actions come out


@settings(max_examples=300)
@given(
    st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=8),
    st.binary(max_size=200),
    st.lists(st.integers(min_value=0), max_size=30),
    st.booleans(),
)
def test_a_well_formed_action_survives_splits_and_preceding_garbage(
    pairs: list[tuple[str, str]], garbage: bytes, cuts: list[int], lf: bool
) -> None:
    wire = encode([("Action", "Ping"), *pairs])
    if lf:
        wire = wire.replace(b"\r\n", b"\n")
    prefix = garbage.replace(b"\n", b"") + b"\r\n\r\n"  # whatever came before ends at a blank line
    actions = _feed_all(ActionReader(), _split(prefix + wire, cuts))
    assert actions
    last = actions[-1]
    assert last.name == "Ping"
    assert last.pairs[-len(pairs) :] == [(k, v) for k, v in pairs]


def test_case_insensitive_lookup_and_repeated_keys() -> None:
    [action] = list(ActionReader().feed(b"action: Originate\r\nVariable: A=1\r\nvariable: B=2\r\nACTIONID: x\r\n\r\n"))
    assert action.name == "Originate"
    assert action.action_id == "x"
    assert action.all("Variable") == ["A=1", "B=2"]


def test_an_overlong_line_is_dropped_like_asterisk() -> None:
    reader = ActionReader()
    assert list(reader.feed(b"Action: Ping" + b"x" * 70_000)) == []
    assert reader.too_long == 1
    [action] = list(reader.feed(b"\r\nAction: Ping\r\n\r\n"))
    assert action.name == "Ping"


def test_c_escape_keeps_utf8_and_escapes_quotes() -> None:
    assert c_escape('Шевчук "Оля"\\') == 'Шевчук \\"Оля\\"\\\\'
