"""The workspace's commands: make one (init), run a whole month in it (run), list the
recorded runs (runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import _
from .apps import app
from .report import DbOption, JsonOption, _month, _report, _with_progress

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Workspace settings file. Default: ./cslevel.toml.", show_default=False)]


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Workspace folder (made if missing).")] = Path("."),
    scheme: Annotated[str, typer.Option("--scheme", help="Template name for the new workspace.")]
    = "star",
    language: Annotated[str, typer.Option("--language", help="zh or en.")] = "zh",
    as_json: JsonOption = False,
) -> None:
    """Make a workspace: a commented cslevel.toml, an input and an output folder.

    \b
    Example:
      cslevel init 客服定级 --scheme star
    """
    from ..export import console_admin
    from ..pipeline.workspace import init_workspace

    if language not in ("zh", "en"):
        raise typer.BadParameter(_("use zh or en"), param_hint="--language")
    _report(lambda: (folder, init_workspace(folder, scheme, language)), console_admin.init_json,
            console_admin.print_init, as_json)


@app.command()
def run(
    month: Annotated[str | None, typer.Option(
        "--month", help="Month to run (YYYY-MM). Default: the previous calendar month.",
        show_default=False)] = None,
    config: ConfigOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read, score and show; write "
                                          "nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The whole month from one command: score, promote, results, sign-off list, payroll.

    Finds the month's workbooks in the workspace's input folder (cslevel.toml). Safe to
    repeat: the same inputs change nothing. Exit codes: 0 done, 1 input problems (nothing
    written), 2 usage, 3 busy or locked.

    \b
    Example:
      cslevel run --month 2026-10
    """
    from ..config import load_config
    from ..export import console_admin
    from ..i18n import set_language
    from ..pipeline import run_month

    chosen = _month(month)  # a bad --month is a usage error (2), before anything is read

    def month_run() -> Any:
        settings = load_config(config)
        set_language(settings.language or None)  # (the progress bar speaks it too)
        return _with_progress(lambda progress: run_month(
            settings, chosen, dry_run=dry_run, progress=progress), as_json)()

    _report(month_run, console_admin.run_json, console_admin.print_run, as_json)


@app.command()
def status(
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What waits: months whose files no longer show what the history says, and moves not
    yet signed off.

    A month's files are out of date when a command recorded since its run changed what they
    show (a month scored again, an adjustment, a signed sign-off list) or when they are
    missing or changed on disk; `cslevel run --month M` writes them again.

    \b
    Example:
      cslevel status
    """
    from ..export import console_admin
    from ..pipeline import status as status_of

    def found() -> Any:
        database = db
        if database is None and (config is not None or Path("cslevel.toml").is_file()):
            from ..config import load_config

            database = load_config(config).database
        return status_of(database)

    _report(found, console_admin.status_json, console_admin.print_status, as_json,
            written=False)


@app.command()
def runs(
    config: ConfigOption = None,
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List the recorded runs: who, when, version, inputs and what changed.

    \b
    Example:
      cslevel runs --limit 5
    """
    from ..export import console_admin
    from ..pipeline import recorded_runs

    def records() -> list[dict[str, Any]]:
        database = db
        if database is None and (config is not None or Path("cslevel.toml").is_file()):
            from ..config import load_config

            database = load_config(config).database
        return recorded_runs(database, limit)

    _report(records, console_admin.runs_json, console_admin.print_runs, as_json, written=False)
