"""File -> sheets of raw cell values.

The format is told from the file's first bytes, not its extension: a zip is an .xlsx/.xlsm
(checked against zip bombs before any parsing), an OLE file is an .xls (or an encrypted
workbook), anything else is delimited text (CSV/TSV, encoding detected). Values are read
with python-calamine (fast, no XML entity expansion).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records import CslevelError, Problem, Source

MAX_UNZIPPED_BYTES = 2 * 1024**3  # declared size of all entries; real exports are far below
MAX_ZIP_ENTRIES = 20_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Sheet:
    """Cell values of one sheet; `rows[i][j]` is the cell at (first_row + i, first_col + j)."""

    file: str
    name: str
    rows: list[list[object]]
    first_row: int = 1  # 1-based Excel row of rows[0]
    first_col: int = 0  # 0-based column index of rows[i][0]
    visible: bool = True
    epoch1904: bool = False

    def source(self, row_index: int, col_index: int | None = None) -> Source:
        col = None if col_index is None else self.first_col + col_index
        return Source(self.file, self.name, self.first_row + row_index, col)


def _fail(path: Path, message: str, hint: str) -> CslevelError:
    return CslevelError(Problem(message, Source(path.name), hint=hint))


def sniff_format(path: Path) -> str:
    """'xlsx', 'xls' or 'text', from the first bytes."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        return "xls"
    if not head:
        raise _fail(path, "the file is empty", "Export the workbook again.")
    return "text"


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
    except (zipfile.BadZipFile, OSError):
        raise _fail(path, "the workbook is damaged (not a complete .xlsx file)",
                    "Open it in Excel/WPS and save it again, or export it again.") from None
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise _fail(path, "the workbook would unpack to an unreasonable size (zip bomb?)",
                    "Do not use this file; export the data again from the source system.")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _fail(path, "this is a zip file but not an Excel workbook",
                    "Give the .xlsx exported from the system.")


def _decode(path: Path, raw: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _fail(path, "the text file is in an unknown encoding",
                "Save it as UTF-8 or open it in Excel and save as .xlsx.")


def _read_text(path: Path) -> list[Sheet]:
    text = _decode(path, path.read_bytes())
    if "\x00" in text[:2000]:
        raise _fail(path, "this is not a workbook or a text table",
                    "Give an .xlsx, .xls or .csv file.")
    lowered = text[:2000].lower()
    if "<html" in lowered or "<table" in lowered or lowered.lstrip().startswith("<?xml"):
        raise _fail(path, "the file is a web page/XML export, not a spreadsheet",
                    "Open it in Excel/WPS and save it as .xlsx.")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return [Sheet(path.name, path.stem, rows)]


def read_sheets(path: Path) -> list[Sheet]:
    """All sheets of a workbook (hidden ones last), or CslevelError for an unreadable file."""
    if not path.exists():
        raise CslevelError(Problem(f"file not found: {path}", Source(path.name),
                                   hint="Check the path and the file name."))
    if path.is_dir():
        raise _fail(path, "this is a folder, not a file", "Give the workbook's path.")
    kind = sniff_format(path)
    if kind == "text":
        return _read_text(path)
    if kind == "xlsx":
        _check_zip(path)
    elif "EncryptedPackage".encode("utf-16-le") in path.read_bytes()[:1_000_000]:
        raise _fail(path, "the workbook is encrypted", "Save it without a password.")
    import python_calamine as calamine  # heavy: imported where used

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise _fail(path, "the workbook is encrypted", "Save it without a password.") from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError) as exc:
        if kind == "xls" and "encrypt" in str(exc).lower():
            raise _fail(path, "the workbook is encrypted", "Save it without a password.") from None
        raise _fail(path, f"the workbook cannot be read ({exc})",
                    "Open it in Excel/WPS and save it again as .xlsx.") from None
    sheets: list[Sheet] = []
    for meta in book.sheets_metadata:
        if str(meta.typ).split(".")[-1] != "WorkSheet":
            continue
        try:
            data = book.get_sheet_by_name(meta.name)
            rows = data.to_python(skip_empty_area=True)
        except Exception as exc:  # noqa: BLE001 - the reader's own error types vary by format
            raise CslevelError(Problem(f"the sheet cannot be read ({exc})",
                                       Source(path.name, meta.name),
                                       hint="Open it in Excel/WPS and save it again.")) from None
        start = data.start or (0, 0)
        visible = str(meta.visible).split(".")[-1] == "Visible"
        sheets.append(Sheet(path.name, meta.name, rows, start[0] + 1, start[1], visible))
    sheets.sort(key=lambda s: not s.visible)
    return sheets


def explain_blanks(path: Path, table: Any, cells: list[Source]) -> dict[Source, Problem]:
    """Cells the fast reader saw as empty that are really formulas without a cached value
    or error values (#DIV/0!, #N/A): the fast reader shows both as blank. Only consulted
    when there are blank cells, and only for .xlsx files, through openpyxl read-only."""
    if not cells or sniff_format(path) != "xlsx":
        return {}
    import openpyxl

    wanted = {(c.row, c.column) for c in cells if c.row is not None and c.column is not None}
    sheet_name = cells[0].sheet
    out: dict[Source, Problem] = {}
    rows_needed = {r for r, _ in wanted}
    lo, hi = min(rows_needed), max(rows_needed)
    found: dict[tuple[int, int], tuple[object, object]] = {}
    for data_only in (False, True):
        book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        try:
            ws = book[sheet_name]
            for row in ws.iter_rows(min_row=lo, max_row=hi):
                for cell in row:
                    key = (getattr(cell, "row", None), getattr(cell, "column", 0) - 1)
                    if key in wanted:
                        formula, value = found.get(key, (None, None))
                        found[key] = (cell.value, value) if not data_only else (formula, cell.value)
        finally:
            book.close()
    for (row, col), (formula, value) in found.items():
        source = Source(path.name, sheet_name, row, col)
        if isinstance(value, str) and value.startswith("#"):
            out[source] = Problem(f"the cell holds the error {value}", source,
                                  hint="Fix the formula or type the value, then run again.")
        elif isinstance(formula, str) and formula.startswith("="):
            out[source] = Problem(
                f"the formula {formula} has no saved value (the file was saved by a program, "
                "not by Excel)", source, hint="open and save it in Excel/WPS, then run again.")
    return out
