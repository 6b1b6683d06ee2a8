"""Pay tables kept in Excel: a template may name a workbook (`pay.table`, relative to the
template file) with one row per level and one column per pay component, instead of listing
the amounts in the template. The table is read when the template is loaded; `score` keeps a
copy with the history so that payroll pays what was read, and says when the workbook changed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import _
from .limits import MONEY_CEILING
from .records import CslevelError, Problem, Source
from .scheme.names import normalize_label

if TYPE_CHECKING:
    from collections.abc import Callable

    from .read.workbook import Sheet
    from .scheme.models import Scheme

LEVEL_HEADERS = ["级别", "等级", "职级", "段位", "星级", "Level"]
HEADER_ROWS = 10  # the header is looked for in the first rows (a title row may come first)

PayTable = dict[str, dict[str, Decimal]]


def table_path(scheme: Scheme, template_path: Path) -> Path | None:
    if scheme.pay.table is None:
        return None
    path = Path(scheme.pay.table)
    return path if path.is_absolute() else template_path.parent / path


def read_pay_table(path: Path, scheme: Scheme) -> PayTable:
    """The workbook's amounts by level and component, or CslevelError naming file › sheet ›
    cell and what to do."""
    from .read.values import is_blank, number
    from .read.workbook import read_sheets

    sheets = [s for s in read_sheets(path) if s.visible] or read_sheets(path)
    wanted = scheme.pay.table_sheet
    if wanted is not None:
        found = [s for s in sheets if normalize_label(s.name) == normalize_label(wanted)]
        if not found:
            raise CslevelError(Problem(
                _("no sheet {sheet} in the pay table").format(sheet=repr(wanted)),
                Source(path.name),
                hint=_("Sheets in the file: {sheets}.").format(
                    sheets=", ".join(s.name for s in sheets))))
        sheets = found
    components = scheme.pay.components
    want = {normalize_label(c): c for c in components}
    level_keys = {normalize_label(h) for h in LEVEL_HEADERS}
    for sheet in sheets[:1]:
        for index, row in enumerate(sheet.rows[:HEADER_ROWS]):
            labels = [normalize_label(v) if not is_blank(v) else "" for v in row]
            level_col = next((j for j, lab in enumerate(labels) if lab in level_keys), None)
            if level_col is None:
                continue
            columns = {want[lab]: j for j, lab in enumerate(labels) if lab in want}
            missing = [c for c in components if c not in columns]
            if missing:
                found = [str(v) for v in row if not is_blank(v)]
                raise CslevelError(Problem(
                    _("the pay table has no column for {missing}").format(
                        missing=", ".join(missing)),
                    Source(path.name, sheet.name, sheet.first_row + index),
                    hint=_("Columns found: {found}. Add one column per pay component of the "
                           "template: {components}.").format(found=", ".join(found),
                                                             components=", ".join(components))))
            return _rows(path, sheet, index, level_col, columns, scheme, is_blank, number)
    raise CslevelError(Problem(
        _("no header row with a 级别 (Level) column in the pay table"),
        Source(path.name, sheets[0].name if sheets else None),
        hint=_("Put a header row with {level} and the pay components ({components}) in the "
               "first {rows} rows.").format(level=LEVEL_HEADERS[0],
                                            components=", ".join(components), rows=HEADER_ROWS)))


def _rows(path: Path, sheet: Sheet, header: int, level_col: int, columns: dict[str, int],
          scheme: Scheme, is_blank: Callable[[object], bool],
          number: Callable[[object], tuple[Decimal, bool]]) -> PayTable:
    table: PayTable = {}
    problems: list[Problem] = []
    for index, row in enumerate(sheet.rows[header + 1:], start=header + 1):
        excel_row = sheet.first_row + index
        label = row[level_col] if level_col < len(row) else None
        if is_blank(label):
            continue
        level = scheme.resolve_level(label)
        where = Source(path.name, sheet.name, excel_row, sheet.first_col + level_col)
        if level is None:
            problems.append(Problem(
                _("unknown level {level} in the pay table").format(level=repr(str(label))), where,
                hint=_("Levels of the {scheme} template: {levels}.").format(
                    scheme=scheme.scheme, levels=", ".join(scheme.level_names))))
            continue
        if level in table:
            problems.append(Problem(
                _("{level} appears twice in the pay table").format(level=level), where,
                hint=_("Keep one row per level.")))
            continue
        amounts: dict[str, Decimal] = {}
        for component, col in columns.items():
            value = row[col] if col < len(row) else None
            cell = Source(path.name, sheet.name, excel_row, sheet.first_col + col)
            if is_blank(value):
                problems.append(Problem(
                    _("no amount for {component} of {level}").format(component=component,
                                                                     level=level), cell,
                    hint=_("Write 0 where a level has none of it.")))
                continue
            try:
                amount, percent = number(value)
            except ValueError as exc:
                problems.append(Problem(
                    _("{component} of {level}: {error}").format(component=component,
                                                                level=level, error=exc), cell,
                    hint=_("Write the amount in yuan, e.g. 3000 or 3000.00.")))
                continue
            if percent or amount < 0:
                problems.append(Problem(
                    _("{component} of {level} must be an amount of 0 or more, not {value}")
                    .format(component=component, level=level, value=repr(value)), cell,
                    hint=_("Write the amount in yuan, e.g. 3000.00.")))
                continue
            if amount > MONEY_CEILING:
                problems.append(Problem(
                    _("{component} of {level} is {value}, more than {ceiling} yuan a month")
                    .format(component=component, level=level, value=repr(value),
                            ceiling=f"{MONEY_CEILING:,}"), cell,
                    hint=_("Check the amount: no pay component is that large.")))
                continue
            amounts[component] = amount
        table[level] = amounts
    missing = [lv for lv in scheme.level_names if lv not in table]
    if missing:
        problems.append(Problem(
            _("the pay table has no row for {missing}").format(missing=", ".join(missing)),
            Source(path.name, sheet.name), hint=_("Add one row per level of the template.")))
    if problems:
        raise CslevelError(problems)
    return table


def apply_pay_table(scheme: Scheme, table: PayTable) -> Scheme:
    """The scheme with each level's pay taken from the table."""
    levels = [level.model_copy(update={"pay": dict(table[level.name])})
              for level in scheme.levels]
    return scheme.model_copy(update={"levels": levels})


def dump(table: PayTable) -> str:
    return json.dumps({lv: {c: str(a) for c, a in row.items()} for lv, row in table.items()},
                      ensure_ascii=False, sort_keys=True)


def load(text: str) -> PayTable:
    return {lv: {c: Decimal(a) for c, a in row.items()} for lv, row in json.loads(text).items()}
