"""The floor of benchmarks/run.py: the fast reader and the fast writer alone, nothing else.

Loads each input workbook's first sheet into Python lists with python-calamine, then writes,
with xlsxwriter in constant_memory mode, workbooks of the same sheets, rows and columns as the
ones cslevel wrote (described in a shapes file made by benchmarks/shapes.py).

    python benchmarks/floor.py --shapes shapes.json --out DIR INPUT.xlsx [INPUT.xlsx ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook
from shapes import load, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("inputs", type=Path, nargs="*")
    args = parser.parse_args()

    spec = load(args.shapes)  # small: sampled values only
    cells = 0
    for path in args.inputs:  # one sheet in memory at a time, as a month-by-month job would
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        cells += sum(map(len, sheet))
    del sheet

    args.out.mkdir(parents=True, exist_ok=True)
    for book_spec in spec["workbooks"]:
        book = xlsxwriter.Workbook(str(args.out / book_spec["name"]), {"constant_memory": True})
        for sheet_spec in book_spec["sheets"]:
            sheet = book.add_worksheet(sheet_spec["name"])
            for r, row in enumerate(rows(sheet_spec)):
                sheet.write_row(r, 0, row)
        book.close()
    print(f"read {len(args.inputs)} sheets ({cells:,} cells), wrote {len(spec['workbooks'])} workbooks")


if __name__ == "__main__":
    main()
