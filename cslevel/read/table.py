"""Sheets -> one table: the sheet and header row holding the expected columns, each column
mapped to a field by its aliases, and the data rows under it.

Copes with what exports look like: title rows above the header, a header starting in any
column, two-row headers with merged group cells (服务质量 over 满意度 | 解决率), units in
header cells, two tables side by side (only the block holding the agent column is read),
totals and notes under the data, merged cells in the data (filled down only for the
fields the template allows), trailing blank rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import itemgetter

from ..i18n import _
from ..records import CslevelError, Month, Problem, Source
from ..scheme import normalize_label
from . import values
from .workbook import Sheet

HEADER_SCAN_ROWS = 30
_TOTALS = re.compile(r"^(合计|总计|小计|平均|平均值|均值|汇总|total|sum|average|grand total)",
                     re.IGNORECASE)
_NOTES = re.compile(r"^(制表|审核|备注|说明|注[:：]|注意|填表|打印|统计|签字|负责人)")
_MONTH_IN_TEXT = re.compile(r"(20\d{2})\s*(?:年|[-_.])\s*(0?[1-9]|1[0-2])\s*(?:月|(?!\d))")


@dataclass
class Table:
    sheet: Sheet
    header_index: int  # index into sheet.rows of the (first) header row
    columns: dict[str, int]  # field -> index into each row
    headers: list[str]  # header label of every column (two-row headers combined)
    header_rows: int = 1
    block: tuple[int, int] = (0, 0)  # first and last column index of this table
    title_month: Month | None = None
    period: StatedPeriod | None = None  # the period stated above the header (an app's report)
    problems: list[Problem] = field(default_factory=list)
    column_cache: dict[str, list[object]] = field(default_factory=dict, repr=False)
    distinct_cache: dict[str, set[object]] = field(default_factory=dict, repr=False)
    # The data rows are kept either as (row index, cells) pairs (`rows`) or, for a block of
    # consecutive sheet rows all read as they are, as their indexes and cells only, the
    # pairs being made when first asked for: the KPI reader never needs them.
    _rows: list[tuple[int, list[object]]] | None = field(default=None, repr=False)
    _row_indexes: list[int] | range | None = field(default=None, repr=False)
    _row_cells: list[list[object]] | None = field(default=None, repr=False)
    _by_index: dict[int, list[object]] | None = field(default=None, repr=False)
    _transposed: list[list[object] | None] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[tuple[int, list[object]]]:
        """(index into sheet.rows, cells) of each data row, in sheet order. Replace the
        list rather than change it: the views below are made from it once."""
        if self._rows is None:
            self._rows = list(zip(self._row_indexes or (), self._row_cells or ()))
        return self._rows

    @rows.setter
    def rows(self, rows: list[tuple[int, list[object]]]) -> None:
        self._rows = rows
        self._row_indexes = self._row_cells = self._by_index = self._transposed = None

    def set_consecutive_rows(self, first: int, cells: list[list[object]],
                             columns: list[list[object] | None] | None = None) -> None:
        """The data rows are sheet.rows[first:first + len(cells)], as they are; `columns`
        are their cells column by column, when already made."""
        self._rows = self._by_index = None  # (rows: made when first asked for)
        self._row_indexes = range(first, first + len(cells))
        self._row_cells = cells
        self._transposed = columns

    def set_columns(self, columns: list[list[object] | None]) -> None:
        """The cells of `rows` column by column, when already made."""
        self._transposed = columns

    @property
    def header_row(self) -> int:
        """1-based Excel row of the (last) header row."""
        return self.sheet.first_row + self.header_index + self.header_rows - 1

    def source(self, row_index: int, fld: str | None = None) -> Source:
        return self.sheet.source(row_index, self.columns[fld] if fld else None)

    def transposed(self) -> list[list[object] | None] | None:
        """The cells of the fields' columns (None for the other columns) made at once, when
        every data row is as wide as the first."""
        if self._transposed is None:
            self._transposed = _transpose(self.row_cells, set(self.columns.values()))
        return self._transposed

    def distinct(self, fld: str) -> set[object]:
        """The distinct raw values of a field's column (computed once)."""
        found = self.distinct_cache.get(fld)
        if found is None:
            found = self.distinct_cache[fld] = set(self.column_cache.get(fld) or [
                cells[self.columns[fld]] if self.columns[fld] < len(cells) else None
                for cells in self.row_cells])
        return found

    @property
    def row_count(self) -> int:
        return len(self.row_cells)

    def row_indexes(self) -> list[int] | range:
        """The data rows' indexes into sheet.rows, in order (a range when they follow on)."""
        if self._row_indexes is None:
            self._row_indexes = list(map(itemgetter(0), self.rows))
        return self._row_indexes

    @property
    def row_cells(self) -> list[list[object]]:
        """The data rows' cells, without their indexes."""
        if self._row_cells is None:
            self._row_cells = list(map(itemgetter(1), self.rows))
        return self._row_cells

    def cells_at(self, row_index: int) -> list[object]:
        """The data row as read (merged cells filled down where the template allows)."""
        if self._by_index is None:
            self._by_index = dict(zip(self.row_indexes(), self.row_cells))
        return self._by_index[row_index]

    def cell(self, cells: list[object], fld: str) -> object:
        index = self.columns.get(fld)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def label(self, fld: str) -> str:
        return self.headers[self.columns[fld]]


