"""asterisk-config/ parsed: the files agree with each other, with the telephony settings and with the simulator,
and the AMI user's classes cover every event and action the listener uses."""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from telephony.backfill import CALLBACK_USERFIELD
from telephony.commands import SPY_OPTIONS
from telephony.settings import TelephonySettings
from telephony.sim.ami_classes import ACTION_WRITE, EVENT_CLASS, LIST_ITEMS, LISTENER_ACTIONS
from telephony.sim.originate import KNOWN_CONTEXTS
from telephony.sim.server import SimConfig, Simulator
from telephony.sim.settings import PbxSimSettings
from telephony.sim.spec import CALLBACK_USERFIELD as SIM_CALLBACK_USERFIELD
from telephony.sim.spec import OUTCOMES, CallSpec
from telephony.translate import TRANSLATORS

CONFIG = Path(__file__).resolve().parents[2] / "asterisk-config"
ANYWHERE = "0.0.0.0"  # noqa: S104 - what manager.conf must NOT bind or permit
_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*(=>|=)\s*(.*?)\s*$")


@dataclass
class Section:
    name: str
    templates: tuple[str, ...]
    entries: list[tuple[str, str]] = field(default_factory=list)

    def get(self, key: str, default: str = "") -> str:
        return next((v for k, v in self.entries if k == key), default)

    def all(self, key: str) -> list[str]:
        return [v for k, v in self.entries if k == key]


def parse(name: str) -> list[Section]:
    """Asterisk's config syntax: [section](templates), key = value, key => value, `;` comments (`\\;` escaped)."""
    sections: list[Section] = []
    for raw in (CONFIG / name).read_text(encoding="utf-8").splitlines():
        line = re.split(r"(?<!\\);", raw, maxsplit=1)[0].rstrip()
        if not line.strip():
            continue
        head = re.match(r"^\[([^\]]+)\](?:\(([^)]*)\))?", line.strip())
        if head:
            sections.append(Section(head.group(1), tuple(t.strip() for t in (head.group(2) or "").split(",") if t.strip())))
            continue
        match = _LINE.match(line)
        assert match, f"{name}: unparsable line {raw!r}"
        assert sections, f"{name}: {raw!r} outside a section"
        sections[-1].entries.append((match.group(1), match.group(3)))
    return sections


def section(sections: list[Section], name: str, **where: str) -> Section:
    """The section `name`, following `(template)` inheritance; `where` filters on a key (pjsip's type=)."""
    for sec in sections:
        if sec.name != name or "!" in sec.templates:
            continue
        merged = Section(
            sec.name, sec.templates, [e for t in sec.templates for e in section(sections, t, _template="1").entries] + sec.entries
        )
        if all(merged.get(k) == v for k, v in where.items() if k != "_template"):
            return merged
    if where.get("_template"):
        template = next((s for s in sections if s.name == name), None)
        assert template is not None, f"no template [{name}]"
        return template
    raise AssertionError(f"no section [{name}] with {where}")


def endpoint_names() -> set[str]:
    sections = parse("pjsip.conf")
    names = set()
    for sec in sections:
        if "!" in sec.templates:
            continue
        inherited = [e for t in sec.templates for e in section(sections, t, _template="1").entries]
        if Section(sec.name, (), inherited + sec.entries).get("type") == "endpoint":
            names.add(sec.name)
    return names


