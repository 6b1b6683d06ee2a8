"""Read stage, what every file format's reader shares: the `Sheet` it gives (raw cell values
with their place, merged ranges and notes), the refusal of a file (`_fail`) and its notes,
the messages used in several places, and the sniffing of a file's format from its first
bytes.

Input: a path and what a reader found. Output: `Sheet`s, `CslevelError`s naming the file and
what to do, warning `Problem`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...i18n import N_, Labels, _
from ...records import CslevelError, Problem, Source

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


Merged = tuple[int, int, int, int]


@dataclass(frozen=True)
class Sheet:
    """Cell values of one sheet; `rows[i][j]` is the cell at (first_row + i, first_col + j).

    `merged` holds the merged ranges as 0-based absolute (first_row, first_col, last_row,
    last_col); only the first cell of a range holds the value. `problems` holds warnings
    about the file that were tolerated while reading it (a web page saved as .xls, a wrong
    stored sheet size, the Mac 1904 date system, ...)."""

    file: str
    name: str
    rows: list[list[object]]
    first_row: int = 1  # 1-based Excel row of rows[0]
    first_col: int = 0  # 0-based column index of rows[i][0]
    visible: bool = True
    epoch1904: bool = False
    merged: tuple[Merged, ...] = ()
    problems: tuple[Problem, ...] = ()

    def source(self, row_index: int, col_index: int | None = None) -> Source:
        col = None if col_index is None else self.first_col + col_index
        return Source(self.file, self.name, self.first_row + row_index, col)


def _fail(path: Path, message: str, hint: str) -> CslevelError:
    return CslevelError(Problem(message, Source(path.name), hint=hint))


def _warning(path: Path, message: str) -> Problem:
    return Problem(message, Source(path.name), "warning")


def _encrypted(path: Path) -> CslevelError:
    return _fail(path, _TEXT["encrypted"], _TEXT["remove password"])


# Messages and hints used in several places, translated when read (in the language in force).
_TEXT = Labels({
    "export again": N_("Do not use this file: export the data again from the source system."),
    "resave": N_("Open it in Excel/WPS and save it again as .xlsx, or export it again."),
    "encrypted": N_("the workbook is encrypted (password-protected)"),
    "remove password": N_("Open it in Excel/WPS, remove the password (File › Info › Protect "
                          "Workbook › Encrypt with Password, clear it), save it without a "
                          "password, and run again."),
    "give export": N_("Give the .xlsx, .xls or .csv file exported from the system."),
    "not readable": N_("the file is neither a workbook nor readable text"),
    "zip bomb": N_("the workbook holds {count} parts, far more than any real workbook "
                   "(zip bomb?)"),
})

# What each extension promises; a file whose content differs gets a warning.
_EXTENSION_KIND = {
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xlsb": "xlsb", ".ods": "ods",
    ".xls": "xls", ".csv": "text", ".tsv": "text", ".txt": "text",
}
_KIND_WORDS = Labels({
    "xlsx": N_("an Excel workbook (.xlsx)"), "xlsb": N_("an Excel binary workbook (.xlsb)"),
    "ods": N_("an OpenDocument spreadsheet (.ods)"),
    "xls": N_("an old-style Excel workbook (.xls)"),
    "html": N_("a web page holding a table"), "xml": N_("an Excel 2003 XML spreadsheet"),
    "text": N_("a text table (CSV/TSV)"),
})


_OTHER_FORMATS = [
    (b"%PDF", "pdf"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"),
    (b"Rar!", "rar"), (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"),
]
_FORMAT_WORDS = Labels({
    "pdf": N_("a PDF document"), "png": N_("a picture (PNG)"), "jpeg": N_("a picture (JPEG)"),
    "rar": N_("a RAR archive"), "7z": N_("a 7-Zip archive"), "gzip": N_("a gzip archive"),
})


def _format_note(path: Path, kind: str) -> list[Problem]:
    """A warning when the content is not what the file name promises."""
    suffix = path.suffix.lower()
    if suffix == ".et":
        return [_warning(path, _("a WPS .et file: read as {kind}").format(
            kind=_KIND_WORDS[kind]))]
    promised = _EXTENSION_KIND.get(suffix)
    if promised is None or promised == kind:
        return []
    return [_warning(path, _("the file is named {suffix} but is really {kind}; read as "
                             "such").format(suffix=suffix, kind=_KIND_WORDS[kind]))]


def sniff_format(path: Path) -> str:
    """'xlsx' (any zip), 'xls' (any OLE compound file) or 'text', from the first bytes."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        return "xls"
    if not head:
        raise _fail(path, _("the file is empty"), _("Export the workbook again."))
    for magic, what in _OTHER_FORMATS:
        if head.startswith(magic):
            raise _fail(path, _("this is {what}, not a workbook").format(
                what=_FORMAT_WORDS[what]), _TEXT["give export"])
    return "text"


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"{name}: {text[:200]}" if text else name
