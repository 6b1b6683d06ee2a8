"""The results workbook a clerk opens after scoring: one row per agent, level cells coloured,
a comment on each decision cell (and on the cell of a month whose level an adjustment set),
frozen header with a filter, a summary sheet with the level distribution as a chart, and the
run's problems. Text is always written as text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _
from ..labels import FLAG_LABEL, SEVERITY_LABEL, decision_text
from ..records import Month, MonthState, Problem
from .rowstream import RowStream
from .xlsx import COUNT, DECIMAL, PERCENT, add_sheet, new_workbook, set_widths

if TYPE_CHECKING:
    from ..outcomes import MonthResult
    from ..scheme import Scheme



def progress_headers(scheme: Scheme) -> tuple[str, str]:
    """The two columns that show where an agent stands under the scheme's rule."""
    if scheme.promotion.rule == "streak":
        return _("Months on target in a row"), _("Months below target in a row")
    return _("On probation"), _("Flags for review")


def progress_cells(scheme: Scheme, state: MonthState) -> tuple[int | str, int | str]:
    if scheme.promotion.rule == "streak":
        return state.up_streak, state.down_streak
    return (_("Yes") if state.probation else "",
            _(", ").join(FLAG_LABEL.get(f, f) for f in state.flags))


@dataclass
class ResultsBook:
    """What a month's results workbook shows, as plain cell values (text, float, int, None
    for a blank cell): made by the run's own process (translated there, with the scores'
    explanations read from the history), cheap to hand to a worker process that writes it
    (`write_results_book`). Pickling the rows themselves (named tuples, Decimals, frozen
    dataclasses) cost the run about as much as writing them."""

    title: str
    month: Month
    levels: list[tuple[str, str]]  # each level's name and colour, lowest first
    headers: list[str]
    metrics: int  # how many metric columns follow the first three
    with_attendance: bool
    # id, name, team, *metrics, score, level, progress ×2, decision, reason,
    # [attendance score, attendance flags,] explanation, move ("up", "down", "set": the level
    # set by an adjustment, or None)
    rows: list[tuple[Any, ...]]
    summary_headers: list[str]
    counts: list[tuple[str, int, int, int, int]]  # level, agents, promoted, demoted, trial end
    total_label: str
    summary_lines: list[str]  # month, scheme, sources
    chart_title: str
    problem_headers: list[str]
    problems: list[tuple[str, str, str, str]]  # severity, where, what, what to do
    sheet_names: tuple[str, str, str]  # results, level distribution, problems
    # each metric column's number format: a rate as a percentage, a count as a whole number
    metric_formats: list[str] = field(default_factory=list)


