"""SQLModel tables, the engine, migrations and every query the workers and producer run."""
