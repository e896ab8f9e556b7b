"""Typed settings, queue and task names, and the Celery configuration."""