def dialplan() -> dict[str, list[tuple[str, str]]]:
    """context → [(extension pattern, application call)] in order (`same =>` lines continue the previous extension)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for sec in parse("extensions.conf"):
        lines = out.setdefault(sec.name, [])
        exten = ""
        for key, value in sec.entries:
            if key == "exten":
                exten, _, rest = value.partition(",")
                app = rest.partition(",")[2]
            elif key == "same":
                app = value.partition(",")[2]
            else:
                continue
            lines.append((exten, app))
    return out


def apps(context: str) -> list[str]:
    return [app for _, app in dialplan()[context]]


def index_of(context: str, prefix: str) -> int:
    return next(i for i, app in enumerate(apps(context)) if app.startswith(prefix))


# --- manager.conf -------------------------------------------------------------------------------------------
def test_ami_user_matches_the_settings_and_the_simulator() -> None:
    settings = PbxSimSettings(_env_file=None)
    user = section(parse("manager.conf"), settings.ami_username)
    assert user.get("secret") == settings.ami_secret.get_secret_value()
    read, write = set(user.get("read").split(",")), set(user.get("write").split(","))
    assert read == {"system", "call", "agent", "user", "cdr"}
    assert write == {"originate", "agent", "reporting"}
    config = SimConfig()
    assert (set(config.read), set(config.write)) == (read, write)
    assert "dialplan" not in read
    assert "reporting" not in read


def test_ami_is_reachable_only_from_the_backend_network() -> None:
    sections = parse("manager.conf")
    general = section(sections, "general")
    assert general.get("enabled") == "yes"
    assert general.get("port") == "5038"
    assert general.get("bindaddr") not in ("", ANYWHERE)
    user = section(sections, "callcenter")
    keys = [k for k, _ in user.entries if k in ("deny", "permit")]
    assert keys[0] == "deny"
    assert user.get("deny") == f"{ANYWHERE}/{ANYWHERE}"
    assert user.all("permit")
    assert all(not p.startswith(ANYWHERE) for p in user.all("permit"))


def listener_events() -> set[str]:
    """The events the listener translates."""
    return set(TRANSLATORS)


def test_read_classes_cover_every_event_the_listener_uses() -> None:
    read = set(section(parse("manager.conf"), "callcenter").get("read").split(","))
    for event in listener_events() - LIST_ITEMS:
        assert event in EVENT_CLASS, f"unknown AMI class for {event}"
        assert EVENT_CLASS[event] in read, f"{event} needs read class {EVENT_CLASS[event]}"


def test_write_classes_cover_every_action_the_listener_sends() -> None:
    write = set(section(parse("manager.conf"), "callcenter").get("write").split(","))
    for action in LISTENER_ACTIONS:
        needed = ACTION_WRITE[action.lower()]
        assert not needed or needed & write, f"{action} needs write class {needed}"


# --- pjsip.conf ---------------------------------------------------------------------------------------------
def test_trunk_and_phones() -> None:
    sections = parse("pjsip.conf")
    trunk = section(sections, SimConfig().trunk, type="endpoint")
    assert trunk.get("context") == "from-trunk"
    assert trunk.get("language") == "uk"
    section(sections, "trunk", type="aor")
    section(sections, "trunk", type="identify")
    for interface in Simulator(SimConfig()).operator_interfaces():
        phone = section(sections, interface.split("/", 1)[1], type="endpoint")
        ext = interface[-3:]
        assert phone.get("context") == "operators"
        assert phone.get("callerid").endswith(f"<{ext}>")  # set, so DestCallerIDNum is never a guess
        assert phone.get("device_state_busy_at") == "1"


def test_settings_name_the_configured_trunk_and_inbound_context() -> None:
    settings = TelephonySettings(_env_file=None, demo=True)
    sections = parse("pjsip.conf")
    for endpoint in settings.ami_trunk_endpoints:
        assert section(sections, endpoint, type="endpoint").get("context") in settings.ami_inbound_contexts
    assert set(settings.ami_inbound_contexts) <= set(dialplan())
    assert settings.ami_username in {s.name for s in parse("manager.conf")}


# --- queues.conf ----------------------------------------------------------------------------------------------
def test_queues_match_the_simulator_and_the_phones() -> None:
    sections = parse("queues.conf")
    names = {s.name for s in sections if s.name != "general" and "!" not in s.templates}
    assert names == set(SimConfig().queues) == {"hotline", "consult"}
    endpoints = endpoint_names()
    for name in names:
        queue = section(sections, name)
        assert queue.get("strategy") == "rrmemory"
        assert queue.get("setinterfacevar") == "yes"
        assert queue.get("context") in dialplan()
        for member in queue.all("member"):
            interface, _, membername, state = member.split(",")
            assert interface == membername == state, "the member name is the interface (the listener matches it)"
            assert interface.split("/", 1)[1] in endpoints
    assert not any(k in ("eventwhencalled", "eventmemberstatus") for s in sections for k, _ in s.entries)


# --- extensions.conf --------------------------------------------------------------------------------------
def test_contexts_exist_for_every_place_calls_go() -> None:
    contexts = set(dialplan())
    pjsip = {section(parse("pjsip.conf"), name, type="endpoint").get("context") for name in ("trunk", "op101", "sv201")}
    assert pjsip <= contexts
    assert contexts >= KNOWN_CONTEXTS
    assert {"callcenter-hangup", "callcenter-queue-exit", "callcenter-spy"} <= contexts


def test_inbound_dialplan_order() -> None:
    inbound = apps("from-trunk")
    assert "Set(CHANNEL(language)=uk)" in inbound
    assert index_of("from-trunk", "Set(CHANNEL(hangup_handler_push)=callcenter-hangup,s,1)") < index_of("from-trunk", "Answer(")
    notice = index_of("from-trunk", "Playback(custom/recording-notice)")
    assert index_of("from-trunk", "Answer(") < notice < index_of("from-trunk", "MixMonitor(") < index_of("from-trunk", "Queue(hotline")
    curl = next(app for app in inbound if "CURL(" in app)
    assert "/api/ivr/notice?did=${EXTEN}&caller=${CALLERID(num)}" in curl
    assert index_of("from-trunk", 'GotoIf($["${HASH(ivr,open)}" = "0"]?closed)') < index_of("from-trunk", "Queue(")
    assert any("HASH(ivr,prompt)" in app and "Playback" in app for app in inbound)


def test_the_ivr_endpoint_the_dialplan_calls_exists() -> None:
    from agent_console.routes.ivr import router

    assert "/api/ivr/notice" in {route.path for route in router.routes}  # type: ignore[attr-defined]


def test_recording_is_stereo_under_the_uniqueid_and_announced_by_the_hangup_handler() -> None:
    inbound = apps("from-trunk")
    assert "Set(__CC_RECFILE=${STRFTIME(${EPOCH},,%Y/%m/%d)}/${UNIQUEID}.wav)" in inbound
    assert "MixMonitor(${CC_RECFILE},D)" in inbound
    handler = apps("callcenter-hangup")
    assert handler[0] == "StopMixMonitor()"
    event = next(app for app in handler if app.startswith("UserEvent(CallcenterRecording,"))
    headers = dict(part.strip().split(": ", 1) for part in event[len("UserEvent(CallcenterRecording,") : -1].split(","))
    assert headers == {"Linkedid": "${CHANNEL(linkedid)}", "Uniqueid": "${UNIQUEID}", "RecordingFile": "${CC_RECFILE}", "Layout": "stereo"}
    assert handler[-1].endswith("Return()")


def test_callback_is_recorded_with_the_citizen_on_the_left() -> None:
    callback = apps("callcenter-callback")
    assert "Set(CHANNEL(hangup_handler_push)=callcenter-hangup,s,1)" in callback
    dial = next(app for app in callback if app.startswith("Dial("))
    assert dial.startswith("Dial(PJSIP/${EXTEN}@trunk,")
    assert "U(callcenter-record-callee)" in dial
    assert apps("callcenter-record-callee")[0] == "MixMonitor(${CC_RECFILE},D)"


def test_call_me_back_option() -> None:
    [(exten, mark), (_, app), *_] = dialplan()["callcenter-queue-exit"]
    assert exten == "1"
    assert mark == f"Set(CDR(userfield)={CALLBACK_USERFIELD})"  # the CDR backfill finds requests made during an outage
    assert SIM_CALLBACK_USERFIELD == CALLBACK_USERFIELD  # and the simulator writes what the dialplan does
    assert app == "UserEvent(CallcenterCallbackRequest,Linkedid: ${CHANNEL(linkedid)},CallerIDNum: ${CALLERID(num)},Queue: ${QUEUENAME})"
    assert apps("callcenter-queue-exit")[-1] == "Hangup()"


def test_spy_context_offers_the_three_modes() -> None:
    spy = " ".join(apps("callcenter-spy"))
    for option in ("qE", "qw", "qB"):
        assert f",{option})" in spy
    assert set(SPY_OPTIONS.values()) == {"qE", "qw", "qB"}


# --- CDR and CEL ------------------------------------------------------------------------------------------
def test_cdr_goes_to_postgresql_table_cdr_and_keeps_missed_legs() -> None:
    assert section(parse("cdr_pgsql.conf"), "global").get("table") == "cdr"
    general = section(parse("cdr.conf"), "general")
    assert general.get("enable") == "yes"
    assert general.get("unanswered") == "yes"
    assert general.get("batch") == "no"
    cel = parse("cel.conf")
    assert "LINKEDID_END" in section(cel, "general").get("events")
    assert section(cel, "manager").get("enabled") == "yes"


# --- the simulator emits every event in the class Asterisk uses ---------------------------------------------
async def test_simulator_events_carry_their_asterisk_class(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(speed=1000, recordings_dir=tmp_path))
    seen: dict[str, set[str]] = {}

    def on(klass: str, data: bytes) -> None:
        name = data.split(b"\r\n", 1)[0].decode().removeprefix("Event: ")
        seen.setdefault(name, set()).add(klass)

    sim.pbx.subscribe(on)
    placed = [sim.engine.place(CallSpec(outcome=o)) for o in OUTCOMES]
    placed += [sim.engine.place(CallSpec(kind="local")), sim.engine.place(CallSpec(kind="outbound", target="0501234567"))]
    await asyncio.wait_for(asyncio.gather(*(p.task for p in placed)), 30)
    await sim.close()
    assert {name: classes for name, classes in seen.items() if classes != {EVENT_CLASS.get(name, "?")}} == {}


# --- a real Asterisk, where a site has one -------------------------------------------------------------------
@pytest.mark.asterisk
async def test_real_asterisk_accepts_the_listener_user() -> None:
    host = os.environ.get("CALLCENTER_TEST_ASTERISK_HOST", "")
    if not host:
        pytest.skip("set CALLCENTER_TEST_ASTERISK_HOST (and CALLCENTER_AMI_SECRET) to run against a real Asterisk")
    from tests.telephony.sim.client import RawAmi, get

    client = await RawAmi.connect_to(host, int(os.environ.get("CALLCENTER_AMI_PORT", "5038")))
    assert client.banner.startswith(b"Asterisk Call Manager/")
    response = await client.login(secret=os.environ.get("CALLCENTER_AMI_SECRET", "callcenter-demo"))
    assert get(response, "Message") == "Authentication accepted"
    await client.send(("Action", "QueueStatus"), ("ActionID", "cfg"))
    frames = await client.until(lambda f: get(f, "Event") == "QueueStatusComplete")
    assert {get(f, "Queue") for f in frames if get(f, "Event") == "QueueParams"} >= {"hotline", "consult"}
    client.close()
