"""Reading speed: cslevel's KPI reader against the fast reader alone, side by side.

Writes a KPI workbook of N rows (default 100,000) with the star template's metric columns,
then times, in one run and alternating, (a) python-calamine loading the sheet into memory
(the floor) and (b) `cslevel.read.read_kpi` (calamine plus header detection, column mapping,
value coercion to Decimal and the checks). Prints both times (best of R rounds) and the
ratio; the target of issue 3 is a ratio of at most 1.5. The median of the rounds is shown
too, to tell how noisy the machine was.

    python benchmarks/read_speed.py [--rows 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import python_calamine
import xlsxwriter

from cslevel.read import read_kpi
from cslevel.records import Month
from cslevel.templates import load_scheme


def make_workbook(path: Path, rows: int) -> None:
    rng = random.Random(7)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("绩效考核")
    sheet.write_row(0, 0, ["工号", "姓名", "组别", "岗位", "平均响应时长", "解决率", "客户满意度",
                           "投诉率"])
    for r in range(1, rows + 1):
        sheet.write_string(r, 0, f"{r:06d}")
        sheet.write_string(r, 1, f"员工{r}")
        sheet.write_string(r, 2, f"{r % 40}组")
        sheet.write_string(r, 3, "客服")
        sheet.write_number(r, 4, round(rng.uniform(10, 60), 1))
        sheet.write_number(r, 5, round(rng.uniform(0.7, 1.0), 4))
        sheet.write_number(r, 6, round(rng.uniform(0.6, 1.0), 4))
        sheet.write_number(r, 7, round(rng.uniform(0.0, 0.03), 4))
    book.close()


def floor(path: Path) -> int:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return len(book.get_sheet_by_name("绩效考核").to_python(skip_empty_area=True))


SCHEME, _ = load_scheme("star")  # the template is read once per run, not per workbook


def cslevel_read(path: Path) -> int:
    rows, problems = read_kpi(path, SCHEME, Month(2026, 10))
    assert not [p for p in problems if p.severity == "error"], problems[:3]
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kpi_2026-10.xlsx"
        started = time.perf_counter()
        make_workbook(path, args.rows)
        print(f"workbook: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, "
              f"written in {time.perf_counter() - started:.1f} s")
        times: dict[str, list[float]] = {"calamine": [], "cslevel": []}
        for _ in range(args.rounds):
            for name, fn in (("calamine", floor), ("cslevel", cslevel_read)):
                started = time.perf_counter()
                count = fn(path)
                times[name].append(time.perf_counter() - started)
                assert count >= args.rows, (name, count)
    best = {name: min(got) for name, got in times.items()}
    ratio = best["cslevel"] / best["calamine"]
    print(f"machine: {platform.machine()} {platform.processor() or ''} Python "
          f"{sys.version.split()[0]}, python-calamine {metadata.version('python-calamine')}")
    print(f"{'reader':<34}{'best of ' + str(args.rounds):>12}{'median':>10}")
    for name, label in (("calamine", "calamine alone (floor)"), ("cslevel", "cslevel read_kpi")):
        print(f"{label:<34}{best[name]:>11.3f}s{statistics.median(times[name]):>9.3f}s")
    print(f"ratio cslevel / floor: {ratio:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
