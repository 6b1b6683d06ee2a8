"""Reading the next workbooks while the run works on the current one.

A backfill scores dozens of KPI and attendance workbooks one after the other. A worker
process on another core reads ahead while the run checks, scores and stores the workbook
before it:

- for most workbooks, the fast reader's parse (a tenth of a second at 10,000 rows): the
  sheets come back as plain lists, cheap to pickle;
- for every other KPI workbook (`kpi_prepared`), the whole reading and scoring: the rows come
  back without their figures, with the scores as the rows of the scores table (plain text),
  and with every problem found — what the run would have found itself, in its language.

`cslevel run` (one month: a KPI workbook or a few, attendance, the roster) starts the worker
`early`, before its own start-up (loading the database layer, opening the history): on
Linux the worker is forked then, so it starts at once with what the run has loaded, and it
reads and scores the month's KPI workbooks and reads its attendance sheets while the run gets
ready and reads the roster.

Everything that depends on the run — the checks across workbooks and against the history,
whether anything is stored at all, the storing — happens in the run's own process, exactly
as without a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..export.safe import workers

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from pathlib import Path

    from ..records import AgentRow, Month, Problem
    from ..templates import Scheme
    from .workbook import Sheet

AHEAD = 2  # workbooks read ahead: each one's sheets are held until the run takes them
MIN_FILES = 4  # fewer workbooks than this: the worker's start would cost more than it saves


class PreparedKpi(NamedTuple):
    """A KPI workbook read and scored by the worker: what `read_kpi` and `score_rows` give,
    in the form the run's next steps take."""

    rows: list[AgentRow]  # without the metrics and the ready score (the scores hold them)
    problems: list[Problem]  # read_kpi's
    scored: dict[Month, list[tuple[Any, ...]]] | None  # rows of the scores table by month;
    # None when the reading or the scoring found an error (nothing would be stored)
    score_problems: list[Problem]  # score_rows'


def _read_in_worker(language: str, path: Path) -> list[Sheet]:
    from .. import i18n
    from .workbook import read_sheets

    i18n.set_language(language)  # the sheets' own notes are in the run's language
    return read_sheets(path)


def _prepare_kpi_in_worker(language: str, path: Path, scheme: Scheme,
                           month: Month | None) -> PreparedKpi:
    from .. import i18n
    from ..score import score_rows
    from ..stored import score_rows_stored
    from . import read_kpi

    i18n.set_language(language)
    rows, problems = read_kpi(path, scheme, month)
    scored, score_problems = None, []
    if not any(p.severity == "error" for p in problems):
        scores, score_problems = score_rows(rows, scheme)
        if not any(p.severity == "error" for p in score_problems):
            by_month: dict[Month, list[Any]] = {}
            for score in scores:
                by_month.setdefault(score.month, []).append(score)
            scored = {m: score_rows_stored(m, month_scores)
                      for m, month_scores in by_month.items()}
    nothing: dict[str, Any] = {}  # one empty mapping for every row (pickled once)
    light = [row._replace(ready_score=None, metrics=nothing) for row in rows]
    return PreparedKpi(light, problems, scored, score_problems)


def _can_fork() -> bool:
    """Whether a worker may be forked now: on Linux, with no other thread running (a fork
    copies the locks other threads may hold; a progress bar on a terminal has a thread)."""
    import multiprocessing
    import sys
    import threading

    return (sys.platform == "linux" and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


class SheetPrefetch:
    """The sheets of `paths[i]` read ahead by a worker process (`sheets(i)`; `take(i)` also
    gives the KPI workbooks the worker read and scored, `PreparedKpi`), or None when
    the run's own process should read the workbook itself: no worker (one core, or
    CSLEVEL_WORKERS=0), too few workbooks, the first workbook (read while the worker starts)
    or any failure in the worker (the run then reads the file itself and reports what it
    finds, in its own words).

    `early` (cslevel run): started before the run's own start-up, the worker is forked where
    it can be (`_can_fork`) and takes every workbook from the first, however few (the run
    reads the roster meanwhile); where it cannot be forked, the usual rules apply."""

    def __init__(self, paths: list[Path], kpi_prepared: tuple[Scheme, Month | None, set[int]]
                 | None = None, *, early: bool = False) -> None:
        self._paths = paths
        self._prepare = kpi_prepared  # the scheme, the month and which workbooks may be
        # scored in the worker
        self._futures: dict[int, Future[Any]] = {}
        self._submitted = 0  # the next path to hand to the worker
        self._pool: ProcessPoolExecutor | None = None
        self._ahead = AHEAD
        if not workers():
            return
        from ..workers import pool  # its worker ends with the run, however the run ends

        if early and _can_fork():
            self._pool = pool(1, "fork")
            self._ahead = len(paths)  # one month's workbooks: all of them at once
            self._submit_up_to(self._ahead)
        elif len(paths) >= MIN_FILES:
            if kpi_prepared is not None:  # a spawned worker scores every other one: scoring
                # them all, it kept the run waiting (pickling Decimals costs as much)
                scheme, month, indexes = kpi_prepared
                self._prepare = (scheme, month, {i for i in indexes if i % 2})
            self._pool = pool(1, "spawn")
            self._submitted = 1  # paths[0] is read by the run while the worker starts
            self._submit_up_to(AHEAD)

    def _submit_up_to(self, last: int) -> None:
        from .. import i18n

        assert self._pool is not None
        while self._submitted <= min(last, len(self._paths) - 1):
            index, path = self._submitted, self._paths[self._submitted]
            if self._prepare is not None and index in self._prepare[2]:
                scheme, month, _indexes = self._prepare
                self._futures[index] = self._pool.submit(
                    _prepare_kpi_in_worker, i18n.current(), path, scheme, month)
            else:
                self._futures[index] = self._pool.submit(_read_in_worker, i18n.current(), path)
            self._submitted += 1

    def sheets(self, index: int) -> list[Sheet] | None:
        """The sheets of `paths[index]`, or None: the run reads the workbook itself."""
        got = self.take(index)
        return got if isinstance(got, list) else None

    def take(self, index: int) -> list[Sheet] | PreparedKpi | None:
        """What the worker made of `paths[index]`: its sheets, or (one of `kpi_prepared`'s
        workbooks) the workbook read and scored; None: the run reads it itself."""
        from concurrent.futures.process import BrokenProcessPool

        if self._pool is None:
            return None
        try:
            self._submit_up_to(index + self._ahead)
            future = self._futures.pop(index, None)
            return None if future is None else future.result()
        except BrokenProcessPool:  # the worker was killed: the run reads the rest itself
            self.close()
            return None
        except Exception:  # noqa: BLE001 — read again here: the run reports the problem
            return None

    def close(self) -> None:
        """Stop the worker; what it has not read yet is dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._futures.clear()

    def __enter__(self) -> SheetPrefetch:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
