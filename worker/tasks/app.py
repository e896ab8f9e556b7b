"""The Celery application: `celery -A worker.tasks.app worker|beat`."""

import gc
import logging
from typing import Any

from celery.signals import worker_process_init

from config import providers
from config.celery import create_celery
from config.settings import get_settings
from worker.tasks import context

# A provider whose settings cannot work stops the worker at start, not its first send.
providers.check(get_settings())
app = create_celery(get_settings())
app.conf.imports = (
    "worker.tasks.campaigns",
    "worker.tasks.sending",
    "worker.tasks.polling",
    "worker.tasks.inbox",
)
logging.getLogger("worker").setLevel(get_settings().log_level)


@worker_process_init.connect
def _prepare_pool_process(**_: Any) -> None:
    """Warm the process's connections, then move everything loaded so far out of the
    garbage collector's sight.

    A pool process allocates many short-lived rows per task; each full collection then
    walked every module object loaded at start-up (measured: 15 % of applying a page).
    """
    try:
        context.warm()
        with app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1)
    except Exception as exc:  # the first task meets the same fault and reports it
        logging.getLogger(__name__).warning("pool process not warmed: %s", exc)
    gc.freeze()
