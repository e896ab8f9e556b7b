"""INSERT … ON CONFLICT DO NOTHING for both PostgreSQL and SQLite."""

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflicts(
    conn: Connection, table: Any, index_elements: list[str] | None = None
) -> Any:
    """An insert into `table` that skips rows violating a unique constraint (only the one on
    `index_elements` when given: any other violation still fails)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=index_elements)
