"""Command line: `python -m simulator {sens,nhn,apiplex} --port N ...` (bulksms-simulator)."""

import argparse
import logging
import sys
from collections.abc import Callable
from typing import Any

from simulator.apiplex import cli as apiplex_cli
from simulator.config import DEFAULT_PORTS, PROVIDERS, SimConfig, default_config
from simulator.core.faults import FaultSettings, updated
from simulator.nhn.faults import NhnFaultSettings
from simulator.server import serve_forever

COMMON_FAULTS = (
    "seed",
    "complete_delay",
    "rate_429",
    "rate_5xx",
    "slow_rate",
    "slow_seconds",
    "pending_rate",
    "recover_after",
    "rate_limit",
    "rate_burst",
    "lost_rate",
    "lost_seconds",
)
NHN_FAULTS = ("refuse_rate", "webhook_duplicate_rate", "webhook_shuffle")
RATE_FLAGS = ("rate-429", "rate-5xx", "slow-rate", "slow-seconds", "pending-rate", "lost-rate")


def _fault_flags(parser: argparse.ArgumentParser) -> None:
    fault = NhnFaultSettings()
    group = parser.add_argument_group("faults (also POST /_sim/faults)")
    group.add_argument("--seed", type=int, default=fault.seed)
    group.add_argument("--complete-delay", type=float, default=fault.complete_delay)
    for name in RATE_FLAGS:
        group.add_argument(f"--{name}", type=float, default=0.0)
    group.add_argument("--lost-seconds", type=float, default=fault.lost_seconds)
    group.add_argument("--rate-limit", type=float, default=0.0, help="Sends/s; 0: no limit.")
    group.add_argument("--rate-burst", type=float, default=0.0, help="Burst of --rate-limit.")
    group.add_argument(
        "--recover-after",
        type=int,
        default=fault.recover_after,
        help="transient codes succeed from this attempt on (0: never)",
    )
    group.add_argument("--refuse-rate", type=float, default=0.0, help="NHN: -2019 share")
    group.add_argument("--webhook-duplicate-rate", type=float, default=0.0, help="NHN, API PLEX")
    group.add_argument("--webhook-shuffle", action="store_true", help="NHN, API PLEX")


def _nhn_flags(parser: argparse.ArgumentParser) -> None:
    base = default_config("nhn")
    group = parser.add_argument_group("NHN Cloud SMS")
    group.add_argument("--app-key", default=base.app_key)
    group.add_argument(
        "--registered-senders",
        default="",
        help="comma-separated sendNo list (default: every 8-13 digit number is registered)",
    )
    group.add_argument("--webhook-url", default=None)
    group.add_argument("--webhook-signature", default="")
    group.add_argument("--webhook-retries", type=int, default=base.webhook_retries)
    group.add_argument("--webhook-backoff", type=float, default=base.webhook_backoff_seconds)
    group.add_argument("--file-ttl-seconds", type=float, default=base.file_ttl_seconds)


def build_parser() -> argparse.ArgumentParser:
    """The CLI flags; every default is the simulator's own (simulator.config)."""
    base = default_config()
    parser = argparse.ArgumentParser(prog="bulksms-simulator", description=__doc__)
    parser.add_argument("provider", nargs="?", default="sens", choices=list(PROVIDERS))
    parser.add_argument("--host", default=base.host)
    ports = ", ".join(f"{name} {port}" for name, port in DEFAULT_PORTS.items())
    parser.add_argument("--port", type=int, default=None, help=f"default: {ports}")
    parser.add_argument("--secret-key", default=base.secret_key)
    sens = parser.add_argument_group("NAVER Cloud SENS")
    sens.add_argument("--service-id", default=base.service_id)
    sens.add_argument("--access-key", default=base.access_key)
    _nhn_flags(parser)
    apiplex_cli.add_flags(parser)
    _fault_flags(parser)
    parser.add_argument("--log-level", default="INFO")
    return parser


def _faults(args: argparse.Namespace) -> FaultSettings:
    if args.provider == "apiplex":
        return apiplex_cli.fault_settings(args, COMMON_FAULTS)
    if args.provider == "nhn":
        names: tuple[str, ...] = (*COMMON_FAULTS, *NHN_FAULTS)
        return updated(NhnFaultSettings(), {name: getattr(args, name) for name in names})
    return updated(FaultSettings(), {name: getattr(args, name) for name in COMMON_FAULTS})


def _nhn_fields(args: argparse.Namespace) -> dict[str, Any]:
    senders = tuple(s.strip() for s in args.registered_senders.split(",") if s.strip())
    return {
        "app_key": args.app_key,
        "registered_senders": senders,
        "webhook_url": args.webhook_url,
        "webhook_signature": args.webhook_signature,
        "webhook_retries": args.webhook_retries,
        "webhook_backoff_seconds": args.webhook_backoff,
        "file_ttl_seconds": args.file_ttl_seconds,
    }


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The SimConfig the parsed flags describe; ValueError names an out-of-range fault flag."""
    return SimConfig(
        host=args.host,
        port=args.port,
        service_id=args.service_id,
        access_key=args.access_key,
        secret_key=args.secret_key,
        faults=_faults(args),
        provider=args.provider,
        api_key=args.api_key,
        **_nhn_fields(args),
    )


def _ready(provider: str) -> Callable[[str], None]:
    def announce(url: str) -> None:
        print(f"simulator {provider} listening on {url}", flush=True)

    return announce


def main(argv: list[str] | None = None) -> int:
    """Parse flags, serve until SIGTERM/SIGINT, return the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    try:
        config = config_from_args(args)
    except ValueError as exc:
        build_parser().error(str(exc))
    serve_forever(config, ready=_ready(args.provider))
    return 0


if __name__ == "__main__":
    sys.exit(main())
