"""Thin Celery tasks: take ids, call a service, publish what it planned."""
