"""Command line: parse options, call the pipeline, print, exit.

Exit codes: 0 done; 1 input problems (nothing written); 2 usage errors; 3 the database is
busy (another run) or the month is locked.
Heavy libraries (pandas, calamine, SQLAlchemy, xlsxwriter) are imported inside commands so
that `cslevel --help` stays fast.
"""

from __future__ import annotations

import glob
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from .i18n import _
from .records import Month

app = typer.Typer(
    help="cslevel — 客服定级: grade customer-service agents from monthly KPI workbooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # plain click help: no rich/markdown import, fast --help
    context_settings={"terminal_width": 100, "max_content_width": 100},
)
payroll_app = typer.Typer(help="工资 Payroll: the pay file finance pays from.",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(payroll_app, name="payroll")
templates_app = typer.Typer(help="模板 Templates: the grading schemes, as data.",
                            no_args_is_help=True, rich_markup_mode=None)
app.add_typer(templates_app, name="templates")


def _month(value: Optional[str]) -> Optional[Month]:
    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".csv", ".tsv", ".txt"}


def _expand(paths: list[Path] | None) -> list[Path]:
    """Expand globs ourselves (Windows shells don't) and folders into their workbooks,
    skipping Excel lock files (~$name.xlsx) and hidden files."""
    out: list[Path] = []
    for path in paths or []:
        text = str(path)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in _WORKBOOK_SUFFIXES)
        elif not path.exists() and any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in glob.glob(text))
            if not found:
                found = [path]  # reported as "file not found" by the reader
        else:
            out.append(path)
            continue
        out += [p for p in found if not p.name.startswith(("~$", ".")) and not p.is_dir()]
    return out


