"""Inspect stage: one file -> how cslevel understands it (kind, sheet, header row, each
column's field, months, agents, the first rows as read, every problem). Writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from . import read as reader
from .i18n import N_, Labels, _
from .read import values
from .read.table import Table, find_table
from .read.workbook import read_sheets
from .records import CslevelError, Month, Problem, Source, column_letter
from .scheme import Scheme

Kind = Literal["kpi", "attendance", "roster"]
PREVIEW_ROWS = 5
WORKBOOK = Labels({"attendance": N_("attendance workbook"), "roster": N_("roster workbook")})


@dataclass
class Inspection:
    file: str
    kind: Kind
    mode: str  # kpi: ready / metrics / raw; else the kind
    sheet: str
    header_row: int
    columns: dict[str, str]  # header label -> field
    letters: dict[str, str]  # header label -> column letter
    months: list[Month]
    agents: int
    preview: list[list[str]]  # first rows, the mapped columns only
    problems: list[Problem] = field(default_factory=list)
    preview_headers: list[str] = field(default_factory=list)
    # metric name -> its key: items this KPI workbook has no column for, which another
    # workbook gives (the weighted scheme's 考勤: the month's attendance score)
    supplied: dict[str, str] = field(default_factory=dict)


def attendance_supplied(scheme: Scheme) -> frozenset[str]:
    """The metric the month's attendance workbook gives (`score.attendance_metric`: the
    weighted scheme's 考勤 item, the month's attendance score), whose KPI column may be
    absent; empty when the template has none."""
    key = scheme.score.attendance_metric
    return frozenset([key]) if key is not None else frozenset()


def _from_attendance(scheme: Scheme, plan: reader.KpiPlan) -> dict[str, str]:
    """The attendance metric when this workbook has no column for it (metric name -> key)."""
    if plan.mode != "metrics":
        return {}
    return {m.name: m.key for m in scheme.score.metrics
            if m.key in attendance_supplied(scheme) and f"metric:{m.key}" not in plan.table.columns}


def _candidates(path: Path, scheme: Scheme) -> list[tuple[int, Kind, object]]:
    sheets = read_sheets(path)
    found: list[tuple[int, Kind, object]] = []
    failures: list[CslevelError] = []
    try:
        plan = reader.understand_kpi(path, scheme, sheets, attendance_supplied(scheme))
        extra = {"ready": 1, "metrics": len(scheme.score.metrics), "raw": 2}[plan.mode]
        found.append((len(plan.table.columns) + extra, "kpi", plan))
    except CslevelError as exc:
        failures.append(exc)
    for kind, fields, required, kwargs in (
        ("attendance", reader.attendance_fields(scheme), ["agent_id"],
         {"key_fallback": "name", "fill_down": ["team"]}),
        ("roster", reader.roster_fields(scheme), ["agent_id"], {}),
    ):
        try:
            table = find_table(sheets, fields, required, WORKBOOK[kind], **kwargs)
        except CslevelError as exc:
            failures.append(exc)
            continue
        specific = [f for f in table.columns if f.startswith("att:")] if kind == "attendance" \
            else [f for f in table.columns if f in ("hire_date", "leave_date", "current_level")]
        if specific:
            found.append((len(table.columns), kind, table))  # type: ignore[arg-type]
    if not found:
        raise failures[0]
    return found


def inspect_file(path: Path, scheme: Scheme, month: Month | None = None) -> Inspection:
    _weight, kind, what = max(_candidates(path, scheme), key=lambda c: c[0])
    problems: list[Problem] = []
    agents: set[str] = set()
    months: set[Month] = set()
    mode: str = kind
    supplied: dict[str, str] = {}
    try:
        if kind == "kpi":
            plan = what
            assert isinstance(plan, reader.KpiPlan)
            table, mode = plan.table, plan.mode
            supplied = _from_attendance(scheme, plan)
            rows, problems = reader.read_kpi(path, scheme, month, plan,
                                             supplied=frozenset(supplied.values()))
            for name in supplied:
                problems.append(Problem(
                    _("no {metric} column: under this template (score.attendance_metric) the "
                      "{metric} item is the month's attendance score, taken from the "
                      "attendance workbook").format(metric=name),
                    Source(path.name, table.sheet.name, table.header_row), "warning",
                    hint=_("Give the month's attendance workbook with this one: cslevel score "
                           "{file} --attendance ATTENDANCE.xlsx (cslevel run takes it from "
                           "input/). Without it, every agent needs a {metric} value in this "
                           "workbook.").format(file=path.name, metric=name)))
            agents = {r.agent_id for r in rows}
            months = {r.month for r in rows}
        elif kind == "attendance":
            assert isinstance(what, Table)
            table = what
            att, problems = reader.read_attendance(path, scheme, month, table)
            agents = {r.agent_id for r in att}
            months = {r.month for r in att}
        else:
            assert isinstance(what, Table)
            table = what
            roster, problems = reader.read_roster(path, scheme, table)
            agents = {r.agent_id for r in roster}
    except CslevelError as exc:
        problems = list(table.problems) + exc.problems
    # a column may serve several fields (the name column as the agent key; one raw column
    # for two figures): show the agent key first, else the first field
    fields: dict[int, str] = {}
    for fld, col in sorted(table.columns.items(), key=lambda fc: fc[0] != "agent_id"):
        fields.setdefault(col, fld)
    columns: dict[str, str] = {}
    letters: dict[str, str] = {}
    first, last = table.block
    for col in range(first, last + 1):
        label = table.headers[col] if col < len(table.headers) else ""
        if not label:
            continue
        key = label if label not in columns else f"{label} ({column_letter(table.sheet.first_col + col)})"
        columns[key] = fields.get(col, "")
        letters[key] = column_letter(table.sheet.first_col + col)
    used = sorted({c for f, c in table.columns.items()})
    preview = [[values.clean_text(cells[c]) if c < len(cells) and not values.is_blank(cells[c])
                else "" for c in used] for _, cells in table.rows[:PREVIEW_ROWS]]
    return Inspection(path.name, kind, mode, table.sheet.name, table.header_row, columns,
                      letters, sorted(months), len(agents), preview, problems,
                      [table.headers[c] for c in used], supplied)
