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
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

from ..i18n import _
from ..records import CslevelError, Problem, Source
from . import sheetxml
from .formats.containers import (
    _check_xls_extents,
    _check_zip,
    _links_note,
    _ole_stream_named,
    _ZipFacts,
)
from .formats.sheet import (
    _TEXT,
    Merged,
    Sheet,
    _encrypted,
    _error_text,
    _fail,
    _format_note,
    _warning,
    sniff_format,
)
from .sheetxml import size_text

_SPREADSHEET_ML = "urn:schemas-microsoft-com:office:spreadsheet"


_CALAMINE_EXTENSIONS = {".xls": "xls", ".xla": "xls", ".xlsx": "xlsx", ".xlsm": "xlsx",
                        ".xlam": "xlsx", ".xlsb": "xlsb", ".ods": "ods"}


# --- calamine ---------------------------------------------------------------------------
def _cell_ref(ref: str) -> tuple[int, int] | None:
    """'F3' -> (2, 5), 0-based (row, col)."""
    match = re.fullmatch(r"([A-Za-z]{1,3})(\d{1,7})", ref)
    if not match:
        return None
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


def _read_calamine(path: Path, kind: str, facts: _ZipFacts | None) -> list[Sheet]:
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
                rows = data.to_python(skip_empty_area=True)
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


# --- text: HTML tables, SpreadsheetML 2003, CSV/TSV ---------------------------------------
_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in ("gb2312", "gbk", "hz") else name


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Bytes -> (text, codec): BOM, else UTF-16 told by its zero bytes, else UTF-8 if the
    bytes are valid UTF-8 (GBK text almost never is), else the charset a web page or XML file
    declares, else GB18030 (Chinese Windows, includes GBK). Pages often declare a charset
    they are not in, so the declaration does not beat valid UTF-8."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError:
                break
    head = raw[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) * 3 > len(head) // 2 and min(even, odd) * 4 < max(even, odd):
        # UTF-16 without a BOM: the zero high bytes of ASCII sit on one side
        encoding = "utf-16-be" if even > odd else "utf-16-le"
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    candidates = ["utf-8", "gb18030"]
    declared = _CHARSET.search(head) if head.lstrip().startswith(b"<") else None
    if declared and (codec := _codec(declared.group(1).decode("ascii"))):
        candidates.insert(1, codec)
    for encoding in candidates:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise _fail(path, _TEXT["not readable"],
                _("Give the .xlsx, .xls or .csv file exported from the system; a CSV file "
                  "must be saved as UTF-8 or GBK."))


_HTML_START = ("<!doctype html", "<html", "<table", "<head", "<body", "<meta", "<style",
               "<title", "<div", "<!--")


def _read_text(path: Path) -> list[Sheet]:
    raw = path.read_bytes()
    text, encoding = _decode(path, raw)
    start = text[:65536].lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<"):  # markup: an XML spreadsheet or a web page
        if start.startswith("<?xml") and _SPREADSHEET_ML in start:
            return _read_spreadsheet_ml(path, text)
        if start.startswith(_HTML_START) or "<html" in start or "<table" in start:
            return _read_html(path, text)
        raise _fail(path, _("this is an XML file but not an Excel spreadsheet"),
                    _("Open it in Excel/WPS and save it as .xlsx, or export the data again as "
                      ".xlsx or .csv."))
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > 4:
        raise _fail(path, _TEXT["not readable"], _TEXT["give export"])
    notes = _format_note(path, "text")
    if encoding == "gb18030":
        notes.append(_warning(path, _("read as Chinese Windows text (GBK/GB18030)")))
    elif encoding.startswith("utf-16"):
        notes.append(_warning(path, _("read as UTF-16 text (Excel's \"Unicode text\")")))
    return [Sheet(path.name, path.stem, _delimited_rows(path, text), problems=tuple(notes))]


