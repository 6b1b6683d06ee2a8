"""Read stage, the fast reader and the explaining fallback.

- `_read_calamine`: a workbook whose container was checked (`containers`) -> its sheets'
  values, read by python-calamine (fast; its XML reader does not expand entities), with the
  merged ranges, the Mac 1904 date system, a stored size smaller than the data and the
  cells taken from other workbooks noted. A Rust panic's report never reaches the screen
  (`_rust_panics_unprinted`).
- `explain_blanks`: the cells the fast reader shows as blank that really hold a formula
  without a saved value or an error value (#DIV/0!, #N/A), found through openpyxl
  read-only, only when there are such cells, only for .xlsx files.

Input: the file's path (and what the container checks found). Output: `Sheet`s; for blank
cells, a `Problem` saying what each really holds.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from ...i18n import _
from ...records import CslevelError, Problem, Source
from .containers import _links_note, _ZipFacts
from .sheet import (
    _TEXT,
    Sheet,
    _encrypted,
    _error_text,
    _fail,
    _format_note,
    _warning,
    sniff_format,
)

_CALAMINE_EXTENSIONS = {".xls": "xls", ".xla": "xls", ".xlsx": "xlsx", ".xlsm": "xlsx",
                        ".xlam": "xlsx", ".xlsb": "xlsb", ".ods": "ods"}


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """'F3' -> (2, 5), 0-based (row, col)."""
    match = re.fullmatch(r"([A-Za-z]{1,3})(\d{1,7})", ref)
    if not match:
        return None
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


def _read_calamine(path: Path, kind: str, facts: _ZipFacts | None,
                   first_rows: int | None = None) -> list[Sheet]:
    import python_calamine as calamine  # heavy: imported where used

    expected = _CALAMINE_EXTENSIONS.get(path.suffix.lower())
    try:
        if expected is None or expected == kind:
            book = calamine.CalamineWorkbook.from_path(str(path))
        else:  # a renamed file: calamine picks its reader by extension, so give it bytes
            with path.open("rb") as fh:
                book = calamine.CalamineWorkbook.from_filelike(fh)
    except calamine.PasswordError:
        raise _encrypted(path) from None
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise _encrypted(path) from None
        error = exc if isinstance(exc, calamine.CalamineError) else _error_text(exc)
        raise _fail(path, _("the workbook cannot be read ({error})").format(error=error),
                    _TEXT["resave"]) from None
    epoch1904 = bool(facts and facts.epoch1904)
    notes = _format_note(path, kind)
    if epoch1904:
        notes.append(_warning(path, _("the workbook uses the Mac 1904 date system; dates "
                                      "were read accordingly")))
    sheets: list[Sheet] = []
    with book:
        for meta in book.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            try:
                data = book.get_sheet_by_name(meta.name)
                rows = data.to_python(skip_empty_area=True, nrows=first_rows)
                merged = tuple((r1, c1, r2, c2) for (r1, c1), (r2, c2)
                               in (data.merged_cell_ranges or []))
            except BaseException as exc:
                if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
                    raise
                raise CslevelError(Problem(
                    _("the sheet cannot be read ({error})").format(error=exc),
                    Source(path.name, meta.name),
                    hint=_("Open it in Excel/WPS and save it again."))) from None
            start = data.start or (0, 0)
            sheet_notes = list(notes)
            if facts is not None and meta.name in facts.external:
                sheet_notes.append(_links_note(path, meta.name, facts))
            stored = facts.dimensions.get(meta.name) if facts else None
            if stored and data.end is not None:
                last = _cell_ref(stored.split(":")[-1])
                if last is not None and (data.end[0] > last[0] or data.end[1] > last[1]):
                    sheet_notes.append(Problem(
                        _("the sheet's stored size ({stored}) is smaller than its data (files "
                          "saved by WPS or some export tools); all {count} rows were "
                          "read").format(stored=stored, count=len(rows)),
                        Source(path.name, meta.name), "warning"))
            sheets.append(Sheet(path.name, meta.name, cast("list[list[object]]", rows),
                                start[0] + 1, start[1],
                                meta.visible == calamine.SheetVisibleEnum.Visible, epoch1904,
                                merged, tuple(sheet_notes)))
    return sheets


@contextmanager
def _rust_panics_unprinted() -> Iterator[None]:
    """While the fast reader works: what it writes to the standard error (only a Rust
    panic's report, with a backtrace when RUST_BACKTRACE is set) goes to a temporary file;
    after a panic it is dropped (the file is refused in plain words instead), otherwise
    anything else written there meanwhile is passed on. Without a real standard error (an
    embedding program), nothing is redirected."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    import tempfile

    capture = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, after fd 2 is back
    os.dup2(capture.fileno(), 2)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        try:
            if not failed and capture.tell():
                capture.seek(0)
                written = capture.read()
                if b"panicked at" not in written:
                    os.write(2, written)
        finally:
            capture.close()


def _openpyxl_is_defused() -> bool:
    """openpyxl parses with defusedxml only when it is installed and not switched off
    (OPENPYXL_DEFUSEDXML=False); check the parser functions it actually uses."""
    import openpyxl.xml
    from openpyxl.xml import functions

    return bool(openpyxl.xml.DEFUSEDXML) and all(
        getattr(fn, "__module__", "").startswith("defusedxml")
        for fn in (functions.fromstring, functions.iterparse))


def explain_blanks(path: Path, table: Any, cells: list[Source]) -> dict[Source, Problem]:
    """Cells the fast reader saw as empty that are really formulas without a cached value
    or error values (#DIV/0!, #N/A): the fast reader shows both as blank. Only consulted
    when there are blank cells, and only for .xlsx files, through openpyxl read-only."""
    if not cells:
        return {}
    try:
        if sniff_format(path) != "xlsx":
            return {}
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in {n.lower() for n in archive.namelist()}:
                return {}  # .xlsb / .ods: openpyxl cannot read them
    except (OSError, zipfile.BadZipFile, CslevelError, ValueError):
        return {}  # (the fast reader read this file: it cannot be gone or damaged here)
    if not _openpyxl_is_defused():
        raise CslevelError(Problem(
            _("cslevel's XML safety guard (defusedxml) is not active"), Source(path.name),
            hint=_("Reinstall cslevel with its dependencies (pip install defusedxml) and unset "
                   "OPENPYXL_DEFUSEDXML, then run again.")))
    wanted = {(c.row, c.column) for c in cells if c.row is not None and c.column is not None}
    if not wanted:
        return {}
    sheet_name = cells[0].sheet
    out: dict[Source, Problem] = {}
    try:
        found = _formulas_and_values(path, sheet_name, wanted)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        # A part the fast reader skips (styles, theme, properties, relationships) is
        # damaged: whether a blank cell hides a formula without a saved value or an error
        # cannot be told, and a blank is never taken as one on trust.
        error = _error_text(exc)
        return {source: Problem(
            _("the cell looks blank, but the workbook is damaged and cslevel cannot check "
              "whether it holds a formula or an error value ({error})").format(error=error),
            source, hint=_("Open the workbook in Excel/WPS, save it again, and run again."))
            for source in cells if source.row is not None and source.column is not None}
    for (row, col), (formula, value) in found.items():
        source = Source(path.name, sheet_name, row, col)
        if isinstance(value, str) and value.startswith("#"):
            out[source] = Problem(
                _("the cell holds the error {value}").format(value=value), source,
                hint=_("Fix the formula or type the value, then run again."))
        elif isinstance(formula, str) and formula.startswith("="):
            out[source] = Problem(
                _("the formula {formula} has no saved value (the file was saved by a program, "
                  "not by Excel)").format(formula=formula), source,
                hint=_("open and save it in Excel/WPS, then run again."))
    return out


def _formulas_and_values(path: Path, sheet_name: str | None,
                         wanted: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[object, object]]:
    """(formula, saved value) of the `wanted` (row, col) cells, through openpyxl read-only."""
    import openpyxl

    rows_needed = {r for r, _ in wanted}
    lo, hi = min(rows_needed), max(rows_needed)
    found: dict[tuple[int, int], tuple[object, object]] = {}
    for data_only in (False, True):
        # A file object, not the path: openpyxl refuses names such as .et or .xls.
        with path.open("rb") as fh:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=data_only)
            try:
                ws = book[sheet_name]
                for row in ws.iter_rows(min_row=lo, max_row=hi):
                    for cell in row:
                        key = (getattr(cell, "row", None), getattr(cell, "column", 0) - 1)
                        if key in wanted:
                            formula, value = found.get(key, (None, None))
                            found[key] = ((cell.value, value) if not data_only
                                          else (formula, cell.value))
            finally:
                book.close()
    return found
