"""The manager's report as a workbook: the same tables as the HTML report
(`export/report_html.py`), each on its sheet, with native Excel charts (xlsxwriter) whose
series point at the sheet's own cells, so a clerk who edits a cell sees the chart follow.

Sheets: about (what the report covers and the calibration rule), level distribution (and a
stacked column chart), levels by team (every month, every team), promotions and demotions
(and a line chart of the rates), pay cost by level (and a stacked column chart), the agents
who moved most, calibration (and a chart of each team's quartiles beside the centre's).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ..i18n import _
from ..outcomes import ReportResult, ScoreSpread
from .report_html import calibration_rule, flag_text, level_colors
from .xlsx import COUNT, DECIMAL, MONEY, PERCENT, add_sheet, new_workbook, set_widths

ZERO = Decimal("0.00")


def write_report_xlsx(path: Path, result: ReportResult) -> None:
    """Write the report workbook to `path` (the pipeline stages it and renames it)."""
    scope = result.team if result.team is not None else _("whole centre")
    title = _("Grading report {first} to {last}: {scope}").format(
        first=result.first, last=result.last, scope=scope)
    # streamed row by row (every sheet is written top to bottom): the sheet of every team and
    # month is tens of thousands of rows at a large centre
    book, formats = new_workbook(path, title, result.last, constant_memory=True)
    formats["count"] = book.add_format({"num_format": COUNT})
    formats["money"] = book.add_format({"num_format": MONEY})
    formats["percent"] = book.add_format({"num_format": PERCENT})
    formats["decimal"] = book.add_format({"num_format": DECIMAL})
    formats["title"] = book.add_format({"bold": True, "font_size": 14})
    _about(book, formats, result, title)
    _levels(book, formats, result)
    _teams(book, formats, result)
    _moves(book, formats, result)
    _pay(book, formats, result)
    _movers(book, formats, result)
    _calibration(book, formats, result)
    book.close()


def sheet_names() -> dict[str, str]:
    """The sheets' names in the language in force (also what the tests read back)."""
    return {"about": _("About"), "levels": _("Level distribution"),
            "teams": _("Levels by team"), "moves": _("Promotions and demotions"),
            "pay": _("Pay cost by level"), "movers": _("Agents who moved most"),
            "calibration": _("Calibration")}


def _head(sheet: Any, formats: dict[str, Any], head: list[str]) -> None:
    for col, text in enumerate(head):
        sheet.write_string(0, col, text, formats["head"])


def _about(book: Any, formats: dict[str, Any], result: ReportResult, title: str) -> None:
    sheet = add_sheet(book, sheet_names()["about"])
    scheme = result.scheme
    lines = [
        (_("Template"), f"{scheme.title} ({scheme.scheme})" if scheme.title else scheme.scheme),
        (_("Months"), f"{result.first} – {result.last}"),
        (_("Team"), result.team if result.team is not None else _("whole centre")),
        (_("Level distribution"), _("Agents on each month’s payroll, by the level they are "
                                    "paid at.")),
        (_("Promotions and demotions"), _("Moves in force from each month, as a share of the "
                                          "agents paid that month.")),
        (_("Pay cost by level"), _("The total pay of each month’s payroll lines, by level "
                                   "(yuan).")),
        (_("Calibration"), calibration_rule(result)),
    ]
    sheet.write_string(0, 0, title, formats["title"])
    for row, (key, text) in enumerate(lines, start=2):
        sheet.write_string(row, 0, key, formats["head"])
        sheet.write_string(row, 1, text, formats["wrap"])
    set_widths(sheet, [22, 90])


def _stacked_chart(book: Any, sheet_name: str, result: ReportResult, rows: int,
                   title: str, y_title: str) -> Any:
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    levels, colors = result.levels, level_colors(result)
    for col, level in enumerate(levels, start=1):
        chart.add_series({
            "name": [sheet_name, 0, col],
            "categories": [sheet_name, 1, 0, rows, 0],
            "values": [sheet_name, 1, col, rows, col],
            "fill": {"color": colors[level]},
            "gap": 50,
        })
    chart.set_title({"name": title})
    chart.set_y_axis({"name": y_title})
    chart.set_size({"width": 900, "height": 360})
    chart.set_legend({"position": "bottom"})
    return chart


def _levels(book: Any, formats: dict[str, Any], result: ReportResult) -> None:
    name = sheet_names()["levels"]
    sheet = add_sheet(book, name)
    _head(sheet, formats, [_("Month"), *result.levels, _("Total")])
    for row, (month, counts) in enumerate(zip(result.months, result.counts), start=1):
        sheet.write_string(row, 0, str(month))
        for col, level in enumerate(result.levels, start=1):
            sheet.write_number(row, col, counts.get(level, 0), formats["count"])
        sheet.write_number(row, len(result.levels) + 1, sum(counts.values()), formats["count"])
    rows = len(result.months)
    sheet.insert_chart(rows + 2, 0, _stacked_chart(book, name, result, rows,
                                                   name, _("Agents")))
    set_widths(sheet, [10, *[10] * (len(result.levels) + 1)], at_least=900)


def _teams(book: Any, formats: dict[str, Any], result: ReportResult) -> None:
    sheet = add_sheet(book, sheet_names()["teams"])
    _head(sheet, formats, [_("Month"), _("Team"), *result.levels, _("Total")])
    row = 1
    for index, month in enumerate(result.months):
        for team, counts in result.team_counts.items():
            cell = counts[index]
            sheet.write_string(row, 0, str(month))
            sheet.write_string(row, 1, team)
            for col, level in enumerate(result.levels, start=2):
                sheet.write_number(row, col, cell.get(level, 0), formats["count"])
            sheet.write_number(row, len(result.levels) + 2, sum(cell.values()), formats["count"])
            row += 1
    set_widths(sheet, [10, 16, *[10] * (len(result.levels) + 1)])


