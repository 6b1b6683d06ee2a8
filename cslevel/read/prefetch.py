"""Reading the next workbooks while the run works on the current one.

A backfill scores dozens of KPI and attendance workbooks one after the other; the fast
reader's parse of each (a tenth of a second at 10,000 rows) can run in a worker process on
another core while the run checks, scores and stores the workbook before it. The sheets come
back as plain lists (cheap to pickle); everything else — the checks, the problems, what is
stored — happens in the run's own process, exactly as without a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..export.safe import workers

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from pathlib import Path

    from .workbook import Sheet

AHEAD = 2  # workbooks read ahead: each one's sheets are held until the run takes them
MIN_FILES = 4  # fewer workbooks than this: the worker's start would cost more than it saves


def _read_in_worker(language: str, path: Path) -> list[Sheet]:
    from .. import i18n
    from .workbook import read_sheets

    i18n.set_language(language)  # the sheets' own notes are in the run's language
    return read_sheets(path)


class SheetPrefetch:
    """The sheets of `paths[i]`, read ahead by a worker process (`sheets(i)`), or None when
    the run's own process should read the workbook itself: no worker (one core, or
    CSLEVEL_WORKERS=0), too few workbooks, the first workbook (read while the worker starts)
    or any failure in the worker (the run then reads the file itself and reports what it
    finds, in its own words)."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths = paths
        self._futures: dict[int, Future[list[Sheet]]] = {}
        self._submitted = 0  # paths[0] is read by the run itself
        self._pool: ProcessPoolExecutor | None = None
        if workers() and len(paths) >= MIN_FILES:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            self._submitted = 1
            self._submit_up_to(AHEAD)

    def _submit_up_to(self, last: int) -> None:
        from .. import i18n

        assert self._pool is not None
        while self._submitted <= min(last, len(self._paths) - 1):
            self._futures[self._submitted] = self._pool.submit(
                _read_in_worker, i18n.current(), self._paths[self._submitted])
            self._submitted += 1

    def sheets(self, index: int) -> list[Sheet] | None:
        from concurrent.futures.process import BrokenProcessPool

        if self._pool is None:
            return None
        try:
            self._submit_up_to(index + AHEAD)
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
