"""Processes: the only module that starts them. A stage never knows whether its work was
done here or by a worker: it receives a reader (`Reader`) or a pool of writers
(`WritePool`, given to `StagedFiles`), and a worker returns exactly what the run would have
computed itself.

- **Reading ahead** (`Reader`). A backfill reads dozens of KPI and attendance workbooks one
  after the other; a worker on another core reads the next ones while the run checks and
  stores the current one: for most workbooks the fast reader's parse (the sheets, plain
  lists, cheap to pickle); for every other KPI workbook the whole reading and scoring
  (`read_kpi_scored`: the rows without their figures, the scores as the rows of the scores
  table, every problem found, in the run's language). `cslevel run` starts its worker
  `early`, before its own start-up (loading the database layer, opening the history): on
  Linux the worker is forked then, so it starts at once with what the run has loaded, and
  it reads and scores the month's KPI workbooks and reads its attendance sheets while the
  run gets ready and reads the roster. Whatever the worker cannot do (it failed, was
  killed, or there is none) the run does itself, with the same functions.
- **Writing in the background** (`WritePool`). Large workbooks are written by up to two
  spawned workers while the run goes on (cslevel.export.safe.StagedFiles decides which).

Every pool's workers end with the run, however it ends (cslevel.workers). CSLEVEL_WORKERS
sets how many processes may help (0: the run does everything itself).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from decimal import Decimal
    from pathlib import Path

    from .read.workbook import Sheet
    from .records import AgentRow, Month, Problem, Source
    from .scheme import Scheme
    from .score import AttendancePoints

AHEAD = 2  # workbooks read ahead: each one's sheets are held until the run takes them
MIN_FILES = 4  # fewer workbooks than this: the worker's start would cost more than it saves
QUEUED = 2  # background writes in flight per writer: one being written, one waiting

Profiles = dict[str, tuple[dict[str, "Decimal"], "Source"]]


def workers() -> int:
    """How many worker processes may help the run: one per core beyond the first, at most
    two (CSLEVEL_WORKERS overrides; 0 = everything in the run's own process)."""
    value = os.environ.get("CSLEVEL_WORKERS", "").strip()
    if value.isdigit():
        return int(value)
    return min(2, (os.cpu_count() or 1) - 1) if (os.cpu_count() or 1) > 1 else 0


# --- one KPI workbook read and scored, here or in a worker ---------------------------------
class KpiRead(NamedTuple):
    """A KPI workbook read and scored: what the intake takes, whoever made it."""

    rows: list[AgentRow]  # without the metrics and the ready score (the scores hold them)
    problems: list[Problem]  # the reading's
    scored: dict[Month, list[tuple[Any, ...]]] | None  # rows of the scores table by month;
    # None when the reading or the scoring found an error (nothing would be stored)
    score_problems: list[Problem]  # the scoring's
    by_name: bool = False  # no 工号 column: the rows' ids are their names (see the intake)
    role_column: int | None = None  # the 岗位 column's index (its cells named by problems)


def read_kpi_scored(path: Path, scheme: Scheme, month: Month | None,
                    profiles: Profiles | None = None,
                    sheets: list[Sheet] | None = None,
                    attendance: AttendancePoints | None = None) -> KpiRead:
    """Read one KPI workbook (`sheets`: its sheets, when already read) and score its rows;
    the scores as the scores table's rows. The scoring is done only when the reading found
    no error; the rows are kept without their figures (the scores hold them)."""
    from .bulk import bulk_load
    from .read import read_kpi, understand_kpi
    from .score import score_rows
    from .store.codec import score_rows_stored

    key = scheme.score.attendance_metric
    supplied = frozenset([key]) if attendance is not None and key is not None else frozenset()
    with bulk_load():
        plan = understand_kpi(path, scheme, sheets, supplied)
    columns = plan.table.columns
    by_name = plan.mode != "raw" and columns["agent_id"] == columns.get("name")
    rows, problems = read_kpi(path, scheme, month, plan, supplied=supplied)
    scored: dict[Month, list[tuple[Any, ...]]] | None = None
    score_problems: list[Problem] = []
    if not any(p.severity == "error" for p in problems):
        scores, score_problems = score_rows(rows, scheme, profiles, attendance)
        if not any(p.severity == "error" for p in score_problems):
            by_month: dict[Month, list[Any]] = {}
            for score in scores:
                by_month.setdefault(score.month, []).append(score)
            scored = {m: score_rows_stored(m, month_scores)
                      for m, month_scores in by_month.items()}
    nothing: dict[str, Any] = {}  # one empty mapping for every row (pickled once)
    light = [row._replace(ready_score=None, metrics=nothing) for row in rows]
    return KpiRead(light, problems, scored, score_problems, by_name,
                   columns.get("role") if plan.mode != "raw" else None)


def _read_in_worker(language: str, path: Path) -> list[Sheet]:
    from . import i18n
    from .read.workbook import read_sheets

    i18n.set_language(language)  # the sheets' own notes are in the run's language
    return read_sheets(path)


def _read_kpi_in_worker(language: str, path: Path, scheme: Scheme,
                        month: Month | None) -> KpiRead:
    from . import i18n

    i18n.set_language(language)
    return read_kpi_scored(path, scheme, month)


def _can_fork() -> bool:
    """Whether a worker may be forked now: on Linux, with no other thread running (a fork
    copies the locks other threads may hold; a progress bar on a terminal has a thread)."""
    import multiprocessing
    import sys
    import threading

    return (sys.platform == "linux" and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def _pool(count: int, method: str) -> ProcessPoolExecutor:
    from .workers import pool  # its workers end with the run, however the run ends

    return pool(count, method)


class Reader:
    """The run's workbooks (`paths`, KPI ones first), each read — and each KPI one scored —
    by a worker process ahead of the run, or by the run itself.

    `kpi(i)` and `sheets(i)` give exactly what the run would compute (`read_kpi_scored`;
    `read_sheets`): from the worker when it has them, else here. `kpi_scored`: (the scheme,
    the month, which of the paths may be scored by the worker) — None when the scoring
    needs what only the run has (the points scheme's profiles). A spawned worker takes
    every other of those (scoring them all, it kept the run waiting: pickling Decimals costs
    as much), and only with at least MIN_FILES workbooks, the first one being read here
    while it starts. `early` (cslevel run): made before the run's own start-up, the worker is
    forked where it can be (`_can_fork`) and takes every workbook from the first, however
    few; where it cannot be forked, the usual rules apply."""

    def __init__(self, paths: list[Path], kpi_scored: tuple[Scheme, Month | None, set[int]]
                 | None = None, *, early: bool = False) -> None:
        self._paths = paths
        self._score = kpi_scored
        self._futures: dict[int, Future[Any]] = {}
        self._submitted = 0  # the next path to hand to the worker
        self._pool: ProcessPoolExecutor | None = None
        self._ahead = AHEAD
        if not workers():
            return
        if early and _can_fork():
            self._pool = _pool(1, "fork")
            self._ahead = len(paths)  # one month's workbooks: all of them at once
            self._submit_up_to(self._ahead)
        elif len(paths) >= MIN_FILES:
            if kpi_scored is not None:
                scheme, month, indexes = kpi_scored
                self._score = (scheme, month, {i for i in indexes if i % 2})
            self._pool = _pool(1, "spawn")
            self._submitted = 1  # paths[0] is read by the run while the worker starts
            self._submit_up_to(AHEAD)

    def _submit_up_to(self, last: int) -> None:
        from . import i18n

        assert self._pool is not None
        while self._submitted <= min(last, len(self._paths) - 1):
            index, path = self._submitted, self._paths[self._submitted]
            if self._score is not None and index in self._score[2]:
                scheme, month, _indexes = self._score
                self._futures[index] = self._pool.submit(
                    _read_kpi_in_worker, i18n.current(), path, scheme, month)
            else:
                self._futures[index] = self._pool.submit(_read_in_worker, i18n.current(), path)
            self._submitted += 1

    def _take(self, index: int) -> list[Sheet] | KpiRead | None:
        """What the worker made of `paths[index]` (None: nothing; the run does it)."""
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

    def kpi(self, index: int, scheme: Scheme, month: Month | None,
            profiles: Profiles | None = None,
            attendance: AttendancePoints | None = None) -> KpiRead:
        """KPI workbook `paths[index]` read and scored (`attendance`: the attendance scores
        the template's attendance metric takes; the worker must not score such a workbook)."""
        got = self._take(index)
        if isinstance(got, KpiRead):
            return got
        return read_kpi_scored(self._paths[index], scheme, month, profiles, got, attendance)

    def sheets(self, index: int) -> list[Sheet] | None:
        """The sheets of `paths[index]`, or None: the run reads the workbook itself."""
        got = self._take(index)
        return got if isinstance(got, list) else None

    def close(self) -> None:
        """Stop the worker; what it has not read yet is dropped, and a read under way is cut
        short (the worker is killed). The pool is then joined, not left to end by itself:
        `shutdown(wait=False)` leaves the pool's manager thread racing the interpreter's exit,
        which now and then printed "Exception ignored … OSError: Bad file descriptor" at the
        end of a run that had nothing to do (CPython issues 83279, 132969)."""
        pool, futures = self._pool, list(self._futures.values())
        self._pool = None
        self._futures.clear()
        if pool is None:
            return
        if not all(future.done() for future in futures):
            killed = list((getattr(pool, "_processes", None) or {}).values())
            for process in killed:
                process.kill()  # it only reads: nothing of it is kept
            for process in killed:
                process.join()
            # A worker killed while it was sending a result leaves half a message in the
            # result pipe, and the pool's thread waits for the rest for ever: this process
            # holds the pipe's other write end. Closed, the thread reads the end of the pipe,
            # takes the pool for broken and ends (the run hung in `shutdown` now and then).
            results = getattr(pool, "_result_queue", None)
            if results is not None:
                results._writer.close()
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# --- writing large workbooks in the background ---------------------------------------------
def _ready() -> None:
    """A writer's first task: load the workbook writers before there is anything to write."""
    from .export import payroll, results  # noqa: F401  (imports xlsxwriter too)


def _write_in_worker(language: str, write: Callable[[Path], None], tmp: Path) -> None:
    """A writer process writes one staged file, in the run's language."""
    from . import i18n
    from .export.safe import remove_parts

    i18n.set_language(language)
    try:
        write(tmp)
    finally:
        remove_parts(tmp)


class WritePool:
    """Up to `workers()` spawned processes that write staged workbooks while the run goes on
    (spawned, not forked: they start small, and the same way on Windows). `capacity` writes
    may be in flight (QUEUED per writer)."""

    def __init__(self) -> None:
        self.count = workers()
        self.capacity = self.count * QUEUED
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _pool(self.count, "spawn")
        return self._pool

    def start(self) -> None:
        """Start the writers now (they load the workbook writers on the other cores) when a
        large workbook will be handed to them later."""
        if self.count and self._pool is None:
            for _n in range(self.count):
                self._executor().submit(_ready)

    def submit(self, write: Callable[[Path], None], tmp: Path) -> Future[None]:
        from . import i18n

        return self._executor().submit(_write_in_worker, i18n.current(), write, tmp)

    def shutdown(self) -> None:
        """Let the writers finish what they are writing (so no file appears after a
        discard), drop what has not started, and end them."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# --- one computation over many items, shared with a forked worker --------------------------
_SHARED: tuple[Callable[[Any], Any], list[Any]] | None = None  # what a forked worker runs


def _shared_item(index: int) -> Any:
    """A forked worker's task: the work on item `index`, both inherited from the run."""
    assert _SHARED is not None
    work, items = _SHARED
    return work(items[index])


def shared_map(work: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """`[work(item) for item in items]`, in that order, the items shared out between the run
    and forked workers where a fork can be had (`_can_fork`, `workers()`): the workers
    inherit `work` and what it reads (nothing is pickled but each item's index and its
    result), so `work` must not touch what a fork cannot share (a database connection) and
    should return something small. The run takes the last item and every other one before
    it; a worker that fails leaves its items to the run. Elsewhere the run does it all."""
    global _SHARED
    count = workers()
    if count == 0 or len(items) < 2 or not _can_fork():
        return [work(item) for item in items]
    from concurrent.futures.process import BrokenProcessPool

    results: list[Any] = [None] * len(items)
    last = len(items) - 1
    theirs = [i for i in range(len(items)) if (last - i) % (count + 1)]
    _SHARED = (work, items)
    executor = _pool(count, "fork")
    try:
        futures = {i: executor.submit(_shared_item, i) for i in theirs}
        for i in range(len(items)):
            if i not in futures:
                results[i] = work(items[i])
        for i, future in futures.items():
            try:
                results[i] = future.result()
            except BrokenProcessPool:  # killed: the run does it
                results[i] = work(items[i])
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        _SHARED = None
    return results
