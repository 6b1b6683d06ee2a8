"""The payroll file finance pays from: one row per agent, every pay component in its own
numeric column, the total, and a totals row equal to the sum of the rows to the fen.
.xlsx via xlsxwriter, or .csv (UTF-8 with BOM so Excel opens Chinese correctly)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..records import CslevelError, Problem
from .safe import neutralize
from .xlsx import new_workbook

if TYPE_CHECKING:
    from ..pipeline import PayrollResult


def totals(result: PayrollResult) -> tuple[dict[str, Decimal], Decimal]:
    components = {c: sum((ln.components[c] for ln in result.lines), Decimal("0.00"))
                  for c in result.scheme.pay.all_components}
    return components, sum((ln.total for ln in result.lines), Decimal("0.00"))


def check_payroll_path(path: Path) -> None:
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise CslevelError(Problem(
            f"cannot write payroll as {path.suffix or 'a file without suffix'}",
            hint="Use --out payroll.xlsx or --out payroll.csv."))


def write_payroll(path: Path, result: PayrollResult, *, csv_format: bool) -> None:
    """Write the payroll to `path` (the pipeline stages it and renames it into place)."""
    if csv_format:
        _write_csv(path, result)
    else:
        _write_xlsx(path, result)


def _headers(result: PayrollResult) -> list[str]:
    return ["月份", "工号", "姓名", "组别", "级别", *result.scheme.pay.all_components, "应发合计"]


def _write_csv(path: Path, result: PayrollResult) -> None:
    comp_totals, grand = totals(result)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_headers(result))
        for line in result.lines:
            writer.writerow([str(line.month), neutralize(line.agent_id), neutralize(line.name),
                             neutralize(line.team), line.level,
                             *[str(line.components[c]) for c in result.scheme.pay.all_components],
                             str(line.total)])
        writer.writerow([str(result.month), "合计", "", "", f"{len(result.lines)}人",
                         *[str(comp_totals[c]) for c in result.scheme.pay.all_components], str(grand)])


def _write_xlsx(path: Path, result: PayrollResult) -> None:
    book, fmt = new_workbook(path, f"cslevel 工资 {result.month}", result.month)
    head = fmt["head"]
    text = fmt["text"]
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    total_text = book.add_format({"border": 1, "bold": True, "top": 2})
    total_money = book.add_format({"border": 1, "bold": True, "top": 2, "num_format": "#,##0.00"})
    sheet = book.add_worksheet(f"工资表 {result.month}")
    headers = _headers(result)
    sheet.write_row(0, 0, headers, head)
    components = result.scheme.pay.all_components
    row_no = 0
    for row_no, line in enumerate(result.lines, start=1):
        for col, value in enumerate([str(line.month), line.agent_id, line.name, line.team,
                                     line.level]):
            sheet.write_string(row_no, col, value, text)
        for col, name in enumerate(components, start=5):
            sheet.write_number(row_no, col, float(line.components[name]), money)
        sheet.write_number(row_no, 5 + len(components), float(line.total), money)
    comp_totals, grand = totals(result)
    last = row_no + 1
    sheet.write_string(last, 0, str(result.month), total_text)
    sheet.write_string(last, 1, "合计", total_text)
    sheet.write_string(last, 2, "", total_text)
    sheet.write_string(last, 3, "", total_text)
    sheet.write_string(last, 4, f"{len(result.lines)}人", total_text)
    for col, name in enumerate(components, start=5):
        sheet.write_number(last, col, float(comp_totals[name]), total_money)
    sheet.write_number(last, 5 + len(components), float(grand), total_money)
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(last - 1, 1), len(headers) - 1)
    sheet.set_column(0, 4, 10)
    sheet.set_column(5, len(headers) - 1, 13)
    book.close()
