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
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .i18n import _, ngettext
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


def _emit(doc: dict[str, Any]) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2))


def _report(work: Any, to_json: str, show: str, as_json: bool, *, written: bool = True) -> None:
    """Run `work()`; on input problems print them and exit; else print the result as the
    JSON document or the console summary named (functions of cslevel.export.console,
    imported only now: rich stays off the start-up path)."""
    from .records import CslevelError

    out_console, _err = _consoles()
    try:
        result = work()
    except CslevelError as exc:
        _fail(exc, as_json, written)
        return
    from .export import console

    if as_json:
        _emit(getattr(console, to_json)(result))
    else:
        getattr(console, show)(out_console, result)


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
    from .pipeline import run_score
    from .records import CslevelError

    out_console, err = _consoles()
    try:
        with err.status(_("Reading and scoring…")) as status:
            result = run_score(
                _expand(files), scheme, month=_month(month),
                attendance_files=_expand(attendance),
                roster_file=roster, profile_file=profile, db=db, out=out, dry_run=dry_run,
                progress=lambda msg: status.update(f"{msg}…"),
            )
    except CslevelError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        from .export.console import score_json

        _emit(score_json(result))
        return
    from .export.console import print_score

    print_score(out_console, result)
    if dry_run:
        from rich.text import Text

        out_console.print(Text(_("--dry-run: nothing was written."), style="yellow"))


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
    from .pipeline import run_promote

    chosen = _month(as_of)
    _report(lambda: run_promote(months=months, as_of=chosen, db=db, out=out, dry_run=dry_run),
            "promote_json", "print_promote", as_json)


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
    from .pipeline import run_payroll

    chosen = _month(month)
    _report(lambda: run_payroll(month=chosen, db=db, out=out), "payroll_json", "print_payroll",
            as_json)


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
    from .pipeline import run_payroll_diff

    chosen = _month(month)
    _report(lambda: run_payroll_diff(month=chosen, db=db), "payroll_diff_json",
            "print_payroll_diff", as_json, written=False)


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
    from .pipeline import run_lock
    from .records import CslevelError

    out_console, _err = _consoles()
    try:
        result = run_lock(_month(month) or Month(1, 1), db=db)
    except CslevelError as exc:
        _fail(exc, as_json)
        return
    from .export.console import lock_json

    if as_json:
        _emit(lock_json(result))
    else:
        from rich.text import Text

        if result.already:
            line = _("{month} already locked ({at}, {user})").format(
                month=result.month, at=result.at[:10], user=result.user)
        else:
            line = _('{month} locked ({at}, {user}). Reopen with: cslevel reopen {month} '
                     '--reason "…"').format(month=result.month, at=result.at, user=result.user)
        out_console.print(Text(line))


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
    from .pipeline import run_reopen
    from .records import CslevelError

    out_console, _err = _consoles()
    try:
        result = run_reopen(_month(month) or Month(1, 1), reason, db=db)
    except CslevelError as exc:
        _fail(exc, as_json)
        return
    from .export.console import lock_json

    if as_json:
        _emit(lock_json(result))
    else:
        from rich.text import Text

        out_console.print(Text(_("{month} reopened ({at}, {user}): {reason}").format(
            month=result.month, at=result.at, user=result.user, reason=result.reason)))


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
    from .monthly import init_workspace
    from .records import CslevelError

    if language not in ("zh", "en"):
        raise typer.BadParameter(_("use zh or en"), param_hint="--language")
    out_console, _err = _consoles()
    try:
        made = init_workspace(folder, scheme, language)
    except CslevelError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        _emit({"folder": str(folder), "created": [str(p) for p in made]})
        return
    for path in made:
        out_console.print(_("Created: {path}").format(path=path), soft_wrap=True, markup=False)
    out_console.print(_("Next: edit {settings}, put the month's workbooks in {input}, then run: "
                        "cslevel run").format(settings=folder / "cslevel.toml",
                                              input=folder / "input"),
                      soft_wrap=True, markup=False)


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
    from .monthly import run_month
    from .records import CslevelError

    out_console, err = _consoles()
    chosen = _month(month)  # a bad --month is a usage error (2), before anything is read
    try:
        settings = load_config(config)
        from .i18n import set_language

        set_language(settings.language or None)
        result = _with_progress(err, as_json, lambda progress: run_month(
            settings, chosen, dry_run=dry_run, progress=progress))
    except CslevelError as exc:
        _fail(exc, as_json)
        return
    from .export.console import print_run, run_json

    if as_json:
        _emit(run_json(result))
    else:
        print_run(out_console, result)