def results_book(scheme: Scheme, result: MonthResult, problems: list[Problem],
                 explained: dict[str, tuple[str, dict[str, float]]]) -> ResultsBook:
    """The month's workbook as plain cells. `explained` holds each agent's score explanation
    and metrics as stored in the history (`History.explanations`): the rows' own scores are
    the rules', which hold neither."""
    present: set[str] = set()
    for r in result.rows:
        if r.score is not None and r.agent.agent_id in explained:
            present.update(explained[r.agent.agent_id][1])
    shown_metrics = [m for m in scheme.score.metrics if m.key in present]
    metric_names = [(m.key, m.name) for m in shown_metrics]
    with_attendance = any(r.attendance for r in result.rows)
    score_header = (_("Performance (%)") if scheme.score.scoring == "achievement"
                    else _("Score"))
    headers = [_("Agent ID"), _("Name"), _("Team"), *[name for _key, name in metric_names],
               score_header, _("Level this month"), *progress_headers(scheme), _("Decision"),
               _("Reason"),
               *([_("Attendance score"), _("Attendance flags")] if with_attendance else []),
               _("Score explanation")]
    separator, no_attendance = _(", "), _("no attendance record")  # once, not per row
    keys = [key for key, _name in metric_names]
    nothing: tuple[str, dict[str, float]] = ("", {})
    rows = []
    for row in result.rows:
        agent, state, score = row.agent, row.state, row.score
        text, metrics = explained.get(agent.agent_id, nothing) if score is not None else nothing
        decision = state.decision
        progress = progress_cells(scheme, state)
        if with_attendance:
            att = row.attendance
            extra: tuple[Any, ...] = (
                float(att.score) if att is not None and att.score is not None else None,
                separator.join(att.flags) if att else no_attendance, text)
        else:
            extra = (text,)
        shown = decision_text(decision) or "—"
        reason = decision.reason if decision else state.note
        move = None if decision is None else "down" if decision.kind == "demote" else "up"
        if state.adjustment is not None:  # the level set by a person: the comment says so
            if decision is None:
                shown = _("Adjustment #{id} → {level}").format(id=state.adjustment,
                                                              level=state.level)
                move = "set"
            else:
                reason = _("; ").join([state.note, decision.reason])
        rows.append((agent.agent_id, agent.name, agent.team, *map(metrics.get, keys),
                     None if score is None else float(score.value), state.level, *progress,
                     shown, reason, *extra, move))
    metric_formats = [_metric_format(m.unit, [row[3 + i] for row in rows])
                      for i, m in enumerate(shown_metrics)]
    counts = Counter(r.state.level for r in result.rows)
    by_kind = {kind: Counter(r.state.level for r in result.rows
                             if r.state.decision and r.state.decision.kind == kind)
               for kind in ("promote", "demote", "trial_end")}
    return ResultsBook(
        f"cslevel {scheme.scheme} {result.month}", result.month,
        [(lv.name, lv.color) for lv in scheme.levels], headers, len(metric_names),
        with_attendance, rows,
        [_("Level"), _("Agents"), _("Promoted this month"), _("Demoted this month"),
         _("End of trial")],
        [(level, counts.get(level, 0), *(by_kind[kind].get(level, 0)
                                         for kind in ("promote", "demote", "trial_end")))
         for level in scheme.level_names],
        _("Total"), [_("Month: {month}").format(month=result.month),
         _("Scheme: {scheme} {title}").format(scheme=scheme.scheme, title=scheme.title),
         _("Sources: {files}").format(files=_(", ").join(result.files))],
        _("{month} level distribution").format(month=result.month),
        [_("Severity"), _("Where"), _("What"), _("What to do")],
        [(SEVERITY_LABEL.get(p.severity, p.severity), str(p.source or ""), p.message, p.hint) for p in problems],
        (_("Results"), _("Level distribution"), _("Problems")), metric_formats)


def _metric_format(unit: str, values: list[float | None]) -> str:
    """How a metric column is shown: a percent (held as a fraction, 0.93) as 93.00%, a
    column of whole numbers (counts, seconds) without decimals, anything else with two."""
    if unit == "percent":
        return PERCENT
    if all(value is None or float(value).is_integer() for value in values):
        return COUNT
    return DECIMAL


CHART_WIDTH, CHART_HEIGHT = 640, 360  # pixels: within an A4 page upright (PORTRAIT_PIXELS)


