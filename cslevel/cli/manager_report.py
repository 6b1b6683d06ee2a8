"""`cslevel report`: the manager's report over months (levels, moves, pay, calibration) as
one HTML file or a workbook with native charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .apps import app
from .report import DbOption, JsonOption, _month, _report


@app.command()
def report(
    first: Annotated[str | None, typer.Option(
        "--from", help="First month (YYYY-MM). Default: the first scored month.",
        show_default=False)] = None,
    last: Annotated[str | None, typer.Option(
        "--to", help="Last month (YYYY-MM). Default: the latest scored month.",
        show_default=False)] = None,
    team: Annotated[str | None, typer.Option(
        "--team", help="Report on one team only. Default: the whole centre.",
        show_default=False)] = None,
    out: Annotated[Path, typer.Option(
        "--out", help="report.html (one self-contained page) or report.xlsx (native charts).",
        dir_okay=False)] = Path("report.html"),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the manager's report: levels, moves, pay cost and calibration over months.

    Level distribution over time (the centre and each team), promotion and demotion rates,
    pay cost by level, the agents who moved most, and each team's score spread beside the
    centre's, with the teams flagged for calibration.

    \b
    Example:
      cslevel report --from 2026-01 --to 2026-12 --out report.html
    """
    from ..export import console_report
    from ..pipeline import manager_report

    start, end = _month(first), _month(last)
    _report(lambda: manager_report(first=start, last=end,
                                   team=team.strip() if team is not None else None,
                                   db=db, out=out),
            console_report.report_json, console_report.print_report, as_json)