def month_in_text(text: str) -> Month | None:
    match = _MONTH_IN_TEXT.search(values.clean_text(text))
    return Month(int(match.group(1)), int(match.group(2))) if match else None


# The period an attendance app states above its monthly report: DingTalk's 统计日期：2026-03-01
# 至 2026-03-31, WeCom's 统计时间:05-01 ～ 05-31 (no year: the file name's or the 制表时间's),
# and the file names both give (公司_月度汇总_20260301-20260331.xlsx).
_DAY = r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_STATED_PERIOD = re.compile(r"(?:统计|考勤)(?:日期|时间|周期|区间)\s*[:：]?\s*" + _DAY
                            + r"\s*(?:至|到|~|～|〜|—|–|-)\s*" + _DAY)
_PERIOD_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})\s*[-_~～至]\s*(20\d{2})(\d{2})(\d{2})(?!\d)")
_MADE_AT = re.compile(r"(?:制表|生成|导出)时间\s*[:：]?\s*(20\d{2})\s*[-/.年]\s*(\d{1,2})")


@dataclass(frozen=True)
class StatedPeriod:
    """The days a report says it covers (`text`: the words saying so)."""

    first: Month
    last: Month
    text: str


def period_in_name(stem: str) -> StatedPeriod | None:
    """The period of a file name such as 上下班打卡_月报_20260501-20260531."""
    match = _PERIOD_IN_NAME.search(stem)
    if match is None:
        return None
    y1, m1, _d1, y2, m2, _d2 = map(int, match.groups())
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None
    return StatedPeriod(Month(y1, m1), Month(y2, m2), match.group(0))


def stated_period(texts: list[str], stem: str) -> StatedPeriod | None:
    """The period stated in the cells above a report's header (`texts`), a year left out
    being the file name's, else the year the report was made in (制表时间: a December
    report made in January is of the year before)."""
    joined = " ".join(values.clean_text(t) for t in texts if t)
    match = _STATED_PERIOD.search(joined)
    if match is None:
        return None
    y1, m1, _d1, y2, m2, _d2 = match.groups()
    if not (1 <= int(m1) <= 12 and 1 <= int(m2) <= 12):
        return None
    year = None
    if y1 is None or y2 is None:
        named = period_in_name(stem) or (
            StatedPeriod(m, m, "") if (m := month_in_text(stem)) else None)
        made = _MADE_AT.search(joined)
        if named is not None:
            year = named.first.year
        elif made is not None:
            year = int(made.group(1)) - (1 if int(m1) > int(made.group(2)) else 0)
        else:
            return None
    first = Month(int(y1) if y1 else int(year or 0), int(m1))
    last = Month(int(y2) if y2 else (first.year + (1 if int(m2) < int(m1) else 0)), int(m2))
    return StatedPeriod(first, last, match.group(0).strip())


def _text(cell: object) -> str:
    return "" if values.is_blank(cell) else values.clean_text(cell)


