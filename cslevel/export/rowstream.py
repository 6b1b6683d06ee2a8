"""Whole rows written straight into an xlsxwriter sheet's row stream.

In constant_memory mode xlsxwriter keeps one row of cells as objects and writes each cell's
XML with a dozen calls (its cell name, attribute list, format index, control-character and
whitespace checks, escaping): about 5 µs a cell, most of the time cslevel spends writing a
month's 400,000 cells. `RowStream` takes the same calls as xlsxwriter's cell writers
(`string`, `number`, `blank`: row, column, value, format), keeps the current row, and when
the row is finished writes its XML in one piece: the same bytes xlsxwriter would write, in
the same place, with the sheet's dimensions and formats accounted as xlsxwriter does (the
`<row>` tag itself, with any height set by `set_row`, is written by xlsxwriter).

A row is handed back to xlsxwriter's own writers, cell by cell, whenever writing it directly
could differ from what xlsxwriter would do: text that needs escaping (`& < > "`, control
characters, `_xHHHH_`, leading or trailing spaces, very long text), a number that is not
finite or not a plain int or float, a row or column out of bounds, columns out of order, a
row with a format of its own (`set_row`), a row xlsxwriter already holds cells for. A sheet
not in constant_memory mode, or an xlsxwriter without the internals used here, gets
xlsxwriter's writers for every cell. tests/test_rowstream.py writes the same cells both ways
and compares the files byte for byte.
"""

from __future__ import annotations

import math
import re
from typing import Any

# anything xlsxwriter would change in text written as an inline string (escaping, control
# characters and its own _xHHHH_ escapes, whitespace to preserve), or the rich-text prefix
_NOT_PLAIN = re.compile(r'[\x00-\x1f"&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$')
_LONG = 32767 // 2  # longer text is checked (and perhaps cut) by xlsxwriter itself
_NEEDED = ("fh", "previous_row", "table", "row_info", "col_info", "_check_dimensions",
           "_write_single_row", "_write_row", "_write_string", "_write_number", "_write_blank",
           "xls_rowmax", "xls_colmax")
_STRING, _NUMBER, _BLANK = 0, 1, 2
_EXACT = 2**53  # ints beyond are left to xlsxwriter (formatting them may overflow)


def _columns(count: int) -> list[str]:
    from xlsxwriter.utility import xl_col_to_name

    return [xl_col_to_name(c) for c in range(count)]


