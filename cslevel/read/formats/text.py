"""Read stage, workbooks that are text: delimited text (CSV/TSV), a web page holding
`<table>`s (call-centre systems save them as `.xls`), or an Excel 2003 XML spreadsheet
(SpreadsheetML), in UTF-8, UTF-16 or GB18030.

Input: the file's path (its format sniffed as text). Output: its `Sheet`s, rectangular as
the fast reader gives them, with their merged ranges and notes on how the file was read, or
a `CslevelError` refusing it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ...i18n import _
from ...records import CslevelError
from .extent import CELL_BYTES, budget_cells, size_text
from .sheet import _TEXT, Merged, Sheet, _fail, _format_note, _warning

_SPREADSHEET_ML = "urn:schemas-microsoft-com:office:spreadsheet"


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
                             size=size_text(rows * cols * CELL_BYTES)),
                 _("Export the data again as .xlsx or .csv."))


def _read_html(path: Path, text: str) -> list[Sheet]:
    parser = _HtmlTables()
    parser.feed(text)
    parser.close()
    limit = budget_cells(len(text))
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
    limit = budget_cells(len(text))
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
