"""The AMI client over real TCP: panoramisk's bugs neutralised (split UTF-8, handler exceptions, auth failure loop,
missing timeouts, unchecked Pong), reconnect with backoff, Originate always async with a ChannelId."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from telephony.ami import AmiClient, backoff_delay
from telephony.errors import AmiActionError, AmiTimeoutError, TelephonyError
from telephony.frames import Frame
from tests.telephony.conftest import SECRET, USER, FakeAmi, eventually
from tests.telephony.wire import Chan, message, new_channel


class Recorder:
    def __init__(self, fail_on: str | None = None) -> None:
        self.frames: list[Frame] = []
        self.states: list[tuple[str, str]] = []
        self.fail_on = fail_on

    def on_frame(self, frame: Frame) -> None:
        self.frames.append(frame)
        if self.fail_on and frame.get("Uniqueid") == self.fail_on:
            raise RuntimeError("bug in our handler")

    def on_state(self, state: str, reason: str) -> None:
        self.states.append((state, reason))


@pytest.fixture
async def connect(ami: FakeAmi) -> AsyncIterator[Callable[..., Any]]:
    clients: list[tuple[AmiClient, asyncio.Task[None]]] = []

    async def make(recorder: Recorder, *, secret: str = SECRET, **kw: Any) -> AmiClient:
        client = AmiClient(
            host="127.0.0.1",
            port=ami.port,
            username=USER,
            secret=secret,
            on_frame=recorder.on_frame,
            on_state=recorder.on_state,
            reconnect_base=0.05,
            reconnect_max=0.3,
            **kw,
        )
        clients.append((client, asyncio.create_task(client.run())))
        return client

    yield make
    for client, task in clients:
        client.stop()
        await asyncio.wait_for(task, 5)


def _uids(rec: Recorder) -> list[str]:
    return [f["Uniqueid"] for f in rec.frames if f.get("Event") == "Newchannel"]


async def test_utf8_split_inside_a_character_is_not_corrupted(ami: FakeAmi, connect: Any) -> None:
    rec = Recorder()
    await connect(rec)
    await eventually(lambda: ami.clients)
    data = new_channel(Chan("PJSIP/trunk-00000001", "1.1", "1.1", name="Петренко Олена"))
    cuts = [i for i in range(1, len(data)) if data[i - 1] >= 0xC0]  # right after every UTF-8 lead byte
    await ami.send(data, split=cuts)
    await eventually(lambda: _uids(rec) == ["1.1"])
    assert rec.frames[-1]["CallerIDName"] == "Петренко Олена"


async def test_handler_exception_keeps_the_link_and_the_rest_of_the_chunk(ami: FakeAmi, connect: Any) -> None:
    rec = Recorder(fail_on="1.1")
    client = await connect(rec)
    await eventually(lambda: ami.clients)
    data = b"".join(new_channel(Chan(f"PJSIP/trunk-{i:08x}", f"1.{i}", f"1.{i}")) for i in range(1, 4))
    await ami.send(data)
    await eventually(lambda: _uids(rec) == ["1.1", "1.2", "1.3"])
    assert client.connections == 1
    assert ami.logins == 1
    assert client.state == "up"


async def test_malformed_frame_does_not_lose_the_next_one(ami: FakeAmi, connect: Any) -> None:
    rec = Recorder()
    await connect(rec)
    await eventually(lambda: ami.clients)
    bad = b"this is not: an\r\nAMI frame without Event or Response\r\n\r\n\x00\xff\xfe garbage\r\n\r\n"
    await ami.send(bad + new_channel(Chan("PJSIP/trunk-00000009", "1.9", "1.9")))
    await eventually(lambda: _uids(rec) == ["1.9"])


async def test_wrong_credentials_give_auth_failed_with_a_clear_reason(ami: FakeAmi, connect: Any) -> None:
    rec = Recorder()
    client = await connect(rec, secret="wrong")
    await eventually(lambda: client.state == "auth_failed")
    state, reason = rec.states[-1]
    assert state == "auth_failed"
    assert "refused AMI user 'callcenter'" in reason
    assert "CALLCENTER_AMI_SECRET" in reason
    assert "wrong" not in reason
    await asyncio.sleep(0.6)
    assert 2 <= ami.failed_logins <= 8  # retried with backoff, not a hot loop
    assert client.state == "auth_failed"


async def test_reconnects_after_a_drop_and_when_the_pbx_returns(ami: FakeAmi, connect: Any) -> None:
    rec = Recorder()
    client = await connect(rec)
    await eventually(lambda: client.state == "up")
    await ami.stop()
    await eventually(lambda: client.state == "down")
    await asyncio.sleep(0.5)
    await ami.start()
    await eventually(lambda: client.state == "up" and client.connections == 2)
    await ami.send(new_channel(Chan("PJSIP/trunk-00000005", "1.5", "1.5")))
    await eventually(lambda: _uids(rec) == ["1.5"])


async def test_actions_time_out_and_an_unanswered_ping_drops_a_half_open_link(ami: FakeAmi, connect: Any) -> None:
    rec = Recorder()
    client = await connect(rec, action_timeout=0.3, ping_interval=0.2)
    await eventually(lambda: client.state == "up")
    ami.answer_pings = False
    with pytest.raises(AmiTimeoutError, match="Ping got no answer"):
        await client.action({"Action": "Ping"}, limit=0.2)
    await eventually(lambda: client.connections >= 2, what="watchdog reconnect")
    ami.answer_pings = True


async def test_errors_lists_and_header_injection(ami: FakeAmi, connect: Any) -> None:
    client = await connect(Recorder())
    await eventually(lambda: client.state == "up")
    with pytest.raises(AmiActionError, match="Invalid/unknown command: Bogus"):
        await client.action({"Action": "Bogus"})
    ami.channels = [
        lambda aid: message([("Event", "CoreShowChannel"), ("ActionID", aid), ("Channel", "PJSIP/trunk-1"), ("Uniqueid", "1.1")])
    ]
    items = await client.list_action({"Action": "CoreShowChannels"})
    assert [i["Channel"] for i in items] == ["PJSIP/trunk-1"]
    with pytest.raises(TelephonyError, match="line break"):
        await client.action({"Action": "QueuePause", "Interface": "PJSIP/op101\r\nAction: Originate"})


async def test_originate_is_async_with_a_channel_id(ami: FakeAmi, connect: Any) -> None:
    rec = Recorder()
    client = await connect(rec)
    await eventually(lambda: client.state == "up")
    reply = await client.originate(
        channel="PJSIP/op101",
        channel_id="cid-1",
        action_id="cc-1",
        context="callcenter-callback",
        exten="380501234567",
        variables={"CC_APPEAL_ID": 5},
    )
    assert reply["Message"] == "Originate successfully queued"
    sent = ami.actions[-1]
    assert sent["Async"] == "true"
    assert sent["ChannelId"] == "cid-1"
    assert sent["Variable"] == "CC_APPEAL_ID=5"
    await eventually(lambda: any(f.get("Event") == "OriginateResponse" and f["ActionID"] == "cc-1" for f in rec.frames))


def test_backoff_is_exponential_capped_and_jittered() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, base=1.0, cap=30.0, rng=rng) for n in range(8)]
    assert 0.8 <= delays[0] <= 1.2
    assert 3.2 <= delays[2] <= 4.8
    assert all(d <= 36 for d in delays)
    assert len({round(d, 3) for d in delays[5:]}) == 3  # capped, but jittered
