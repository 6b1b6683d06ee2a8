"""Shapes of cslevel's output workbooks, for the floor and the naive stack of benchmarks/run.py.

`describe(paths)` looks at workbooks cslevel wrote (untimed, with python-calamine) and keeps,
per sheet, its name, its row × column size, its first rows verbatim (titles, headers) and, per
column, a few values sampled evenly down the column (with their types, blanks included) and
whether the column's values are all different (ids, names). `rows(sheet)` turns that back into
rows of the same size with plausible values: text where cslevel wrote text, numbers where it
wrote numbers, blanks where it left blanks, distinct text in the columns that were distinct.

Used by benchmarks/floor.py and benchmarks/naive.py (both import it from this folder); no
cslevel import, so those processes load only what they measure.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

HEAD_ROWS = 3  # the first rows of a sheet (title, header) are kept as they are
SAMPLES = 64  # values sampled per column
EXCEL_EPOCH = datetime(1899, 12, 30)


def _plain(value: Any) -> Any:
    """A JSON-able cell value; dates and times become Excel serial numbers."""
    if isinstance(value, datetime):
        return (value - EXCEL_EPOCH) / timedelta(days=1)
    if isinstance(value, date):
        return float((value - EXCEL_EPOCH.date()).days)
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, timedelta):
        return value / timedelta(days=1)
    if value == "":
        return None
    return value


def _comments(path: Path) -> int:
    """Cell comments (notes) in a workbook: the floor writes none, cslevel may write many."""
    with zipfile.ZipFile(path) as zf:
        return sum(len(re.findall(rb"<comment ", zf.read(name)))
                   for name in zf.namelist() if re.match(r"xl/comments\d*\.xml$", name))


def describe(paths: list[Path]) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    books = []
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            raw = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            data: list[list[Any]] = [[_plain(v) for v in row] for row in raw]
            while data and all(v is None for v in data[-1]):
                data.pop()
            n_rows = len(data)
            n_cols = max((len(r) for r in data), default=0)
            while n_cols and all(len(r) < n_cols or r[n_cols - 1] is None for r in data):
                n_cols -= 1
            data = [(r + [None] * n_cols)[:n_cols] for r in data]
            head, body = data[:HEAD_ROWS], data[HEAD_ROWS:]
            columns = []
            for c in range(n_cols):
                column = [r[c] for r in body]
                step = max(1, len(column) // SAMPLES)
                samples = column[::step][:SAMPLES] or [None]
                texts = [v for v in column if isinstance(v, str)]
                unique = len(texts) > 100 and len(set(texts)) > 0.9 * len(texts)
                columns.append({"samples": samples, "unique": unique})
            sheets.append({"name": name, "rows": n_rows, "cols": n_cols, "head": head,
                           "columns": columns})
        books.append({"name": path.name, "sheets": sheets, "comments": _comments(path)})
    return {"workbooks": books}


def rows(sheet: dict[str, Any]) -> Iterator[list[Any]]:
    """The sheet's rows: its head as it was, then plausible values down to its last row."""
    yield from sheet["head"]
    columns = sheet["columns"]
    for i in range(sheet["rows"] - len(sheet["head"])):
        row = []
        for col in columns:
            samples = col["samples"]
            value = samples[i % len(samples)]
            if col["unique"] and isinstance(value, str):
                value = f"{value}{i}"
            row.append(value)
        yield row


def load(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def summary(spec: dict[str, Any]) -> str:
    """'results-YYYY-MM.xlsx ×36: 901–976×15 + 12×5 (900–1,611 comments); …' for the report."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for book in spec["workbooks"]:
        groups.setdefault(re.sub(r"\d{4}-\d{2}", "YYYY-MM", book["name"]), []).append(book)

    def span(values: list[int]) -> str:
        lo, hi = min(values), max(values)
        return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"

    parts = []
    for name, books in groups.items():
        count = f" ×{len(books)}" if len(books) > 1 else ""
        sizes = " + ".join(
            f"{span([b['sheets'][i]['rows'] for b in books])}×"
            f"{span([b['sheets'][i]['cols'] for b in books])}"
            for i in range(min(len(b["sheets"]) for b in books)))
        comments = [b.get("comments", 0) for b in books]
        note = f" ({span(comments)} comments)" if any(comments) else ""
        parts.append(f"{name if count else books[0]['name']}{count}: {sizes}{note}")
    return "; ".join(parts)
