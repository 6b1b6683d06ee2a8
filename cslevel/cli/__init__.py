"""Command line: parse options, call the pipeline, print, exit.

Exit codes: 0 done; 1 input problems (nothing written); 2 usage errors; 3 the database is
busy (another run) or the month is locked.
Heavy libraries (pandas, calamine, SQLAlchemy, xlsxwriter) are imported inside commands so
that `cslevel --help` stays fast.

The applications are in `apps`; the one path from a result or an error to the screen, and
the options the commands share, in `report`; the commands in `month` (score, promote,
payroll, lock, reopen), `workspace` (init, run, runs), `lookup` (history, inspect,
templates), `adjust` (adjust score, level, list, undo), `signoff`, `simulate` (what if) and `manager_report` (report), imported here in the order
`cslevel --help` lists them. This module holds the root callback and the process's start
and end (`main`, `_leave`); `cslevel.cli:main` is the `cslevel` command.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .apps import adjust_app, app, payroll_app, templates_app

# The command modules register their commands on `app` as they are imported: in this order,
# the order `cslevel --help` lists them in (hence not sorted).
# isort: off
from . import month  # noqa: F401  score, promote, payroll export/diff, lock, reopen
from . import workspace  # noqa: F401  init, run, runs
from . import lookup  # noqa: F401  history, inspect, templates
from . import adjust  # noqa: F401  adjust score, level, list, undo
from . import signoff  # noqa: F401  signoff import
from . import simulate  # noqa: F401  simulate (what if)
from . import manager_report  # noqa: F401  report
# isort: on

__all__ = ["adjust_app", "app", "main", "payroll_app", "templates_app"]


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")]
    = False,
) -> None:
    if version:
        from .. import __version__

        print(f"cslevel {__version__}")
        raise typer.Exit(0)
    from ..i18n import reread_environment

    reread_environment()  # each command reads the language from the environment afresh


def main() -> None:
    if hasattr(sys.stdout, "reconfigure"):
        # Windows consoles default to a legacy code page; Chinese must not crash output.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]
            except (AttributeError, ValueError):
                pass
    try:
        app()
    except SystemExit as done:
        _leave(done.code)
        raise


def _leave(code: object) -> None:
    """End the process once the command is over, without the interpreter's teardown (it
    clears the 500 modules a run loads one by one: a tenth of a second, every time). Exit
    handlers run and the output is flushed first; the files and the database are closed by
    then. With any other thread still running, or an exit code that is not a number, the
    process ends the ordinary way."""
    import threading

    if threading.active_count() > 1 or not (code is None or isinstance(code, int)):
        return
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`cslevel … | head`): nothing to add
            pass
    os._exit(code or 0)
