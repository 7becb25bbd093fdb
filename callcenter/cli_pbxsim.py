"""`callcenter pbx-sim`: the PBX simulator as a process (AMI on --port, optional HTTP control on --control-port)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from runtime.log import configure_logging
from telephony.sim.control import serve_control
from telephony.sim.faults import FaultSpecError, parse_faults
from telephony.sim.scenario import SCENARIOS, run_scenario
from telephony.sim.server import AMI_VERSION, SimConfig, Simulator
from telephony.sim.settings import get_pbx_sim_settings

MAX_OPERATORS = 400  # a large municipal center's floor: the console benchmark runs 190


def build_config(args: argparse.Namespace) -> SimConfig:
    """SimConfig from CALLCENTER_ settings, overridden by the command-line options."""
    sim = get_pbx_sim_settings()
    recordings = args.recordings_dir if args.recordings_dir is not None else sim.recordings_dir
    return SimConfig(
        username=sim.ami_username,
        secret=sim.ami_secret.get_secret_value(),
        version=args.ami_version,
        speed=args.speed,
        operators=args.operators,
        recordings_dir=Path(recordings),
        cdr_database_url=args.cdr_database_url if args.cdr_database_url is not None else sim.cdr_database_url,
        replay=args.replay,
        trace_file=args.trace_file,
        trace_events=frozenset(args.trace_event or ["AgentCalled"]),
    )


async def serve(args: argparse.Namespace) -> int:
    settings = get_pbx_sim_settings()
    try:
        faults = parse_faults(args.fault or [])
    except FaultSpecError as exc:
        sys.stderr.write(f"callcenter pbx-sim: {exc}\n")
        return 2
    try:
        sim = Simulator(build_config(args), faults=faults)
    except ArgumentError as exc:
        sys.stderr.write(f"callcenter pbx-sim: invalid CDR database URL: {exc}\n")
        return 2
    except SQLAlchemyError as exc:
        sys.stderr.write(f"callcenter pbx-sim: cannot open the CDR database: {type(exc).__name__}: {str(exc).splitlines()[0]}\n")
        return 1
    port = args.port if args.port is not None else settings.pbx_sim_port
    rate = args.rate if args.rate is not None else settings.pbx_sim_rate
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await sim.start(args.host, port)
    except OSError as exc:
        sys.stderr.write(f"callcenter pbx-sim: cannot listen on {args.host}:{port}: {exc.strerror}\n")
        await sim.close()
        return 1
    control: Any = None
    if args.control_port:
        try:
            control = await serve_control(sim, args.host, args.control_port)
        except OSError as exc:
            sys.stderr.write(f"callcenter pbx-sim: cannot listen on {args.host}:{args.control_port} (control): {exc.strerror}\n")
            await sim.close()
            return 1
    scenario = sim.spawn(run_scenario(sim, args.scenario, rate, seed=args.seed))
    try:
        await stop.wait()
    finally:
        scenario.cancel()
        if control is not None:
            control.close()
        await sim.close()
    return 0


def _cmd_pbx_sim(args: argparse.Namespace) -> int:
    configure_logging(get_pbx_sim_settings().log_level)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(args))
    return 0


def _replay_path(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such capture file: {value}")
    return path


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return number


def _operators(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_OPERATORS:
        raise argparse.ArgumentTypeError(f"must be 1..{MAX_OPERATORS} (phones PJSIP/op101…op{100 + MAX_OPERATORS}), got {value}")
    return number


def add_commands(sub: Any) -> None:
    parser = sub.add_parser("pbx-sim", help="run the PBX simulator: a TCP server speaking Asterisk 20's AMI, generating calls")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (AMI and control)")
    parser.add_argument("--port", type=int, help="AMI port (default CALLCENTER_PBX_SIM_PORT, 5038)")
    parser.add_argument(
        "--scenario", default="mixed", choices=SCENARIOS, help="generated traffic (default mixed; none = only controlled calls)"
    )
    parser.add_argument("--rate", type=float, help="calls per simulated minute (default CALLCENTER_PBX_SIM_RATE)")
    parser.add_argument("--speed", type=_positive, default=1.0, help="simulated seconds per real second (default 1)")
    parser.add_argument("--operators", type=_operators, default=4, help="operator phones PJSIP/op101… (default 4)")
    parser.add_argument("--replay", type=_replay_path, help="send this .ami capture verbatim to every client after login")
    parser.add_argument("--cdr-database-url", help="write Asterisk CDR rows (table cdr) here (default CALLCENTER_CDR_DATABASE_URL)")
    parser.add_argument("--recordings-dir", type=Path, help="write stereo recordings here (default CALLCENTER_RECORDINGS_DIR)")
    parser.add_argument(
        "--fault",
        action="append",
        help="fault injection, repeatable: split, split-max=N, malformed=N, duplicate=N, slow-read=MS, slow-write=MS, drop-after=S, drop-every=S, refuse-login, cut-list, deaf",
    )
    parser.add_argument("--control-port", type=int, default=0, help="HTTP/JSON control interface port (0 = off); see docs/pbx-sim.md")
    parser.add_argument("--ami-version", default=AMI_VERSION, help=f"AMI version in the banner (default {AMI_VERSION}, Asterisk 20)")
    parser.add_argument("--seed", type=int, help="random seed of the scenario (reproducible traffic)")
    parser.add_argument(
        "--trace-file", type=Path, help="append a JSON line per traced event frame written to a client: when (epoch s), peer, ids"
    )
    parser.add_argument("--trace-event", action="append", help="an event to trace, repeatable (default AgentCalled)")
    parser.set_defaults(func=_cmd_pbx_sim)
