"""Writing output files safely: never half-written, never a formula from text.

Files are written to a temporary file and renamed over the target, so a crash leaves either
the old file or the new one. The temporary file is made in the system's temporary folder
when that is on the same disk as the target (the rename stays atomic and a killed run
leaves nothing in the output folder), else beside the target as a hidden `.~name` file. A
target that cannot be written (open in Excel, read-only folder) is refused before anything
is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..i18n import _
from ..records import CslevelError, Problem, Source

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unwritable(path: Path, why: str) -> CslevelError:
    return CslevelError(Problem(_("cannot write the output file ({why})").format(why=why),
                                Source(str(path)),
                                hint=_("Close the file if it is open in Excel/WPS, or choose "
                                       "another --out path in a folder you can write to.")))


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


class StagedFiles:
    """Write several outputs to temporary files first; rename them into place only when
    every one was written (`commit`), else remove them all (`discard`)."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def write(self, path: Path, write: Callable[[Path], None]) -> None:
        check_writable(path)
        folder = path.parent if str(path.parent) else Path(".")
        if not os.access(folder, os.W_OK):
            raise _unwritable(path, _("the folder {folder} is read-only").format(folder=folder))
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem}.", suffix=path.suffix,
                                            dir=_staging_folder(folder))
        except OSError as exc:
            raise _unwritable(path, exc.strerror or str(exc)) from None
        os.close(fd)
        tmp = Path(tmp_name)
        self._staged.append((tmp, path))
        try:
            write(tmp)
            os.chmod(tmp, 0o666 & ~_umask())  # as a normally created file, not mkstemp's 0600
        except OSError as exc:
            raise _unwritable(path, exc.strerror or str(exc)) from None

    def files(self) -> list[tuple[Path, Path]]:
        """(temporary file, target) of every file written so far."""
        return list(self._staged)

    def commit(self) -> None:
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
        for tmp, _target in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
