"""Read stage, the attendance workbook (考勤表): file -> one `AttendanceRow` per agent and
month, the month's totals of the template's attendance items.

Input: the workbook's path (or its sheets, or its table), the template and the month given
on the command line. Output: the rows and every problem found. The usual sheet is read a
column at a time (`_attendance_columns`); one with a cell in error, row by row, so that its
problems come in the rows' order. A sheet without an id column, or a row whose id is blank,
is read by name (`AttendanceRow.by_name`: the intake joins it to an agent id).

The attendance apps' monthly reports are read as they are exported (DingTalk 月度汇总, WeCom
上下班打卡_月报): the monthly sheet rather than the daily one beside it, the month from the
period stated above the header, blank and `--` figures as 0, columns found by their headers
(two-row, units on a second line), an item made of several columns (`sum_of`) added up.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import compress, repeat
from operator import eq
from pathlib import Path
from typing import TypeVar, cast

from ..bulk import bulk_load
from ..i18n import _
from ..records import AttendanceRow, CslevelError, Month, Problem, Source
from ..scheme import AttendanceItem, Scheme
from . import values
from .columns import _TEXT_FNS, Limits, _column, _dicts, _mostly_different
from .common import _coerce, _id, _months_of_rows, _new_errors, duplicates, spaced_ids
from .table import Table, find_table
from .workbook import Sheet, read_sheets

T = TypeVar("T")


_NAME_NOTE = re.compile(r"^(.+?)\s*((?:\d|离职|入职|调岗|试用|请假|[(（]).*)$")
# a date in a note after a name: 3月15离职, 3月15日入职, 3.15离职, 0301入职
_NOTE_DATE = re.compile(r"^(?:(\d{1,2})\s*[月./-]\s*(\d{1,2})|(\d{2})(\d{2}))\s*日?\s*(离职|入职)")
# the daily sheets of an app's export, beside its monthly one (and the daily reports' file
# names, pipeline/inputs.py): never the monthly totals
DAILY_REPORT = re.compile(r"每日|日报|打卡明细|打卡记录|原始记录|打卡时间")
_EMPTY_FIGURE = {"--", "-", "—", "——", "－－", "－"}  # an app's "nothing" in a figure cell
_PART = "+"  # an item's part is read as the item `key+n` (see AttendanceItem.sum_of)


def reading_items(scheme: Scheme) -> list[tuple[AttendanceItem, int]]:
    """The items as read, each with its position in the template (for the field named in a
    hint): the template's items, then the parts of those made of several columns."""
    items = scheme.attendance.items
    known = _READING_ITEMS.get(id(items))
    if known is None or known[0] is not items:
        read = list(zip(items, range(len(items))))
        for position, item in enumerate(items):
            read += [(AttendanceItem(key=f"{item.key}{_PART}{n}", name=label,
                                     unit=item.measure, bounds=item.bounds), position)
                     for n, label in enumerate(item.sum_of)]
        known = _READING_ITEMS[id(items)] = (items, read)
    return known[1]


_READING_ITEMS: dict[int, tuple[list[AttendanceItem], list[tuple[AttendanceItem, int]]]] = {}


def attendance_fields(scheme: Scheme) -> dict[str, list[str]]:
    fields = {"agent_id": scheme.columns.agent_id, "name": scheme.columns.name,
              "team": [*scheme.columns.team, "部门"], "month": scheme.columns.month}
    fields.update({f"att:{i.key}": [i.name, *i.aliases] for i, _p in reading_items(scheme)})
    return fields


def attendance_table(path: Path, scheme: Scheme, sheets: list[Sheet] | None = None) -> Table:
    """The table of monthly totals: of an app's export holding a daily sheet beside the
    monthly one (每日统计 and 月度汇总), the monthly one."""
    sheets = sheets if sheets is not None else read_sheets(path)
    daily = [s.name for s in sheets if DAILY_REPORT.search(s.name)]
    monthly = [s for s in sheets if s.name not in daily]
    if daily and not monthly:  # (one row per agent and day: never a month's totals)
        raise CslevelError(Problem(
            _("this is a daily report ({sheets}), not the month's totals").format(
                sheets=_(", ").join(daily)), Source(sheets[0].file),
            hint=_("Export the monthly report instead (DingTalk 月度汇总, WeCom "
                   "上下班打卡_月报), and give that.")))
    table = find_table(monthly or sheets, attendance_fields(scheme), ["agent_id"],
                       _("attendance workbook"), key_fallback="name", fill_down=["team"])
    if monthly and len(monthly) < len(sheets):
        table.problems.append(Problem(
            _("used sheet {sheet}, the monthly totals (daily sheets left out: {daily})").format(
                sheet=repr(table.sheet.name), daily=_(", ").join(daily)),
            Source(table.sheet.file, table.sheet.name), "warning"))
    if table.period is not None:  # an app's report: a blank or -- figure is 0
        _zero_empty_figures(table)
    return table


