"""The simulator's AMI session over real TCP: banner, Login, errors, Ping, Events, Logoff (ami.md §1)."""

from __future__ import annotations

import asyncio

from telephony.sim.server import SimConfig, Simulator
from tests.telephony.sim.client import RawAmi, get


async def test_banner_is_asterisk_20s_single_line(sim: Simulator) -> None:
    client = await RawAmi.connect(sim.port)
    assert client.banner == b"Asterisk Call Manager/9.0.0\r\n"
    assert client.buffer == b""  # no blank line after the banner
    client.close()


async def test_login_accepted_then_fully_booted(sim: Simulator) -> None:
    client = await RawAmi.connect(sim.port)
    await client.send(("Action", "Login"), ("ActionID", "42"), ("Username", "callcenter"), ("Secret", "callcenter-demo"))
    assert await client.frame() == [("Response", "Success"), ("ActionID", "42"), ("Message", "Authentication accepted")]
    booted = await client.frame()
    assert [k for k, _ in booted] == ["Event", "Privilege", "Uptime", "LastReload", "Status"]
    assert get(booted, "Event") == "FullyBooted"
    assert get(booted, "Privilege") == "system,all"
    assert get(booted, "Status") == "Fully Booted"
    again = await client.action("Login", ("Username", "callcenter"), ("Secret", "callcenter-demo"))
    assert get(again, "Message") == "Already authenticated"
    client.close()


async def test_wrong_secret_is_refused_and_the_socket_closed(sim: Simulator) -> None:
    client = await RawAmi.connect(sim.port)
    await client.send(("Action", "Login"), ("ActionID", "1"), ("Username", "callcenter"), ("Secret", "wrong"))
    assert await client.frame() == [("Response", "Error"), ("ActionID", "1"), ("Message", "Authentication failed")]
    assert await client.closed()
    assert sim.stats["login_failures"] == 1
    client.close()


async def test_unknown_user_is_refused(sim: Simulator) -> None:
    client = await RawAmi.connect(sim.port)
    response = await client.login(user="nobody")
    assert get(response, "Message") == "Authentication failed"
    assert await client.closed()
    client.close()


async def test_actions_before_login_are_denied_but_ping_of_a_stranger_too(sim: Simulator) -> None:
    client = await RawAmi.connect(sim.port)
    assert get(await client.action("QueueStatus"), "Message") == "Permission denied"
    assert get(await client.action("Ping"), "Message") == "Permission denied"
    client.close()


async def test_missing_and_unknown_actions(ami: RawAmi) -> None:
    await ami.send(("ActionID", "x1"), ("Foo", "bar"))
    assert await ami.until(lambda f: get(f, "Message") == "Missing action in request")
    response = await ami.action("FlyToTheMoon")
    assert get(response, "Response") == "Error"
    assert get(response, "Message") == "Invalid/unknown command: FlyToTheMoon. Use Action: ListCommands to show available commands."


async def test_ping_pong_echoes_the_action_id_and_accepts_bare_lf(ami: RawAmi) -> None:
    await ami.send(raw=b"Action: Ping\nActionID: lf-only\n\n")
    frames = await ami.until(lambda f: get(f, "ActionID") == "lf-only")
    pong = frames[-1]
    assert [k for k, _ in pong] == ["Response", "ActionID", "Ping", "Timestamp"]
    assert get(pong, "Ping") == "Pong"
    seconds, _, micros = (get(pong, "Timestamp") or "").partition(".")
    assert seconds.isdigit()
    assert len(micros) == 6


async def test_keys_are_case_insensitive(ami: RawAmi) -> None:
    await ami.send(("action", "ping"), ("actionid", "ci"))
    frames = await ami.until(lambda f: get(f, "ActionID") == "ci")
    assert get(frames[-1], "Ping") == "Pong"


async def test_logoff_says_goodbye_and_closes(ami: RawAmi) -> None:
    response = await ami.action("Logoff")
    assert response[0] == ("Response", "Goodbye")
    assert get(response, "Message") == "Thanks for all the fish."
    assert await ami.closed()


async def test_events_off_stops_events_and_on_resumes(sim: Simulator, ami: RawAmi) -> None:
    from telephony.sim.spec import CallSpec

    off = await ami.action("Events", ("EventMask", "off"))
    assert get(off, "Events") == "Off"
    sim.engine.place(CallSpec(notice_seconds=100))
    await asyncio.sleep(0.05)
    await ami.send(("Action", "Ping"), ("ActionID", "quiet"))
    frames = await ami.until(lambda f: get(f, "ActionID") == "quiet")
    assert [get(f, "Event") for f in frames] == [None]  # only the Pong: no Newchannel while events are off
    on = await ami.action("Events", ("EventMask", "call"))
    assert get(on, "Events") == "On"
    sim.engine.place(CallSpec(notice_seconds=100))
    frames = await ami.until(lambda f: get(f, "Event") == "Newchannel")
    assert all((get(f, "Privilege") or "call,all").startswith("call") for f in frames)


async def test_event_classes_follow_the_users_read_permissions(tmp_path) -> None:
    sim = Simulator(SimConfig(speed=200, read=frozenset({"call"}), recordings_dir=tmp_path))
    await sim.start()
    try:
        client = await RawAmi.connect(sim.port)
        await client.login()
        from telephony.sim.spec import CallSpec

        sim.engine.place(CallSpec(notice_seconds=0, ring_seconds=0, talk_seconds=0))
        frames = await client.until(lambda f: get(f, "Event") == "Hangup" and (get(f, "Channel") or "").startswith("PJSIP/trunk"))
        privileges = {get(f, "Privilege") for f in frames if get(f, "Event")}
        assert privileges == {"call,all"}  # no FullyBooted (no system), no Agent*/Queue* (no agent), no UserEvent (no user)
        client.close()
    finally:
        await sim.close()


async def test_md5_challenge_login(sim: Simulator) -> None:
    import hashlib

    client = await RawAmi.connect(sim.port)
    challenge = get(await client.action("Challenge", ("AuthType", "MD5")), "Challenge") or ""
    key = hashlib.md5((challenge + "callcenter-demo").encode(), usedforsecurity=False).hexdigest()
    response = await client.action("Login", ("Username", "callcenter"), ("AuthType", "MD5"), ("Key", key))
    assert get(response, "Message") == "Authentication accepted"
    client.close()


async def test_write_permission_is_checked(tmp_path) -> None:
    sim = Simulator(SimConfig(speed=200, write=frozenset({"reporting"}), recordings_dir=tmp_path))
    await sim.start()
    try:
        client = await RawAmi.connect(sim.port)
        await client.login()
        response = await client.action(
            "Originate", ("Channel", "PJSIP/op101"), ("Context", "callcenter-callback"), ("Exten", "1"), ("Priority", "1")
        )
        assert get(response, "Message") == "Permission denied"
        assert get(await client.action("CoreShowChannels"), "Response") == "Success"
        client.close()
    finally:
        await sim.close()


async def test_many_clients_each_get_every_event(sim: Simulator) -> None:
    from telephony.sim.spec import CallSpec

    clients = [await RawAmi.connect(sim.port) for _ in range(3)]
    for client in clients:
        await client.login()
    placed = sim.engine.place(CallSpec(notice_seconds=50))
    for client in clients:
        frames = await client.until(lambda f: get(f, "Event") == "Newchannel")
        assert get(frames[-1], "Uniqueid") == placed.uniqueid
        client.close()
    await asyncio.sleep(0)