def _combined_header(sheet: Sheet, index: int,
                     texts: list[list[str]] | None = None) -> list[str]:
    """Row `index` with the row under it filling its gaps: the labels of a two-row header
    where group cells (merged across columns) stand over the real column names. `texts`:
    the text of the first rows' cells, when already made."""
    def text(i: int) -> list[str]:
        return texts[i] if texts is not None and i < len(texts) else [
            _text(c) for c in sheet.rows[i]]

    top = text(index)
    below = text(index + 1) if index + 1 < len(sheet.rows) else []
    grouped = set()
    width = max(len(top), len(below))
    for r1, c1, r2, c2 in sheet.merged:
        if r1 == sheet.first_row - 1 + index and c2 > c1:
            grouped.update(range(max(c1 - sheet.first_col, 0),
                                 min(c2 - sheet.first_col + 1, width)))
    out = []
    for col in range(max(len(top), len(below))):
        upper = top[col] if col < len(top) else ""
        lower = below[col] if col < len(below) else ""
        out.append(lower if lower and (not upper or col in grouped) else upper)
    return out


def _match(labels: list[str], wanted: dict[str, list[str]],
           normalized: dict[str, str] | None = None) -> dict[str, int]:
    """field -> column of its first matching header; one column may serve several fields
    (two figures made from one raw column). `normalized`: labels already normalised."""
    found: dict[str, int] = {}
    normalized = {} if normalized is None else normalized
    for index, label in enumerate(labels):
        if not label:
            continue
        key = normalized.get(label)
        if key is None:
            key = normalized[label] = normalize_label(label)
        for fld in wanted.get(key, ()):
            if fld not in found:
                found[fld] = index
    return found


def _block(labels: list[str], anchor: int) -> tuple[int, int]:
    """The run of non-blank header cells around the agent column: one table of several
    side by side. A single blank header cell inside a table is allowed."""
    def blank(i: int) -> bool:
        return i < 0 or i >= len(labels) or not labels[i]

    first = anchor
    while not (blank(first - 1) and blank(first - 2)) and first > 0:
        first -= 1
    last = anchor
    while not (blank(last + 1) and blank(last + 2)) and last < len(labels) - 1:
        last += 1
    while blank(first):
        first += 1
    while blank(last):
        last -= 1
    return first, last


