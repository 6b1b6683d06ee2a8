"""Writing output files safely: never half-written, never a formula from text.

Files are written to a temporary file in the target folder and renamed over the target, so
a crash leaves either the old file or the new one. A target that cannot be written (open in
Excel, read-only folder) is refused before anything is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..records import CslevelError, Problem, Source

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unwritable(path: Path, why: str) -> CslevelError:
    return CslevelError(Problem(f"cannot write the output file ({why})", Source(str(path)),
                                hint="Close the file if it is open in Excel/WPS, or choose "
                                     "another --out path in a folder you can write to."))


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` then rename tmp over `path`; on any failure `path` is untouched."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise _unwritable(path, f"the folder {folder} does not exist")
    if path.exists():
        if path.is_dir():
            raise _unwritable(path, "it is a folder")
        try:  # on Windows a workbook open in Excel cannot be opened for writing
            with path.open("r+b"):
                pass
        except OSError as exc:
            raise _unwritable(path, exc.strerror or str(exc)) from None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem}.", suffix=path.suffix, dir=folder)
    except OSError as exc:
        raise _unwritable(path, exc.strerror or str(exc)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise _unwritable(path, exc.strerror or str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