def _zero_empty_figures(table: Table) -> None:
    """In an app's report a figure it has nothing for is blank or `--`: 0 (DingTalk leaves
    zero counts blank, WeCom writes --)."""
    figures = [c for f, c in table.columns.items() if f.startswith("att:")]
    if not figures:
        return
    zero = 0

    def fixed(cells: list[object]) -> list[object]:
        cells = list(cells)
        if len(cells) <= max(figures):
            cells += [None] * (max(figures) + 1 - len(cells))
        for c in figures:
            cell = cells[c]
            if values.is_blank(cell) or (type(cell) is str and cell.strip() in _EMPTY_FIGURE):
                cells[c] = zero
        return cells

    table.rows = [(index, fixed(cells)) for index, cells in table.rows]
    table.column_cache.clear()
    table.distinct_cache.clear()


def read_attendance(
    path: Path, scheme: Scheme, month: Month | None, table: Table | None = None,
    sheets: list[Sheet] | None = None,
) -> tuple[list[AttendanceRow], list[Problem]]:
    """Attendance (考勤) monthly totals per agent. A sheet without an id column is read by
    name (with a warning); notes typed after a name (张三3月15离职) are split off
    (`sheets`: the workbook's sheets when already read)."""
    with bulk_load():
        return _read_attendance(path, scheme, month, table or attendance_table(
            path, scheme, sheets))


def _read_attendance(
    path: Path, scheme: Scheme, month: Month | None, table: Table | None,
    fast: bool = True,
) -> tuple[list[AttendanceRow], list[Problem]]:
    table = table or attendance_table(path, scheme)
    problems = list(table.problems)
    months = _months_of_rows(table, path, month, problems)
    out = _attendance_columns(table, scheme, months, problems) if fast else None
    if out is None:  # some cell is in error or an id is blank: row by row
        out = _attendance_by_row(table, scheme, months, problems)
    if table.columns["agent_id"] != table.columns.get("name"):  # (names may hold spaces)
        spaced_ids(table, problems)
    for m in sorted({r.month for r in out}):
        problems += duplicates([(r.agent_id, r.source) for r in out if r.month == m],
                               _("attendance workbook ({month})").format(month=m))
    return out, problems


def _attendance_by_row(table: Table, scheme: Scheme, months: list[Month | None],
                       problems: list[Problem]) -> list[AttendanceRow]:
    """The general reading, a row at a time: every problem of a row in the row's order."""
    items = reading_items(scheme)
    by_name = table.columns["agent_id"] == table.columns.get("name")
    has_name = "name" in table.columns
    out: list[AttendanceRow] = []
    hint = _("Enter a number of days or times.")
    unnumbered: list[Source] = []  # rows of a 工号 column whose id is blank: read by name
    for (index, cells), row_month in zip(table.rows, months):
        errors_before = len(problems)
        name = values.clean_text(table.cell(cells, "name"))
        row_by_name = by_name or bool(has_name and name and values.is_blank(
            table.cell(cells, "agent_id")))
        if row_by_name and not by_name:
            agent: str | None = name
            unnumbered.append(table.source(index, "agent_id"))
        else:
            agent = _id(table, index, problems)
        if row_by_name and agent and (note := _NAME_NOTE.match(agent)):
            agent = name = note.group(1)
            problems += _note_problems(note.group(2), agent, table.source(index, "name"),
                                       row_month)
        totals: dict[str, Decimal] = {}
        for item, position in items:
            got = _coerce(table, index, f"att:{item.key}", _number_value,
                          problems, item.name, hint)
            if got is None:
                continue
            limits = _item_limits(item, position, _days_in(row_month))
            if not limits.low <= got <= limits.high:
                problems.append(_attendance_out_of_range(
                    table, index, item, limits, got, row_month))
                continue
            totals[item.key] = got
        for item, position, total in _fold_parts(scheme, totals, _days_in(row_month)):
            problems.append(_sum_out_of_range(table, index, item, position, total, row_month))
        if agent is None or _new_errors(problems, errors_before) or row_month is None:
            continue
        out.append(AttendanceRow(agent, row_month, table.source(index), name, totals,
                                 row_by_name))
    if unnumbered:
        problems.append(Problem(
            _("工号 is empty in {count} rows ({first} …): those agents are identified by "
              "name").format(count=len(unnumbered), first=unnumbered[0].cell),
            Source(table.sheet.file, table.sheet.name, table.header_row), "warning",
            hint=_("Fill in 工号 so that people with the same name are told apart.")))
    return out


