"""Shared xlsxwriter set-up: text never becomes a formula, a URL or a number, and the file's
creation stamp is fixed by the month it is about, so the same inputs give the same bytes.

xlsxwriter writes each part of a workbook (and, in constant_memory mode, each sheet's rows)
to temporary files before it zips them; a killed run would leave those in the system's
temporary folder under names nobody can tell apart. They go to a folder of the workbook's
own instead, beside it, named after it (`NAME.parts`), removed when the workbook is closed
and swept with the staged file when a run was killed (cslevel.finish)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from ..i18n import _
from ..records import Month


def new_workbook(path: Path, title: str, month: Month,
                 constant_memory: bool = False) -> tuple[Any, dict[str, Any]]:
    """An xlsxwriter Workbook plus the formats every cslevel workbook uses.

    `constant_memory` streams each row to disk as it is finished: fast and flat in memory
    for large sheets, but every sheet must then be written strictly row by row, left to
    right (xlsxwriter silently drops a cell written to an earlier row)."""
    parts = parts_folder(path)
    parts.mkdir(exist_ok=True)
    book = _workbook_class()(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False,
                                         "strings_to_numbers": False,
                                         "constant_memory": constant_memory,
                                         "tmpdir": str(parts)})
    stamp = datetime(month.year, month.month, 1)
    book.set_properties({"title": title, "author": "cslevel", "created": stamp})
    book.cslevel_month = month  # (each sheet's printed footer names it)
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF",
                                 "border": 1, "text_wrap": True, "valign": "vcenter"}),
        # plain text cells carry no format of their own: a format on each of a month's
        # hundreds of thousands of cells costs a seventh of the writing; the sheets print
        # their gridlines instead (add_sheet)
        "text": None,
        "wrap": book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
    }
    return book, formats


A4 = 9  # xlsxwriter's paper code (LibreOffice prints on Letter when none is set)
# the printable width of an A4 page at 96 pixels an inch, inside xlsxwriter's default margins
# (0.7 inch left and right): 8.27 and 11.69 inches wide, less 1.4
PORTRAIT_PIXELS = round((8.27 - 1.4) * 96)
LANDSCAPE_PIXELS = round((11.69 - 1.4) * 96)
# the cells' font and the smallest it may print at: a sheet that one landscape page wide would
# print smaller is printed two pages wide
FONT_PT, SMALLEST_PRINTED_PT = 11, 8
# the number formats a person reads: rates as percentages, counts as whole numbers, money
# with thousands separators and fen
PERCENT, COUNT, DECIMAL, MONEY = "0.00%", "0", "0.00", "#,##0.00"


def add_sheet(book: Any, name: str, *, header_row: int = 0) -> Any:
    """A new worksheet whose gridlines show on screen and on paper (plain cells have no
    borders of their own), set up to be printed: A4 landscape, one page wide, the header
    row (`header_row`, 0-based) repeated on every page, a footer with the sheet, the month
    and the page number."""
    sheet = book.add_worksheet(name)
    sheet.hide_gridlines(0)
    sheet.set_paper(A4)
    sheet.set_landscape()  # until set_widths finds the sheet narrow enough for portrait
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
    sheet.repeat_rows(header_row)
    month = getattr(book, "cslevel_month", None)
    where = _footer_text(name if month is None else f"{name} · {month}")
    sheet.set_footer("&L" + where + "&R" + _("page &P of &N"))
    return sheet


def column_pixels(width: float) -> int:
    """A column `width` characters wide in pixels, as Excel draws it in its default font
    (Calibri 11: 7 pixels a digit, 5 of padding)."""
    return int(width * 7 + 5)


def printed_width(widths: list[float]) -> int:
    """The pixels the columns `widths` take on paper at 100 %."""
    return sum(column_pixels(width) for width in widths)


def set_widths(sheet: Any, widths: list[float], at_least: int = 0,
               keep_columns: int = 0) -> None:
    """Set the sheet's columns to `widths` (characters, from column A) and print it portrait
    when they (or a chart `at_least` pixels wide) fit an A4 page upright at 100 %, else
    landscape, one page wide; or two pages wide (the first `keep_columns` columns printed on
    each) when one page would print the cells below SMALLEST_PRINTED_PT."""
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    needed = max(printed_width(widths), at_least)
    if needed <= PORTRAIT_PIXELS:
        sheet.set_portrait()
    elif needed * SMALLEST_PRINTED_PT > LANDSCAPE_PIXELS * FONT_PT:
        sheet.fit_to_pages(2, 0)
        if keep_columns:
            sheet.repeat_columns(0, keep_columns - 1)


def _footer_text(text: str) -> str:
    """Text for a header or footer: `&` starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def parts_folder(path: Path) -> Path:
    """The folder of xlsxwriter's temporary files for the workbook `path`."""
    return path.with_name(path.name + ".parts")


_WORKBOOK: Any = None


def _workbook_class() -> Any:
    """xlsxwriter's Workbook, whose `close` also removes the workbook's parts folder (made
    once: xlsxwriter is imported only when a workbook is written)."""
    global _WORKBOOK
    if _WORKBOOK is None:
        import xlsxwriter

        class Workbook(xlsxwriter.Workbook):  # type: ignore[misc]
            def close(self) -> None:
                try:
                    super().close()
                finally:
                    if self.tmpdir:
                        shutil.rmtree(self.tmpdir, ignore_errors=True)

        _WORKBOOK = Workbook
    return _WORKBOOK
