"""Command line: `python -m simulator sens --port 8090 ...` (console script bulksms-simulator)."""

import argparse
import logging
import sys
from collections.abc import Callable

from simulator.config import SimConfig, default_config
from simulator.sens.faults import FaultSettings, updated
from simulator.server import serve_forever


def build_parser() -> argparse.ArgumentParser:
    """The CLI flags; service id, keys, host and port default to get_settings().sens."""
    base = default_config()
    fault = FaultSettings()
    parser = argparse.ArgumentParser(prog="bulksms-simulator", description=__doc__)
    parser.add_argument("provider", nargs="?", default="sens", choices=["sens"])
    parser.add_argument("--host", default=base.host)
    parser.add_argument("--port", type=int, default=base.port)
    parser.add_argument("--service-id", default=base.service_id)
    parser.add_argument("--access-key", default=base.access_key)
    parser.add_argument("--secret-key", default=base.secret_key)
    parser.add_argument("--seed", type=int, default=fault.seed)
    parser.add_argument("--complete-delay", type=float, default=fault.complete_delay)
    for name in ("rate-429", "rate-5xx", "slow-rate", "slow-seconds", "pending-rate"):
        parser.add_argument(f"--{name}", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=float, default=0.0, help="Sends/s; 0: no limit.")
    parser.add_argument("--rate-burst", type=float, default=0.0, help="Burst of --rate-limit.")
    parser.add_argument(
        "--recover-after",
        type=int,
        default=fault.recover_after,
        help="transient codes succeed from this attempt on (0: never)",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The SimConfig the parsed flags describe; ValueError names an out-of-range fault flag."""
    names = ("seed", "complete_delay", "rate_429", "rate_5xx", "slow_rate", "slow_seconds")
    extra = ("pending_rate", "recover_after", "rate_limit", "rate_burst")
    changes = {name: getattr(args, name) for name in (*names, *extra)}
    faults = updated(FaultSettings(), changes)
    return SimConfig(
        args.host, args.port, args.service_id, args.access_key, args.secret_key, faults
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
