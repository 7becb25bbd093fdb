"""Which AMI class carries each event and which write class each action needs (ami.md §1.8, §4.1).

The simulator filters and authorises with these tables, and the configuration test checks `asterisk-config/
manager.conf` against the events and actions the listener uses, so the three cannot drift apart.
"""

from __future__ import annotations

EVENT_CLASS: dict[str, str] = {
    **dict.fromkeys(
        (
            "Newchannel",
            "Newstate",
            "NewCallerid",
            "NewConnectedLine",
            "Hangup",
            "HangupRequest",
            "SoftHangupRequest",
            "DialBegin",
            "DialState",
            "DialEnd",
            "BridgeCreate",
            "BridgeEnter",
            "BridgeLeave",
            "BridgeDestroy",
            "BlindTransfer",
            "AttendedTransfer",
            "LocalBridge",
            "OriginateResponse",
            "MixMonitorStart",
            "MixMonitorStop",
            "MusicOnHoldStart",
            "MusicOnHoldStop",
            "ChanSpyStart",
            "ChanSpyStop",
            "CEL",
        ),
        "call",
    ),
    **dict.fromkeys(
        (
            "QueueCallerJoin",
            "QueueCallerLeave",
            "QueueCallerAbandon",
            "AgentCalled",
            "AgentRingNoAnswer",
            "AgentConnect",
            "AgentComplete",
            "AgentDump",
            "QueueMemberStatus",
            "QueueMemberPause",
            "QueueMemberAdded",
            "QueueMemberRemoved",
        ),
        "agent",
    ),
    "UserEvent": "user",
    "FullyBooted": "system",
    "Shutdown": "system",
    "Cdr": "cdr",
    "Newexten": "dialplan",
    "VarSet": "dialplan",
}
# list items answer an action: no class, they go to whoever asked
LIST_ITEMS = frozenset({"QueueParams", "QueueMember", "QueueEntry", "QueueSummary", "CoreShowChannel", "Status"})
ACTION_WRITE: dict[str, frozenset[str]] = {
    "login": frozenset(),
    "logoff": frozenset(),
    "challenge": frozenset(),
    "ping": frozenset(),
    "events": frozenset(),
    "queuestatus": frozenset(),
    "queuesummary": frozenset(),
    "coreshowchannels": frozenset({"system", "reporting"}),
    "originate": frozenset({"originate"}),
    "queuepause": frozenset({"agent"}),
    "queueadd": frozenset({"agent"}),
    "queueremove": frozenset({"agent"}),
    "hangup": frozenset({"system", "call"}),
    "command": frozenset({"command"}),
}
# what the listener sends (telephony/ami.py, listener.py, commands.py)
LISTENER_ACTIONS = ("Login", "Ping", "Events", "CoreShowChannels", "QueueStatus", "Originate", "QueuePause", "QueueAdd", "QueueRemove")
