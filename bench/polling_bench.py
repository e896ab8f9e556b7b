"""Polling cost: list calls to learn 5,000 recipients' results, by requestId vs by sweep.

.venv/bin/python -m bench.polling_bench [--recipients 5000]

One campaign per mode, sent in-process to a simulator thread whose messages complete 1–5 s
after acceptance (as a carrier's reports trickle in), then polled every 0.5 s until every
recipient is final. Counts come from the poll_round table the poller writes.
"""

import argparse
import time
from datetime import timedelta

from sqlalchemy import Engine, func, select

from bench.support import fresh_schema
from config.settings import PollSettings, ResendSettings, SendSettings
from producer.campaigns import create_campaign
from producer.sources import NumberList
from producer.spec import CampaignSpec
from scripts.simulated import sens_settings, simulated_settings
from simulator.config import SimConfig
from simulator.sens.faults import FaultSettings
from simulator.server import start_in_thread
from worker.db.engine import get_engine
from worker.db.models import Batch, PollRound
from worker.domain.statuses import BatchStatus
from worker.providers.sens.client import SensClient
from worker.services.dispatch import Dispatcher
from worker.services.planning import plan_campaign
from worker.services.polling import Poller
from worker.services.publishing import SendJob

MODES = ("request_id", "sweep", "auto")
POLL = dict(first_delay_seconds=1.0, backoff_seconds=[1.0, 2.0, 4.0], batches_per_round=1000)


def run(mode: str, recipients: int, overlap: float) -> dict[str, float]:
    """Send one campaign and poll it to the end in `mode`; the calls and rounds it took."""
    faults = FaultSettings(seed=3, complete_delay=3.0)
    with fresh_schema() as url, start_in_thread(SimConfig(port=0, faults=faults)) as sim:
        engine = get_engine(url)
        client = SensClient(sens_settings(sim.base_url))
        campaign_id = _send(engine, url, client, recipients)
        poller = Poller(
            engine, client, PollSettings(mode=mode, **POLL), ResendSettings(max_attempts=1)
        )
        started = time.monotonic()
        while _open(engine, campaign_id) and time.monotonic() - started < 120:
            poller.poll_due()
            time.sleep(0.5)
        with engine.connect() as conn:
            calls, rounds = conn.execute(select(func.sum(PollRound.calls), func.count())).one()
        engine.dispose()
    return {"calls": calls or 0, "rounds": rounds, "seconds": time.monotonic() - started}


def _send(engine: Engine, url: str, client: SensClient, recipients: int) -> int:
    numbers = [f"0107{i:07d}" for i in range(recipients)]
    spec = CampaignSpec(name="poll bench", sender="0212345678", template="polling bench")
    campaign_id = create_campaign(
        spec, NumberList(numbers), simulated_settings(database_url=url), enqueue=False
    ).campaign_id
    published: list[SendJob] = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    dispatcher = Dispatcher(engine, client, SendSettings(), PollSettings(**POLL))
    for job in published:
        dispatcher.send_batch(job.batch_id)
    return campaign_id


def _open(engine: Engine, campaign_id: int) -> int:
    """Batches still awaiting their results."""
    query = select(func.count()).where(
        Batch.campaign_id == campaign_id, Batch.status == BatchStatus.ACCEPTED.value
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def main() -> None:
    """Print the list calls each mode spent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--overlap", type=float, default=10.0, help="sweep overlap, seconds")
    args = parser.parse_args()
    head = f"{'mode':<11} {'list calls':>10} {'rounds':>7} {'seconds':>8}"
    print(f"{head}   ({args.recipients:,} recipients, sweep overlap {args.overlap:g} s)")
    for mode in MODES:
        r = run(mode, args.recipients, args.overlap)
        print(f"{mode:<11} {r['calls']:>10,} {r['rounds']:>7} {r['seconds']:>8.1f}")


if __name__ == "__main__":
    main()
