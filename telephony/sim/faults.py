"""Fault injection: split writes, malformed frames, slow reads and writes, dropped connections, refused logins.

A fault spec is `name` or `name=value`, as given to `--fault` (repeatable) or the control interface:
`split` (split every write at random byte offsets, also inside UTF-8 characters and between CR and LF),
`split-max=N` (largest piece, default 7), `malformed=N` (a malformed frame after every N events),
`duplicate=N` (every Nth event sent twice), `slow-read=MS` (pause before handling each action), `slow-write=MS` (pause between written pieces),
`drop-after=S` (close every connection S seconds after start), `drop-every=S` (and again every S seconds),
`refuse-login` (every Login fails), `cut-list` (the connection drops in the middle of every event list, before `…Complete`), `deaf` (stop answering anything while keeping TCP open: a half-open link).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

MALFORMED_FRAMES = (
    b"this line has no colon\r\n\r\n",
    b"Event: \r\nPrivilege: call,all\r\n\xff\xfe broken utf-8\r\n\r\n",
    b"Privilege: call,all\r\nChannel: PJSIP/trunk-ffffffff\r\n\r\n",  # no Event, no Response
    b": empty key\r\nEvent:Newchannel\r\n\r\n",
)


class FaultSpecError(ValueError):
    """A `--fault` value the simulator does not know."""


@dataclass
class Faults:
    split: bool = False
    split_max: int = 7
    malformed: int = 0
    duplicate: int = 0
    slow_read: float = 0.0
    slow_write: float = 0.0
    drop_after: float | None = None
    drop_every: float | None = None
    refuse_login: bool = False
    cut_list: bool = False
    deaf: bool = False

    def apply(self, spec: str) -> None:
        """Apply one `name[=value]` spec; raises FaultSpecError with the list of known names."""
        name, _, value = spec.partition("=")
        attr = name.strip().replace("-", "_")
        known = {f.name: f for f in fields(self)}
        if attr not in known:
            names = ", ".join(sorted(n.replace("_", "-") for n in known))
            msg = f"unknown fault {name!r}; known faults: {names}"
            raise FaultSpecError(msg)
        try:
            if attr in ("split", "refuse_login", "deaf", "cut_list"):
                setattr(self, attr, value.strip().lower() not in ("0", "off", "false", "no"))
            elif attr in ("slow_read", "slow_write"):
                setattr(self, attr, float(value) / 1000.0)
            elif attr in ("split_max", "malformed", "duplicate"):
                setattr(self, attr, max(0, int(value)))
            else:
                setattr(self, attr, float(value) if value.strip() else None)
        except ValueError as exc:
            msg = f"fault {name!r} needs a number, got {value!r}"
            raise FaultSpecError(msg) from exc

    def pieces(self, data: bytes, rng: random.Random) -> list[bytes]:
        """The write split into random pieces of 1..split_max bytes (or whole, without `split`)."""
        if not self.split or len(data) <= 1:
            return [data]
        out, pos = [], 0
        while pos < len(data):
            step = rng.randint(1, max(1, self.split_max))
            out.append(data[pos : pos + step])
            pos += step
        return out


def parse_faults(specs: list[str]) -> Faults:
    faults = Faults()
    for spec in specs:
        faults.apply(spec)
    return faults
