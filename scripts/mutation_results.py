"""Mutation results kept in the repository: `restore` before a run, `save` after, `redo` names.

mutmut keeps its verdicts in mutants/**/*.meta, beside its working copy, and on a new run keeps
the verdict of every mutant whose function is unchanged (by hash). The whole set takes hours on
a small machine, so the verdicts are kept in tests/mutation/ and a fresh clone tests only what
changed since, or what `redo` names: survivors and mutants no test reached, after tests were
added.
"""

import json
import shutil
import sys
from pathlib import Path

from mutmut.stats import status_by_exit_code

WORKING = Path("mutants")
KEPT = Path("tests/mutation")
# Worth testing again once tests were added; a killed mutant stays killed.
REDO = ("survived", "no tests")


def restore() -> int:
    """Copy kept verdicts into mutants/ where it has none yet; how many files."""
    copied = 0
    for kept in sorted(KEPT.glob("worker/**/*.meta")):
        working = WORKING / kept.relative_to(KEPT)
        if not working.exists():
            working.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kept, working)
            copied += 1
    return copied


def save() -> int:
    """Copy mutants/'s verdicts to tests/mutation/, without per-mutant timings; how many."""
    saved = 0
    for working in sorted(WORKING.glob("worker/**/*.meta")):
        meta = json.loads(working.read_text("utf-8"))
        meta["durations_by_key"] = {}  # how long each took here: noise in a diff
        kept = KEPT / working.relative_to(WORKING)
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(meta, indent=0, sort_keys=True) + "\n", "utf-8")
        saved += 1
    return saved


def redo() -> list[str]:
    """Names of the mutants that survived or that no test reached."""
    names = []
    for working in sorted(WORKING.glob("worker/**/*.meta")):
        codes = json.loads(working.read_text("utf-8"))["exit_code_by_key"]
        names += [name for name, code in codes.items() if status_by_exit_code[code] in REDO]
    return names


def main(command: str) -> int:
    if command == "restore":
        print(f"{restore()} files of kept mutation results restored to {WORKING}/")
    elif command == "save":
        print(f"{save()} files of mutation results kept in {KEPT}/")
    elif command == "redo":
        print(" ".join(redo()))
    else:
        print("usage: python -m scripts.mutation_results restore|save|redo", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
