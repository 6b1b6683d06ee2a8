"""Where the time of B goes: one `score` of N months (plus promote) in this process, with
CPU seconds and the peak memory after each stage, summed over the months.

    python benchmarks/stages.py [--agents 10000] [--months 36] [--data DIR]

Uses the workbooks benchmarks/run.py generated (generate them with it first). The stages are
wrapped with timers, so the total is a little above a plain run's; the split is what counts.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cslevel import pipeline, store  # the checkout's cslevel, not an installed one
from cslevel.export import results


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "cslevel-bench" / "data")
    args = parser.parse_args()
    data = args.data / f"agents{args.agents}-months36-from2024-01"
    kpi = sorted(data.glob("kpi_*.xlsx"))[:args.months]
    att = sorted(data.glob("att_*.xlsx"))[:args.months]
    if not kpi:
        sys.exit(f"no workbooks in {data}: run benchmarks/run.py --agents {args.agents} first")

    os.environ["CSLEVEL_WORKERS"] = "0"  # every stage in this process, where it is timed
    spent: dict[str, list[float]] = {}  # stage -> [CPU s, calls, peak MB after]
    originals: list[tuple[Any, str, Any]] = []

    def timed(owner: Any, name: str, label: str) -> None:
        fn = getattr(owner, name)
        originals.append((owner, name, fn))

        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                entry = spent.setdefault(label, [0.0, 0, 0])
                entry[0] += time.process_time() - start
                entry[1] += 1
                entry[2] = peak_mb()

        setattr(owner, name, wrapper)

    for owner, name, label in [
        (pipeline.reader, "read_kpi", "read KPI"),
        (pipeline.reader, "read_attendance", "read attendance"),
        (pipeline.reader, "read_roster", "read roster"),
        (pipeline, "score_rows", "score"),
        (store.History, "add_scores", "store scores"),
        (store.History, "add_attendance", "store attendance"),
        (pipeline, "_merge_agents", "agents' records"),
        (pipeline, "derive", "load history + rules"),
        (store.History, "explanations", "read back explanations"),
        (results, "results_book", "results cells"),
        (results, "write_results_book", "write results workbooks"),
    ]:
        timed(owner, name, label)

    work = Path(tempfile.mkdtemp(prefix="cslevel-stages-"))
    try:
        start = time.process_time()
        pipeline.run_score(kpi, "star", attendance_files=att, roster_file=data / "roster.xlsx",
                           db=str(work / "history.db"), out=str(work / "out") + "/")
        total = time.process_time() - start
        for owner, name, fn in originals:  # promote (a process of its own in B): one stage
            setattr(owner, name, fn)
        start = time.process_time()
        pipeline.run_promote(db=str(work / "history.db"))
        spent["promote"] = [time.process_time() - start, 1, peak_mb()]
        total += spent["promote"][0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.agents:,} agents × {len(kpi)} months: {total:.1f} s CPU, peak {peak_mb()} MB")
    print(f"{'stage':26s} {'CPU s':>7s} {'share':>6s} {'calls':>6s} {'peak MB after':>14s}")
    for label, (cpu, calls, peak) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
        print(f"{label:26s} {cpu:7.2f} {cpu / total:6.1%} {calls:6d} {peak:14d}")
    rest = total - sum(v[0] for v in spent.values())
    print(f"{'(the rest)':26s} {rest:7.2f} {rest / total:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
