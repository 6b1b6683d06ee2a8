"""Sheets -> one table: the sheet and header row holding the expected columns, each column
mapped to a field by its aliases, and the data rows under it (totals and notes left out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..records import CslevelError, Month, Problem, Source
from ..templates import normalize_label
from . import values
from .workbook import Sheet

HEADER_SCAN_ROWS = 30
_TOTALS = re.compile(r"^(合计|总计|小计|平均|平均值|均值|汇总|total|sum|average)", re.IGNORECASE)
_NOTES = re.compile(r"^(制表|审核|备注|说明|注[:：]|填表|打印|统计)")
_MONTH_IN_TEXT = re.compile(r"(20\d{2})\s*(?:年|[-_.])\s*(0?[1-9]|1[0-2])\s*(?:月|(?!\d))")


@dataclass
class Table:
    sheet: Sheet
    header_index: int  # index into sheet.rows
    columns: dict[str, int]  # field -> index into each row
    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # (row index, cells)
    title_month: Month | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        return self.sheet.first_row + self.header_index

    def source(self, row_index: int, fld: str | None = None) -> Source:
        return self.sheet.source(row_index, self.columns[fld] if fld else None)

    def cell(self, cells: list[object], fld: str) -> object:
        index = self.columns.get(fld)
        if index is None or index >= len(cells):
            return None
        return cells[index]


def month_in_text(text: str) -> Month | None:
    match = _MONTH_IN_TEXT.search(values.clean_text(text))
    return Month(int(match.group(1)), int(match.group(2))) if match else None


def _match_header(row: list[object], fields: dict[str, list[str]]) -> dict[str, int]:
    wanted = {normalize_label(a): f for f, aliases in fields.items() for a in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        if values.is_blank(cell):
            continue
        fld = wanted.get(normalize_label(cell))
        if fld is not None and fld not in found:
            found[fld] = index
    return found


def find_table(
    sheets: list[Sheet],
    fields: dict[str, list[str]],
    required: list[str],
    what: str,
) -> Table:
    """Pick the sheet and header row matching most of `fields`; every field in `required`
    must be there, else a CslevelError listing the columns found and the aliases accepted."""
    best: tuple[int, Sheet, int, dict[str, int]] | None = None
    for sheet in sheets:
        for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            found = _match_header(row, fields)
            if "agent_id" not in found:
                continue
            rank = len(found) + (100 if all(r in found for r in required) else 0)
            if best is None or rank > best[0]:
                best = (rank, sheet, index, found)
    if best is None or not all(r in best[3] for r in required):
        sheet = best[1] if best else (sheets[0] if sheets else None)
        header_index = best[2] if best else _likely_header(sheet)
        missing = [r for r in required if best is None or r not in best[3]]
        seen = []
        if sheet is not None and header_index is not None:
            seen = [values.clean_text(c) for c in sheet.rows[header_index] if not values.is_blank(c)]
        problems = []
        for fld in missing:
            problems.append(Problem(
                f"the {what} has no column for {fld} ({fields[fld][0]})",
                Source(sheet.file if sheet else "?", sheet.name if sheet else None,
                       (sheet.first_row + header_index) if sheet and header_index is not None
                       else None),
                hint=f"Columns found: {', '.join(seen) or 'none'}. Accepted names: "
                     f"{', '.join(fields[fld])}. Rename the column or add the name to the "
                     "template's aliases.",
            ))
        raise CslevelError(problems)
    _, sheet, header_index, found = best
    table = Table(sheet, header_index, found,
                  [values.clean_text(c) for c in sheet.rows[header_index]])
    if len(sheets) > 1:
        table.problems.append(Problem(f"used sheet {sheet.name!r} (of {len(sheets)} sheets)",
                                      Source(sheet.file, sheet.name), "warning"))
    for row in sheet.rows[:header_index]:
        for cell in row:
            if isinstance(cell, str) and (month := month_in_text(cell)):
                table.title_month = month
                break
        if table.title_month:
            break
    _collect_rows(table)
    return table


def _likely_header(sheet: Sheet | None) -> int | None:
    if sheet is None:
        return None
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) >= 2:
            return index
    return 0 if sheet.rows else None


def _collect_rows(table: Table) -> None:
    id_col = table.columns["agent_id"]
    for index in range(table.header_index + 1, len(table.sheet.rows)):
        cells = table.sheet.rows[index]
        if all(values.is_blank(c) for c in cells):
            continue
        first_text = next((values.clean_text(c) for c in cells if not values.is_blank(c)), "")
        id_text = values.clean_text(cells[id_col]) if id_col < len(cells) else ""
        label = id_text or first_text
        if _TOTALS.match(label) or _NOTES.match(label) or (
            not id_text and (_TOTALS.match(first_text) or _NOTES.match(first_text))
        ):
            table.problems.append(Problem(f"skipped a totals/notes row ({label[:20]!r})",
                                          table.sheet.source(index), "warning"))
            continue
        table.rows.append((index, cells))
