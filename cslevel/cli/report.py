"""The one path from a command's result or error to the console or JSON, and what the
commands share: the --db and --json options, the month and file-list parsers.

A result is printed as its JSON document or its console summary; input problems are all
printed, then the process exits with their code (1 input problems, 3 busy or locked).
"""

from __future__ import annotations

import glob
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..i18n import _
from ..records import Month


def _month(value: str | None) -> Month | None:
    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


# every format the readers take (cslevel/read/formats/): a folder given on the command line
# gives all of its workbooks
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv", ".tsv", ".txt"}


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


DbOption = Annotated[str | None, typer.Option(
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

    from ..export.console import print_problems

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
    from ..records import CslevelError

    out_console, _err = _consoles()
    try:
        result = work()
    except CslevelError as exc:
        _fail(exc, as_json, written)
        return
    if as_json:
        print(json_text(to_json(result)))
    else:
        show(out_console, result)


JSON_INDENTED_UP_TO = 1_000_000  # characters: a larger document is printed on one line


def json_text(document: Any) -> str:
    """A command's JSON document: indented for a person to read, unless it is large (a
    what-if over years, a history of thousands): then on one line, which the standard
    library's C encoder writes in a fraction of the time (it does not indent)."""
    text = json.dumps(document, ensure_ascii=False)
    if len(text) > JSON_INDENTED_UP_TO:
        return text
    return json.dumps(document, ensure_ascii=False, indent=2)


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
