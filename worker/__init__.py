"""Workers: Celery tasks over services, providers, the database and pure domain code."""