def find_table(
    sheets: list[Sheet],
    fields: dict[str, list[str]],
    required: list[str],
    what: str,
    *,
    key_fallback: str | tuple[str, ...] | None = None,
    fill_down: list[str] | None = None,
) -> Table:
    """Pick the sheet and header row matching most of `fields`; every field in `required`
    must be there, else a CslevelError listing the columns found and the aliases accepted
    (`what` names the workbook in that error, in the language in force: `_("roster")`).
    `key_fallback` names a field (e.g. "name"), or fields in order of preference, that
    identifies agents when a file has no agent id column."""
    fallbacks = (key_fallback,) if isinstance(key_fallback, str) else (key_fallback or ())
    wanted: dict[str, list[str]] = {}
    for fld, aliases in fields.items():
        for alias in aliases:
            key = normalize_label(alias)
            if fld not in wanted.setdefault(key, []):
                wanted[key].append(fld)
    best: tuple[int, Sheet, int, int, list[str], dict[str, int]] | None = None
    normalized: dict[str, str] = {}  # each label is seen as a row and in two combined rows
    for sheet in sheets:
        texts = [[_text(c) for c in row] for row in sheet.rows[:HEADER_SCAN_ROWS + 1]]
        for index in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
            single = texts[index]
            for rows, labels in ((1, single), (2, _combined_header(sheet, index, texts))):
                found = _match(labels, wanted, normalized)
                key = "agent_id" if "agent_id" in found else next(
                    (f for f in fallbacks if f in found), None)
                if key is None:
                    continue
                # a two-row header must match more than one row alone: a title merged
                # across the table above a one-row header is not a group header
                rank = 2 * (len(found) + (100 if all(r in found for r in required) else 0) + (
                    50 if key == "agent_id" else 0)) + (1 if rows == 1 else 0)
                if best is None or rank > best[0]:
                    best = (rank, sheet, index, rows, labels, found)
    if best is None or not all(r in best[5] for r in required if r != "agent_id") or (
        "agent_id" not in best[5] and not any(f in best[5] for f in fallbacks)
    ):
        _missing_columns(best, sheets, fields, required, what)
    assert best is not None
    _rank, sheet, header_index, header_rows, labels, found = best
    key_field = "agent_id" if "agent_id" in found else next(f for f in fallbacks if f in found)
    blank_ids = key_field == "agent_id" and _blank_column(
        sheet, header_index + header_rows, found["agent_id"],
        [found[f] for f in fallbacks if f in found])
    if blank_ids:  # a 工号 column left empty (apps' exports): the agents are told by name
        key_field = next(f for f in fallbacks if f in found)
        del found["agent_id"]
    first, last = _block(labels, found[key_field])
    columns = {f: c for f, c in found.items() if first <= c <= last}
    table = Table(sheet, header_index, columns, labels, header_rows, (first, last),
                  problems=list(sheet.problems))
    if key_field != "agent_id":
        columns["agent_id"] = columns[key_field]
    if key_field == "name":
        table.problems.append(Problem(
            (_("the 工号 column is empty: agents are identified by {column}") if blank_ids
             else _("no 工号 column: agents are identified by {column}")).format(
                column=labels[columns[key_field]]),
            Source(sheet.file, sheet.name, table.header_row), "warning",
            hint=_("Add an agent id column (工号) so that people with the same name are told "
                   "apart.")))
    if len(sheets) > 1:
        table.problems.append(Problem(
            _("used sheet {sheet} (of {count} sheets: {sheets})").format(
                sheet=repr(sheet.name), count=len(sheets),
                sheets=_(", ").join(s.name for s in sheets)),
            Source(sheet.file, sheet.name), "warning"))
    if first > 0 and any(labels[:first]) or any(labels[last + 1:]):
        table.problems.append(Problem(
            _("read the table in columns {first}–{last} only (other tables on the sheet "
              "ignored)").format(first=_col(sheet, first), last=_col(sheet, last)),
            Source(sheet.file, sheet.name), "warning"))
    above = [cell for row in sheet.rows[:header_index] for cell in row if isinstance(cell, str)]
    period = stated_period(above, sheet.file.rsplit(".", 1)[0])
    if period is not None:  # (a report made in April of March: the period, not the date made)
        table.period = period
        table.title_month = period.first
    for cell in above if period is None else ():
        if month := month_in_text(cell):
            table.title_month = month
            break
    _collect_rows(table, fill_down or [])
    table.problems += overlong_cells(table)
    return table


CELL_TEXT_LIMIT = 32_767  # characters an Excel cell holds
_NUMERIC_FIELDS = ("metric:", "att:", "ready_score")  # figures: never kept as text


def overlong_cells(table: Table) -> list[Problem]:
    """An error for each cell of a field's column holding more text than a cell holds
    (32,767 characters: a CSV file or a program can write more, and the output workbooks
    would cut it without a word, BAD_INPUTS 48). A column of text is measured in one C pass;
    any other column through its distinct values, which the readers take anyway."""
    problems = []
    columns = table.transposed()
    for fld, col in sorted(table.columns.items(), key=lambda item: item[1]):
        if fld.startswith(_NUMERIC_FIELDS):
            continue  # (text there is refused as not a number anyway)
        column = columns[col] if columns is not None and col < len(columns) else None
        if column is None:
            column = [cells[col] if col < len(cells) else None for cells in table.row_cells]
        head = column[:1000]
        try:
            if len(set(head)) * 2 > len(head):  # values that differ (ids, names): as they are
                longest = max(map(len, column), default=0)  # type: ignore[arg-type]
            else:  # repeated values (teams, posts): their distinct values, which the readers
                distinct = table.distinct_cache.get(fld)  # take anyway
                if distinct is None:
                    distinct = table.distinct_cache[fld] = set(column)
                longest = max(map(len, distinct), default=0)  # type: ignore[arg-type]
        except TypeError:  # (numbers or blanks in it)
            distinct = table.distinct_cache.get(fld)
            if distinct is None:  # (kept: the readers take it too)
                distinct = table.distinct_cache[fld] = set(column)
            longest = (max([len(v) for v in distinct if type(v) is str], default=0)
                       if str in set(map(type, distinct)) else 0)
        if longest <= CELL_TEXT_LIMIT:
            continue
        indexes = table.row_indexes()
        for p in [p for p, v in enumerate(column)
                  if type(v) is str and len(v) > CELL_TEXT_LIMIT]:
            problems.append(Problem(
                _("the cell holds {length} characters of text, more than a cell can hold "
                  "(32,767)").format(length=f"{len(column[p]):,}"),
                table.source(indexes[p], fld),
                hint=_("Shorten the text (or export the data again), save, and run again.")))
    return problems


