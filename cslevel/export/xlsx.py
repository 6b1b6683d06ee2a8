"""Shared xlsxwriter set-up: text never becomes a formula, a URL or a number, and the file's
creation stamp is fixed by the month it is about, so the same inputs give the same bytes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..records import Month


def new_workbook(path: Path, title: str, month: Month) -> tuple[Any, dict[str, Any]]:
    """An xlsxwriter Workbook plus the formats every cslevel workbook uses."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    stamp = datetime(month.year, month.month, 1)
    book.set_properties({"title": title, "author": "cslevel", "created": stamp})
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF",
                                 "border": 1, "text_wrap": True, "valign": "vcenter"}),
        "text": book.add_format({"border": 1}),
        "wrap": book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
    }
    return book, formats
