"""The Celery application: `celery -A worker.tasks.app worker|beat`."""

import logging

from config import providers
from config.celery import create_celery
from config.settings import get_settings

# A provider whose settings cannot work stops the worker at start, not its first send.
providers.check(get_settings())
app = create_celery(get_settings())
app.conf.imports = ("worker.tasks.campaigns", "worker.tasks.sending", "worker.tasks.polling")
logging.getLogger("worker").setLevel(get_settings().log_level)
