"""Read stage, the KPI workbook (绩效考核表): file -> one `AgentRow` per agent and month.

Input: the workbook's path (or its sheets, or a `KpiPlan` already made), the template and
the month given on the command line. Output: the rows, each with its source cell, and every
problem found. The score comes from a ready score column, from the template's metric
columns, or from raw rows (one per call or ticket) aggregated per month (`aggregate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Literal

from ..bulk import bulk_load
from ..i18n import _
from ..records import AgentRow, CslevelError, Month, Problem, Source
from ..scheme import Metric, Scheme
from . import values
from .aggregate import RAW_AGENT, RAW_DATE, aggregate_rows, parse_day_month, raw_field
from .columns import Limits, _blank, _column, _convert, _decimal, _dicts, _scaled_column
from .common import (
    _empty_id,
    _months_of_rows,
    _unknown_level,
    drop_metric_hint,
    spaced_ids,
    weighted_metrics,
)
from .table import Table, find_table
from .workbook import Sheet, explain_blanks, read_sheets

READY = "ready_score"


def kpi_fields(scheme: Scheme) -> dict[str, list[str]]:
    cols = scheme.columns
    fields: dict[str, list[str]] = {
        "agent_id": cols.agent_id, "name": cols.name, "team": cols.team, "role": cols.role,
        "hire_date": cols.hire_date, "current_level": cols.current_level,
        "discipline_block": cols.discipline_block, "month": cols.month,
    }
    if scheme.score.source in ("auto", "ready"):
        fields[READY] = scheme.score.ready_column
    if scheme.score.source in ("auto", "metrics"):
        for metric in scheme.score.metrics:
            if metric.raters:  # made from one column per rater (rater_field)
                for index, rater in enumerate(metric.raters):
                    fields[rater_field(metric, index)] = metric.rater_columns(rater)
            else:
                fields[f"metric:{metric.key}"] = [metric.name, *metric.aliases]
    if scheme.aggregate is not None:
        fields[RAW_AGENT] = scheme.aggregate.agent_column
        fields[RAW_DATE] = scheme.aggregate.date_column
        for raw in scheme.aggregate.metrics:
            if raw.column:
                fields[raw_field(raw)] = raw.column
    return fields


def rater_field(metric: Metric, index: int) -> str:
    """The field of the `index`th rater's column of an item assessed by several raters."""
    return f"rater:{metric.key}:{index}"


def _has_metric(table: Table, metric: Metric) -> bool:
    """Whether the table gives `metric`: its column, or every rater's column."""
    if metric.raters:
        return all(rater_field(metric, i) in table.columns for i in range(len(metric.raters)))
    return f"metric:{metric.key}" in table.columns


def _missing_raters(path: Path, table: Table, scheme: Scheme, scored: bool) -> list[Problem]:
    """An item assessed by several raters with a rater's column missing: one problem per
    column (for every such item with some rater's column present, and, when the metrics
    are `scored`, for every item a post weights)."""
    problems = []
    for metric in scheme.score.metrics:
        if not metric.raters or _has_metric(table, metric):
            continue
        some = any(rater_field(metric, i) in table.columns for i in range(len(metric.raters)))
        if not (some or (scored and metric.weight > 0)):
            continue
        for index, rater in enumerate(metric.raters):
            if rater_field(metric, index) not in table.columns:
                problems.append(Problem(
                    _("{metric} is assessed by several raters, but the workbook has no column "
                      "{column} for the rater {rater}").format(
                        metric=metric.name, column=metric.rater_columns(rater)[0],
                        rater=rater.name),
                    Source(path.name, table.sheet.name, table.header_row),
                    hint=_("Add the column {column} with the {rater} scores (or name it as "
                           "the template's raters say).").format(
                        column=metric.rater_columns(rater)[0], rater=rater.name)))
    return problems


@dataclass
class KpiPlan:
    """How a KPI file is understood: its table and where the score comes from —
    a ready score column, the metric columns, or raw rows to aggregate per month."""

    table: Table
    mode: Literal["ready", "metrics", "raw"]
    fields: dict[str, list[str]]


