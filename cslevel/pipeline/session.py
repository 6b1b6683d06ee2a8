"""What the stages of one command share: the history's transaction, the staged output
files, the progress callback, and the small plumbing around them (recording the command,
stopping on errors). `cslevel run` shares one Session between the stages of a month, so that
everything is written, or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import finish
from ..records import CslevelError, Problem

if TYPE_CHECKING:  # (the database layer is loaded by the stages that use it)
    from ..export.safe import StagedFiles
    from ..store import History

Progress = Callable[[str], None]

# a workbook of at least this many rows is written by a worker process while the run goes on
# (StagedFiles.write(background=True)); smaller ones are quicker written than handed over
BACKGROUND_ROWS = 5000


def quiet(_: str) -> None:
    return None


@dataclass
class Session:
    """One history transaction and one set of staged output files shared by several stages
    (`cslevel run`): everything is written, or nothing."""

    history: History
    staged: StagedFiles
    record: bool = True  # stages record their own run entry (False: the caller records one)
    # large results workbooks are written when the files are collected, by the run's own
    # process, so that the worker is free for the payroll made after them
    write_later: bool = False


@contextmanager
def transaction(db: str | None, session: Session | None, **kwargs: bool) -> Iterator[History]:
    """The session's history, or the command's own transaction."""
    if session is not None:
        yield session.history
    else:
        from ..store import open_history

        with open_history(db, **kwargs) as history:
            yield history


@contextmanager
def staging(session: Session | None, history: History,
            protected: list[tuple[Path, str]] | None = None) -> Iterator[StagedFiles]:
    """The command's staged outputs: renamed into place once the history's transaction
    commits (cslevel.finish), never over a file the command reads (`protected`)."""
    if session is not None:
        session.staged.protect(protected or [])
        yield session.staged
    else:
        from ..export.safe import StagedFiles
        from ..parallel import WritePool

        with StagedFiles(history, protected, WritePool()) as staged:
            yield staged


def refuse_early(out: str | Path | None, db: str | None,
                 protected: list[tuple[Path, str]]) -> None:
    """An --out file that is the history database or a file the command reads is refused
    before anything is read (the targets are checked again when staged)."""
    if out is None:
        return
    text = str(out)
    if text.endswith(("/", "\\")) or Path(text).is_dir():
        return
    from ..store import database_url

    url = database_url(db)
    files = list(protected)
    if url.startswith("sqlite:///"):
        files += finish.sqlite_files(Path(url.removeprefix("sqlite:///")))
    finish.refuse_overwrite(Path(text), files)


def record(history: History, session: Session | None, command: str,
           details: dict[str, object]) -> None:
    """The command's entry in `cslevel runs` (a session's caller records one for all)."""
    if session is None or session.record:
        history.record_run(command, details)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def raise_errors(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CslevelError(errors)
