"""Read stage, a first look: one file of a workspace's input folder -> which month it is for
and what kind of workbook it is (KPI, attendance, roster), from its name and, when the
name does not say, from its first rows only (a title, a 统计日期 line, a month column, the
header's labels). Nothing here reads a whole table.

Input: a path (and, for the header, the template's fields of each kind). Output: a
`FileLook` (month, kind, and how each was told), or CslevelError for a file that cannot be
read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from ..records import Month
from ..scheme import normalize_label
from . import values
from .table import month_in_text, period_in_name
from .workbook import Sheet, read_sheets

Kind = Literal["kpi", "attendance", "roster"]
FIRST_ROWS = 12  # a title, a 统计日期 line, a two-row header and a few data rows

# 2026年11月 · 2026-11 · 2026_11 · 2026.11 · 202611 (six digits alone) · 11月 (the year of
# the month being run)
_YEAR_MONTH = re.compile(r"(?<!\d)(20\d{2})\s*(?:年|[-_.])\s*(0?[1-9]|1[0-2])(?:\s*月|(?!\d))")
_YYYYMM = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)")
_MONTH_ONLY = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])\s*月")
# the kind a name says; a name that says two kinds says none
_NAME_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("kpi", re.compile(r"绩效|考核|kpi|业绩", re.IGNORECASE)),
    ("attendance", re.compile(r"考勤|打卡|月度汇总|出勤|attendance|(?<![a-z])att(?![a-z])",
                              re.IGNORECASE)),
    ("roster", re.compile(r"花名册|员工信息|人员名单|roster", re.IGNORECASE)),
)
_MONTH_LABELS = {normalize_label(x) for x in (
    "月份", "月度", "考核月份", "统计月份", "绩效月份", "考勤月份", "所属月份", "Month")}
# the fields each kind alone has (工号, 姓名, 组别 are every kind's)
_SPECIFIC = {"kpi": ("ready_score", "metric:", "raw:", "raw_agent", "raw_date"),
             "attendance": ("att:",), "roster": ("leave_date", "supervisor_tier")}


@dataclass(frozen=True)
class FileLook:
    """What a first look tells of a file: its month and kind (None: cannot tell), and
    whether each came from its name ("name") or its first rows ("content")."""

    month: Month | None
    kind: Kind | None
    month_from: str = ""
    kind_from: str = ""


def month_in_name(name: str, year: int) -> Month | None:
    """The month a file name states: 2026年11月, 2026-11, 2026_11, 202611, a period within
    one month (20260301-20260331, as the attendance apps name their exports), or 11月 (in
    `year`, the year of the month being run)."""
    stem = values.clean_text(Path(name).stem)
    if period := period_in_name(stem):  # a period over two months says no one month
        return period.first if period.first == period.last else None
    if match := _YEAR_MONTH.search(stem) or _YYYYMM.search(stem):
        return Month(int(match.group(1)), int(match.group(2)))
    if match := _MONTH_ONLY.search(stem):
        return Month(year, int(match.group(1)))
    return None


def kind_in_name(name: str) -> Kind | None:
    """The kind a file name states (绩效/KPI/考核, 考勤/打卡/月度汇总, 花名册), if only one."""
    stem = values.clean_text(Path(name).stem)
    kinds = [kind for kind, pattern in _NAME_KINDS if pattern.search(stem)]
    return kinds[0] if len(kinds) == 1 else None


def first_rows(path: Path) -> list[Sheet]:
    """The visible sheets' first rows (CslevelError for a file that cannot be read)."""
    return [s for s in read_sheets(path, FIRST_ROWS) if s.visible] or []


def month_in_rows(sheets: list[Sheet]) -> Month | None:
    """The month the first rows state: a title or a 统计日期/统计时间 line above the table
    (a row of one or two cells), else a month column whose values all say one month."""
    for sheet in sheets:
        header = None
        for index, row in enumerate(sheet.rows):
            texts = [values.clean_text(c) for c in row if not values.is_blank(c)]
            if len(texts) >= 3:
                header = index
                break
            for text in texts:
                if found := month_in_text(text):
                    return found
        if header is None:
            continue
        labels = [normalize_label(c) if not values.is_blank(c) else "" for c in
                  sheet.rows[header]]
        for col, label in enumerate(labels):
            if label not in _MONTH_LABELS:
                continue
            months = {_month_of(row[col]) for row in sheet.rows[header + 1:]
                      if col < len(row) and not values.is_blank(row[col])}
            if len(months) == 1 and None not in months:
                return months.pop()
    return None


def _month_of(cell: object) -> Month | None:
    if isinstance(cell, (date, datetime)):
        return Month(cell.year, cell.month)
    return month_in_text(values.clean_text(cell))


def kind_in_rows(sheets: list[Sheet], fields: dict[Kind, dict[str, list[str]]]) -> Kind | None:
    """The kind whose own columns (the template's KPI columns, attendance items, roster
    dates) the first rows' labels name most; none when no kind's or two kinds' equally."""
    labels = {normalize_label(c) for sheet in sheets for row in sheet.rows for c in row
              if isinstance(c, str) and not values.is_blank(c)}
    counts: dict[Kind, int] = {}
    for kind, wanted in fields.items():
        counts[kind] = sum(1 for fld, aliases in wanted.items()
                           if fld.startswith(_SPECIFIC[kind])
                           and any(normalize_label(a) in labels for a in aliases))
    best = max(counts.values(), default=0)
    winners = [kind for kind, n in counts.items() if n == best]
    return winners[0] if best and len(winners) == 1 else None


def look(path: Path, year: int, fields: dict[Kind, dict[str, list[str]]]) -> FileLook:
    """A file's month and kind, from its name and, only when the name leaves one unsaid,
    from its first rows (CslevelError for a file that must be read and cannot be)."""
    month, kind = month_in_name(path.name, year), kind_in_name(path.name)
    if month is not None and kind is not None:
        return FileLook(month, kind, "name", "name")
    sheets = first_rows(path)
    month_from = "name" if month is not None else ""
    kind_from = "name" if kind is not None else ""
    if month is None and (month := month_in_rows(sheets)) is not None:
        month_from = "content"
    if kind is None and (kind := kind_in_rows(sheets, fields)) is not None:
        kind_from = "content"
    return FileLook(month, kind, month_from, kind_from)
