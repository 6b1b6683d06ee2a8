"""Long runs of the readers' mutation fuzzer (BAD_INPUTS 51): `tests/fuzz_core.py` for as
many minutes as asked, from a given seed on.

    python benchmarks/fuzz_readers.py --minutes 30 --seed 100000 [--timeout 30]

Prints the inputs tried, the clean outcomes (read, refused) and the failures by kind, and
keeps each failing input whose kind of failure is new (at most three of a kind) in
tests/fuzz_regressions/ with a note saying how it was found; tests/test_fuzz_readers.py
replays them. Seeds are tried in order from --seed; each seed gives one mutant of each
valid input, the same bytes every time.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import fuzz_core


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seed", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--no-save", action="store_true", help="Keep no failing input.")
    args = parser.parse_args()
    os.environ.setdefault("CSLEVEL_WORKERS", "0")
    os.environ.setdefault("CSLEVEL_LANG", "en")
    fuzz_core.warm_up()
    known: dict[str, int] = {}
    for _target, path, _known in fuzz_core.regressions():
        note = path.with_suffix(".txt").read_text(encoding="utf-8")
        kind = next(line.split(":", 1)[1].strip() for line in note.splitlines()
                    if line.startswith("failure:"))
        known[kind] = known.get(kind, 0) + 1
    saved: list[Path] = []
    started = time.monotonic()
    last_print = started

    def on_failure(mutant: fuzz_core.Mutant, outcome: fuzz_core.Outcome) -> None:
        kind = fuzz_core.signature(outcome)
        print(f"FAIL {kind}: {mutant.describe()}", flush=True)
        if not args.no_save and known.get(kind, 0) < 3:
            known[kind] = known.get(kind, 0) + 1
            how = f"benchmarks/fuzz_readers.py --seed {args.seed}, {time.strftime('%Y-%m-%d')}"
            saved.append(fuzz_core.save_regression(mutant, outcome, how))

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bases = fuzz_core.bases(folder)
        report = fuzz_core.Report()
        seeds = itertools.count(args.seed)
        deadline = started + args.minutes * 60
        while time.monotonic() < deadline:
            part = fuzz_core.fuzz(bases, seeds, folder, min(60.0, deadline - time.monotonic()),
                                  on_failure, args.timeout)
            report.tried += part.tried
            for kind, n in part.clean.items():
                report.clean[kind] = report.clean.get(kind, 0) + n
            report.failures += part.failures
            if time.monotonic() - last_print >= 60:
                last_print = time.monotonic()
                print(f"[{(last_print - started) / 60:.1f} min] tried {report.tried}, "
                      f"failures {len(report.failures)}", flush=True)
    minutes = (time.monotonic() - started) / 60
    print(f"\n{minutes:.1f} minutes, seeds {args.seed}…, inputs tried: {report.tried}")
    print(f"clean: {report.clean}")
    print(f"failures: {len(report.failures)}")
    for kind, n in sorted(report.kinds().items(), key=lambda kv: -kv[1]):
        print(f"  {n:5d}  {kind}")
    for path in saved:
        print(f"kept {path.relative_to(TESTS.parent)}")


if __name__ == "__main__":
    main()
