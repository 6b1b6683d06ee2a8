"""The workspace's commands: make one (init), run a whole month in it (run), list the
recorded runs (runs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import _
from .apps import app
from .report import DbOption, JsonOption, _month, _report, _with_progress

if TYPE_CHECKING:
    from ..outcomes import MonthsResult
    from ..records import Month

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
    first: Annotated[str | None, typer.Option(
        "--from", help="Take in earlier months: run every month from this one (YYYY-MM) "
        "through --to, in order.", show_default=False)] = None,
    last: Annotated[str | None, typer.Option(
        "--to", help="With --from: the last month to run. Default: the month `cslevel run` "
        "runs (the previous calendar month).", show_default=False)] = None,
    pay_inputs: Annotated[Path | None, typer.Option(
        "--pay-inputs", help="The pay-inputs workbook for the payroll this run writes "
        "(overtime hours, 六险一金, benefits, one-off amounts). Default: the input folder's "
        "file matching input.pay_inputs in cslevel.toml, if any.", exists=True,
        dir_okay=False, show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """The whole month from one command: score, promote, results, sign-off list, payroll.

    Finds the month's workbooks in the workspace's input folder by the patterns of
    cslevel.toml, else by their names and first rows (2026年11月绩效.xlsx, 11月考勤.xls,
    202611考勤.csv). Safe to repeat: the same inputs change nothing. With --from, each
    month with workbooks is run in order, each on its own; the first that fails stops the
    rest. Exit codes: 0 done, 1 input problems (nothing of that month written), 2 usage,
    3 busy or locked.

    \b
    Examples:
      cslevel run --month 2026-10
      cslevel run --from 2026-01 --to 2026-10
    """
    from ..config import load_config
    from ..export import console_admin
    from ..i18n import set_language
    from ..pipeline import run_month

    chosen = _month(month)  # a bad --month is a usage error (2), before anything is read
    if first is not None or last is not None:
        if pay_inputs is not None:
            raise typer.BadParameter(_("--pay-inputs is for one month; with --from, name each "
                                       "month's file by input.pay_inputs in cslevel.toml"),
                                     param_hint="--pay-inputs")
        _run_range(first, last, chosen, config, dry_run, as_json)
        return

    def month_run() -> Any:
        settings = load_config(config)
        set_language(settings.language or None)  # (the progress bar speaks it too)
        return _with_progress(lambda progress: run_month(
            settings, chosen, dry_run=dry_run, progress=progress, pay_inputs=pay_inputs),
            as_json)()

    _report(month_run, console_admin.run_json, console_admin.print_run, as_json)


def _run_range(first_text: str | None, last_text: str | None, month: Month | None,
               config: Path | None, dry_run: bool, as_json: bool) -> None:
    """`cslevel run --from M1 [--to M2]`: every month's result, then the exit code of the
    month that failed (0 when none did)."""
    from ..config import load_config
    from ..i18n import set_language
    from ..pipeline import run_range

    if first_text is None:
        raise typer.BadParameter(_("--to needs --from"), param_hint="--to")
    if month is not None:
        raise typer.BadParameter(_("give either --month or --from, not both"),
                                 param_hint="--from")
    if dry_run:
        raise typer.BadParameter(_("--dry-run runs one month: each month of --from builds on "
                                   "the ones before it"), param_hint="--dry-run")
    first, last = _month(first_text), _month(last_text)
    assert first is not None  # (given: a bad one is a usage error above)
    if last is not None and first > last:
        raise typer.BadParameter(_("--from {first} is after --to {last}").format(
            first=first, last=last), param_hint="--from")

    ran: list[MonthsResult] = []  # the result, for its exit code once it is printed

    def months_run() -> MonthsResult:
        settings = load_config(config)
        set_language(settings.language or None)
        ran.append(_with_progress(lambda progress: run_range(
            settings, first, last, progress=progress), as_json)())
        return ran[0]

    from ..export import console_admin

    _report(months_run, console_admin.months_json, console_admin.print_months, as_json)
    if ran and ran[0].exit_code:
        raise typer.Exit(ran[0].exit_code)


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