class RowStream:
    """Write a sheet's rows straight to its row stream (see the module's text).

    Cells of one row are given in column order; rows in ascending order. Call `end()`
    before writing the sheet with xlsxwriter's own methods again, and before the workbook is
    closed. Comments and heights (`set_row`) for a row are given while it is the current
    row (before the next row's first cell), as constant_memory mode asks anyway."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        self._fast = (getattr(sheet, "constant_memory", False)
                      and all(hasattr(sheet, name) for name in _NEEDED))
        self._row = -1
        self._col = -1  # the current row's last column so far
        self._plain = True  # the current row's cells can be written directly
        self._cells: list[tuple[int, int, Any, Any]] = []
        self._letters: list[str] = _columns(64) if self._fast else []
        self._xf: dict[int, tuple[Any, str]] = {}  # id(format) → (format, ' s="n"')
        self.direct = 0  # rows written straight to the stream (the rest went to xlsxwriter)

    def string(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        if row != self._row:
            self._start(row)
        if col <= self._col or value.__class__ is not str or len(value) > _LONG \
                or _NOT_PLAIN.search(value):
            self._plain = False
        self._col = col
        self._cells.append((col, _STRING, value, fmt))

    def number(self, row: int, col: int, value: float, fmt: Any = None) -> None:
        if row != self._row:
            self._start(row)
        if col <= self._col or not (math.isfinite(value) if value.__class__ is float else
                                    value.__class__ is int and -_EXACT < value < _EXACT):
            self._plain = False
        self._col = col
        self._cells.append((col, _NUMBER, value, fmt))

    def blank(self, row: int, col: int, _value: Any = None, fmt: Any = None) -> None:
        if fmt is None:  # as xlsxwriter: a blank without a format is not written at all
            return
        if row != self._row:
            self._start(row)
        if col <= self._col:
            self._plain = False
        self._col = col
        self._cells.append((col, _BLANK, None, fmt))

    def end(self) -> None:
        """Finish the stream: the last row goes to xlsxwriter's own writers, so that the
        sheet is left exactly as xlsxwriter would have it (that row pending, its cells held)
        for whatever is written after."""
        if self._row >= 0:
            row, cells = self._row, self._cells
            self._cells = []
            self._by_xlsxwriter(row, cells)
        self._row = -1

    # ------------------------------------------------------------------------------------
    def _start(self, row: int) -> None:
        sheet = self._sheet
        if self._row >= 0 and self._finish():
            # the row just written is, to xlsxwriter, still the pending one: move on as it
            # would when the next row's first cell comes (the rows in between, with no
            # cells, are skipped as it skips them)
            sheet.previous_row = max(sheet.previous_row, row)
        elif self._fast and row > sheet.previous_row:
            sheet._write_single_row(row)  # xlsxwriter's own pending row first (a header)
        self._row, self._col, self._plain = row, -1, True

    def _finish(self) -> bool:
        """Write the current row; True if it was written directly."""
        row, cells = self._row, self._cells
        self._cells = []
        if self._fast and self._plain:
            xml = self._row_xml(row, cells)
            if xml is not None:
                sheet = self._sheet
                sheet._check_dimensions(row, cells[0][0])
                sheet._check_dimensions(row, cells[-1][0])
                # the <row> tag by xlsxwriter itself (a height set with set_row, …)
                sheet._write_row(row, None, sheet.row_info.get(row))
                sheet.fh.write(xml)
                self.direct += 1
                return True
        self._by_xlsxwriter(row, cells)
        return False

    def _by_xlsxwriter(self, row: int, cells: list[tuple[int, int, Any, Any]]) -> None:
        sheet = self._sheet
        writers = (getattr(sheet, "_write_string", None) or sheet.write_string,
                   getattr(sheet, "_write_number", None) or sheet.write_number)
        for col, kind, value, fmt in cells:
            if kind == _BLANK:
                (getattr(sheet, "_write_blank", None) or sheet.write_blank)(row, col, None, fmt)
            else:
                writers[kind](row, col, value, fmt)

    def _format(self, fmt: Any) -> str:
        known = self._xf.get(id(fmt))
        if known is None:
            known = (fmt, f' s="{fmt._get_xf_index()}"')  # the format is kept: its id stays
            self._xf[id(fmt)] = known
        return known[1]

    def _row_xml(self, row: int, cells: list[tuple[int, int, Any, Any]]) -> str | None:
        """The row's cells as xlsxwriter writes them, and the end of the row; None when
        xlsxwriter must write the row (checked before any format is given its number, so
        the numbers come in xlsxwriter's order either way)."""
        sheet = self._sheet
        if (row != sheet.previous_row or row >= sheet.xls_rowmax or sheet.table.get(row)
                or cells[0][0] < 0):
            return None
        info = sheet.row_info.get(row)
        if info is not None and getattr(info, "row_format", True) is not None:
            return None  # a row format: its cells without a format of their own take it
        if cells[-1][0] >= len(self._letters):
            if cells[-1][0] >= sheet.xls_colmax:
                return None
            self._letters = _columns(cells[-1][0] + 1)
        col_info = sheet.col_info
        if col_info and any(fmt is None and col in col_info
                            and getattr(col_info[col], "column_format", True) is not None
                            for col, _kind, _value, fmt in cells):
            return None  # a cell that takes its column's format
        letters, styles, style_of = self._letters, self._xf, self._format
        number_name = str(row + 1)
        parts = []
        for col, kind, value, fmt in cells:
            if fmt is None:
                style = ""
            else:
                known = styles.get(id(fmt))
                style = known[1] if known is not None else style_of(fmt)
            ref = letters[col] + number_name
            if kind == _STRING:
                parts.append(f'<c r="{ref}"{style} t="inlineStr"><is><t>{value}</t></is></c>')
            elif kind == _NUMBER:
                parts.append(f'<c r="{ref}"{style}><v>{value:.16G}</v></c>')
            else:
                parts.append(f'<c r="{ref}"{style}/>')
        parts.append("</row>")
        return "".join(parts)