def _blank_column(sheet: Sheet, first_row: int, column: int, others: list[int]) -> bool:
    """Whether a sheet's column holds nothing below its header while one of `others` (the
    key fallbacks' columns: 姓名) holds something: the id column of an export left empty."""
    def filled(cell: object) -> bool:
        return cell is not None and not (isinstance(cell, str) and not cell.strip())

    rows = sheet.rows[first_row:]
    if any(filled(row[column]) for row in rows if column < len(row)):
        return False
    return any(filled(row[c]) for row in rows for c in others if c < len(row))


def _col(sheet: Sheet, index: int) -> str:
    from ..records import column_letter

    return column_letter(sheet.first_col + index)


def _missing_columns(
    best: tuple[int, Sheet, int, int, list[str], dict[str, int]] | None,
    sheets: list[Sheet],
    fields: dict[str, list[str]],
    required: list[str],
    what: str,
) -> None:
    sheet = best[1] if best else (sheets[0] if sheets else None)
    header_index = best[2] if best else _likely_header(sheet)
    labels = best[4] if best else (
        [_text(c) for c in sheet.rows[header_index]] if sheet and header_index is not None
        else [])
    found = best[5] if best else {}
    missing = [r for r in required if r not in found]
    seen = [label for label in labels if label]
    row = None
    if sheet is not None and header_index is not None:
        row = sheet.first_row + header_index + ((best[3] - 1) if best else 0)
    problems = []
    comma = _(", ")
    for fld in missing:
        problems.append(Problem(
            _("the {what} has no {name} column").format(what=what, name=fields[fld][0]),
            Source(sheet.file if sheet else "?", sheet.name if sheet else None, row),
            hint=_("Columns found: {found}. Accepted names: {names}. Rename the column or add "
                   "the name to the template's aliases.").format(
                       found=comma.join(seen) or _("none"), names=comma.join(fields[fld]))))
    raise CslevelError(problems)


def _likely_header(sheet: Sheet | None) -> int | None:
    if sheet is None:
        return None
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) >= 2:
            return index
    return 0 if sheet.rows else None


def _merged_origin(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int]]:
    """(row index, col index) of every covered cell of a merged range -> its top-left cell,
    for the cells inside the sheet's rows and columns. Merged ranges never overlap in a
    workbook Excel saved; ranges that cover more cells than the sheet holds do, and are
    refused (a range such as A1:XFD1048576 would otherwise be walked cell by cell)."""
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    height = len(sheet.rows)
    width = max(map(len, sheet.rows), default=0)
    top_row, left_col = sheet.first_row - 1, sheet.first_col
    clipped = []
    for r1, c1, r2, c2 in sheet.merged:
        rows = range(max(r1, top_row), min(r2, top_row + height - 1) + 1)
        cols = range(max(c1, left_col), min(c2, left_col + width - 1) + 1)
        clipped.append((r1, c1, rows, cols))
    if sum(len(rows) * len(cols) for _r, _c, rows, cols in clipped) > height * width:
        big = max(sheet.merged, key=lambda m: (m[2] - m[0] + 1) * (m[3] - m[1] + 1))
        from ..records import column_letter

        where = (f"{column_letter(big[1])}{big[0] + 1}:{column_letter(big[3])}{big[2] + 1}")
        raise CslevelError(Problem(
            _("the sheet's merged cells overlap (e.g. {range})").format(range=where),
            Source(sheet.file, sheet.name),
            hint=_("Open it in Excel/WPS, unmerge those cells, save it, and run again.")))
    for r1, c1, rows, cols in clipped:
        top = (r1 - top_row, c1 - left_col)
        for r in rows:
            for c in cols:
                if (r, c) != (r1, c1):
                    origin[(r - top_row, c - left_col)] = top
    return origin


_FIRST_CHAR = itemgetter(slice(0, 1))


