"""The naive stack of benchmarks/run.py: pandas over openpyxl, for the same reads and writes.

Reads each input workbook's first sheet with `pandas.read_excel(path, engine="openpyxl")`,
then writes workbooks of the same sheets, rows and columns as the ones cslevel wrote (from a
shapes file made by benchmarks/shapes.py) with `DataFrame.to_excel(..., engine="openpyxl")`.

    python benchmarks/naive.py --shapes shapes.json --out DIR INPUT.xlsx [INPUT.xlsx ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from shapes import load, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("inputs", type=Path, nargs="*")
    args = parser.parse_args()

    spec = load(args.shapes)
    cells = 0
    for path in args.inputs:  # one sheet in memory at a time, as in benchmarks/floor.py
        cells += pd.read_excel(path, engine="openpyxl").size

    args.out.mkdir(parents=True, exist_ok=True)
    for book_spec in spec["workbooks"]:
        with pd.ExcelWriter(args.out / book_spec["name"], engine="openpyxl") as writer:
            for sheet_spec in book_spec["sheets"]:
                frame = pd.DataFrame(list(rows(sheet_spec)))
                frame.to_excel(writer, sheet_name=sheet_spec["name"], index=False,
                               header=False)
    print(f"read {len(args.inputs)} sheets ({cells:,} cells), wrote {len(spec['workbooks'])} workbooks")


if __name__ == "__main__":
    main()
