"""Writing output files safely: never half-written, never a formula from text.

Files are written to a temporary (staging) file and renamed over the target, so a crash
leaves either the old file or the new one. The staging file is made in the system's
temporary folder when that is on the same disk as the target (the rename stays atomic and a
killed run leaves nothing in the output folder), else beside the target as a hidden `.~…`
file. A target that cannot be written (open in Excel, read-only folder), or that is one of
the files the command reads, is refused before anything is written.

Bound to a history (`StagedFiles(history)`), the files are renamed only after the history's
transaction commits, and the set is recorded in that transaction first: see cslevel.finish.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import finish
from ..i18n import _
from ..records import CslevelError, Problem, Source

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..parallel import WritePool
    from ..store import History

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unwritable(path: Path, why: str) -> CslevelError:
    return CslevelError(Problem(_("cannot write the output file ({why})").format(why=why),
                                Source(str(path)),
                                hint=_("Close the file if it is open in Excel/WPS, or choose "
                                       "another --out path in a folder you can write to.")))


def _disk_full(path: Path) -> CslevelError:
    return CslevelError(Problem(
        _("cannot write the output file: the disk is full"), Source(str(path)),
        hint=_("Free some space on the disk that holds {folder} (and the temporary folder), "
               "then run again. Nothing was changed.").format(
                   folder=path.parent if str(path.parent) else Path("."))))


def _write_failed(path: Path, exc: BaseException) -> CslevelError:
    """An OSError (or the workbook writer's wrapper of one) while writing `path`."""
    cause = exc if isinstance(exc, OSError) else exc.__context__ or exc.__cause__
    if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
        return _disk_full(path)
    if isinstance(cause, OSError):
        return _unwritable(path, cause.strerror or str(cause))
    return _unwritable(path, str(exc))


def check_writable(path: Path) -> None:
    """Refuse early when `path` cannot be replaced: missing folder, a folder, a locked file."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise _unwritable(path, _("the folder {folder} does not exist").format(folder=folder))
    if path.is_dir():
        raise _unwritable(path, _("it is a folder"))
    if path.exists():
        try:  # on Windows a workbook open in Excel cannot be opened for writing
            with path.open("r+b"):
                pass
        except OSError as exc:
            raise _unwritable(path, exc.strerror or str(exc)) from None


def _staging_folder(folder: Path) -> Path:
    """The system temporary folder if it is on the target's disk, else the target folder."""
    try:
        temp = Path(tempfile.gettempdir())
        if os.stat(temp).st_dev == os.stat(folder).st_dev and os.access(temp, os.W_OK):
            return temp
    except OSError:
        pass
    return folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_parts(tmp: Path) -> None:
    """The workbook writer's temporary folder beside a staged file (cslevel.export.xlsx),
    left only when its writing failed half way."""
    from .xlsx import parts_folder

    parts = parts_folder(tmp)
    if parts.exists():
        import shutil

        shutil.rmtree(parts, ignore_errors=True)


class StagedFiles:
    """Write several outputs to temporary files first; rename them into place only when
    every one was written (`commit`), else remove them all (`discard`).

    A large workbook may be written in the background (`write(..., background=True)`) by a
    writer process of `writers` (cslevel.parallel.WritePool) while the run goes on; `files`,
    `commit` and `discard` wait for those writes first. At most `writers.capacity` writes are in flight (one
    being written, the next waiting, so a worker never idles while the run makes the next
    workbook's cells): when they are, the run's own process writes the next workbook itself
    (so with one worker two workbooks are written at a time, and no more than three
    workbooks' cells are held at once).

    A write may also be left for later (`write(..., later=True)`): the run's own process
    writes it when the files are collected, while a worker writes a workbook handed over
    after it (`cslevel run` makes the results early and the payroll last: the worker takes
    the payroll, the run writes the results meanwhile).

    With a `history`, leaving the `with` block records the set in the history's transaction
    (`seal`) and the files are renamed once that transaction commits (`publish`), or removed
    if it does not: see cslevel.finish. `protected`: the files the command reads, which no
    output may replace (the history database is added by itself)."""

    def __init__(self, history: History | None = None,
                 protected: list[tuple[Path, str]] | None = None,
                 writers: WritePool | None = None) -> None:
        self._staged: list[tuple[Path, Path]] = []
        self._pending: list[tuple[Future[None], Path, Path]] = []
        self._later: list[tuple[Callable[[Path], None], Path, Path]] = []
        self._writers = writers  # None: every file is written by this process
        self._history = history
        self._protected = list(protected or [])
        if history is not None and history.path is not None:
            self._protected += finish.sqlite_files(history.path)
        self._swept: set[str] = set()  # staging folders already swept of leftovers
        self._digests: dict[Path, str] = {}
        self._token: str | None = None  # the set's name in the history, once recorded

    def protect(self, paths: list[tuple[Path, str]]) -> None:
        """More files the command reads: no output may replace them."""
        self._protected += paths

    def write(self, path: Path, write: Callable[[Path], None], *,
              background: bool = False, later: bool = False) -> None:
        tmp = self._stage(path)
        if later:
            self._later.append((write, tmp, path))
            return
        for done in [p for p in self._pending if p[0].done()]:  # collect finished writes
            self._pending.remove(done)
            self._finish(done)
        writers = self._writers
        if background and writers is not None and len(self._pending) < writers.capacity:
            self._pending.append((writers.submit(write, tmp), tmp, path))  # room in the queue
            return
        self._write_here(write, tmp, path)

    def start_workers(self) -> None:
        """Start the writers now (they load the workbook writers on the other cores) when a
        large workbook will be handed to them later."""
        if self._writers is not None:
            self._writers.start()

    @staticmethod
    def _write_here(write: Callable[[Path], None], tmp: Path, path: Path) -> None:
        try:
            try:
                write(tmp)
            finally:
                remove_parts(tmp)
            finish.fault("staged")
            os.chmod(tmp, 0o666 & ~_umask())  # as a normally created file, not mkstemp's 0600
        except OSError as exc:
            raise _write_failed(path, exc) from None
        except Exception as exc:
            if _writer_error(exc):  # the workbook writer's wrapper of an OSError
                raise _write_failed(path, exc) from None
            raise

    def _finish(self, pending: tuple[Future[None], Path, Path]) -> None:
        from concurrent.futures.process import BrokenProcessPool

        future, tmp, path = pending
        try:
            future.result()
            os.chmod(tmp, 0o666 & ~_umask())
        except OSError as exc:
            raise _write_failed(path, exc) from None
        except BrokenProcessPool:  # killed, or out of memory
            raise _unwritable(path, _("the process writing it stopped")) from None
        except Exception as exc:
            if _writer_error(exc):
                raise _write_failed(path, exc) from None
            raise

    def wait(self) -> None:
        """Write what was left for later, then wait for the background writes; the first
        that failed raises."""
        try:
            while self._later:
                self._write_here(*self._later.pop(0))
            while self._pending:
                self._finish(self._pending.pop(0))
        finally:
            self._stop()

    def _stop(self) -> None:
        """Let the workers finish what they are writing (so no file appears after
        `discard`), drop what has not started, and end them."""
        if self._writers is not None:
            self._writers.shutdown()
        self._pending.clear()
        self._later.clear()

    def _stage(self, path: Path) -> Path:
        """A new temporary file for `path`, recorded for commit or discard."""
        finish.refuse_overwrite(path, [*self._protected,
                                       *((target, "output") for _t, target in self._staged)])
        check_writable(path)
        folder = path.parent if str(path.parent) else Path(".")
        if not os.access(folder, os.W_OK):
            raise _unwritable(path, _("the folder {folder} is read-only").format(folder=folder))
        staging = _staging_folder(folder)
        if self._history is not None:
            prefix = finish.staging_prefix(self._history.tag)
            suffix = f"-{path.name}"
            key = os.path.normcase(os.path.abspath(staging))
            if key not in self._swept:  # leftovers of a killed command on this history
                self._swept.add(key)
                finish.sweep(self._history.tag, [staging], set())
        else:
            prefix, suffix = f".~{path.stem}.", path.suffix
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=staging)
        except OSError as exc:
            raise _write_failed(path, exc) from None
        os.close(fd)
        tmp = Path(tmp_name)
        self._staged.append((tmp, path))
        return tmp

    def digest(self, tmp: Path) -> str:
        """SHA-256 of a staged file (worked out once)."""
        found = self._digests.get(tmp)
        if found is None:
            found = self._digests[tmp] = finish.digest(tmp)
        return found

    def seal(self) -> None:
        """Bound to a history: wait for every write, then record the set (staging file,
        target, SHA-256) in the history's transaction, to be renamed once it commits
        (`publish`) or removed if it does not (`discard`)."""
        assert self._history is not None
        history = self._history
        try:
            self.wait()
            for _tmp, path in self._staged:
                check_writable(path)
            if self._staged:
                rows = [(str(tmp), str(path), self.digest(tmp)) for tmp, path in self._staged]
                for tmp, _path in self._staged:  # on disk before the history promises them
                    finish.flush_to_disk(tmp)
                self._token = history.record_outputs(rows)
                finish.fault("recorded")
        except BaseException:
            self.discard()
            raise
        if self._staged:
            history.after_commit.append(self.publish)
            history.after_rollback.append(self.discard)

    def publish(self) -> None:
        """After the history committed: rename every staged file onto its target, then
        forget the set. A failure leaves the set recorded: the next command finishes it."""
        done = 0
        try:
            for tmp, path in self._staged:
                os.replace(tmp, path)
                done += 1
                if done == 1:
                    finish.fault("renamed-one")
        except OSError as exc:
            raise CslevelError(Problem(
                _("the run was saved in the history, but {target} could not be put in place "
                  "yet ({why})").format(target=path, why=exc.strerror or exc),
                Source(str(path)),
                hint=_("Close the file if it is open in Excel/WPS; the next cslevel command "
                       "(e.g. cslevel runs) puts it in place.")), saved=True) from None
        finish.fault("renamed")
        if self._history is not None and self._token is not None:
            self._history.forget_outputs_now(self._token)
            finish.fault("forgotten")
        self._staged.clear()

    def files(self) -> list[tuple[Path, Path]]:
        """(temporary file, target) of every file written so far."""
        self.wait()
        return list(self._staged)

    def commit(self) -> None:
        try:
            self.wait()
        except BaseException:
            self.discard()
            raise
        for _tmp, path in self._staged:
            check_writable(path)
        try:
            for tmp, path in self._staged:
                os.replace(tmp, path)
        except OSError as exc:
            raise _unwritable(path, exc.strerror or str(exc)) from None
        finally:
            self.discard()

    def discard(self) -> None:
        self._stop()
        for tmp, _target in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.discard()
        elif self._history is not None:
            self.seal()
        else:
            self.commit()


def _writer_error(exc: BaseException) -> bool:
    """Whether `exc` is xlsxwriter's error for a file it could not create or write (it wraps
    the OSError: a full disk, a missing folder)."""
    module = type(exc).__module__ or ""
    return module.startswith("xlsxwriter") and isinstance(
        exc.__context__ or exc.__cause__, OSError)