def understand_kpi(path: Path, scheme: Scheme, sheets: list[Sheet] | None = None,
                   supplied: frozenset[str] = frozenset()) -> KpiPlan:
    """`supplied`: metrics another workbook gives (the 考勤 item from the attendance
    workbook): their columns may be absent."""
    sheets = sheets if sheets is not None else read_sheets(path)
    fields = kpi_fields(scheme)
    required = ["agent_id"] + ([READY] if scheme.score.source == "ready" else [])
    # (a sheet without 工号 is read by name: the intake joins the names to the roster's ids)
    table = find_table(sheets, fields, required, _("KPI workbook"),
                       key_fallback=(RAW_AGENT, "name") if scheme.aggregate else "name",
                       fill_down=scheme.columns.fill_down)
    # the metrics every post is scored on (weight > 0); post-only ones may be absent
    weighted = [m for m in scheme.score.metrics if m.weight > 0 and m.key not in supplied]
    metric_fields = [f"metric:{m.key}" for m in weighted if not m.raters]
    has_metrics = bool(weighted) and all(_has_metric(table, m) for m in weighted)
    raters_missing = _missing_raters(path, table, scheme, scheme.score.source == "metrics"
                                     or READY not in table.columns)
    if raters_missing:
        raise CslevelError(raters_missing)
    if RAW_DATE in table.columns and scheme.aggregate is not None:
        ids = [values.clean_text(table.cell(cells, "agent_id")) for _i, cells in table.rows]
        repeated = len(set(ids)) < len(ids)
        if repeated and has_metrics and not _raw_columns(table, scheme, weighted):
            daily = _daily_report(path, table)
            if daily is not None:
                raise CslevelError(daily)
        if repeated or not (READY in table.columns or has_metrics):
            return KpiPlan(table, "raw", fields)
    if READY in table.columns and scheme.score.source != "metrics":
        return KpiPlan(table, "ready", fields)
    if not has_metrics:
        absent = [f for f in metric_fields if f not in table.columns]
        missing = _(", ").join(fields[f][0] for f in absent) or _("no metrics defined")
        message = (_("the KPI workbook has no column for {missing}, which the score needs")
                   .format(missing=missing) if scheme.score.source == "metrics" else
                   _("the KPI workbook has neither a score column ({column}) nor every metric "
                     "column (missing: {missing})").format(
                         column=scheme.score.ready_column[0], missing=missing))
        hint = _("Columns found: {columns}. Add the missing columns or rename them as the "
                 "template says.").format(columns=_(", ").join(h for h in table.headers if h))
        if absent:
            hint = _("{hint} {more}").format(hint=hint, more=drop_metric_hint(
                scheme, [f.removeprefix("metric:") for f in absent], path.name))
        raise CslevelError(Problem(message, Source(path.name, table.sheet.name,
                                                   table.header_row), hint=hint))
    return KpiPlan(table, "metrics", fields)


def _raw_columns(table: Table, scheme: Scheme, weighted: list[Metric]) -> bool:
    """Whether the sheet has a raw column of a call or ticket log that a weighted metric is
    made from (the template's aggregate section)."""
    keys = {m.key for m in weighted}
    return scheme.aggregate is not None and any(
        raw.column and raw.key in keys and raw_field(raw) in table.columns
        for raw in scheme.aggregate.metrics)


def _daily_report(path: Path, table: Table) -> Problem | None:
    """A daily agent report (the figures per agent and day: the metric columns, a date,
    several rows of one agent in one month, no raw column of a call log) is neither a
    month's report nor a log the figures can be made from (a day's averages do not add up
    to the month's): the problem saying so, or None when no agent has two rows in a month."""
    rows: dict[tuple[str, Month], int] = {}
    for _index, cells in table.rows:
        try:
            month = parse_day_month(table.cell(cells, RAW_DATE), table.sheet.epoch1904)
        except ValueError:
            continue  # (the reading names the cell)
        key = (values.clean_text(table.cell(cells, "agent_id")), month)
        rows[key] = rows.get(key, 0) + 1
    repeated = next(((key, count) for key, count in rows.items() if count > 1), None)
    if repeated is None:
        return None
    (agent, month), count = repeated
    return Problem(
        _("this is a daily report: agent {agent} has {count} rows in {month}, one per day, "
          "with the figures already worked out; cslevel takes one row per agent for the "
          "month, or the raw log of every call").format(agent=agent, count=count,
                                                        month=month),
        Source(path.name, table.sheet.name, table.header_row),
        hint=_("Export the month's report from the system (月报 / 月度汇总: one row per agent), "
               "or the call records (通话记录) the figures are made from, and give that file "
               "instead."))


