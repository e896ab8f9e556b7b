"""The API PLEX flags of `bulksms-simulator apiplex` and the fault settings they make."""

import argparse

from simulator.apiplex.faults import ApiplexFaultSettings
from simulator.config import default_config
from simulator.core.faults import updated

# The webhook faults besides --webhook-duplicate-rate and --webhook-shuffle (shared with NHN).
FAULTS = (
    "webhook_duplicate_rate",
    "webhook_shuffle",
    "webhook_late_pending_rate",
    "webhook_burst_seconds",
)


def add_flags(parser: argparse.ArgumentParser) -> None:
    """--api-key and the API PLEX-only webhook faults (--webhook-url: the NHN group's)."""
    group = parser.add_argument_group("API PLEX GMS v2 (webhook: --webhook-url, --webhook-*)")
    group.add_argument("--api-key", default=default_config("apiplex").api_key)
    group.add_argument(
        "--webhook-late-pending-rate",
        type=float,
        default=0.0,
        help="API PLEX: share of messages whose PENDING record comes after the final one",
    )
    group.add_argument(
        "--webhook-burst-seconds",
        type=float,
        default=0.0,
        help="API PLEX: hold records, release all held once the oldest waited this long",
    )


def fault_settings(args: argparse.Namespace, common: tuple[str, ...]) -> ApiplexFaultSettings:
    """The API PLEX fault settings the parsed flags describe (ValueError when out of range)."""
    names = (*common, *FAULTS)
    return updated(ApiplexFaultSettings(), {name: getattr(args, name) for name in names})
