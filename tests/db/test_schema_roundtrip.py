"""Every migration goes down as well as up: a database taken to base holds no table of ours."""

from pathlib import Path

from sqlalchemy import inspect

from worker.db import migrate
from worker.db.engine import get_engine


def test_down_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    engine = get_engine(url)
    made = set(inspect(engine).get_table_names())
    assert {"campaign", "batch", "recipient", "inbox_event", "api_key"} <= made
    migrate.downgrade(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert set(inspect(engine).get_table_names()) == made