def _fold_parts(scheme: Scheme, totals: dict[str, Decimal], days: int
                ) -> list[tuple[AttendanceItem, int, Decimal]]:
    """Each item made of several columns (`sum_of`) as the sum of its parts' figures when
    the row has no figure of its own; the parts' figures are dropped. The items whose sum
    lies outside their limits are left out and returned (item, position, sum)."""
    outside = []
    for position, item in enumerate(scheme.attendance.items):
        if not item.sum_of:
            continue
        keys = [f"{item.key}{_PART}{n}" for n in range(len(item.sum_of))]
        parts = [totals.pop(k) for k in keys if k in totals]
        if parts and item.key not in totals:
            total = sum(parts, Decimal(0))
            limits = _item_limits(item, position, days)
            if limits.low <= total <= limits.high:
                totals[item.key] = total
            else:
                outside.append((item, position, total))
    return outside


def _sum_out_of_range(table: Table, index: int, item: AttendanceItem, position: int,
                      total: Decimal, month: Month | None) -> Problem:
    limits = _item_limits(item, position, _days_in(month))
    return Problem(
        _("{what}: {columns} add up to {value}, out of range: allowed {low} to {high}").format(
            what=item.name, columns=" + ".join(item.sum_of), value=f"{total.normalize():f}",
            low=limits.show(limits.low), high=limits.show(limits.high)),
        table.source(index), hint=_("Check the values; if such values are right, widen {field} "
                                    "in the template.").format(field=limits.field))


@functools.lru_cache(maxsize=256)
def _days_in(month: Month | None) -> int:
    """The days of a row's month (31 when the row has none: it is dropped anyway)."""
    return 31 if month is None else calendar.monthrange(month.year, month.month)[1]


_ITEM_LIMITS: dict[tuple[int, int], tuple[AttendanceItem, Limits]] = {}


def _item_limits(item: AttendanceItem, position: int, days: int) -> Limits:
    """The values an attendance item may take in a month of `days` days (see
    AttendanceItem), as Limits naming the template field."""
    known = _ITEM_LIMITS.get((id(item), days))
    if known is None or known[0] is not item:
        low, high = item.limits(days)
        known = _ITEM_LIMITS[id(item), days] = (
            item, Limits(low, high, f"attendance.items[{position}].bounds"))
    return known[1]


def _attendance_out_of_range(table: Table, index: int, item: AttendanceItem, limits: Limits,
                             value: Decimal, month: Month | None) -> Problem:
    fld = f"att:{item.key}"
    cell = table.cell(table.cells_at(index), fld)
    days = _days_in(month)
    if item.measure == "days" and value > days and month is not None:
        return Problem(_("{what}: {value} is more than the {days} days of {month}").format(
            what=item.name, value=values.clean_text(cell), days=days, month=month),
            table.source(index, fld), hint=_("Check the value: the month has {days} days.")
            .format(days=days))
    failure = limits.failure(cell)
    return Problem(_("{what}: {error}").format(what=item.name, error=failure),
                   table.source(index, fld), hint=failure.hint)


def _note_problems(note: str, agent: str, source: Source, month: Month | None
                   ) -> list[Problem]:
    """A note typed after a name is left out (a warning); one giving a day someone left or
    joined (3月15离职, 0301入职) proposes that date for the roster."""
    problems = [Problem(_("note {note} after the name {agent} left out").format(
        note=repr(note), agent=agent), source, "warning")]
    found = _NOTE_DATE.match(note)
    if found is None or month is None:
        return problems
    month_text, day_text = (found.group(1), found.group(2)) if found.group(1) else (
        found.group(3), found.group(4))
    try:
        day = date(month.year, int(month_text), int(day_text))
    except ValueError:
        return problems
    if found.group(5) == "离职":
        problems.append(Problem(
            _("{agent}: the note {note} proposes the leave date {date}").format(
                agent=agent, note=repr(note), date=day.isoformat()), source, "warning",
            hint=_("If it is right, enter {date} as the agent's 离职日期 in the roster.").format(
                date=day.isoformat())))
    else:
        problems.append(Problem(
            _("{agent}: the note {note} proposes the hire date {date}").format(
                agent=agent, note=repr(note), date=day.isoformat()), source, "warning",
            hint=_("If it is right, enter {date} as the agent's 入职日期 in the roster.").format(
                date=day.isoformat())))
    return problems


def _number_value(value: object) -> Decimal:
    return values.number(value)[0]


_FAILED = object()  # (a cell that the row-by-row reading would report as an error)
_NUMBER_TYPES = {bool, int, float, Decimal}