def read_kpi(path: Path, scheme: Scheme, month: Month | None,
             plan: KpiPlan | None = None, sheets: list[Sheet] | None = None,
             supplied: frozenset[str] = frozenset()) -> tuple[list[AgentRow], list[Problem]]:
    """One KPI workbook -> one AgentRow per agent and month, plus every problem found
    (`sheets`: the workbook's sheets when already read; `supplied`: metrics another workbook
    gives, whose column may be absent and whose blank cells are left to it)."""
    with bulk_load():
        return _read_kpi(path, scheme, month,
                         plan or understand_kpi(path, scheme, sheets, supplied), supplied)


def _read_kpi(path: Path, scheme: Scheme, month: Month | None,
              plan: KpiPlan | None, supplied: frozenset[str] = frozenset()
              ) -> tuple[list[AgentRow], list[Problem]]:
    plan = plan or understand_kpi(path, scheme, supplied=supplied)
    table = plan.table
    problems = list(table.problems)
    if plan.mode == "raw":
        rows = aggregate_rows(table, scheme, path, month, problems)
        raw = {m.key: m for m in scheme.aggregate.metrics} if scheme.aggregate else {}
        weighted = weighted_metrics(scheme)
        for metric in scheme.score.metrics:
            if metric.key not in weighted:
                continue  # read for reference only: nothing to make it from is no problem
            source = raw.get(metric.key)
            if source is None:
                problems.append(Problem(
                    _("the template's aggregate section does not say how to make {metric} from "
                      "raw rows").format(metric=metric.name), Source(path.name, table.sheet.name),
                    hint=_("Add a metric with key {key} under aggregate.metrics.").format(
                        key=metric.key)))
                continue
            if source.column and raw_field(source) not in table.columns:
                continue  # already reported: the column is missing
            if any(metric.key not in row.metrics for row in rows):
                missing = [row for row in rows if metric.key not in row.metrics]
                problems.append(Problem(
                    _("no value for {metric} for {count} agent-month(s) (first: {agent} "
                      "{month})").format(metric=metric.name, count=len(missing),
                                         agent=missing[0].agent_id, month=missing[0].month),
                    missing[0].source,
                    hint=_("The raw rows need a column for {metric} (see aggregate in the "
                           "template).").format(metric=metric.name)))
        return rows, problems
    use_ready = plan.mode == "ready"
    months = _months_of_rows(table, path, month, problems)
    count = table.row_count
    nothing: list[None] = [None] * count
    score_fields: list[str]
    columns: dict[str, list[Decimal | None]] = {}
    if use_ready:
        score_fields = [READY]
        low, high = scheme.score.score_bounds
        columns[READY] = _scaled_column(table, READY, "score", problems,
                                        Limits(low, high, "score.bounds"))
    else:
        score_fields = []
    for index, metric in enumerate(scheme.score.metrics):
        fld = f"metric:{metric.key}"
        if not _has_metric(table, metric):
            continue  # weighted only for posts (岗位) checked below
        if not use_ready:
            score_fields.append(fld)
        # with a ready score, metric columns present are still read (e.g. complaints)
        low, high = scheme.score.bounds_of(metric)
        limits = Limits(low, high, f"score.metrics[{index}].bounds", metric.unit == "percent")

        def read(fld: str, metric: Metric = metric, limits: Limits = limits
                 ) -> list[Decimal | None]:
            if metric.unit == "percent":
                return _scaled_column(table, fld, "percent", problems, limits,
                                      metric.target, metric.scale)
            conv = values.seconds if metric.unit == "seconds" else _decimal
            return _convert(table, fld, conv, problems, metric.name,
                            _("Enter a number."), limits) or nothing

        if metric.raters:
            columns[fld] = _combine_raters(table, metric, read, problems)
        else:
            columns[fld] = read(fld)
    extra_fields = [f for f in columns if f != READY and f not in score_fields]
    roles = _texts(table, "role")
    not_weighted: set[int] = set()  # rows with a blank metric that their post does not use
    blank_rows: dict[int, list[str]] = {}
    for fld in score_fields:
        if fld not in table.columns:
            continue  # made of several raters' columns: their blanks are reported already
        for p in _blank_positions(_column(table, fld) or nothing, table.distinct(fld)):
            key = fld.removeprefix("metric:")
            if key not in supplied and (use_ready or key in scheme.score.weights_for(roles[p])):
                blank_rows.setdefault(p, []).append(fld)
            else:
                not_weighted.add(p)
    if not use_ready:
        for role in sorted(set(roles)):
            by_key = {m.key: m for m in scheme.score.metrics}
            absent = [k for k in scheme.score.weights_for(role)
                      if not _has_metric(table, by_key[k]) and k not in supplied]
            if absent:
                names = [m.name for m in scheme.score.metrics if m.key in absent]
                problems.append(Problem(
                    _("agents in the post {post} are scored on {metrics}, but the workbook has "
                      "no such column").format(post=role or _("(none)"),
                                               metrics=_(", ").join(names)),
                    Source(table.sheet.file, table.sheet.name, table.header_row),
                    hint=_("Add the column, or check the post (岗位) names against the "
                           "template's by_role.")))
    blank_reasons = explain_blanks(path, table, [
        table.source(table.rows[p][0], fld) for p, flds in sorted(blank_rows.items())
        for fld in flds])
    for p, flds in sorted(blank_rows.items()):
        index = table.rows[p][0]
        unexplained = []
        for fld in flds:
            why = blank_reasons.get(table.source(index, fld))
            if why:
                problems.append(why)
            else:
                unexplained.append(fld)
        if not unexplained:
            continue
        labels = [table.label(f) for f in unexplained]
        if scheme.score.missing == "not_scored":
            problems.append(Problem(
                _("blank {columns}: not scored this month").format(
                    columns=_(", ").join(labels)),
                table.source(index, unexplained[0]), "warning"))
            continue
        for fld, label in zip(unexplained, labels):
            problems.append(Problem(
                _("{label} is blank").format(label=label), table.source(index, fld),
                hint=_("Fill in the value (0 if it really is zero), or set "
                       "score.missing: not_scored in the template.")))

    ids = _convert(table, "agent_id", values.agent_id, problems, _("agent id"),
                   _("Use the agent's id as text, e.g. 0007.")) or nothing
    # (ids that are the cells as read are all plain text: none is missing)
    ids_missing = ids is not _column(table, "agent_id") and None in ids
    # (ids as read are plain text: no space; names in the agent column of raw rows, such as
    # Avaya's "Agent", lose their spaces without a warning, as raw rows' do)
    if ids is not _column(table, "agent_id") and (
            table.columns.get("agent_id") != table.columns.get(RAW_AGENT)):
        spaced_ids(table, problems)
    for p in [p for p, got in enumerate(ids) if got is None] if ids_missing else ():
        if _blank(_column_value(table, p, "agent_id")):
            problems.append(_empty_id(table.source(table.rows[p][0], "agent_id")))

    levels: list[str | None] = list(nothing)
    for p, index, raw in zip(range(count), table.row_indexes(),
                             _column(table, "current_level") or ()):
        label = "" if _blank(raw) else values.clean_text(raw)
        levels[p] = scheme.resolve_level(label) if label else None
        if label and levels[p] is None:
            problems.append(_unknown_level(scheme, label, table.source(index, "current_level")))
    hires = _convert(table, "hire_date",
                     lambda v: values.parse_date(v, table.sheet.epoch1904), problems,
                     _("hire date"), _("Use a date such as 2026-03-10.")) or nothing
    blocks = _convert(table, "discipline_block", values.flag, problems, _("discipline flag"),
                      _("Use 是 or 否.")) or nothing
    names = _texts(table, "name")
    teams = _texts(table, "team")
    bad_rows = {p.source.row for p in problems if p.severity == "error" and p.source
                and p.source.file == table.sheet.file and p.source.sheet == table.sheet.name}
    # A score cell is None only when blank (blank_rows) or in error (bad_rows), except for a
    # column refused as a whole: look for those only when there are errors at all.
    incomplete = set(blank_rows)
    if any(p.severity == "error" for p in problems):
        for fld in score_fields:
            # `v is None`, never `None in column`: comparing a Decimal with None is slow
            incomplete.update([p for p, v in enumerate(columns[fld]) if v is None])
    # Rows are built by C iterators (one named tuple, one Source and one dict per row):
    # this is the part that runs 100,000 times.
    first_row = table.sheet.first_row
    file, sheet_name = table.sheet.file, table.sheet.name
    keys = [fld.removeprefix("metric:") for fld in [*score_fields, *extra_fields]
            if fld != READY]
    # (a metric blank for a post that does not use it stays None until the rows are built)
    metric_dicts = _dicts(keys, [columns[f"metric:{k}"] for k in keys], count)
    ready_values = columns[READY] if use_ready else nothing
    indexes = table.row_indexes()
    excel_rows = (range(first_row + indexes.start, first_row + indexes.stop)
                  if type(indexes) is range and indexes.step == 1
                  else list(map(first_row.__add__, indexes)))
    # (map calling tuple.__new__ with the class repeated: quicker than through a partial)
    sources = map(tuple.__new__, repeat(Source),
                  zip(repeat(file), repeat(sheet_name), excel_rows, repeat(None)))
    rows: list[AgentRow] = list(map(tuple.__new__, repeat(AgentRow), zip(
        ids, months, sources, names, teams, roles, hires, levels, ready_values, metric_dicts,
        map(bool, blocks) if blocks is not nothing else repeat(False))))
    skip = incomplete | {p for p, row in enumerate(excel_rows) if row in bad_rows} if (
        incomplete or bad_rows) else set()
    for fld in extra_fields:  # blanks of columns read alongside a ready score
        not_weighted.update([p for p, v in enumerate(columns[fld]) if v is None])
    for p in not_weighted:  # drop the blanks of metrics that the row's post does not use
        row = rows[p]
        rows[p] = row._replace(metrics={k: v for k, v in row.metrics.items() if v is not None})
    months_complete = not months or (months[0] is not None
                                     and months.count(months[0]) == len(months))
    if skip or ids_missing or not (months_complete or all(m is not None for m in months)):
        rows = [row for p, row in enumerate(rows)
                if p not in skip and row.agent_id is not None and row.month is not None]
    return rows, problems


