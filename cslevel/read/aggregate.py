"""Raw rows -> monthly figures: a call or ticket log (one row per call, several rows per
agent) becomes one AgentRow per agent and month, as the template's `aggregate` section says:
mean, sum, count (of every row, or of the rows whose cell is one of `values`: answered
calls), or the share of rows whose cell counts as yes (one of `values`, or a number at least
`at_least`: 满意 or a rating of 4). Blank cells are left out of means and shares (an
unanswered call has no satisfaction rating), and so are cells in `skip_values` (未评价) and,
with `skip_zero`, zeros (an unanswered call's 00:00:00 talk time)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from ..i18n import _
from ..records import AgentRow, Month, Problem, Source
from ..scheme import AggregateMetric, Scheme, normalize_label
from . import values
from .common import drop_metric_hint, spaced_ids, weighted_metrics
from .table import Table

RAW_DATE = "raw_date"
RAW_AGENT = "raw_agent"
_YYMMDD = re.compile(r"^\d{6}$")


def raw_field(metric: AggregateMetric) -> str:
    return f"raw:{metric.key}"


def parse_day_month(raw: object, epoch1904: bool) -> Month:
    """The month of a date cell; also YYMMDD text (990201 = 1999-02-01) as old systems export."""
    if isinstance(raw, str):
        text = values.clean_text(raw).replace(" ", "")
        if _YYMMDD.match(text):
            yy = int(text[:2])
            raw = f"{1900 + yy if yy >= 70 else 2000 + yy}-{text[2:4]}-{text[4:]}"
    return Month.of(values.parse_date(raw, epoch1904))


def _reader(metric: AggregateMetric) -> Callable[[object], Decimal]:
    if metric.unit == "seconds":
        return _duration
    return lambda v: values.number(v)[0]


def _duration(value: object) -> Decimal:
    """A raw row's duration in seconds: never negative (BAD_INPUTS 38)."""
    found = values.seconds(value)
    if found < 0:
        raise ValueError(_("a duration cannot be negative ({text})").format(
            text=values.clean_text(value)))
    return found


