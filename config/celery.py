"""The Celery configuration shared by workers, beat and producers (who send tasks by name)."""

from typing import Any

from celery import Celery
from kombu import Exchange, Queue

from config import broker, names, providers
from config.settings import Settings


def _route(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **_: Any) -> Any:
    """Send tasks go to their provider's queue (the second argument); the rest by role."""
    if name == names.TASK_SEND_BATCH:
        return {"queue": options.get("queue") or names.send_queue(args[1])}
    if name in (
        names.TASK_POLL_RESULTS,
        names.TASK_POLL_BATCHES,
        names.TASK_SYNC_OPT_OUTS,
        names.TASK_RECONCILE_SENDS,
        names.TASK_APPLY_INBOX,
    ):
        return {"queue": names.QUEUE_POLL}
    return {"queue": names.QUEUE_PLAN}


def _tick(task: str, every: float, queue: str, *args: str) -> dict[str, Any]:
    """A beat entry that expires after one interval, so a backlog never piles up."""
    return {
        "task": task,
        "schedule": every,
        "args": args,
        "options": {"queue": queue, "expires": every},
    }


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Periodic entries: releases and re-sends, and per offered provider its polls and 080 list."""
    schedule = {
        "release-due-batches": _tick(
            names.TASK_RELEASE_DUE_BATCHES, settings.send.release_interval_seconds, names.QUEUE_PLAN
        ),
        "resend-due": _tick(
            names.TASK_RESEND_DUE, settings.resend.beat_interval_seconds, names.QUEUE_PLAN
        ),
    }
    for entry in providers.offered(settings):
        schedule[f"reconcile-sends-{entry.name}"] = _tick(
            names.TASK_RECONCILE_SENDS, settings.send.release_interval_seconds, names.QUEUE_POLL,
            entry.name,
        )  # fmt: skip
        can = entry.capabilities
        if can.webhooks and providers.receives_webhooks(settings, entry.name):
            schedule[f"apply-inbox-{entry.name}"] = _tick(
                names.TASK_APPLY_INBOX, settings.service.inbox_interval_seconds,
                names.QUEUE_POLL, entry.name,
            )  # fmt: skip
        if can.opt_out_list:
            schedule[f"sync-opt-outs-{entry.name}"] = _tick(
                names.TASK_SYNC_OPT_OUTS,
                settings.opt_out_sync_seconds,
                names.QUEUE_POLL,
                entry.name,
            )
        # Every provider's round expires what passed its deadline; one that cannot be asked
        # (API PLEX: webhooks only) does nothing else.
        schedule[f"poll-results-{entry.name}"] = _tick(
            names.TASK_POLL_RESULTS, settings.poll.beat_interval_seconds, names.QUEUE_POLL,
            entry.name,
        )  # fmt: skip
    return schedule


def queues() -> list[Queue]:
    """Every queue, durable, bound by its own name to one durable direct exchange. Tasks are
    published by queue name through the default exchange, so each lands in its queue alone."""
    exchange = Exchange(names.EXCHANGE, type="direct", durable=True)
    named = [names.QUEUE_PLAN, names.QUEUE_POLL, *(entry.queue for entry in providers.ENTRIES)]
    return [Queue(name, exchange, routing_key=name, durable=True) for name in named]


def create_celery(settings: Settings, main: str = "bulksms") -> Celery:
    """A Celery app with the project's queues, routes, delivery guarantees and beat entries."""
    app = Celery(main, broker=settings.broker_url)
    app.conf.update(
        task_queues=queues(),
        task_default_queue=names.QUEUE_PLAN,
        task_routes=(_route,),
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # At-least-once: a task is acknowledged only after it ran, and re-queued when its
        # worker dies; every task is idempotent (guarded UPDATEs), so a re-run is harmless.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Four tasks per pool process wait in the worker, so a process never idles while the
        # next message is fetched (measured: a third of a send process's time at prefetch 1).
        # Unacknowledged, they return to the queue if the worker dies.
        worker_prefetch_multiplier=4,
        # Task events cost the worker a broker publish per task state; Flower turns them on
        # while it runs (it enables events periodically), so they cost only when watched.
        worker_send_task_events=False,
        task_send_sent_event=False,
        broker_connection_retry_on_startup=True,
        # Persistent messages in durable queues: a RabbitMQ restart keeps every queued task.
        task_default_delivery_mode="persistent",
        broker_transport_options=broker.transport_options(settings.broker_url),
        beat_schedule=beat_schedule(settings),
        timezone="UTC",
    )
    return app
