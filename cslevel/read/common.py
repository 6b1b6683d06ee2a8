"""Read stage, what every input sheet shares: the agent id, the month of each row, the
level named in a cell, an agent listed twice, and the row-by-row conversion of one cell.

Input: a `Table`. Output: ids, months and levels as the template knows them, and the
`Problem`s naming the cells that are wrong (added to the caller's list).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..i18n import _
from ..records import CslevelError, Month, Problem, Source
from . import values
from .columns import _blank, _column, _convert
from .table import Table, month_in_text, period_in_name

if TYPE_CHECKING:
    from ..scheme import Scheme

T = TypeVar("T")


def _coerce(
    table: Table, index: int, fld: str, fn: Callable[[object], T], problems: list[Problem],
    what: str, hint: str,
) -> T | None:
    raw = table.cell(table.cells_at(index), fld)
    if values.is_blank(raw):
        return None
    try:
        return fn(raw)
    except ValueError as exc:
        problems.append(Problem(_("{what}: {error}").format(what=what, error=exc),
                                table.source(index, fld), hint=hint))
        return None


def _new_errors(problems: list[Problem], since: int) -> bool:
    return any(p.severity == "error" for p in problems[since:])


def _id(table: Table, index: int, problems: list[Problem]) -> str | None:
    raw = table.cell(table.cells_at(index), "agent_id")
    if values.is_blank(raw):
        problems.append(_empty_id(table.source(index, "agent_id")))
        return None
    try:  # (as _coerce, with the texts translated only for a problem: this runs per row)
        return values.agent_id(raw)
    except ValueError as exc:
        problems.append(Problem(_("{what}: {error}").format(what=_("agent id"), error=exc),
                                table.source(index, "agent_id"),
                                hint=_("Use the agent's id as text, e.g. 0007.")))
        return None


def spaced_ids(table: Table, problems: list[Problem]) -> None:
    """An id typed with a space inside ('00 07') is read without it (0007), with a warning
    naming each such cell: never silently (BAD_INPUTS 46). A column of plain text (the
    usual one) is passed over in C; otherwise its distinct text values are looked at."""
    raw = _column(table, "agent_id")
    if raw is None:
        return
    distinct = table.distinct("agent_id")
    if values.all_plain_text(distinct):
        return
    spaced = {v for v in distinct if type(v) is str and " " in values.clean_text(v)}
    for p in [p for p, v in enumerate(raw) if v in spaced] if spaced else ():
        text = values.clean_text(raw[p])
        agent = text.replace(" ", "")
        problems.append(Problem(
            _("agent id {text} has a space inside: read as {agent}").format(
                text=repr(text), agent=agent),
            table.source(table.rows[p][0], "agent_id"), "warning",
            hint=_("Check the id; if {agent} is right, remove the space in the workbook.")
            .format(agent=agent)))


def _empty_id(source: Source) -> Problem:
    return Problem(_("agent id (工号) is empty"), source,
                   hint=_("Fill in the id or delete the row."))


def _months_of_rows(
    table: Table, path: Path, override: Month | None, problems: list[Problem]
) -> list[Month | None]:
    """Each row's month: --month, else the file name, else a title cell, else a month column.
    A period stated above the header (an app's report: 统计日期 2026-03-01 至 2026-03-31) must be
    one month, and --month (the KPI's month) must be that one."""
    in_name = period_in_name(path.stem)
    named = month_in_text(path.stem) or (in_name.first if in_name else None)
    stated = table.period
    for period in (stated, in_name):
        if period is not None and period.first != period.last:
            raise CslevelError(Problem(
                _("the report covers {period}, more than one month").format(
                    period=period.text), Source(path.name, table.sheet.name),
                hint=_("Export the report again for one calendar month (the 1st to the last "
                       "day).")))
    if override is not None and stated is not None and stated.first != override:
        raise CslevelError(Problem(
            _("the report is for {stated} ({period}), not {month}").format(
                stated=stated.first, period=stated.text, month=override),
            Source(path.name, table.sheet.name),
            hint=_("Give the attendance report of {month} (export it again for that month).")
            .format(month=override)))
    if override is None and named and table.title_month and named != table.title_month:
        raise CslevelError(Problem(
            _("the file name says {named} but the title above the table says {title}").format(
                named=named, title=table.title_month), Source(path.name, table.sheet.name),
            hint=_("Check that the sheet really is that month's (a stale copy?), then give "
                   "--month to say which month it is.")))
    month = override or named or table.title_month
    if month is not None:
        return [month] * table.row_count
    if "month" not in table.columns:
        raise CslevelError(Problem(
            _("cannot tell which month this file is for"), Source(path.name, table.sheet.name),
            hint=_("Give --month 2026-10, or put the month in the file name (kpi_2026-10.xlsx) "
                   "or in a title cell (2026年10月绩效考核表).")))

    def to_month(raw: object) -> Month:
        if isinstance(raw, str) and (found := month_in_text(raw)):
            return found
        return Month.of(values.parse_date(raw, table.sheet.epoch1904))

    months = _convert(table, "month", to_month, problems, _("month"),
                      _("Use 2026-10 or 2026年10月."))
    assert months is not None
    for (index, cells), got in zip(table.rows, months):
        if got is None and _blank(table.cell(cells, "month")):
            problems.append(Problem(_("month is empty"), table.source(index, "month"),
                                    hint=_("Fill in the month (2026-10).")))
    return months


def _unknown_level(scheme: Scheme, label: str, source: Source) -> Problem:
    return Problem(_("unknown level {level}").format(level=repr(label)), source,
                   hint=_("Use one of: {levels}.").format(
                       levels=_(", ").join(scheme.level_names)))


def duplicates(items: list[tuple[str, Source]], what: str) -> list[Problem]:
    """The same agent id twice -> one error naming both rows. `what` names the rows'
    workbook in the language in force (`_("roster")`)."""
    first: dict[str, Source] = {}
    problems = []
    for agent, source in items:
        if agent in first:
            problems.append(_twice(agent, what, first[agent], source))
        else:
            first[agent] = source
    return problems


def _twice(agent: str, what: str, other: Source, source: Source) -> Problem:
    return Problem(_("agent {agent} appears twice in the {what} (also at {other})").format(
        agent=agent, what=what, other=other), source,
        hint=_("Keep one row per agent and delete the other."))


def weighted_metrics(scheme: Scheme) -> set[str]:
    """The keys of the metrics some post is scored on (weight > 0): the others (weight 0)
    are only read for reference, and a file may lack them."""
    rule = scheme.score
    return {m.key for m in rule.metrics if m.weight > 0} | {
        k for role in rule.by_role for k, w in role.weights.items() if w > 0}