def _delimited_rows(path: Path, text: str) -> list[list[object]]:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in ("\t", ",", ";")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        return [[cell if cell.strip() else None for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise _fail(path, _("the text table is malformed ({error})").format(error=exc),
                    _("Open it in Excel/WPS and save it as .xlsx, or export it again.")) from None


class _HtmlTables(HTMLParser):
    """Every <table> of a web page as a grid of cell texts, with colspan/rowspan placed as
    Excel places them (value in the first cell, the range recorded as merged)."""

    MAX_COLSPAN = 1000  # the HTML standard's limits
    MAX_ROWSPAN = 65534

    def __init__(self, spans: int = 2_000_000) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []
        self._skip = 0  # inside <style>/<script>
        # rows a rowspan may still reach, all cells together: 65,534 rows for each of a
        # few hundred bytes of cells would otherwise take gigabytes (BAD_INPUTS 35)
        self._spans_left = spans

    @staticmethod
    def _new() -> dict[str, Any]:
        return {"rows": [], "row": None, "cell": None, "taken": {}, "merged": [],
                "caption": None}

    def _close_cell(self, table: dict[str, Any]) -> None:
        cell = table["cell"]
        if cell is None:
            return
        text = re.sub(r"[ \t\r\n\f]+", " ", "".join(cell["parts"])).strip(" ")
        table["row"][cell["col"]] = text or None
        table["cell"] = None

    def _close_row(self, table: dict[str, Any]) -> None:
        self._close_cell(table)
        if table["row"] is not None:
            table["rows"].append(table["row"])
            table["row"] = None

    def _span(self, attrs: list[tuple[str, str | None]], name: str, limit: int) -> int:
        value = dict(attrs).get(name) or "1"
        digits = re.match(r"\s*(\d{1,9})", value)
        return max(1, min(int(digits.group(1)) if digits else 1, limit))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            table = self._new()
            self.tables.append(table)
            self._open.append(table)
        elif not self._open:
            return
        elif tag == "caption":
            self._open[-1]["caption"] = []
        elif tag == "tr":
            table = self._open[-1]
            self._close_row(table)
            table["row"] = {}
        elif tag in ("td", "th"):
            table = self._open[-1]
            self._close_cell(table)
            if table["row"] is None:
                table["row"] = {}
            r = len(table["rows"])
            taken = table["taken"].get(r, [])
            col = 0
            while col in table["row"] or any(c1 <= col <= c2 for c1, c2 in taken):
                col = max([col + 1, *(c2 + 1 for c1, c2 in taken if c1 <= col <= c2)])
            cols = self._span(attrs, "colspan", self.MAX_COLSPAN)
            rows = self._span(attrs, "rowspan", self.MAX_ROWSPAN)
            rows = max(1, min(rows, self._spans_left))
            self._spans_left -= rows - 1
            if cols > 1 or rows > 1:
                for dr in range(rows):
                    table["taken"].setdefault(r + dr, []).append((col, col + cols - 1))
            if cols > 1 or rows > 1:
                table["merged"].append((r, col, r + rows - 1, col + cols - 1))
            table["cell"] = {"col": col, "parts": []}
        elif tag == "br" and self._open[-1]["cell"] is not None:
            self._open[-1]["cell"]["parts"].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif not self._open:
            return
        elif tag == "table":
            self._close_row(self._open.pop())
        elif tag in ("td", "th"):
            self._close_cell(self._open[-1])
        elif tag == "tr":
            self._close_row(self._open[-1])
        elif tag == "caption" and self._open[-1]["caption"] is not None:
            self._open[-1]["caption"] = "".join(self._open[-1]["caption"]).strip() or None

    def handle_data(self, data: str) -> None:
        if self._skip or not self._open:
            return
        table = self._open[-1]
        if table["cell"] is not None:
            table["cell"]["parts"].append(data)
        elif isinstance(table["caption"], list):
            table["caption"].append(data)

    def grids(self) -> Iterator[tuple[list[list[object]], list[Merged]]]:
        while self._open:
            self._close_row(self._open.pop())
        for table in self.tables:
            # Rectangular, as calamine gives sheets: as wide as the widest row or span.
            width = max([c + 1 for found in table["rows"] for c in found]
                        + [c2 + 1 for _, _, _, c2 in table["merged"]], default=0)
            rows = [[found.get(c) for c in range(width)] for found in table["rows"]]
            merged = list(table["merged"])
            caption = table["caption"]
            if isinstance(caption, str) and caption:
                # the title Excel shows above the table
                rows.insert(0, [caption] + [None] * (width - 1))
                merged = [(r1 + 1, c1, r2 + 1, c2) for r1, c1, r2, c2 in merged]
            if any(any(v is not None for v in row) for row in rows):
                yield rows, merged


def _too_large(path: Path, rows: int, cols: int) -> CslevelError:
    return _fail(path, _("the table would be {rows} rows × {cols} columns: too large to read "
                         "({size} of memory)").format(
                             rows=f"{rows:,}", cols=f"{cols:,}",
                             size=size_text(rows * cols * sheetxml.CELL_BYTES)),
                 _("Export the data again as .xlsx or .csv."))


def _read_html(path: Path, text: str) -> list[Sheet]:
    parser = _HtmlTables()
    parser.feed(text)
    parser.close()
    limit = sheetxml.budget_cells(len(text))
    for table in parser.tables:  # (a colspan widens every row of its table)
        width = max([c + 1 for found in table["rows"] for c in found]
                    + [c2 + 1 for _, _, _, c2 in table["merged"]], default=0)
        if width * len(table["rows"]) > limit:
            raise _too_large(path, len(table["rows"]), width)
    grids = list(parser.grids())
    if not grids:
        raise _fail(path, _("this is a web page without a table"),
                    _("Export the data again as .xlsx or .csv."))
    notes = tuple(_format_note(path, "html"))
    return [Sheet(path.name, path.stem if len(grids) == 1 else f"table {n}", rows,
                  merged=tuple(merged), problems=notes)
            for n, (rows, merged) in enumerate(grids, start=1)]


def _spreadsheet_ml_value(kind: str, text: str) -> object:
    if kind == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if kind == "DateTime":
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            return text
        if moment.date() == date(1899, 12, 31):  # Excel stores a time of day on day 0
            return moment.time()
        return moment.date() if moment.time() == time(0) else moment
    return text or None  # String, and Error values such as #DIV/0! (refused as text later)


def _read_spreadsheet_ml(path: Path, text: str) -> list[Sheet]:
    """Excel 2003 XML (Workbook/Worksheet/Table/Row/Cell/Data), streamed with defusedxml,
    honouring ss:Index (skipped rows and cells), ss:MergeAcross/ss:MergeDown and hidden
    worksheets."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    ss = f"{{{_SPREADSHEET_ML}}}"
    x = "{urn:schemas-microsoft-com:office:excel}"
    # The text is already decoded; tell the parser so (expat knows no GBK).
    body = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    sheets: list[Sheet] = []
    notes = tuple(_format_note(path, "xml"))
    rows: list[list[object]] = []
    merged: list[Merged] = []
    row_index = -1
    widest = 0
    limit = sheetxml.budget_cells(len(text))
    try:
        for event, elem in iterparse(io.BytesIO(body.encode("utf-8")), events=("start", "end"),
                                     forbid_dtd=True):
            if event == "start":
                if elem.tag == f"{ss}Worksheet":
                    rows, merged, row_index, widest = [], [], -1, 0
                continue
            if elem.tag == f"{ss}Row":
                given = elem.get(f"{ss}Index")
                row_index = int(given) - 1 if given and given.isdigit() else row_index + 1
                if (row_index + 1) * max(widest, 1) > limit:
                    raise _too_large(path, row_index + 1, max(widest, 1))
                cells: list[object] = []
                col = -1
                for cell in elem.iter(f"{ss}Cell"):
                    given = cell.get(f"{ss}Index")
                    col = int(given) - 1 if given and given.isdigit() else col + 1
                    widest = max(widest, col + 1)
                    if (row_index + 1) * widest > limit:  # (rows are padded to the widest)
                        raise _too_large(path, row_index + 1, widest)
                    data = cell.find(f"{ss}Data")
                    value = None if data is None else _spreadsheet_ml_value(
                        data.get(f"{ss}Type", "String"), "".join(data.itertext()))
                    cells.extend([None] * (col + 1 - len(cells)))
                    cells[col] = value
                    across = int(cell.get(f"{ss}MergeAcross", "0") or 0)
                    down = int(cell.get(f"{ss}MergeDown", "0") or 0)
                    if across or down:
                        merged.append((row_index, col, row_index + down, col + across))
                    col += across
                rows.extend([] for _ in range(row_index + 1 - len(rows)))
                rows[row_index] = cells
                elem.clear()
            elif elem.tag == f"{ss}Worksheet":
                visible = (elem.findtext(f"{x}WorksheetOptions/{x}Visible") or "").strip()
                sheets.append(Sheet(path.name, elem.get(f"{ss}Name") or f"Sheet{len(sheets) + 1}",
                                    rows, visible=visible not in ("SheetHidden",
                                                                  "SheetVeryHidden"),
                                    merged=tuple(merged), problems=notes))
                elem.clear()
    except DefusedXmlException:
        raise _fail(path, _("the file contains XML that Excel never writes (a document type "
                            "declaration); it may be a harmful file"),
                    _TEXT["export again"]) from None
    except (ParseError, ValueError) as exc:
        raise _fail(path, _("the XML spreadsheet is damaged ({error})").format(error=exc),
                    _TEXT["resave"]) from None
    if not sheets:
        raise _fail(path, _("the XML spreadsheet has no worksheet"), _TEXT["resave"])
    for sheet in sheets:  # rectangular, as calamine gives sheets
        width = max((len(r) for r in sheet.rows), default=0)
        for row in sheet.rows:
            row.extend([None] * (width - len(row)))
    sheets.sort(key=lambda s: not s.visible)
    return sheets


# --- entry points -----------------------------------------------------------------------
def read_sheets(path: Path) -> list[Sheet]:
    """All sheets of a workbook (hidden ones last), or CslevelError for an unreadable file."""
    if not path.exists():
        raise CslevelError(Problem(_("file not found: {path}").format(path=path),
                                   Source(path.name),
                                   hint=_("Check the path and the file name.")))
    if path.is_dir():
        raise _fail(path, _("this is a folder, not a file"), _("Give the workbook's path."))
    try:
        kind = sniff_format(path)
        if kind == "text":
            return _read_text(path)
        facts = None
        if kind == "xlsx":
            facts = _check_zip(path)
            kind = facts.kind
        elif _ole_stream_named(path, "EncryptedPackage"):
            raise _encrypted(path)
        else:
            _check_xls_extents(path)
        with _rust_panics_unprinted():
            sheets = _read_calamine(path, kind, facts)
    except CslevelError:
        raise
    except BaseException as exc:  # noqa: BLE001 - the reader's edge: see _unreadable
        raise _unreadable(path, exc) from None
    sheets.sort(key=lambda s: not s.visible)
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
