"""Campaign tasks: plan a campaign into batches; publish batches whose send is due."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from config.names import (
    QUEUE_PLAN,
    TASK_CANCEL_CAMPAIGN,
    TASK_PLAN_CAMPAIGN,
    TASK_RELEASE_DUE_BATCHES,
    TASK_RESEND_DUE,
)
from worker.domain.routing import choose, need_of
from worker.health.rules import BreakerState
from worker.services.cancelling import cancel_campaign, stop_leftovers
from worker.services.failover import fail_over, routed_next
from worker.services.planning import plan_campaign
from worker.services.release import (
    hand_lapsed_to_lookup,
    mark_all_sent,
    release_due_batches,
    requeue_stale_campaigns,
    start_due_campaigns,
    stop_abandoned_imports,
)
from worker.services.resending import resend_due
from worker.tasks import context, locks
from worker.tasks.app import app
from worker.tasks.publish import empty_queues, idle_providers, publish_batches


@app.task(name=TASK_PLAN_CAMPAIGN)
def plan_campaign_task(campaign_id: int) -> int:
    """Cut the campaign into batches and publish them; safe to run twice."""
    settings = context.settings()
    return plan_campaign(
        context.engine(),
        campaign_id,
        batch_size=context.batch_size,
        regrace=timedelta(seconds=settings.send.republish_after_seconds),
        publish=publish_batches,
        route=_route,
    )


def _route(campaign: Any, message_type: str) -> str | None:
    """A pinned campaign's provider, or for `auto` the first able and healthy one."""
    need = need_of(campaign, message_type)
    return choose(campaign.provider, context.route_order(), need, context.healthy)


# A campaign still queued this long after its plan task was sent lost that task; sooner
# (send.republish_after_seconds) once the plan queue is empty.
STALE_QUEUED = timedelta(minutes=2)


@app.task(name=TASK_RELEASE_DUE_BATCHES)
def release_due_batches_task() -> int:
    """Beat: publish batches whose retry wait ended or whose task was lost; hand batches
    that outlived their send lease to the lookup."""
    send = context.settings().send
    regrace = timedelta(seconds=send.republish_after_seconds)
    _publish_plans(start_due_campaigns(context.engine()))
    empty = empty_queues()
    stale = regrace if empty is not None and QUEUE_PLAN in empty else STALE_QUEUED
    requeue_stale_campaigns(context.engine(), stale, _publish_plans)
    hand_lapsed_to_lookup(context.engine(), timedelta(seconds=send.lookup_delay_seconds))
    stop_leftovers(context.engine())
    silence = timedelta(seconds=send.import_silence_seconds)
    stop_abandoned_imports(context.engine(), silence, _publish_cancels)
    _fail_over(regrace)
    mark_all_sent(context.engine())
    return release_due_batches(context.engine(), regrace, publish_batches, idle_providers(empty))


def _fail_over(regrace: timedelta) -> None:
    """Unsent batches of auto campaigns on a provider whose breaker is open move on."""
    pick = routed_next(context.route_order(), context.healthy)
    for provider in context.route_order():
        if context.breaker(provider).health().state is BreakerState.OPEN:
            fail_over(context.engine(), provider, pick, context.batch_size, regrace,
                      publish_batches)  # fmt: skip


def _publish_cancels(campaign_ids: Sequence[int]) -> None:
    for campaign_id in campaign_ids:
        cancel_campaign_task.apply_async(args=(campaign_id,), queue=QUEUE_PLAN)


def _publish_plans(campaign_ids: Sequence[int]) -> None:
    for campaign_id in campaign_ids:
        plan_campaign_task.apply_async(args=(campaign_id,), queue=QUEUE_PLAN)


# A re-send round that outlives this is assumed dead and its lock lapses.
RESEND_LOCK_SECONDS = 300


@app.task(name=TASK_RESEND_DUE)
def resend_due_task() -> int:
    """Beat: batch recipients whose re-send wait ended; one round at a time."""
    with locks.held("resend", RESEND_LOCK_SECONDS) as acquired:
        if not acquired:
            return 0
        settings = context.settings()
        regrace = timedelta(seconds=settings.send.republish_after_seconds)
        return resend_due(
            context.engine(), context.batch_size, regrace, publish_batches, route=_route
        )


@app.task(name=TASK_CANCEL_CAMPAIGN)
def cancel_campaign_task(campaign_id: int) -> int:
    """Stop a campaign's unsent recipients and withdraw its pending reservations."""
    done = cancel_campaign(context.engine(), context.client, campaign_id)
    return done.recipients if done else 0