def _all_start_with_digits(keys: list[str]) -> bool:
    """Every key starts with a digit, checked in C passes (ids are most of the rows)."""
    heads = "".join(map(_FIRST_CHAR, keys))
    return len(heads) == len(keys) and heads.isdigit()


def _transpose(rows: list[list[object]], wanted: set[int]
               ) -> list[list[object] | None] | None:
    """The `wanted` columns of rows that are all as wide (None for the others; None when
    the rows are not all as wide, or there are none): the rows are chained into one list
    (one C pass, in the order their cells lie in memory) and each column is a slice of it
    with the row width as step."""
    widths = set(map(len, rows))
    if len(widths) != 1:
        return None
    width = widths.pop()
    flat = list(chain.from_iterable(rows))
    return [flat[c::width] if c in wanted else None for c in range(width)]


def _collect_rows(table: Table, fill_down: list[str]) -> None:
    sheet = table.sheet
    first, last = table.block
    id_col = table.columns["agent_id"]
    origin = _merged_origin(sheet) if sheet.merged else {}
    filled: set[str] = set()
    unfilled: set[str] = set()
    data_start = table.header_index + table.header_rows
    rows = sheet.rows
    data = rows[data_start:]
    # The cells column by column (the readers work on whole columns) when the rows are all
    # as wide; merged cells may be filled down below, so then they are made afterwards.
    columns = None if origin else _transpose(data, set(table.columns.values()))
    if columns is not None and id_col < len(columns):
        keys = columns[id_col]
        assert keys is not None
    elif min(map(len, data), default=0) > id_col:
        keys = list(map(itemgetter(id_col), data))
    else:
        keys = [cells[id_col] if id_col < len(cells) else None for cells in data]
    # the common row: an id that no totals or notes label starts with (digits, or a number)
    kinds = set(map(type, keys))
    if not origin and (kinds == {float} or (kinds == {str} and _all_start_with_digits(keys))):
        table.set_consecutive_rows(data_start, data, columns)  # every row is a data row
        return
    numbered = list(zip(range(data_start, len(rows)), data))
    ordinary = [not origin and (type(k) is float or (type(k) is str and k[:1].isdigit()))
                for k in keys]
    out = list(compress(numbered, ordinary))
    others = [(p, index, cells, key) for p, ((index, cells), key, plain)
              in enumerate(zip(numbered, keys, ordinary)) if not plain]
    kept = ordinary  # which data rows are table rows (cells as read: no merged cells here)
    for p, index, cells, key in others:
        block = cells[first:last + 1]
        if all(values.is_blank(c) for c in block):
            continue
        first_text = next((values.clean_text(c) for c in block if not values.is_blank(c)), "")
        id_text = values.clean_text(key)
        label = id_text or first_text
        if _TOTALS.match(label) or _NOTES.match(label) or (
            not id_text and (_TOTALS.match(first_text) or _NOTES.match(first_text))
        ):
            table.problems.append(Problem(
                _("skipped a totals/notes row ({label})").format(label=repr(label[:20])),
                sheet.source(index), "warning"))
            continue
        if origin:
            cells = list(cells)
            for fld, col in table.columns.items():
                if col < len(cells) and values.is_blank(cells[col]) and (index, col) in origin:
                    r, c = origin[(index, col)]
                    if fld in fill_down and r >= data_start:
                        cells[col] = rows[r][c]
                        filled.add(fld)
                    elif r >= data_start:
                        unfilled.add(fld)
        out.append((index, cells))
        kept[p] = True
    if others:
        out.sort(key=itemgetter(0))
    table.rows = out
    if columns is not None:  # the columns of the rows kept (cells unchanged: no merges)
        table.set_columns([None if column is None else list(compress(column, kept))
                           for column in columns])
    for fld in sorted(filled):
        table.problems.append(Problem(
            _("merged cells in column {column} filled down (the template allows it)").format(
                column=table.label(fld)),
            Source(sheet.file, sheet.name), "warning"))
    for fld in sorted(unfilled):
        table.problems.append(Problem(
            _("merged cells in column {column} were left blank under their first row").format(
                column=table.label(fld)),
            Source(sheet.file, sheet.name), "warning",
            hint=_("Add {field} to columns.fill_down in the template to repeat the merged "
                   "value.").format(field=fld)))
