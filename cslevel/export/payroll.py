"""The payroll file finance pays from: one row per agent, every pay component in its own
numeric column, the total, last month's total and the reason for any change, a totals row
equal to the sum of the rows to the fen. The .xlsx adds the comparison with last month and
the sign-off list (晋升/降级申请表) of the moves taking effect. .csv is UTF-8 with a BOM so
Excel opens the Chinese text correctly; it holds the payroll sheet only."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _, ngettext
from ..records import CslevelError, PayLine, Problem
from .safe import neutralize
from .xlsx import add_sheet, new_workbook

if TYPE_CHECKING:
    from ..pipeline import PayrollResult


def totals(result: PayrollResult) -> tuple[dict[str, Decimal], Decimal]:
    components = {c: sum((ln.components[c] for ln in result.lines), Decimal("0.00"))
                  for c in result.scheme.pay.all_components}
    return components, sum((ln.total for ln in result.lines), Decimal("0.00"))


def changed(result: PayrollResult) -> list[tuple[PayLine, Decimal | None, Decimal | None]]:
    """(line, total before, total now) of every agent whose pay differs from the month
    before, joined or stopped; nothing when the month before has no payroll."""
    if not result.previous_paid:
        return []
    out: list[tuple[PayLine, Decimal | None, Decimal | None]] = [
        (ln, ln.previous_total, ln.total) for ln in result.lines if ln.change]
    out += [(ln, ln.previous_total, None) for ln in result.gone]
    return sorted(out, key=lambda item: (item[0].team, item[0].agent_id))


def check_payroll_path(path: Path) -> None:
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise CslevelError(Problem(
            _("cannot write payroll as {suffix}").format(
                suffix=path.suffix or _("a file without suffix")),
            hint=_("Use --out payroll.xlsx or --out payroll.csv.")))


def write_payroll(path: Path, result: PayrollResult, *, csv_format: bool) -> None:
    """Write the payroll to `path` (the pipeline stages it and renames it into place)."""
    if csv_format:
        _write_csv(path, result)
    else:
        _write_xlsx(path, result)


def _headers(result: PayrollResult) -> list[str]:
    return [_("Month"), _("Agent ID"), _("Name"), _("Team"), _("Level"),
            *result.scheme.pay.all_components, _("Total pay"), _("Last month's pay"),
            _("Change"), _("How it was worked out")]


def _total_cells(result: PayrollResult) -> list[str]:
    """The first five cells of the totals row: month, 合计, two blanks, the head count."""
    count = len(result.lines)
    return [str(result.month), _("Total"), "", "",
            ngettext("{count} agent", "{count} agents", count).format(count=count)]


def _write_csv(path: Path, result: PayrollResult) -> None:
    comp_totals, grand = totals(result)
    components = result.scheme.pay.all_components
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_headers(result))
        for line in result.lines:
            writer.writerow([str(line.month), neutralize(line.agent_id), neutralize(line.name),
                             neutralize(line.team), neutralize(line.level),
                             *[str(line.components[c]) for c in components], str(line.total),
                             "" if line.previous_total is None else str(line.previous_total),
                             neutralize(line.change), neutralize(line.note)])
        writer.writerow([*_total_cells(result), *[str(comp_totals[c]) for c in components],
                         str(grand), "", "", ""])


def _write_xlsx(path: Path, result: PayrollResult) -> None:
    book, fmt = new_workbook(path, _("cslevel payroll {month}").format(month=result.month),
                             result.month,
                             constant_memory=True)  # each sheet is written row by row
    formats = {
        "money": book.add_format({"border": 1, "num_format": "#,##0.00"}),
        "total_text": book.add_format({"border": 1, "bold": True, "top": 2}),
        "total_money": book.add_format({"border": 1, "bold": True, "top": 2,
                                        "num_format": "#,##0.00"}),
    }
    _payroll_sheet(book, fmt | formats, result)
    _changes_sheet(book, fmt | formats, result)
    from .decisions import add_signoff_sheet

    add_signoff_sheet(book, fmt, result.moves, result.agents, result.month - 1)
    book.close()


def _payroll_sheet(book: Any, fmt: dict[str, Any], result: PayrollResult) -> None:
    text, money = fmt["text"], fmt["money"]
    sheet = add_sheet(book, _("Payroll {month}").format(month=result.month))
    headers = _headers(result)
    sheet.write_row(0, 0, headers, fmt["head"])
    components = result.scheme.pay.all_components
    n = len(components)
    row_no = 0
    for row_no, line in enumerate(result.lines, start=1):
        for col, value in enumerate([str(line.month), line.agent_id, line.name, line.team,
                                     line.level]):
            sheet.write_string(row_no, col, value, text)
        for col, name in enumerate(components, start=5):
            sheet.write_number(row_no, col, float(line.components[name]), money)
        sheet.write_number(row_no, 5 + n, float(line.total), money)
        if line.previous_total is None:
            sheet.write_blank(row_no, 6 + n, None, money)
        else:
            sheet.write_number(row_no, 6 + n, float(line.previous_total), money)
        sheet.write_string(row_no, 7 + n, line.change, text)
        sheet.write_string(row_no, 8 + n, line.note, text)
    comp_totals, grand = totals(result)
    last = row_no + 1
    for col, value in enumerate(_total_cells(result)):
        if value:
            sheet.write_string(last, col, value, fmt["total_text"])
        else:
            sheet.write_blank(last, col, None, fmt["total_text"])
    for col, name in enumerate(components, start=5):
        sheet.write_number(last, col, float(comp_totals[name]), fmt["total_money"])
    sheet.write_number(last, 5 + n, float(grand), fmt["total_money"])
    for col in range(6 + n, 9 + n):
        sheet.write_blank(last, col, None, fmt["total_text"])
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(last - 1, 1), len(headers) - 1)
    sheet.set_column(0, 4, 10)
    sheet.set_column(5, 6 + n, 12)
    sheet.set_column(7 + n, 7 + n, 40)
    sheet.set_column(8 + n, 8 + n, 60)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # printed one page wide
    sheet.repeat_rows(0)


def _changes_sheet(book: Any, fmt: dict[str, Any], result: PayrollResult) -> None:
    sheet = add_sheet(book, _("Change from last month"))
    headers = [_("Agent ID"), _("Name"), _("Team"), _("Level"), _("Last month's pay"),
               _("This month's pay"), _("Difference"), _("Reason")]
    sheet.write_row(0, 0, headers, fmt["head"])
    rows = changed(result)
    if not result.previous_paid:
        sheet.write_string(1, 0, _("no payroll for {month} to compare with").format(
            month=result.month - 1), fmt["text"])
    elif not rows:
        sheet.write_string(1, 0, _("no change from last month"), fmt["text"])
    for row_no, (line, before, now) in enumerate(rows, start=1):
        for col, value in enumerate([line.agent_id, line.name, line.team, line.level]):
            sheet.write_string(row_no, col, value, fmt["text"])
        for col, amount in ((4, before), (5, now),
                            (6, (now or Decimal(0)) - (before or Decimal(0)))):
            if amount is None:
                sheet.write_blank(row_no, col, None, fmt["money"])
            else:
                sheet.write_number(row_no, col, float(amount), fmt["money"])
        sheet.write_string(row_no, 7, line.change, fmt["wrap"])
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 3, 10)
    sheet.set_column(4, 6, 12)
    sheet.set_column(7, 7, 80)
