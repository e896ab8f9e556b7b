"""Kept mutation verdicts: restored where mutmut has none, saved without timings, and the
survivors and unreached mutants named for another run."""

import json
from pathlib import Path

import pytest

from scripts import mutation_results


def _meta(codes: dict) -> dict:
    return {"exit_code_by_key": codes, "hash_by_function_name": {"f": "1"},
            "type_check_error_by_key": {}, "durations_by_key": {"m": 1.5},
            "estimated_durations_by_key": {"m": 2.0}}  # fmt: skip


def _write(path: Path, meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(meta), "utf-8")


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_kept_verdicts_fill_only_what_the_working_copy_lacks(here: Path) -> None:
    _write(here / "tests/mutation/worker/db/a.py.meta", _meta({"a__mutmut_1": 1}))
    _write(here / "tests/mutation/worker/db/b.py.meta", _meta({"b__mutmut_1": 1}))
    _write(here / "mutants/worker/db/b.py.meta", _meta({"b__mutmut_1": 0}))
    assert mutation_results.restore() == 1
    kept = json.loads((here / "mutants/worker/db/b.py.meta").read_text("utf-8"))
    assert kept["exit_code_by_key"] == {"b__mutmut_1": 0}  # the newer verdict stays


def test_saved_verdicts_drop_the_timings_and_load_back(here: Path) -> None:
    _write(here / "mutants/worker/db/a.py.meta", _meta({"a__mutmut_1": 1}))
    assert mutation_results.save() == 1
    saved = json.loads((here / "tests/mutation/worker/db/a.py.meta").read_text("utf-8"))
    assert saved == {**_meta({"a__mutmut_1": 1}), "durations_by_key": {}}


def test_survivors_and_unreached_mutants_are_named_again(here: Path) -> None:
    codes = {"f__mutmut_1": 1, "f__mutmut_2": 0, "f__mutmut_3": 33, "f__mutmut_4": None,
             "f__mutmut_5": 36}  # fmt: skip
    _write(here / "mutants/worker/db/a.py.meta", _meta(codes))
    assert mutation_results.redo() == ["f__mutmut_2", "f__mutmut_3"]
