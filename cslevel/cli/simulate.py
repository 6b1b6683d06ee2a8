"""The what-if command: the history replayed under another template, nothing written to it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .apps import app
from .report import DbOption, JsonOption, _month, _report


@app.command()
def simulate(
    scheme: Annotated[str, typer.Option(
        "--scheme", help="The template to try: a shipped name (star) or a .yaml path.",
        show_default=False)],
    first: Annotated[str | None, typer.Option(
        "--from", help="First pay month to compare (YYYY-MM). Default: the first scored "
                       "month.", show_default=False)] = None,
    last: Annotated[str | None, typer.Option(
        "--to", help="Last pay month to compare (YYYY-MM). Default: the month after the "
                     "latest scored one.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the comparison to this .xlsx (summary, changed agents, moves "
                      "gained and lost).", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What if: replay the stored scores under another template and compare.

    Per pay month: the agents whose level in force would differ, the moves that would
    appear or disappear, and the payroll cost both ways. Writes nothing to the history.

    \b
    Example:
      cslevel simulate --scheme star-105.yaml --from 2026-01 --to 2026-12 --out whatif.xlsx
    """
    from ..export import simulate as shown
    from ..pipeline import simulate as what_if

    chosen_first, chosen_last = _month(first), _month(last)
    _report(lambda: what_if(scheme, first=chosen_first, last=chosen_last, db=db, out=out),
            shown.simulate_json, shown.print_simulation, as_json)