def _with_progress(err: Any, quiet: bool, work: Any) -> Any:
    """Run `work(progress)` with a progress bar on stderr (a terminal only)."""
    if quiet or not err.is_terminal:
        return work(lambda _: None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(_("Starting"), total=None)

        def step(message: str) -> None:
            bar.update(task, description=message, advance=1)

        return work(step)


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
    from .records import CslevelError
    from .store import open_history

    out_console, _err = _consoles()
    try:
        if db is None and (config is not None or Path("cslevel.toml").is_file()):
            from .config import load_config

            db = load_config(config).database
        with open_history(db, write=False, must_exist=True) as history:
            records = history.runs(limit)
    except CslevelError as exc:
        _fail(exc, as_json, written=False)
        return
    from .export.console import print_runs

    if as_json:
        _emit({"runs": records})
    else:
        print_runs(out_console, records)


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
    from .pipeline import run_history

    _report(lambda: run_history(agent_id.strip(), db=db), "history_json", "print_history",
            as_json)


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
    from .inspect import inspect_file
    from .templates import load_scheme

    chosen = _month(month)
    _report(lambda: inspect_file(file, load_scheme(scheme)[0], chosen), "inspect_json",
            "print_inspect", as_json, written=False)


@templates_app.command("list")
def templates_list(as_json: JsonOption = False) -> None:
    """List the shipped templates.

    \b
    Example:
      cslevel templates list
    """
    from .records import CslevelError
    from .templates import load_scheme, shipped_template_names

    out_console, _err = _consoles()
    rows = []
    for name in shipped_template_names():
        try:
            scheme, _text = load_scheme(name)
        except CslevelError as exc:
            _fail(exc, as_json, written=False)
            return
        rows.append({"name": name, "title": scheme.title, "levels": scheme.level_names,
                     "rule": scheme.promotion.rule})
    if as_json:
        _emit({"templates": rows})
        return
    for row in rows:
        out_console.print(f"[bold]{row['name']}[/]  {row['title']}  "
                          f"({row['rule']}: {' → '.join(row['levels'])})", soft_wrap=True)


@templates_app.command("show")
def templates_show(
    name: Annotated[str, typer.Argument(help="Template name or path.", show_default=False)],
) -> None:
    """Print a template, with its comments, as the clerk would edit it.

    \b
    Example:
      cslevel templates show star
    """
    from .records import CslevelError
    from .templates import load_scheme

    try:
        _scheme, text = load_scheme(name)
    except CslevelError as exc:
        _fail(exc, False, written=False)
        return
    sys.stdout.write(text)


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
    from .records import CslevelError
    from .templates import load_scheme

    try:
        scheme, _text = load_scheme(str(path))
    except CslevelError as exc:
        _fail(exc, as_json, written=False)
        return
    if as_json:
        _emit({"ok": True, "scheme": scheme.scheme, "levels": scheme.level_names})
    else:
        from rich.text import Text

        count = len(scheme.levels)
        _consoles()[0].print(Text("✓ ", style="green") + Text(ngettext(
            "{path}: scheme {scheme}, {count} level, rule {rule}",
            "{path}: scheme {scheme}, {count} levels, rule {rule}", count).format(
                path=path, scheme=scheme.scheme, count=count, rule=scheme.promotion.rule)))


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
    import re

    from .export.safe import StagedFiles
    from .records import CslevelError, Problem
    from .templates import load_scheme, parse_scheme

    target = folder / f"{name}.yaml"
    try:
        if target.exists():
            raise CslevelError(Problem(_("{path} already exists").format(path=target),
                                       hint=_("Choose another name or delete the old file.")))
        _scheme, text = load_scheme(base)
        text, count = re.subn(r"^scheme:\s*\S+", f"scheme: {name}", text, count=1,
                              flags=re.MULTILINE)
        parse_scheme(text, str(target))  # the copy must be valid as written
        with StagedFiles() as staged:
            staged.write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except CslevelError as exc:
        _fail(exc, False)
        return
    from rich.text import Text

    _consoles()[0].print(Text("✓ ", style="green") + Text(_(
        "{path} (from {base}); edit it, then cslevel templates validate {path}").format(
            path=target, base=base)))


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