def _attendance_values(table: Table, fld: str, fn: Callable[[object], T],
                       blank_is_none: bool = True, limits: Limits | None = None,
                       ) -> list[T | None] | None:
    """A field's column converted as `_coerce` would convert each of its cells (a blank
    cell, by `values.is_blank`, is None when `blank_is_none`); each distinct value is
    converted once. None when some cell fails, or lies outside `limits`, or when a blank
    is not allowed (an id)."""
    raw = _column(table, fld)
    if raw is None:  # no such column: every cell reads as None
        return [None if blank_is_none else fn(None)] * table.row_count  # type: ignore[list-item]
    if fn in _TEXT_FNS and values.all_plain_text(
            raw if _mostly_different(raw) else table.distinct(fld)):
        return list(raw)  # type: ignore[arg-type]  # (text as it is: none blank)

    def one(value: object) -> object:
        if blank_is_none and values.is_blank(value):
            return None
        try:
            return fn(value)
        except ValueError:
            return _FAILED

    numeric = set(map(type, raw)) & _NUMBER_TYPES
    if len(numeric) > 1 or Decimal in numeric or (float in numeric and len(set(map(
            repr, compress(raw, map(eq, repeat(0.0), raw))))) > 1):
        # numbers that are equal but written differently (1, 1.0, TRUE; 0.0 and -0.0)
        # share one entry in a set but not one converted value (Decimal('1') and
        # Decimal('1.0'), Decimal('0.0') and Decimal('-0.0')): one by one
        out = list(map(one, raw))
        if any(got is _FAILED for got in out) or (
                limits is not None and limits.outside(dict(enumerate(out)))):
            return None
        return out  # type: ignore[return-value]
    memo = {value: one(value) for value in table.distinct(fld)}
    if any(got is _FAILED for got in memo.values()) or (
            limits is not None and limits.outside(memo)):
        return None
    return list(map(memo.__getitem__, raw))  # type: ignore[arg-type]


def _attendance_columns(table: Table, scheme: Scheme, months: list[Month | None],
                        problems: list[Problem]) -> list[AttendanceRow] | None:
    """The rows of `_attendance_by_row`, made a column at a time, when no cell is in error
    and no id is blank (the usual sheet). Then the only problems that the row-by-row
    reading adds are the warnings for notes after a name, in row order: so here too. None
    (and no problem added) otherwise."""
    count = table.row_count
    ids = _attendance_values(table, "agent_id", values.agent_id)
    if ids is None or None in ids:
        return None
    keys: list[str] = []
    columns: list[list[Decimal | None]] = []
    # the shortest of the rows' months: a figure within its limits is within every row's
    # (one that is not is looked at row by row, with its own month)
    days = min(map(_days_in, set(months)), default=31)
    for item, position in reading_items(scheme):
        fld = f"att:{item.key}"
        if fld not in table.columns:
            continue  # (a cell of a missing column reads as None: no total)
        column = _attendance_values(table, fld, _number_value,
                                    limits=_item_limits(item, position, days))
        if column is None:
            return None
        keys.append(item.key)
        columns.append(column)
    names = _attendance_values(table, "name", values.clean_text, blank_is_none=False)
    assert names is not None  # (clean_text never fails)
    totals = _dicts(keys, columns, count)
    for column in columns:  # a blank cell: no total for that item
        # (`v is None`, never `None in column`: comparing a Decimal with None is slow)
        for p in [p for p, v in enumerate(column) if v is None]:
            totals[p] = {k: v for k, v in totals[p].items() if v is not None}
    if _PART in "".join(keys):  # items made of several columns: added up
        for p, row_totals in enumerate(totals):
            if _fold_parts(scheme, row_totals, _days_in(months[p])):
                return None  # (a sum out of range: said row by row)
    indexes = table.row_indexes()
    by_name = table.columns["agent_id"] == table.columns.get("name")
    if by_name:  # read by name
        for p, agent in enumerate(ids):
            if agent and (note := _NAME_NOTE.match(agent)):
                ids[p] = names[p] = agent = note.group(1)
                problems += _note_problems(note.group(2), agent,
                                           table.source(indexes[p], "name"), months[p])
    first_row = table.sheet.first_row
    sources = map(tuple.__new__, repeat(Source), zip(
        repeat(table.sheet.file), repeat(table.sheet.name), map(first_row.__add__, indexes),
        repeat(None)))
    # (ids: none is None, checked above; names: clean_text never gives None; rows
    # without a month are dropped below)
    rows = list(map(AttendanceRow, cast("list[str]", ids), cast("list[Month]", months),
                    sources,
                    cast("list[str]", names), totals, repeat(by_name)))
    if any(m is None for m in months):
        rows = [row for row in rows if row.month is not None]
    return rows
