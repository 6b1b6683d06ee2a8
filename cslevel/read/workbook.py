"""File -> sheets of raw cell values: the first step of the read stage.

The format is told from the file's content, never from its name, because call-centre
systems save web pages as `.xls`, WPS saves `.et`, and clerks rename files:

- a zip is an .xlsx/.xlsm (or .xlsb/.ods). Before anything parses it, the archive's
  declared sizes and entry count are checked (zip bombs) and the start of every XML part is
  checked for a document type declaration (`<!DOCTYPE`, which Excel never writes and which
  is how XML entity expansion and external entities get in);
- an OLE compound file is an .xls or an .et, or a password-protected workbook;
- anything else is text: an HTML page holding `<table>`s, an Excel 2003 XML spreadsheet
  (SpreadsheetML), or delimited text (CSV/TSV) in UTF-8, UTF-16 or GB18030.

Values are read with python-calamine (fast; its XML reader does not expand entities).
Each sheet keeps its merged ranges and any tolerated oddity of the file as warnings.

This module is the entry point (`read_sheets`) and the face of the formats' readers, in
`read/formats/`: `sheet` (the `Sheet` record, sniffing), `containers` (the zip and OLE
checks), `text` (CSV, HTML, SpreadsheetML) and `fast` (python-calamine, and
`explain_blanks`, the openpyxl fallback).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..i18n import _
from ..records import CslevelError, Problem, Source
from .formats.containers import _check_xls_extents, _check_zip, _ole_stream_named
from .formats.fast import _read_calamine, _rust_panics_unprinted, explain_blanks
from .formats.sheet import (
    _TEXT,
    Merged,
    Sheet,
    _encrypted,
    _error_text,
    _fail,
    sniff_format,
)
from .formats.text import _read_text

__all__ = ["Merged", "Sheet", "explain_blanks", "read_sheets", "sniff_format"]


def read_sheets(path: Path, first_rows: int | None = None) -> list[Sheet]:
    """All sheets of a workbook (hidden ones last), or CslevelError for an unreadable file.
    With `first_rows`, only each sheet's first rows (a look at what the file is: its title,
    its header), after the same checks of the container."""
    if not path.exists():
        raise CslevelError(Problem(_("file not found: {path}").format(path=path),
                                   Source(path.name),
                                   hint=_("Check the path and the file name.")))
    if path.is_dir():
        raise _fail(path, _("this is a folder, not a file"), _("Give the workbook's path."))
    try:
        kind = sniff_format(path)
        if kind == "text":
            return [replace(sheet, rows=sheet.rows[:first_rows]) if first_rows else sheet
                    for sheet in _read_text(path)]
        facts = None
        if kind == "xlsx":
            facts = _check_zip(path)
            kind = facts.kind
        elif _ole_stream_named(path, "EncryptedPackage"):
            raise _encrypted(path)
        else:
            _check_xls_extents(path)
        with _rust_panics_unprinted():
            sheets = _read_calamine(path, kind, facts, first_rows)
    except CslevelError:
        raise
    except BaseException as exc:  # noqa: BLE001 - the reader's edge: see _unreadable
        raise _unreadable(path, exc) from None
    sheets.sort(key=lambda s: not s.visible)
    return sheets


def _unreadable(path: Path, exc: BaseException) -> CslevelError:
    """Whatever a library raised on a file's bytes, as the refusal of that file: no
    traceback ever reaches the clerk (BAD_INPUTS 36). Interrupts pass through; a Rust panic
    (pyo3's PanicException derives from BaseException) is a refusal too."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc
    if isinstance(exc, MemoryError):
        return _fail(path, _("the file is too large to read in this computer's memory"),
                     _TEXT["export again"])
    if isinstance(exc, PermissionError):
        return _fail(path, _("the file cannot be opened: permission denied"),
                     _("Close it in Excel/WPS if it is open, check that you may read it, and "
                       "run again."))
    if isinstance(exc, OSError):
        return _fail(path, _("the file cannot be read ({error})").format(
            error=exc.strerror or exc), _("Check the file, copy it again, and run again."))
    return _fail(path, _("the workbook cannot be read ({error})").format(error=_error_text(exc)),
                 _TEXT["resave"])
