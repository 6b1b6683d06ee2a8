"""Read stage, the column engine: a table's columns -> converted values, a column at a time.

Input: a `Table` (cells as the fast reader gave them) and a field name. Output: the field's
column converted (ids, texts, numbers as Decimals, dates), None where a cell is blank or in
error, each error a `Problem` naming its cell; numeric columns brought to one scale
(`_scaled_column`) and kept within their limits (`Limits`). Each distinct cell value is
converted once, floats by C iterators: this is where the KPI and attendance readers spend
their time on 100,000 rows.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import itemgetter, setitem
from typing import Any, TypeVar, cast

from ..i18n import _
from ..limits import FIGURE_LIMIT
from ..records import Problem, Source
from . import values
from .table import Table

T = TypeVar("T")


def _column(table: Table, fld: str) -> list[object] | None:
    """The raw cells of one field, aligned with table.rows (None where the row is short)."""
    col = table.columns.get(fld)
    if col is None:
        return None
    cached = table.column_cache.get(fld)
    if cached is None:
        columns = table.transposed()
        cached = columns[col] if columns is not None and col < len(columns) else None
        if cached is None:  # (rows of different widths, or all narrower than the header)
            cached = [cells[col] if col < len(cells) else None for cells in table.row_cells]
        table.column_cache[fld] = cached
    return cached


def _blank(value: object) -> bool:
    return value is None or value == "" or (type(value) is str and not value.strip())


def _convert(
    table: Table, fld: str, fn: Callable[[object], T], problems: list[Problem], what: str,
    hint: str, bounds: Limits | None = None,
) -> list[T | None] | None:
    """A whole column converted by `fn`: None for blank cells and for cells in error (each
    error is a problem naming its cell). None when the table has no such column. Each
    distinct cell value is converted once (a team or a rate repeats down a column).
    `bounds`: the values allowed (Decimals); a cell outside them is in error too."""
    raw = _column(table, fld)
    if raw is None:
        return None
    if fn in _TEXT_FNS and values.all_plain_text(
            raw if _mostly_different(raw) else table.distinct(fld)):
        # A column of text that needs no cleaning maps to itself. One of repeated values
        # (teams, posts) is checked on its distinct values, one whose values differ (ids,
        # names) as it is: no set of its distinct values is made.
        return raw  # type: ignore[return-value]  # (shared, never changed)
    memo = _distinct(raw, fn, table.distinct(fld))
    if memo is None:
        out = [_convert_one(fn, v) for v in raw]
        if bounds is not None:
            by_position = dict(enumerate(out))
            bounds.mark(by_position, raw.__getitem__)
            out = list(by_position.values())
    else:
        if bounds is not None:
            bounds.mark(memo)
        out = list(map(memo.__getitem__, raw))
        if not any(type(got) is _Failure for got in memo.values()):
            return out
    return _report_failures(table, fld, out, problems, what, hint)


@dataclass(frozen=True)
class Limits:
    """The values a column's figures may take, both ends included (BAD_INPUTS 38): from the
    template (`field` names where, for the hint), or the domain's. `percent`: the figures
    are fractions, shown as percentages."""

    low: Decimal
    high: Decimal
    field: str
    percent: bool = False

    def outside(self, converted: dict[Any, Any]) -> list[Any]:
        """The keys of `converted` whose Decimal lies outside the limits; when none does,
        found by a min and a max over the distinct values (C passes)."""
        found = converted.values()
        try:
            if not found or (self.low <= min(found) and max(found) <= self.high):
                return []
        except TypeError:  # (None or a failure among the values)
            numbers = [v for v in found if type(v) is Decimal]
            if not numbers or (self.low <= min(numbers) and max(numbers) <= self.high):
                return []
        return [k for k, v in converted.items()
                if type(v) is Decimal and not self.low <= v <= self.high]

    def mark(self, converted: dict[Any, Any],
             cell_of: Callable[[Any], object] | None = None) -> None:
        """Each value of `converted` outside the limits becomes a failure saying so (the
        cell's text from its key, or from `cell_of(key)`)."""
        for key in self.outside(converted):
            converted[key] = self.failure(key if cell_of is None else cell_of(key))

    def failure(self, cell: object) -> _Failure:
        return _Failure.because(
            _("{value} is out of range: allowed {low} to {high}").format(
                value=values.clean_text(cell), low=self.show(self.low),
                high=self.show(self.high)),
            _("Check the value; if such values are right, widen {field} in the template.")
            .format(field=self.field))

    def show(self, value: Decimal) -> str:
        if self.percent:
            return f"{(value * 100).normalize():f}%"
        return f"{value.normalize():f}" if value < 10 ** 6 else f"{value:,}"


_TEXT_FNS: set[Callable[[object], object]] = {values.clean_text, values.agent_id}


def _mostly_different(raw: list[object], sample: int = 1000) -> bool:
    """Whether most of the first `sample` values of a column differ (ids, names) rather
    than repeat (teams, posts): only decides how a column is looked at, never the result."""
    head = raw[:sample]
    return len(set(head)) * 2 > len(head)


def _distinct(raw: list[object], fn: Callable[[object], T],
              distinct: set[object] | None = None) -> dict[object, object] | None:
    """Distinct cell value -> converted value (or _Failure); None when values that hash
    alike differ in meaning (TRUE and 1), so cells must be converted one by one."""
    distinct = set(raw) if distinct is None else distinct
    types = set(map(type, distinct))
    if bool in types or ((1 in distinct or 0 in distinct) and bool in set(map(type, raw))):
        # (a TRUE or FALSE cell is hidden in the set when an equal 1 or 0 came first)
        return None
    if types == {float} and fn in _FROM_FLOAT:
        cells = list(distinct)
        if all(map(_FLOAT_LIMIT.__ge__, map(abs, cells))):  # (NaN compares false)
            # numbers as Excel stores them: converted by C iterators (no float is blank,
            # and none of these, finite and within FIGURE_LIMIT, fails: each of these
            # functions makes Decimal(repr(value)) of such a float)
            return dict(zip(cells, _FROM_FLOAT[fn](map(Decimal, map(repr, cells)))))
    return {value: _convert_one(fn, value) for value in distinct}


_FLOAT_LIMIT = float(FIGURE_LIMIT)


def _report_failures(table: Table, fld: str, out: list[Any], problems: list[Problem],
                     what: str, hint: str) -> list[Any]:
    for p in [p for p, got in enumerate(out) if type(got) is _Failure]:
        problems.append(Problem(_("{what}: {error}").format(what=what, error=out[p]),
                                table.source(table.rows[p][0], fld),
                                hint=out[p].hint or hint))
        out[p] = None
    return out


class _Failure(str):
    """Why a cell could not be converted (kept apart from converted text values), and
    what to do when the column's own hint does not say it."""

    hint = ""

    @classmethod
    def because(cls, why: str, hint: str) -> _Failure:
        failure = cls(why)
        failure.hint = hint
        return failure


def _convert_one(fn: Callable[[object], T], value: object) -> T | _Failure | None:
    if value is None or value == "" or (type(value) is str and not value.strip()):
        return None
    try:
        return fn(value)
    except ValueError as exc:
        return _Failure(exc)


def _decimal(value: object) -> Decimal:
    if type(value) is float and abs(value) <= _FLOAT_LIMIT:
        return Decimal(repr(value))
    return values.number(value)[0]


# What each conversion makes of floats (number: not written with a % sign), given the
# Decimals of their reprs; str(float) is repr(float).
_FROM_FLOAT: dict[Callable[[object], object], Callable[[Iterator[Decimal]], Iterator[object]]] = {
    values.number: lambda decimals: zip(decimals, repeat(False)),
    values.seconds: iter,
    _decimal: iter,
}


# A header that states its unit: 投诉率(%), 满意度（%）, 解决率 %, 回访率(单位：%), 满意度(百分比)
# (headers are read NFKC: full-width brackets, colon and per-cent sign are plain ones)
_PERCENT_UNIT = re.compile(r"(?:\((?:单位:?)?(?:%|百分比|百分数)\)|\[%\]|【%】|%)$")


def states_percent(label: str) -> bool:
    """Whether a column's header says that its values are percentages (percent points)."""
    return bool(_PERCENT_UNIT.search(values.clean_text(label).replace(" ", "")))


# A fraction reading is credible up to this many times the metric's target (see below).
_CREDIBLE_TIMES_TARGET = 10


def _scaled_column(
    table: Table, fld: str, kind: str, problems: list[Problem], bounds: Limits | None = None,
    target: Decimal | None = None, scale: str = "auto",
) -> list[Decimal | None]:
    """Read a numeric column and bring it to one scale.

    kind 'score': % of target in points (112 = 112%); a column written as fractions
    (1.12) is multiplied by 100, with a warning (a unit in a score's header changes nothing:
    a score is a percentage already). kind 'percent': a fraction (0.95 = 95%), as follows
    (BAD_INPUTS 16, 40):

    - a value written with a % sign is percent points (95% = 0.95, 0.3% = 0.003);
    - a header that states its unit (投诉率(%), 满意度（%）, 解决率 %) makes every value percent
      points: 0.3 is 0.3 %, 95 is 95 % (so does the metric's `scale: points`; `scale:
      fraction` makes every bare value a fraction);
    - otherwise a column with bare values above 1 is in points (95 = 95 %), and one whose
      bare values are all at most 1 is in fractions (0.95 = 95 %); a column mixing both
      forms is an error naming cells;
    - but a column of fractions only is also a column of small percent points (0.3 could
      be 30 % or 0.3 %). That is a real doubt only for a metric whose target is small: at
      most 1 means at most 1 %, not credible for a satisfaction aimed at 85 %, credible for
      a complaint rate aimed at 1 %. So the fraction reading stands when no value is more
      than 10 times the target (up to 0.1, 10 %, for a 1 % complaint target); past that
      (0.3, 0.5, 0.8: 30–80 % complaints against a 1 % target) the column could be read
      both ways and is refused naming it, until its header or its values say the unit. (No
      target: the fraction reading stands.)

    The scale is decided on the column's distinct values; then every figure must lie
    within `bounds` (in the column's final scale), else the cell is in error.
    """
    label = table.label(fld)
    points = kind == "percent" and (scale == "points" or (
        scale == "auto" and states_percent(label)))
    fractions = kind == "percent" and scale == "fraction"
    raw = _column(table, fld) or []
    memo = _distinct(raw, values.number, table.distinct(fld))
    if memo is None:
        memo = {}
        cells = [_convert_one(values.number, v) for v in raw]
        keys: list[object] = list(range(len(raw)))
        memo = dict(zip(keys, cells))
    else:
        keys = raw
    scaled: dict[object, object] | None = None
    if kind == "percent" and not points and memo and set(map(type, memo.values())) == {tuple}:
        pairs = cast("list[tuple[Decimal, bool]]", list(memo.values()))
        numbers = list(map(itemgetter(0), pairs))
        if not any(map(itemgetter(1), pairs)) and max(numbers) <= 1:
            # the common column: fractions, none in error and none written with a % sign;
            # the rules below keep every value as it is (checked in C passes)
            if not fractions and _ambiguous(max(numbers), target):
                problems.append(_either_way(table, fld, max(numbers)))
                return [None] * len(raw)
            scaled = dict(zip(memo, numbers))
    if scaled is None:
        small_limit = Decimal(3) if kind == "score" else Decimal(1)
        parsed = {k: g for k, g in memo.items() if type(g) is tuple}
        small = {k for k, (v, pct) in parsed.items()
                 if not pct and 0 < v <= small_limit and v != 1}
        large = {k for k, (v, pct) in parsed.items() if not pct and v > small_limit}
        if small and large and not (points or fractions):
            where = ([p for p, k in enumerate(keys) if k in small][:3]
                     + [p for p, k in enumerate(keys) if k in large][:3])
            cells_text = _(", ").join(str(table.source(table.rows[p][0], fld).cell)
                                      for p in where)
            problems.append(Problem(
                _("{label} mixes fractions and percentages ({cells})").format(
                    label=label, cells=cells_text),
                Source(table.sheet.file, table.sheet.name),
                hint=_("Write every value the same way, e.g. all as 95% or all as 0.95.")))
            return [None] * len(raw)
        bare_are_fractions = fractions or (not points and (
            bool(small) or (not large and kind == "percent")))
        if kind == "percent" and bare_are_fractions and not fractions:
            bare = [v for v, pct in parsed.values() if not pct]
            if bare and _ambiguous(max(bare), target):
                problems.append(_either_way(table, fld, max(bare)))
                return [None] * len(raw)
        hundred = Decimal(100)
        scaled = {}
        for k, got in memo.items():
            if type(got) is not tuple:
                scaled[k] = got  # None or a _Failure
            elif kind == "score":
                value, pct = got
                scaled[k] = value * hundred if (not pct and bare_are_fractions) else value
            else:
                value, pct = got
                scaled[k] = value / hundred if (pct or not bare_are_fractions) else value
        if kind == "score" and bare_are_fractions and any(not pct for _v, pct in parsed.values()):
            problems.append(Problem(
                _("{label} read as fractions of target (1.12 = 112%)").format(label=label),
                Source(table.sheet.file, table.sheet.name), "warning"))
    if bounds is not None:
        bounds.mark(scaled, raw.__getitem__ if keys is not raw else None)
    out = list(map(scaled.__getitem__, keys))
    if any(type(got) is _Failure for got in scaled.values()):
        out = _report_failures(table, fld, out, problems, label, _("Enter a number."))
    return out


def _ambiguous(largest: Decimal, target: Decimal | None) -> bool:
    """Whether a percent column of bare values at most 1 could as well be percent points:
    its largest value, read as a fraction, is past what is credible for the target."""
    return target is not None and largest > _CREDIBLE_TIMES_TARGET * target


def _either_way(table: Table, fld: str, largest: Decimal) -> Problem:
    label = table.label(fld)
    value = f"{largest.normalize():f}"
    return Problem(
        _("{label}: the values (up to {value}) could be fractions ({value} = {fraction}) or "
          "percent points ({value} = {value}%), and the header does not say which").format(
            label=label, value=value, fraction=f"{(largest * 100).normalize():f}%"),
        table.sheet.source(table.header_index + table.header_rows - 1, table.columns[fld]),
        hint=_("Put the unit in the header ({label}(%) when {value} means {value}%), or write "
               "the values with their % sign.").format(label=label, value=value))


def _dicts(keys: list[str], columns: list[list[Any]], count: int) -> list[dict[str, Any]]:
    """`count` dicts {key: that column's value in the row}, made a column at a time by C
    iterators: one copy per row of a dict holding the keys, then each column's values set
    into them (faster than dict(zip(keys, row)) per row)."""
    template = dict.fromkeys(keys)
    dicts = list(map(dict.copy, repeat(template, count)))
    for key, column in zip(keys, columns):
        deque(map(setitem, dicts, repeat(key), column), maxlen=0)
    return dicts
