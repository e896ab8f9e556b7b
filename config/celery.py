"""The Celery configuration shared by workers, beat and producers (who send tasks by name)."""

from typing import Any

from celery import Celery
from kombu import Queue

from config import names
from config.settings import Settings

PROVIDERS = (names.PROVIDER_SENS,)


def _route(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **_: Any) -> Any:
    """Send tasks go to their provider's queue; the rest by role."""
    if name == names.TASK_SEND_BATCH:
        return {"queue": options.get("queue") or names.send_queue(names.PROVIDER_SENS)}
    if name in (names.TASK_POLL_RESULTS, names.TASK_SYNC_OPT_OUTS):
        return {"queue": names.QUEUE_POLL}
    return {"queue": names.QUEUE_PLAN}


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Periodic entries; each expires after one interval so a backlog never piles up."""
    poll_every = settings.poll.beat_interval_seconds
    release_every = settings.send.release_interval_seconds
    resend_every = settings.resend.beat_interval_seconds
    schedule = {
        "release-due-batches": {
            "task": names.TASK_RELEASE_DUE_BATCHES,
            "schedule": release_every,
            "options": {"queue": names.QUEUE_PLAN, "expires": release_every},
        },
        "resend-due": {
            "task": names.TASK_RESEND_DUE,
            "schedule": resend_every,
            "options": {"queue": names.QUEUE_PLAN, "expires": resend_every},
        },
    }
    for provider in PROVIDERS:
        schedule[f"sync-opt-outs-{provider}"] = {
            "task": names.TASK_SYNC_OPT_OUTS,
            "schedule": settings.opt_out_sync_seconds,
            "args": (provider,),
            "options": {"queue": names.QUEUE_POLL, "expires": settings.opt_out_sync_seconds},
        }
        schedule[f"poll-results-{provider}"] = {
            "task": names.TASK_POLL_RESULTS,
            "schedule": poll_every,
            "args": (provider,),
            "options": {"queue": names.QUEUE_POLL, "expires": poll_every},
        }
    return schedule


def create_celery(settings: Settings, main: str = "bulksms") -> Celery:
    """A Celery app with the project's queues, routes, delivery guarantees and beat entries."""
    app = Celery(main, broker=settings.broker_url)
    queues = [Queue(names.QUEUE_PLAN), Queue(names.QUEUE_POLL)]
    queues += [Queue(names.send_queue(p)) for p in PROVIDERS]
    app.conf.update(
        task_queues=queues,
        task_default_queue=names.QUEUE_PLAN,
        task_routes=(_route,),
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # At-least-once: a task is acknowledged only after it ran, and re-queued when its
        # worker dies; every task is idempotent (guarded UPDATEs), so a re-run is harmless.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_send_task_events=True,
        task_send_sent_event=True,
        broker_connection_retry_on_startup=True,
        # Long waits live in the database, not in ETAs, so this only bounds re-delivery
        # of a task whose worker vanished.
        broker_transport_options={"visibility_timeout": 3600},
        beat_schedule=beat_schedule(settings),
        timezone="UTC",
    )
    return app