def _moves(book: Any, formats: dict[str, Any], result: ReportResult) -> None:
    name = sheet_names()["moves"]
    sheet = add_sheet(book, name)
    head = [_("Month"), _("Agents paid"), _("Promotions"), _("Demotions"),
            _("Promotion rate"), _("Demotion rate")]
    _head(sheet, formats, head)
    for row, mv in enumerate(result.moves, start=1):
        sheet.write_string(row, 0, str(mv.month))
        sheet.write_number(row, 1, mv.headcount, formats["count"])
        sheet.write_number(row, 2, mv.promotions, formats["count"])
        sheet.write_number(row, 3, mv.demotions, formats["count"])
        sheet.write_number(row, 4, float(mv.promotion_rate), formats["percent"])
        sheet.write_number(row, 5, float(mv.demotion_rate), formats["percent"])
    rows = len(result.moves)
    chart = book.add_chart({"type": "line"})
    for col, color in ((4, "#59A14F"), (5, "#E15759")):
        chart.add_series({"name": [name, 0, col], "categories": [name, 1, 0, rows, 0],
                          "values": [name, 1, col, rows, col],
                          "line": {"color": color}, "marker": {"type": "circle"}})
    chart.set_title({"name": name})
    chart.set_y_axis({"num_format": "0%"})
    chart.set_size({"width": 900, "height": 320})
    chart.set_legend({"position": "bottom"})
    sheet.insert_chart(rows + 2, 0, chart)
    set_widths(sheet, [10, 12, 12, 12, 14, 14], at_least=900)


def _pay(book: Any, formats: dict[str, Any], result: ReportResult) -> None:
    name = sheet_names()["pay"]
    sheet = add_sheet(book, name)
    _head(sheet, formats, [_("Month"), *result.levels, _("Total")])
    for row, (month, pay) in enumerate(zip(result.months, result.pay), start=1):
        sheet.write_string(row, 0, str(month))
        for col, level in enumerate(result.levels, start=1):
            sheet.write_number(row, col, float(pay.get(level, ZERO)), formats["money"])
        sheet.write_number(row, len(result.levels) + 1, float(sum(pay.values(), ZERO)),
                           formats["money"])
    rows = len(result.months)
    sheet.insert_chart(rows + 2, 0, _stacked_chart(book, name, result, rows, name,
                                                   _("Yuan")))
    set_widths(sheet, [10, *[14] * (len(result.levels) + 1)], at_least=900)


def _movers(book: Any, formats: dict[str, Any], result: ReportResult) -> None:
    sheet = add_sheet(book, sheet_names()["movers"])
    _head(sheet, formats, [_("Agent id"), _("Name"), _("Team"), _("Promotions"),
                           _("Demotions"), _("Level in {month}").format(month=result.first),
                           _("Level in {month}").format(month=result.last)])
    for row, m in enumerate(result.movers, start=1):
        sheet.write_string(row, 0, m.agent_id)
        sheet.write_string(row, 1, m.name)
        sheet.write_string(row, 2, m.team)
        sheet.write_number(row, 3, m.promotions, formats["count"])
        sheet.write_number(row, 4, m.demotions, formats["count"])
        sheet.write_string(row, 5, m.level_from)
        sheet.write_string(row, 6, m.level_to)
    set_widths(sheet, [10, 10, 16, 10, 10, 14, 14])


def _calibration(book: Any, formats: dict[str, Any], result: ReportResult) -> None:
    name = sheet_names()["calibration"]
    sheet = add_sheet(book, name)
    head = [_("Team"), _("Agents"), _("Scores"), _("Minimum"), _("Q1"), _("Median"), _("Q3"),
            _("Maximum"), _("At the top level"), _("Agents paid"), _("Flag")]
    _head(sheet, formats, head)
    spreads: list[ScoreSpread] = ([result.centre] if result.centre else []) + result.teams
    for row, s in enumerate(spreads, start=1):
        sheet.write_string(row, 0, s.team or _("whole centre"))
        sheet.write_number(row, 1, s.agents, formats["count"])
        sheet.write_number(row, 2, s.scores, formats["count"])
        for col, value in enumerate((s.minimum, s.q1, s.median, s.q3, s.maximum), start=3):
            sheet.write_number(row, col, float(value), formats["decimal"])
        sheet.write_number(row, 8, s.at_top, formats["count"])
        sheet.write_number(row, 9, s.paid, formats["count"])
        sheet.write_string(row, 10, flag_text(s))
    rows = len(spreads)
    sheet.write_string(rows + 2, 0, calibration_rule(result))
    if rows:
        chart = book.add_chart({"type": "line"})
        for col, color in ((4, "#4E79A7"), (5, "#000000"), (6, "#F28E2B")):
            chart.add_series({"name": [name, 0, col], "categories": [name, 1, 0, rows, 0],
                              "values": [name, 1, col, rows, col], "line": {"none": True},
                              "marker": {"type": "diamond" if col == 5 else "square",
                                         "fill": {"color": color},
                                         "border": {"color": color}}})
        chart.set_title({"name": name})
        chart.set_size({"width": 900, "height": 360})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(rows + 4, 0, chart)
    set_widths(sheet, [16, 8, 8, 9, 9, 9, 9, 9, 10, 10, 30], at_least=900)