def aggregate_rows(
    table: Table, scheme: Scheme, path: Path, month: Month | None, problems: list[Problem]
) -> list[AgentRow]:
    rule = scheme.aggregate
    assert rule is not None
    sheet = table.sheet
    ignore = {normalize_label(a) for a in rule.ignore_agents}
    groups: dict[tuple[str, Month], list[int]] = {}
    ignored = 0
    other_months: set[Month] = set()
    for index, cells in table.rows:
        agent_raw = table.cell(cells, "agent_id")
        if values.is_blank(agent_raw):
            continue  # a call nobody took (an abandoned call) belongs to no agent
        try:
            agent = values.agent_id(agent_raw)
        except ValueError as exc:
            problems.append(Problem(_("agent: {error}").format(error=exc),
                                    table.source(index, "agent_id")))
            continue
        if normalize_label(agent) in ignore:
            ignored += 1
            continue
        raw_date = table.cell(cells, RAW_DATE)
        try:
            row_month = parse_day_month(raw_date, sheet.epoch1904)
        except ValueError as exc:
            problems.append(Problem(_("date: {error}").format(error=exc),
                                    table.source(index, RAW_DATE),
                                    hint=_("Use a date such as 2026-10-01.")))
            continue
        if month is not None and row_month != month:
            other_months.add(row_month)
            continue
        groups.setdefault((agent, row_month), []).append(index)
    if table.columns.get("agent_id") != table.columns.get(RAW_AGENT):  # (not names)
        spaced_ids(table, problems)
    if ignored:
        problems.append(Problem(
            _("{count} rows of pseudo-agents left out ({names})").format(
                count=ignored, names=_(", ").join(rule.ignore_agents)),
            Source(sheet.file, sheet.name), "warning"))
    if other_months:
        problems.append(Problem(
            _("rows of other months left out because --month {month} was given: "
              "{months}").format(month=month,
                                 months=_(", ").join(str(m) for m in sorted(other_months))),
            Source(sheet.file, sheet.name), "warning"))

    present = [m for m in rule.metrics
               if not m.column or raw_field(m) in table.columns]
    scored = {m.key: m.name for m in scheme.score.metrics}
    weighted = weighted_metrics(scheme)
    for metric in rule.metrics:
        if metric not in present:
            needed = metric.key in weighted
            message = (_("the raw rows have no column for {metric} ({column}), which the score "
                         "needs") if needed
                       else _("the raw rows have no column for {metric} ({column})"))
            hint = _("Accepted names: {names}. Add the column, or add its name to the "
                     "template's aggregate section.").format(names=_(", ").join(metric.column))
            if needed:
                hint = _("{hint} {more}").format(
                    hint=hint, more=drop_metric_hint(scheme, [metric.key], sheet.file))
            problems.append(Problem(
                message.format(metric=scored.get(metric.key) or metric.name or metric.key,
                               column=metric.column[0]),
                Source(sheet.file, sheet.name, table.header_row),
                "error" if needed else "warning", hint=hint))
    parsed: dict[str, dict[int, Decimal | str]] = {}
    for metric in present:
        if not metric.column:
            continue
        column: dict[int, Decimal | str] = {}
        read = _reader(metric)
        skip = {normalize_label(v) for v in metric.skip_values}
        yes = {normalize_label(v) for v in metric.values}
        for index, cells in table.rows:
            raw = table.cell(cells, raw_field(metric))
            if values.is_blank(raw):
                continue
            label = normalize_label(raw) if skip or yes else ""
            if skip and label in skip:
                continue
            if yes and (label in yes or metric.at_least is None):
                column[index] = label  # a yes, or a no (the other values) when no at_least
                continue
            try:
                figure = read(raw)
            except ValueError as exc:
                if yes:  # a value that is neither a yes nor a number: a no (一般, 不满意)
                    column[index] = label
                    continue
                problems.append(Problem(
                    _("{what}: {error}").format(what=table.label(raw_field(metric)), error=exc),
                    table.source(index, raw_field(metric)),
                    hint=_("Enter a number or leave the cell empty.")))
                continue
            if metric.skip_zero and figure == 0:
                continue  # (an unanswered call's 00:00:00 talk time)
            column[index] = figure
        parsed[metric.key] = column

    out: list[AgentRow] = []
    # the figures the score uses must lie within its metrics' bounds, as when read ready-made
    scored_bounds = {m.key: (i, scheme.score.bounds_of(m))
                     for i, m in enumerate(scheme.score.metrics)}
    for (agent, row_month), indexes in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
        metrics: dict[str, Decimal] = {}
        for metric in present:
            figure = _figure(metric, indexes, parsed.get(metric.key, {}))
            if figure is None:
                continue
            index_bounds = scored_bounds.get(metric.key)
            if index_bounds is not None and not (
                    index_bounds[1][0] <= figure <= index_bounds[1][1]):
                index, (low, high) = index_bounds
                problems.append(Problem(
                    _("{metric} of {agent} in {month} comes to {value}, outside {low} to "
                      "{high}").format(metric=scheme.score.metrics[index].name, agent=agent,
                                       month=row_month, value=f"{figure.normalize():f}",
                                       low=f"{low.normalize():f}",
                                       high=f"{high.normalize():f}"),
                    table.source(indexes[0]),
                    hint=_("Check the raw rows of this agent; if such figures are right, "
                           "widen score.metrics[{index}].bounds in the template.").format(
                               index=index)))
            metrics[metric.key] = figure
        first = table.cells_at(indexes[0])
        out.append(AgentRow(
            agent_id=agent, month=row_month, source=table.source(indexes[0]),
            name=values.clean_text(table.cell(first, "name")),
            team=values.clean_text(table.cell(first, "team")),
            role=values.clean_text(table.cell(first, "role")),
            metrics=metrics,
        ))
    return out


def _figure(metric: AggregateMetric, indexes: list[int],
            column: dict[int, Decimal | str]) -> Decimal | None:
    if metric.how == "count" and not metric.column:
        return Decimal(len(indexes))
    cells = [column[i] for i in indexes if i in column]
    if metric.how == "count":  # the rows whose cell is one of the values (answered calls)
        yes = {normalize_label(v) for v in metric.values}
        return Decimal(sum(1 for c in cells if c in yes))
    if not cells:
        return None
    if metric.how == "share":
        yes = {normalize_label(v) for v in metric.values}
        at_least = metric.at_least
        hits = sum(1 for c in cells if (c in yes if isinstance(c, str) else (
            at_least is not None and c >= at_least)))
        return Decimal(hits) / Decimal(len(cells))
    numbers = [c for c in cells if isinstance(c, Decimal)]
    total = sum(numbers, Decimal(0))
    if metric.how == "sum":
        return total
    return total / Decimal(len(numbers))
