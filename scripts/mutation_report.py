"""Mutation score per module from mutmut's results (mutants/**/*.meta), targets and survivors."""

import fnmatch
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

from scripts.mutation_results import KEPT, WORKING

# Share of mutants the tests must detect, per module; the first folder that holds a file wins,
# so the provider packages come before the providers' top-level modules.
TARGETS = {
    "worker/db": 0.85,
    "worker/domain": 0.85,
    "worker/ratelimit": 0.85,
    "worker/services": 0.75,
    "worker/providers/sens": 0.75,
    "worker/providers/nhn": 0.75,
    "worker/providers/apiplex": 0.75,
    "worker/providers": 0.75,
}
# mutmut's own score counts a timeout as detected: the mutant hung the test that ran it.
DETECTED = ("killed", "timeout")
UNSCORED = ("not checked", "skipped")


@dataclass
class Module:
    """The verdicts of one module's mutants and the names (and files) of its survivors."""

    name: str
    target: float
    counts: Counter[str] = field(default_factory=Counter)
    survivors: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(n for status, n in self.counts.items() if status not in UNSCORED)

    @property
    def detected(self) -> int:
        return sum(self.counts[status] for status in DETECTED)

    @property
    def score(self) -> float:
        return self.detected / self.total if self.total else 0.0


def module_of(source: Path) -> str | None:
    """The module (a key of TARGETS) that `source` counts towards."""
    for name in TARGETS:
        folder = Path(name)
        if source.parent == folder or (name != "worker/providers" and folder in source.parents):
            return name
    return None


def verdicts(patterns: Sequence[str]) -> Iterator[tuple[str, Path, str]]:
    """(mutant, source file, status) of every mutant whose name matches one of `patterns`;
    from the kept results (tests/mutation) where mutmut's working copy holds none."""
    root = WORKING if any(WORKING.glob("worker/**/*.py.meta")) else KEPT
    for meta in sorted(root.glob("worker/**/*.py.meta")):
        source = meta.relative_to(root).with_suffix("")
        exit_codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        for name, code in exit_codes.items():
            if not patterns or any(fnmatch.fnmatch(name, p) for p in patterns):
                yield name, source, status_by_exit_code[code]


def collect(patterns: Sequence[str]) -> list[Module]:
    """The modules with at least one mutant matching `patterns`, in the order of TARGETS."""
    modules = {name: Module(name, target) for name, target in TARGETS.items()}
    for mutant, source, status in verdicts(patterns):
        name = module_of(source)
        if name is None:
            continue
        modules[name].counts[status] += 1
        if status == "survived":
            modules[name].survivors.append((mutant, source))
    return [module for module in modules.values() if module.counts]


def one_line_diff(mutant: str, source: Path) -> str:
    """The mutated line before and after, e.g. `- if a > b:  → + if a >= b:`."""
    try:
        diff = get_diff_for_mutant(mutant, path=source).splitlines()
    except (OSError, ValueError) as error:
        return f"(no diff: {error})"
    removed = [line[1:].strip() for line in diff if line[:1] == "-" and line[:3] != "---"]
    added = [line[1:].strip() for line in diff if line[:1] == "+" and line[:3] != "+++"]
    return f"- {' | '.join(removed)}  → + {' | '.join(added)}"


def print_scores(modules: Sequence[Module]) -> None:
    columns = f"{'survived':>8} {'timeout':>8} {'no tests':>8} {'other':>6} {'unrun':>6}"
    print(f"{'module':26} {'detected/total':>15} {'score':>7} {'target':>7} {columns}  verdict")
    for m in modules:
        known = sum(m.counts[s] for s in ("killed", "survived", "timeout", "no tests", *UNSCORED))
        other = sum(m.counts.values()) - known
        verdict = "holds" if m.score >= m.target else "does not hold"
        print(
            f"{m.name:26} {f'{m.detected}/{m.total}':>15} {m.score:>7.1%} {m.target:>7.0%}"
            f" {m.counts['survived']:>8} {m.counts['timeout']:>8} {m.counts['no tests']:>8}"
            f" {other:>6} {m.counts['not checked']:>6}  {verdict}"
        )


def _order(mutant: str) -> tuple[str, int]:
    """By function, then by mutant number (7 before 15)."""
    function, _, number = mutant.rpartition("__mutmut_")
    return function, int(number) if number.isdigit() else 0


def print_survivors(modules: Sequence[Module]) -> None:
    for module in modules:
        print(f"\nSurvivors in {module.name} ({len(module.survivors)}):")
        for mutant, source in sorted(module.survivors, key=lambda survivor: _order(survivor[0])):
            print(f"  {mutant}\n      {one_line_diff(mutant, source)}")


def main(patterns: Sequence[str]) -> int:
    """Print the table and the survivors of the mutants matching `patterns` (all if none)."""
    modules = collect(patterns)
    if not modules:
        print("No mutmut results: run `make mutate` first.")
        return 1
    print_scores(modules)
    print("\nscore = (killed + timeout) / mutants tested; other = suspicious, segfault, etc.;")
    print("unrun = not tested yet. `mutmut show NAME` prints a survivor's whole diff.")
    print_survivors(modules)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