def _combine_raters(table: Table, metric: Metric,
                    read: Callable[[str], list[Decimal | None]],
                    problems: list[Problem]) -> list[Decimal | None]:
    """An item assessed by several raters: Σ weight × the rater's score, row by row, exact
    (no rounding: the month's score rounds once). A blank rater's cell is an error naming
    it; the row's item is then None."""
    parts = []
    for index, rater in enumerate(metric.raters):
        fld = rater_field(metric, index)
        got = read(fld)
        raw = _column(table, fld) or []
        for p in _blank_positions(raw, table.distinct(fld)):
            problems.append(Problem(
                _("{label} is blank").format(label=table.label(fld)),
                table.source(table.rows[p][0], fld),
                hint=_("Fill in the {rater} score of {metric}: its value is made of every "
                       "rater's.").format(rater=rater.name, metric=metric.name)))
        parts.append((rater.weight, got))
    combined: list[Decimal | None] = []
    for p in range(table.row_count):
        total = Decimal(0)
        for weight, got in parts:
            value = got[p]
            if value is None:
                total = None  # type: ignore[assignment]
                break
            total += weight * value
        combined.append(total)
    return combined


def _blank_positions(column: list[object], distinct: set[object]) -> list[int]:
    blanks = {v for v in distinct if v is None or v == "" or (type(v) is str and not v.strip())}
    return [p for p, v in enumerate(column) if v in blanks] if blanks else []


def _column_value(table: Table, position: int, fld: str) -> object:
    return table.cell(table.rows[position][1], fld)


def _texts(table: Table, fld: str) -> list[str]:
    got = _convert(table, fld, values.clean_text, [], fld, "")
    if got is None:
        return [""] * table.row_count
    if got is _column(table, fld):  # the cells as they are: all plain text, none blank
        return got  # type: ignore[return-value]
    return got if None not in got else [text or "" for text in got]  # type: ignore[return-value]