def write_results_book(path: Path, book: ResultsBook) -> None:
    """Write the results workbook to `path` (the pipeline stages it and renames it into
    place; a worker process may do this: `book` is plain data)."""
    workbook, fmt = new_workbook(path, book.title, book.month,
                                 constant_memory=True)  # every sheet is written row by row
    head = fmt["head"]
    text, wrap = fmt["text"], fmt["wrap"]
    num = workbook.add_format({"border": 1, "num_format": DECIMAL})
    by_format: dict[str, Any] = {DECIMAL: num}
    for shown in book.metric_formats:
        if shown not in by_format:
            by_format[shown] = workbook.add_format({"border": 1, "num_format": shown})
    # each metric's format, then the score's (a book made before metric_formats: all 0.00)
    column_fmt = [by_format[shown] for shown in book.metric_formats] or [num] * book.metrics
    column_fmt.append(num)
    level_fmt: dict[str, Any] = {
        name: workbook.add_format({"border": 1, "bg_color": color, "bold": True})
        for name, color in book.levels
    }
    move_fmt = {
        None: wrap,
        "set": wrap,
        "up": workbook.add_format({"border": 1, "font_color": "#006100", "bg_color": "#C6EFCE",
                                   "text_wrap": True, "valign": "top"}),
        "down": workbook.add_format({"border": 1, "font_color": "#9C0006", "bg_color": "#FFC7CE",
                                     "text_wrap": True, "valign": "top"}),
    }

    results_name, summary_name, problems_name = book.sheet_names
    sheet = add_sheet(workbook, results_name)
    headers = book.headers
    sheet.write_row(0, 0, headers, head)
    cells = RowStream(sheet)
    write_string, write_number, write_blank = cells.string, cells.number, cells.blank
    col = 3 + book.metrics + 1  # the level column
    numbers = range(3, col)  # the metrics and the score
    last = col + 7 if book.with_attendance else col + 5  # the explanation column
    comment = {"x_scale": 3, "y_scale": 1.5}
    for row_no, row in enumerate(book.rows, start=1):
        write_string(row_no, 0, row[0], text)
        write_string(row_no, 1, row[1], text)
        write_string(row_no, 2, row[2], text)
        for c in numbers:
            value = row[c]
            if value is None:
                write_blank(row_no, c, None, text)
            else:
                write_number(row_no, c, value, column_fmt[c - 3])
        level = row[col]
        write_string(row_no, col, level, level_fmt.get(level, text))
        for c in (col + 1, col + 2):
            value = row[c]
            if isinstance(value, str):
                write_string(row_no, c, value, text)
            else:
                write_number(row_no, c, value, text)
        move = row[-1]
        write_string(row_no, col + 3, row[col + 3], move_fmt[move])
        if move is not None:  # a move (or a level set): its reason also shows on the cell
            sheet.write_comment(row_no, col + 3, row[col + 4], comment)
        write_string(row_no, col + 4, row[col + 4], wrap)
        if book.with_attendance:
            value = row[col + 5]
            if value is not None:
                write_number(row_no, col + 5, value, num)
            else:
                write_blank(row_no, col + 5, None, text)
            write_string(row_no, col + 6, row[col + 6], wrap)
        write_string(row_no, last, row[last], wrap)
    cells.end()
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(len(book.rows), 1), len(headers) - 1)
    # the reasons and explanations wrap at a readable width, so that one page wide does
    # not shrink the print below a readable size (tests/test_print_setup.py measures it)
    set_widths(sheet, [8, 8, 8, *[10] * book.metrics, 10, 8, 8, 8, 16, 26,
                       *([8, 12] if book.with_attendance else []), 30])

    summary = add_sheet(workbook, summary_name)
    summary.write_row(0, 0, book.summary_headers, head)
    for index, (level, *counts) in enumerate(book.counts, start=1):
        summary.write_string(index, 0, level, level_fmt[level])
        for c, count in enumerate(counts, start=1):
            summary.write_number(index, c, count, text)
    last_level = len(book.counts)
    summary.write_string(last_level + 1, 0, book.total_label, head)
    summary.write_number(last_level + 1, 1, len(book.rows), head)
    for offset, line in enumerate(book.summary_lines, start=3):
        summary.write_string(last_level + offset, 0, line, text)
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"name": book.summary_headers[1],
                      "categories": [summary_name, 1, 0, last_level, 0],
                      "values": [summary_name, 1, 1, last_level, 1],
                      "data_labels": {"value": True}})
    chart.set_title({"name": book.chart_title})
    chart.set_legend({"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
    # under the table and its notes, from column A, no wider than an upright A4 page: the
    # sheet prints on one page, portrait
    summary.insert_chart(last_level + len(book.summary_lines) + 4, 0, chart)
    set_widths(summary, [28, 10, 10, 10, 10], at_least=CHART_WIDTH)
    summary.fit_to_pages(1, 1)

    if book.problems:
        sheet_p = add_sheet(workbook, problems_name)
        sheet_p.write_row(0, 0, book.problem_headers, head)
        for index, problem in enumerate(book.problems, start=1):
            for c, value in enumerate(problem):
                sheet_p.write_string(index, c, value, wrap)
        set_widths(sheet_p, [8, 36, 50, 40])
    workbook.close()
