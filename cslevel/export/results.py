"""The results workbook a clerk opens after scoring: one row per agent, level cells coloured,
a comment on each decision cell, frozen header with a filter, a summary sheet with the level
distribution as a chart, and the run's problems. Text is always written as text."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import N_, Labels, _
from ..records import Decision, MonthState, Problem
from .xlsx import add_sheet, new_workbook

if TYPE_CHECKING:
    from ..pipeline import MonthResult
    from ..templates import Scheme

# translated when read: DECISION_LABEL["promote"] is 晋升 or Promotion, as the language is
DECISION_LABEL = Labels({"promote": N_("Promotion"), "demote": N_("Demotion"),
                         "trial_end": N_("End of trial")})
FLAG_LABEL = Labels({"dismissal_review": N_("dismissal review")})


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


def decision_text(decision: Decision | None) -> str:
    if decision is None:
        return ""
    return _("{decision} → {level} (from {effective})").format(
        decision=DECISION_LABEL[decision.kind], level=decision.to_level,
        effective=decision.effective)


def write_results(path: Path, scheme: Scheme, result: MonthResult, problems: list[Problem]) -> None:
    """Write the workbook to `path` (the pipeline stages it and renames it into place)."""
    book, fmt = new_workbook(path, f"cslevel {scheme.scheme} {result.month}", result.month,
                             constant_memory=True)  # every sheet below is written row by row
    head = fmt["head"]
    text = fmt["text"]
    num = book.add_format({"border": 1, "num_format": "0.00"})
    level_fmt: dict[str, Any] = {
        lv.name: book.add_format({"border": 1, "bg_color": lv.color, "bold": True})
        for lv in scheme.levels
    }
    up_fmt = book.add_format({"border": 1, "font_color": "#006100", "bg_color": "#C6EFCE"})
    down_fmt = book.add_format({"border": 1, "font_color": "#9C0006", "bg_color": "#FFC7CE"})

    sheet = add_sheet(book, _("Results"))
    metric_names = [(m.key, m.name) for m in scheme.score.metrics
                    if any(r.score and m.key in r.score.metrics for r in result.rows)]
    with_attendance = any(r.attendance for r in result.rows)
    score_header = (_("Performance (%)") if scheme.score.scoring == "achievement"
                    else _("Score"))
    headers = [_("Agent ID"), _("Name"), _("Team"), *[name for _key, name in metric_names],
               score_header, _("Level this month"), *progress_headers(scheme), _("Decision"),
               _("Reason"),
               *([_("Attendance score"), _("Attendance flags")] if with_attendance else []),
               _("Score explanation")]
    sheet.write_row(0, 0, headers, head)
    separator, no_attendance = _(", "), _("no attendance record")  # once, not per row
    for row_no, row in enumerate(result.rows, start=1):
        col = 0
        for value in (row.agent.agent_id, row.agent.name, row.agent.team):
            sheet.write_string(row_no, col, value, text)
            col += 1
        for key, _name in metric_names:
            value = row.score.metrics.get(key) if row.score else None
            if value is None:
                sheet.write_blank(row_no, col, None, text)
            else:
                sheet.write_number(row_no, col, float(value), num)
            col += 1
        if row.score is not None:
            sheet.write_number(row_no, col, float(row.score.value), num)
        else:
            sheet.write_blank(row_no, col, None, text)
        col += 1
        state = row.state
        sheet.write_string(row_no, col, state.level, level_fmt.get(state.level, text))
        for offset, value in enumerate(progress_cells(scheme, state), start=1):
            if isinstance(value, str):
                sheet.write_string(row_no, col + offset, value, text)
            else:
                sheet.write_number(row_no, col + offset, value, text)
        decision = state.decision
        fmt = text
        if decision is not None:
            fmt = up_fmt if decision.kind != "demote" else down_fmt
        sheet.write_string(row_no, col + 3, decision_text(decision) or "—", fmt)
        explanation = decision.reason if decision else state.note
        if decision is not None:  # a move: its reason also shows on the decision cell
            sheet.write_comment(row_no, col + 3, explanation, {"x_scale": 3, "y_scale": 1.5})
        sheet.write_string(row_no, col + 4, explanation, text)
        if with_attendance:
            att = row.attendance
            if att is not None and att.score is not None:
                sheet.write_number(row_no, col + 5, float(att.score), num)
            else:
                sheet.write_blank(row_no, col + 5, None, text)
            sheet.write_string(row_no, col + 6,
                               separator.join(att.flags) if att else no_attendance, text)
        sheet.write_string(row_no, col + (7 if with_attendance else 5),
                           row.score.explanation if row.score else "", text)
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(len(result.rows), 1), len(headers) - 1)
    widths = [10, 10, 10, *[12] * len(metric_names), 12, 10, 12, 14, 26, 60,
              *([10, 16] if with_attendance else []), 70]
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)

    summary_name = _("Level distribution")
    summary = add_sheet(book, summary_name)
    summary.write_row(0, 0, [_("Level"), _("Agents"), _("Promoted this month"),
                             _("Demoted this month"), _("End of trial")], head)
    counts = Counter(r.state.level for r in result.rows)
    by_kind = {kind: Counter(r.state.level for r in result.rows
                             if r.state.decision and r.state.decision.kind == kind)
               for kind in ("promote", "demote", "trial_end")}
    for index, level in enumerate(scheme.level_names, start=1):
        summary.write_string(index, 0, level, level_fmt[level])
        summary.write_number(index, 1, counts.get(level, 0), text)
        for col, kind in enumerate(("promote", "demote", "trial_end"), start=2):
            summary.write_number(index, col, by_kind[kind].get(level, 0), text)
    last = len(scheme.level_names)
    summary.write_string(last + 1, 0, _("Total"), head)
    summary.write_number(last + 1, 1, len(result.rows), head)
    summary.write_string(last + 3, 0, _("Month: {month}").format(month=result.month), text)
    summary.write_string(last + 4, 0, _("Scheme: {scheme} {title}").format(
        scheme=scheme.scheme, title=scheme.title), text)
    summary.write_string(last + 5, 0, _("Sources: {files}").format(
        files=_(", ").join(result.files)), text)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": _("Agents"), "categories": [summary_name, 1, 0, last, 0],
                      "values": [summary_name, 1, 1, last, 1], "data_labels": {"value": True}})
    chart.set_title({"name": _("{month} level distribution").format(month=result.month)})
    chart.set_legend({"none": True})
    summary.insert_chart(1, 6, chart)
    summary.set_column(0, 0, 28)
    summary.set_column(1, 4, 10)

    if problems:
        sheet_p = add_sheet(book, _("Problems"))
        sheet_p.write_row(0, 0, [_("Severity"), _("Where"), _("What"), _("What to do")], head)
        for index, problem in enumerate(problems, start=1):
            sheet_p.write_string(index, 0, problem.severity, text)
            sheet_p.write_string(index, 1, str(problem.source or ""), text)
            sheet_p.write_string(index, 2, problem.message, text)
            sheet_p.write_string(index, 3, problem.hint, text)
        sheet_p.set_column(0, 0, 10)
        sheet_p.set_column(1, 1, 40)
        sheet_p.set_column(2, 3, 60)
    book.close()
