"""The folder of a SQLite file is made before its first use, and nothing for other databases."""

from pathlib import Path

import pytest

from worker.db.engine import ensure_sqlite_directory


def test_a_sqlite_file_gets_every_missing_folder_above_it(tmp_path: Path) -> None:
    ensure_sqlite_directory(f"sqlite:///{tmp_path / 'var' / 'db' / 'bulksms.db'}")
    assert (tmp_path / "var" / "db").is_dir()
    assert not (tmp_path / "var" / "db" / "bulksms.db").exists()  # SQLite makes the file


def test_no_folder_is_made_for_another_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative path would land here
    ensure_sqlite_directory("postgresql://bulksms@db/data/bulksms")
    assert list(tmp_path.iterdir()) == []
