"""Create or upgrade the schema with alembic: an explicit command, never an import side effect."""

from importlib import resources

from alembic import command
from alembic.config import Config

from worker.db.engine import ensure_sqlite_directory


def alembic_config(url: str) -> Config:
    """An alembic configuration pointing at the packaged migrations and `url`."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("worker.db") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Take the database at `url` down to `revision` (tests use this to start clean)."""
    command.downgrade(alembic_config(url), revision)