DbOption = Annotated[Optional[str], typer.Option(
    "--db", help="History database: a SQLite file, or postgresql://user@host/db. "
                 "Default: $CSLEVEL_DB, else ./cslevel.db.", show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _consoles() -> tuple[Any, Any]:
    from rich.console import Console

    # Redirected to a log file (cron, Task Scheduler): wide enough not to fold tables.
    width = None if sys.stdout.isatty() else 140
    return Console(width=width), Console(stderr=True, width=width)


def _fail(exc: Exception, as_json: bool, written: bool = True) -> None:
    from rich.text import Text

    from .export.console import print_problems

    problems = getattr(exc, "problems", [])
    _out, err = _consoles()
    if as_json:
        print(json.dumps({"ok": False, "problems": [p.as_dict() for p in problems]},
                         ensure_ascii=False, indent=2))
    if getattr(exc, "saved", False):
        line = _("Error: {count} problem(s); the history was saved, but not every file is in "
                 "place yet.")
    elif written:
        line = _("Error: {count} problem(s); nothing was written.")
    else:
        line = _("Error: {count} problem(s).")
    header = Text(line.format(count=len(problems)))
    colon = min((i for i in (header.plain.find(":"), header.plain.find("：")) if i >= 0),
                default=len(header.plain) - 1)
    header.stylize("bold red", 0, colon + 1)  # "Error:" / "错误：" stands out
    err.print(header)
    print_problems(err, problems)
    raise typer.Exit(getattr(exc, "exit_code", 1))


T = TypeVar("T")


def _report(work: Callable[[], T], to_json: Callable[[T], Any],
            show: Callable[[Any, T], None], as_json: bool, *, written: bool = True) -> None:
    """The one path from a command's work to the screen: run `work()`; on input problems
    print them all and exit with their code; else print the result as its JSON document
    (`to_json`) or its console summary (`show`)."""
    from .records import CslevelError

    out_console, _err = _consoles()
    try:
        result = work()
    except CslevelError as exc:
        _fail(exc, as_json, written)
        return
    if as_json:
        print(json.dumps(to_json(result), ensure_ascii=False, indent=2))
    else:
        show(out_console, result)


def _with_status(work: Callable[[Callable[[str], None]], T]) -> Callable[[], T]:
    """`work(progress)` with its progress shown on a spinner line (a terminal only)."""
    def run() -> T:
        _out, err = _consoles()
        with err.status(_("Reading and scoring…")) as status:
            return work(lambda msg: status.update(f"{msg}…"))
    return run


def _with_progress(work: Callable[[Callable[[str], None]], T], quiet: bool) -> Callable[[], T]:
    """`work(progress)` with a progress bar on stderr (a terminal only)."""
    def run() -> T:
        _out, err = _consoles()
        if quiet or not err.is_terminal:
            return work(lambda _: None)
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task(_("Starting"), total=None)

            def step(message: str) -> None:
                bar.update(task, description=message, advance=1)

            return work(step)
    return run


@app.command()
def score(
    files: Annotated[list[Path], typer.Argument(help="KPI workbook(s) (.xlsx/.xls/.csv).",
                                                show_default=False)],
    scheme: Annotated[Optional[str], typer.Option(
        "--scheme", help="Template name (star) or path to a template .yaml. Default: the "
                         "scheme stored with the history.", show_default=False)] = None,
    month: Annotated[Optional[str], typer.Option(
        "--month", help="Month the workbook is for (YYYY-MM). Default: from the file name "
                        "or a title cell.", show_default=False)] = None,
    attendance: Annotated[Optional[list[Path]], typer.Option(
        "--attendance", help="Attendance workbook (考勤) of the same month; repeatable.",
        show_default=False)] = None,
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", help="Roster (花名册): 工号, 姓名, 组别, 岗位, 入职日期, 当前级别.",
        show_default=False)] = None,
    profile: Annotated[Optional[Path], typer.Option(
        "--profile", help="Profile workbook of the points scheme: 学历, 工作经验, 可胜任岗位, 证书.",
        show_default=False)] = None,
    db: DbOption = None,
    out: Annotated[Optional[str], typer.Option(
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
    from .export import console
    from .pipeline import score as score_files

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
    months: Annotated[Optional[int], typer.Option(
        "--months", min=1, max=24, help="Months in a row needed (overrides the template's "
        "window; remembered for this database).", show_default=False)] = None,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="Decide at the close of this month (YYYY-MM). Default: the latest "
                        "scored month.", show_default=False)] = None,
    db: DbOption = None,
    out: Annotated[Optional[Path], typer.Option(
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
    from .export import console
    from .pipeline import promote as promote_month

    chosen = _month(as_of)
    _report(lambda: promote_month(months=months, as_of=chosen, db=db, out=out,
                                  dry_run=dry_run),
            console.promote_json, console.print_promote, as_json)


@payroll_app.command("export")
def payroll_export(
    month: Annotated[Optional[str], typer.Option(
        "--month", help="Month to pay (YYYY-MM). Default: the month after the latest scored one.",
        show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Payroll file, .xlsx or .csv. Default: ./payroll-YYYY-MM.xlsx.",
        show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the month's payroll: level in force, pay components, total, totals row.

    \b
    Example:
      cslevel payroll export --month 2026-11 --out payroll-2026-11.xlsx
    """
    from .export import console
    from .pipeline import payroll

    chosen = _month(month)
    _report(lambda: payroll(month=chosen, db=db, out=out), console.payroll_json,
            console.print_payroll, as_json)


@payroll_app.command("diff")
def payroll_diff(
    month: Annotated[Optional[str], typer.Option(
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
    from .export import console
    from .pipeline import payroll_diff as diff

    chosen = _month(month)
    _report(lambda: diff(month=chosen, db=db), console.payroll_diff_json,
            console.print_payroll_diff, as_json, written=False)


MonthArgument = Annotated[str, typer.Argument(help="Month (YYYY-MM).", show_default=False)]


@app.command()
def lock(
    month: MonthArgument,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lock a scored month after its payroll; re-scoring it then needs `reopen`.

    Re-scoring the locked month, or any month before it, is refused (exit code 3) until it
    is reopened with a reason.

    \b
    Example:
      cslevel lock 2026-10
    """
    from .export import console
    from .pipeline import lock as lock_month

    chosen = _month(month) or Month(1, 1)
    _report(lambda: lock_month(chosen, db=db), console.lock_json, console.print_lock,
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

    The reason, the user and the time are kept in the audit trail.

    \b
    Example:
      cslevel reopen 2026-10 --reason "考勤更正 corrected attendance"
    """
    from .export import console
    from .pipeline import reopen as reopen_month

    chosen = _month(month) or Month(1, 1)
    _report(lambda: reopen_month(chosen, reason, db=db), console.lock_json,
            console.print_lock, as_json)


ConfigOption = Annotated[Optional[Path], typer.Option(
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
    from .export import console
    from .pipeline.workspace import init_workspace

    if language not in ("zh", "en"):
        raise typer.BadParameter(_("use zh or en"), param_hint="--language")
    _report(lambda: (folder, init_workspace(folder, scheme, language)), console.init_json,
            console.print_init, as_json)


@app.command()
def run(
    month: Annotated[Optional[str], typer.Option(
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
    from .config import load_config
    from .export import console
    from .i18n import set_language
    from .pipeline import run_month

    chosen = _month(month)  # a bad --month is a usage error (2), before anything is read

    def month_run() -> Any:
        settings = load_config(config)
        set_language(settings.language or None)  # (the progress bar speaks it too)
        return _with_progress(lambda progress: run_month(
            settings, chosen, dry_run=dry_run, progress=progress), as_json)()

    _report(month_run, console.run_json, console.print_run, as_json)


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
    from .export import console
    from .pipeline import recorded_runs

    def records() -> list[dict[str, Any]]:
        database = db
        if database is None and (config is not None or Path("cslevel.toml").is_file()):
            from .config import load_config

            database = load_config(config).database
        return recorded_runs(database, limit)

    _report(records, console.runs_json, console.print_runs, as_json, written=False)


@app.command()
def history(
    agent_id: Annotated[str, typer.Argument(help="Agent id (工号), e.g. 0007.",
                                            show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an agent's months: score, level in force, decision and its reason.

    \b
    Example:
      cslevel history 0007
    """
    from .export import console
    from .pipeline import history as agent_months

    _report(lambda: agent_months(agent_id.strip(), db=db), console.history_json,
            console.print_history, as_json)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A KPI, attendance or roster file.",
                                         show_default=False)],
    scheme: Annotated[str, typer.Option(
        "--scheme", help="Template name or path whose column names to look for.")] = "star",
    month: Annotated[Optional[str], typer.Option(
        "--month", help="Month the file is for (YYYY-MM), as for score.",
        show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Show how a file is understood (sheet, header row, columns, months, agents, problems).

    Writes nothing: sheet used, header row, each column and its field, months, agent count,
    the first rows as read and every problem.

    \b
    Example:
      cslevel inspect kpi_2026-10.xlsx
    """
    from .export import console
    from .inspect import inspect_file
    from .templates import load_scheme

    chosen = _month(month)
    _report(lambda: inspect_file(file, load_scheme(scheme)[0], chosen), console.inspect_json,
            console.print_inspect, as_json, written=False)


@templates_app.command("list")
def templates_list(as_json: JsonOption = False) -> None:
    """List the shipped templates.

    \b
    Example:
      cslevel templates list
    """
    from .export import console
    from .pipeline import shipped_schemes

    _report(shipped_schemes, console.templates_json, console.print_templates, as_json,
            written=False)


@templates_app.command("show")
def templates_show(
    name: Annotated[str, typer.Argument(help="Template name or path.", show_default=False)],
) -> None:
    """Print a template, with its comments, as the clerk would edit it.

    \b
    Example:
      cslevel templates show star
    """
    from .templates import load_scheme

    _report(lambda: load_scheme(name)[1], lambda text: text,
            lambda _out, text: sys.stdout.write(text), False, written=False)


@templates_app.command("validate")
def templates_validate(
    path: Annotated[Path, typer.Argument(help="Template file (.yaml).", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Check a template: unknown fields, weights, bands, levels, thresholds.

    \b
    Example:
      cslevel templates validate my-star.yaml
    """
    from .export import console
    from .templates import load_scheme

    _report(lambda: (path, load_scheme(str(path))[0]), console.validated_json,
            console.print_validated, as_json, written=False)


@templates_app.command("new")
def templates_new(
    name: Annotated[str, typer.Argument(help="Name of the new template (file NAME.yaml).",
                                        show_default=False)],
    base: Annotated[str, typer.Option("--from", help="Shipped template to copy.")] = "star",
    folder: Annotated[Path, typer.Option("--dir", help="Where to write it.")] = Path("."),
) -> None:
    """Copy a shipped template to NAME.yaml (scheme id NAME) for editing.

    \b
    Example:
      cslevel templates new our-star --from star
    """
    from .export import console
    from .pipeline import new_template

    _report(lambda: (new_template(name, base, folder), base), lambda made: {},
            console.print_new_template, False)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")]
    = False,
) -> None:
    if version:
        from . import __version__

        print(f"cslevel {__version__}")
        raise typer.Exit(0)
    from .i18n import reread_environment

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


if __name__ == "__main__":
    main()
