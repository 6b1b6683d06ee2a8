"""The payroll file finance pays from: one row per agent, every pay component in its own
numeric column, the total, last month's total and the reason for any change, a totals row
equal to the sum of the rows to the fen. The pay-inputs workbook's items (overtime, 六险一金,
benefits, one-off amounts) have a column when someone has one that month. The .xlsx adds the comparison with last month and
the sign-off list (晋升/降级申请表) of the moves taking effect. A payroll that carries
corrections of paid months has one more component column, 补发/扣回 (each agent's sum), and
the .xlsx one more sheet, 更正明细 (each agent's paid month: level paid and due, paid, due,
difference; a totals row). .csv is UTF-8 with a BOM so Excel opens the Chinese text
correctly; it holds the payroll sheet only (with the 补发/扣回 column)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _, ngettext
from ..labels import correction_component
from ..records import Agent, Correction, CslevelError, Decision, Month, PayLine, Problem
from .rowstream import RowStream
from .safe import neutralize
from .xlsx import MONEY, add_sheet, new_workbook, set_widths

if TYPE_CHECKING:
    from ..outcomes import PayrollResult
    from ..scheme import Application


ZERO = Decimal("0.00")


def pay_components(result: PayrollResult) -> list[str]:
    """The payroll's component columns: the template's, then 补发/扣回 when it carries
    corrections of paid months."""
    components = result.scheme.pay.all_components
    return [*components, correction_component()] if result.corrections else components


def shown_components(result: PayrollResult) -> list[str]:
    """The component columns of the payroll workbook and CSV: `pay_components`, without the
    pay-inputs workbook's items that nobody has this month (a month without one shows none
    of them; the JSON rows keep every component)."""
    spec = result.scheme.pay.inputs
    optional = set(spec.names) if spec is not None else set()
    return [c for c in pay_components(result)
            if c not in optional or any(line.components.get(c) for line in result.lines)]


def totals(result: PayrollResult) -> tuple[dict[str, Decimal], Decimal]:
    components = {c: sum((ln.components.get(c, ZERO) for ln in result.lines), ZERO)
                  for c in pay_components(result)}
    return components, sum((ln.total for ln in result.lines), ZERO)


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
            *shown_components(result), _("Total pay"), _("Last month's pay"),
            _("Change"), _("How it was worked out")]


def _total_cells(result: PayrollResult) -> list[str]:
    """The first five cells of the totals row: month, 合计, two blanks, the head count."""
    count = len(result.lines)
    return [str(result.month), _("Total"), "", "",
            ngettext("{count} agent", "{count} agents", count).format(count=count)]


def _write_csv(path: Path, result: PayrollResult) -> None:
    comp_totals, grand = totals(result)
    components = shown_components(result)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_headers(result))
        for line in result.lines:
            writer.writerow([str(line.month), neutralize(line.agent_id), neutralize(line.name),
                             neutralize(line.team), neutralize(line.level),
                             *[str(line.components.get(c, ZERO)) for c in components],
                             str(line.total),
                             "" if line.previous_total is None else str(line.previous_total),
                             neutralize(line.change), neutralize(line.note)])
        writer.writerow([*_total_cells(result), *[str(comp_totals[c]) for c in components],
                         str(grand), "", "", ""])


@dataclass
class PayrollBook:
    """What the payroll workbook shows, as plain cell values (text, float, None for a blank
    money cell): made from the result by the run's own process, cheap to hand to a worker
    process that writes it (`write_payroll_book`). Totals are summed as Decimal before they
    become floats, so the totals row is the sum of the rows to the fen."""

    title: str
    month: Month
    sheet_name: str
    headers: list[str]
    components: int  # how many pay component columns follow the first five
    rows: list[tuple[Any, ...]]  # month, id, name, team, level, *amounts, total, last, change, note
    total_cells: list[str]
    total_amounts: list[float]  # each component's total, then the grand total
    change_headers: list[str]
    change_rows: list[tuple[Any, ...]]  # id, name, team, level, before, now, difference, why
    change_note: str  # the one line shown when there are no change rows
    moves: list[Decision]
    agents: dict[str, Agent]  # the agents of `moves`
    # the corrections of paid months carried (the 更正明细 sheet; none: no sheet)
    correction_headers: list[str] = field(default_factory=list)
    correction_rows: list[tuple[Any, ...]] = field(default_factory=list)
    # id, name, team, paid month, level paid, level due, paid, due, difference
    correction_total: list[Any] = field(default_factory=list)  # the same cells for the total
    application: Application | None = None  # the sign-off list's 本人申请 column (template)


def payroll_book(result: PayrollResult) -> PayrollBook:
    components = shown_components(result)
    rows = [(str(line.month), line.agent_id, line.name, line.team, line.level,
             *[float(line.components.get(name, ZERO)) for name in components],
             float(line.total),
             None if line.previous_total is None else float(line.previous_total),
             line.change, line.note) for line in result.lines]
    comp_totals, grand = totals(result)
    change_rows = [(line.agent_id, line.name, line.team, line.level,
                    None if before is None else float(before),
                    None if now is None else float(now),
                    float((now or Decimal(0)) - (before or Decimal(0))), line.change)
                   for line, before, now in changed(result)]
    if not result.previous_paid:
        note = _("no payroll for {month} to compare with").format(month=result.month - 1)
    else:
        note = "" if change_rows else _("no change from last month")
    book = PayrollBook(
        _("cslevel payroll {month}").format(month=result.month), result.month,
        _("Payroll {month}").format(month=result.month), _headers(result), len(components),
        rows, _total_cells(result),
        [*(float(comp_totals[name]) for name in components), float(grand)],
        [_("Agent ID"), _("Name"), _("Team"), _("Level"), _("Last month's pay"),
         _("This month's pay"), _("Difference"), _("Reason")], change_rows, note,
        result.moves, {m.agent_id: result.agents[m.agent_id] for m in result.moves},
        application=result.scheme.signoff.application)
    if result.corrections:
        book.correction_headers = correction_headers()
        book.correction_rows = [correction_cells(c) for c in result.corrections]
        book.correction_total = [
            _("Total"), "", "", "", "", "",
            *(float(sum((getattr(c, key) for c in result.corrections), ZERO))
              for key in ("paid", "due", "difference"))]
    return book


def correction_headers() -> list[str]:
    return [_("Agent ID"), _("Name"), _("Team"), _("Paid month"), _("Level paid"),
            _("Level due"), _("Paid"), _("Due"), _("Difference")]


def correction_cells(c: Correction) -> tuple[Any, ...]:
    """One correction as the 更正明细 sheet shows it (a level not paid or not due: —)."""
    return (c.agent_id, c.name, c.team, str(c.month), c.paid_level or "—",
            c.due_level or "—", float(c.paid), float(c.due), float(c.difference))


def _write_xlsx(path: Path, result: PayrollResult) -> None:
    write_payroll_book(path, payroll_book(result))


def write_payroll_book(path: Path, book: PayrollBook) -> None:
    """Write the payroll workbook (a worker process may do this: `book` is plain data)."""
    workbook, fmt = new_workbook(path, book.title, book.month,
                                 constant_memory=True)  # each sheet is written row by row
    formats = {
        "money": workbook.add_format({"border": 1, "num_format": MONEY}),
        "total_text": workbook.add_format({"border": 1, "bold": True, "top": 2}),
        "total_money": workbook.add_format({"border": 1, "bold": True, "top": 2,
                                            "num_format": MONEY}),
    }
    _payroll_sheet(workbook, fmt | formats, book)
    _changes_sheet(workbook, fmt | formats, book)
    if book.correction_rows:
        _corrections_sheet(workbook, fmt | formats, book)
    from .decisions import add_signoff_sheet

    add_signoff_sheet(workbook, fmt, book.moves, book.agents, book.month - 1,
                      application=book.application)
    workbook.close()


def _payroll_sheet(workbook: Any, fmt: dict[str, Any], book: PayrollBook) -> None:
    text, wrap, money = fmt["text"], fmt["wrap"], fmt["money"]
    sheet = add_sheet(workbook, book.sheet_name)
    headers = book.headers
    sheet.write_row(0, 0, headers, fmt["head"])
    n = book.components
    cells = RowStream(sheet)
    write_string, write_number = cells.string, cells.number
    row_no = 0
    for row_no, row in enumerate(book.rows, start=1):
        for col in range(5):
            write_string(row_no, col, row[col], text)
        for col in range(5, 6 + n):
            write_number(row_no, col, row[col], money)
        if row[6 + n] is None:
            cells.blank(row_no, 6 + n, None, money)
        else:
            write_number(row_no, 6 + n, row[6 + n], money)
        write_string(row_no, 7 + n, row[7 + n], wrap)
        write_string(row_no, 8 + n, row[8 + n], wrap)
    cells.end()
    last = row_no + 1
    for col, value in enumerate(book.total_cells):
        if value:
            sheet.write_string(last, col, value, fmt["total_text"])
        else:
            sheet.write_blank(last, col, None, fmt["total_text"])
    for col, amount in enumerate(book.total_amounts, start=5):
        sheet.write_number(last, col, amount, fmt["total_money"])
    for col in range(6 + n, 9 + n):
        sheet.write_blank(last, col, None, fmt["total_text"])
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(last - 1, 1), len(headers) - 1)
    # the change and the explanation wrap at a readable width: one page wide then prints
    # the payroll at a readable size (tests/test_print_setup.py measures it)
    # (a payroll wider than one page can print readably, with the pay-inputs workbook's items,
    # prints two pages wide, 月份, 工号 and 姓名 on each)
    set_widths(sheet, [8, 8, 8, 8, 8, *[9] * (n + 2), 12, 28], keep_columns=3)  # (9: 99,999.99)


def _changes_sheet(workbook: Any, fmt: dict[str, Any], book: PayrollBook) -> None:
    sheet = add_sheet(workbook, _("Change from last month"))
    sheet.write_row(0, 0, book.change_headers, fmt["head"])
    if book.change_note:
        sheet.write_string(1, 0, book.change_note, fmt["text"])
    cells = RowStream(sheet)
    text, money = fmt["text"], fmt["money"]
    for row_no, row in enumerate(book.change_rows, start=1):
        for col in range(4):
            cells.string(row_no, col, row[col], text)
        for col in (4, 5, 6):
            if row[col] is None:
                cells.blank(row_no, col, None, money)
            else:
                cells.number(row_no, col, row[col], money)
        cells.string(row_no, 7, row[7], fmt["wrap"])
    cells.end()
    sheet.freeze_panes(1, 2)
    set_widths(sheet, [8, 8, 8, 8, 10, 10, 10, 40])


def _corrections_sheet(workbook: Any, fmt: dict[str, Any], book: PayrollBook) -> None:
    """更正明细: what each paid month owes now, agent by agent, and the totals."""
    sheet = add_sheet(workbook, _("Corrections"))
    sheet.write_row(0, 0, book.correction_headers, fmt["head"])
    text, money = fmt["text"], fmt["money"]
    row_no = 0
    for row_no, row in enumerate(book.correction_rows, start=1):
        for col in range(6):
            sheet.write_string(row_no, col, row[col], text)
        for col in (6, 7, 8):
            sheet.write_number(row_no, col, row[col], money)
    last = row_no + 1
    for col in range(6):
        value = book.correction_total[col]
        if value:
            sheet.write_string(last, col, value, fmt["total_text"])
        else:
            sheet.write_blank(last, col, None, fmt["total_text"])
    for col in (6, 7, 8):
        sheet.write_number(last, col, book.correction_total[col], fmt["total_money"])
    sheet.freeze_panes(1, 2)
    set_widths(sheet, [8, 8, 8, 8, 8, 8, 10, 10, 10])
