"""The month's commands: score it, apply the promotion rules, pay it (payroll export and
diff), lock it and reopen it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import _
from ..records import Month
from .apps import app, payroll_app
from .report import DbOption, JsonOption, _expand, _month, _report, _with_status


@app.command()
def score(
    files: Annotated[list[Path], typer.Argument(help="KPI workbook(s) (.xlsx/.xls/.csv).",
                                                show_default=False)],
    scheme: Annotated[str | None, typer.Option(
        "--scheme", help="Template name (star) or path to a template .yaml. Default: the "
                         "scheme stored with the history.", show_default=False)] = None,
    month: Annotated[str | None, typer.Option(
        "--month", help="Month the workbook is for (YYYY-MM). Default: from the file name "
                        "or a title cell.", show_default=False)] = None,
    attendance: Annotated[list[Path] | None, typer.Option(
        "--attendance", help="Attendance workbook (考勤) of the same month; repeatable.",
        show_default=False)] = None,
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="Roster (花名册): 工号, 姓名, 组别, 岗位, 入职日期, 当前级别.",
        show_default=False)] = None,
    profile: Annotated[Path | None, typer.Option(
        "--profile", help="Profile workbook of the points scheme: 学历, 工作经验, 可胜任岗位, 证书.",
        show_default=False)] = None,
    db: DbOption = None,
    out: Annotated[str | None, typer.Option(
        "--out", help="Results workbook, or a folder (ending in /) for several months. "
                      "Default: ./results-YYYY-MM.xlsx.", show_default=False)] = None,
    as_json: JsonOption = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and show; write nothing.")]
    = False,
) -> None:
    """Score a month's KPI workbook and store the scores in the history.

    \b
    Example:
      cslevel score kpi_2026-10.xlsx --attendance att_2026-10.xlsx \\
        --roster roster.xlsx --scheme star
    """
    from ..export import console
    from ..pipeline import score as score_files

    def show(out: Any, result: Any) -> None:
        console.print_score(out, result)
        if dry_run:
            from rich.text import Text

            out.print(Text(_("--dry-run: nothing was written."), style="yellow"))

    _report(_with_status(lambda progress: score_files(
        _expand(files), scheme, month=_month(month), attendance_files=_expand(attendance),
        roster_file=roster, profile_file=profile, db=db, out=out, dry_run=dry_run,
        progress=progress)), console.score_json, show, as_json)


@app.command()
def promote(
    months: Annotated[int | None, typer.Option(
        "--months", min=1, max=24, help="Months in a row needed (overrides the template's "
        "window; remembered for this database).", show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Decide at the close of this month (YYYY-MM). Default: the latest "
                        "scored month.", show_default=False)] = None,
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the moves and the sign-off list (晋升/降级申请表) to this .xlsx.",
        show_default=False)] = None,
    as_json: JsonOption = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the moves; record nothing.")]
    = False,
) -> None:
    """Apply the promotion/demotion rules; moves take effect the next month.

    \b
    Example:
      cslevel promote --months 3 --out moves-2026-10.xlsx
    """
    from ..export import console
    from ..pipeline import promote as promote_month

    chosen = _month(as_of)
    _report(lambda: promote_month(months=months, as_of=chosen, db=db, out=out,
                                  dry_run=dry_run),
            console.promote_json, console.print_promote, as_json)


@payroll_app.command("export")
def payroll_export(
    month: Annotated[str | None, typer.Option(
        "--month", help="Month to pay (YYYY-MM). Default: the month after the latest scored one.",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Payroll file, .xlsx or .csv. Default: ./payroll-YYYY-MM.xlsx.",
        show_default=False)] = None,
    pay_inputs: Annotated[Path | None, typer.Option(
        "--pay-inputs", help="The month's pay-inputs workbook (工号 + overtime hours, 六险一金, "
        "benefits, one-off amounts with a reason), as the template's pay.inputs names them.",
        exists=True, dir_okay=False, show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the month's payroll: level in force, pay components, total, totals row.

    With --pay-inputs, the workbook is checked (every problem at once, nothing written when
    one is wrong) and kept for the month: the payroll adds overtime, deductions, benefits
    and one-off amounts as components of their own.

    \b
    Example:
      cslevel payroll export --month 2026-11 --out payroll-2026-11.xlsx
      cslevel payroll export --month 2026-11 --pay-inputs pay_2026-11.xlsx
    """
    from ..export import console
    from ..pipeline import payroll

    chosen = _month(month)
    _report(lambda: payroll(month=chosen, db=db, out=out, pay_inputs=pay_inputs),
            console.payroll_json, console.print_payroll, as_json)


@payroll_app.command("diff")
def payroll_diff(
    month: Annotated[str | None, typer.Option(
        "--month", help="Month to compare with the month before (YYYY-MM). Default: the month "
                        "after the latest scored one.", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What changed in the payroll against the month before, agent by agent, and why.

    Writes nothing.

    \b
    Example:
      cslevel payroll diff --month 2026-11
    """
    from ..export import console
    from ..pipeline import payroll_diff as diff

    chosen = _month(month)
    _report(lambda: diff(month=chosen, db=db), console.payroll_diff_json,
            console.print_payroll_diff, as_json, written=False)


@payroll_app.command("corrections")
def payroll_corrections(
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What paid months owe now (补发/扣回), per agent and paid month: due minus paid.

    A month scored again after its payroll was paid (reopened first if it was locked)
    changes what is due; the next payroll carries the difference as 补发/扣回, and locking
    the month it is paid from settles it. Writes nothing.

    \b
    Example:
      cslevel payroll corrections
    """
    from ..export import console
    from ..pipeline import payroll_corrections as pending

    _report(lambda: pending(db=db), console.corrections_json, console.print_corrections,
            as_json, written=False)


MonthArgument = Annotated[str, typer.Argument(help="Month (YYYY-MM).", show_default=False)]


@app.command()
def lock(
    month: MonthArgument,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lock a scored month after its payroll; re-scoring it then needs `reopen`.

    Re-scoring the locked month is refused (exit code 3) until it is reopened with a
    reason. The payroll it is paid from (the month after, or the month itself with
    pay.figures: same) is recorded as paid and never written again; a month before it
    scored again makes corrections (补发/扣回) that the next payroll carries.

    \b
    Example:
      cslevel lock 2026-10
    """
    from ..export import console_admin
    from ..pipeline import lock as lock_month

    chosen = _month(month) or Month(1, 1)
    _report(lambda: lock_month(chosen, db=db), console_admin.lock_json, console_admin.print_lock,
            as_json)


@app.command()
def reopen(
    month: MonthArgument,
    reason: Annotated[str, typer.Option(
        "--reason", help="Why the locked month must change; kept in the audit trail.",
        show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reopen a locked month with a reason, so that it can be scored again.

    The reason, the user and the time are kept in the audit trail. What its payroll paid
    stays paid: scoring the month again makes corrections (cslevel payroll corrections).

    \b
    Example:
      cslevel reopen 2026-10 --reason "考勤更正 corrected attendance"
    """
    from ..export import console_admin
    from ..pipeline import reopen as reopen_month

    chosen = _month(month) or Month(1, 1)
    _report(lambda: reopen_month(chosen, reason, db=db), console_admin.lock_json,
            console_admin.print_lock, as_json)
