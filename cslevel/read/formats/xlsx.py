"""Read stage, the scans of an .xlsx sheet part before the fast reader sees it (BAD_INPUTS
35; see `read.sheetxml`): references read as calamine reads them, the fast pass
(`fast_scan`: one regular-expression search per megabyte for a cell that may lie outside a
candidate box) and the precise pass (`value_cells`: every cell that calamine gives a value,
reading the XML as it does).

Input: a sheet part's stream (`xmlstream.open_member`) and the cells the workbook's budget
allows. Output: a `SheetScan` (suspect or not), or the cells holding values.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from ...records import column_letter
from .xmlstream import _attribute, _chunks, _pending_tag, _tokens

DEFAULT_COLUMNS = 52  # the candidate box's width (AZ) when the sheet says it is narrower
MAX_TAG = 64 * 1024  # a tag still open after this many bytes: the precise pass decides
_U32 = 1 << 32


# --- references as calamine reads them ---------------------------------------------------
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
_ROW_REF = re.compile(rb"[A-Za-z]*([0-9]+)")


def calamine_ref(raw: bytes) -> tuple[int, int] | None:
    """'B7' -> (6, 1), 0-based (row, col), as calamine's get_row_column reads a cell's `r`:
    letters then digits, either case, in u32 arithmetic that wraps; None when calamine
    refuses it (then it refuses the whole sheet: a row that wraps to 0, a stray character).
    """
    match = _REF.fullmatch(raw)
    if match is None:
        return None
    letters, digits = match.groups()
    row = _wrapped(digits)
    if row == 0:
        return None
    col = 0
    for ch in letters.upper():
        col = (col * 26 + ch - 64) & 0xFFFF_FFFF
    return row - 1, (col - 1) % _U32


def _wrapped(digits: bytes) -> int:
    """A number in u32 arithmetic, as calamine reads it (a digit at a time: a reference of a
    million digits costs a million steps, not a big-integer conversion)."""
    if len(digits) <= 18:
        return int(digits) % _U32
    value = 0
    for digit in digits:
        value = (value * 10 + digit - 48) & 0xFFFF_FFFF
    return value


def calamine_row(raw: bytes) -> int | None:
    """A `<row r="..">` as calamine reads it (a column part is allowed and ignored)."""
    match = _ROW_REF.fullmatch(raw)
    if match is None:
        return None
    row = _wrapped(match.group(1))
    return None if row == 0 else row - 1


# --- the fast pass -------------------------------------------------------------------------
# What may follow a plain reference in a cell tag: the common endings first (a handful of
# steps each), then any attributes that hold no `r` outside quotes (an `r` outside quotes
# must follow a character that is not a space or a quote: calamine takes `s="1"r="X9"`
# for an `r` too).
_TAIL = (rb'(?:>|/>| t="[a-zA-Z]++">| s="[0-9]++"(?: t="[a-zA-Z]++")?+/?>'
         rb'''|[^>r"']*+(?:(?:"[^"]*+"|'[^']*+'|(?<=[^\s"'])r)[^>r"']*+)*+>)''')
# A self-closing cell tag after its reference: it holds no value, however far it lies.
_SELF_CLOSING = rb'(?: [a-qs-z][a-zA-Z0-9]*+="[^"<>]*+")*+\s*/>'
_PREFIXED = re.compile(rb":c[\s/>]")


def _rows_upto(rows: int) -> bytes:
    """A regular expression for row numbers (leading zeros counted as digits) up to
    `rows`, which is of the form (d + 1) * 10**(k - 1) - 1."""
    digits = len(str(rows))
    lead = str(rows)[0]
    if set(str(rows)[1:]) - {"9"}:
        raise ValueError(rows)
    if lead == "9":  # 99…9: any number of at most that many digits (one step)
        return f"[0-9]{{1,{digits}}}+".encode()
    if digits == 1:
        return f"[0-{lead}]".encode()
    return f"(?:[0-9]{{1,{digits - 1}}}+|[0-{lead}][0-9]{{{digits - 1}}})".encode()


def _cols_upto(cols: int) -> bytes:
    """A regular expression for column letters up to `cols` (1 to 26; 52, 78, …, 702)."""
    if cols <= 26:
        last = column_letter(cols - 1)
        return f"[A-{last}a-{last.lower()}]".encode()
    first = column_letter(cols // 26 - 2)
    return f"(?:[A-Za-z]|[A-{first}a-{first.lower()}][A-Za-z])".encode()


@lru_cache(maxsize=64)
def fast_pattern(rows: int, cols: int) -> re.Pattern[bytes]:
    """A cell tag that is not a plain reference inside rows x cols (see `candidate_box`)
    followed by a plain tail, nor a self-closing tag."""
    plain = rb' r="' + _cols_upto(cols) + _rows_upto(rows) + rb'"'
    return re.compile(rb"<c(?!" + plain + _TAIL + rb')(?! r="[A-Za-z]++[0-9]++"'
                      + _SELF_CLOSING + rb")[\s/>]")


def candidate_box(dimension: tuple[int, int] | None, budget: int) -> tuple[int, int] | None:
    """(rows, columns) of a box of at most `budget` cells meant to hold every cell of the
    sheet, `dimension` being (rows, columns) as far as the sheet shows them. As narrow as
    one letter (A to Z) and as tall as 99…9 rows when the budget allows it: the search is
    then quickest. Else as wide as the dimension (a multiple of 26, at least
    DEFAULT_COLUMNS, at most 702) and as tall as the budget then allows (rounded down to
    the form that `_rows_upto` takes); None when no such box holds the dimension."""
    dim_rows, dim_cols = dimension or (1, 1)
    if dim_cols <= 26:
        for digits in range(7, 0, -1):
            rows = 10**digits - 1
            cols = min(26, budget // rows)
            if cols >= max(dim_cols, 1) and rows >= dim_rows:
                return rows, cols
    narrow = 26 * -(-max(dim_cols, 1) // 26)
    for cols in (max(narrow, DEFAULT_COLUMNS), narrow):
        if cols > 702:
            return None
        most = min(budget // cols, 1 << 31)
        if most < 9:
            continue
        scale = 10 ** (len(str(most + 1)) - 1)
        rows = (most + 1) // scale * scale - 1
        if rows >= dim_rows:
            return rows, cols
    return None


_FIRST_REFS = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"')


_DIMENSION = re.compile(rb"<(?:[^\s<>/:=!?]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']"
                        rb"[A-Za-z]*[0-9]*:?([A-Za-z]+)([0-9]+)[\"']")


@dataclass
class SheetScan:
    """What the fast pass found in one sheet part."""

    part: str
    size: int = 0  # bytes of XML read
    box: tuple[int, int] = (0, 0)  # the candidate box (rows, columns) the cells lie in
    suspect: bool = False  # some cell may lie outside it: the precise pass decides


def _prefixed_cell(buffer: bytes, end: int, start: int = 0) -> bool:
    """Whether a cell tag with a namespace prefix (`<x:c r=..>`) starts in start:end."""
    for match in _PREFIXED.finditer(buffer, start, end):
        lt = buffer.rfind(b"<", 0, match.start())
        name = buffer[lt + 1:match.start()]
        if lt >= 0 and name and not re.search(rb"[\s<>/!?\"'=:]", name):
            return True
    return False


def _seen_extent(chunk: bytes) -> tuple[int, int] | None:
    """(rows, columns) the first cells of a sheet show (the first 64 KB), else its stored
    dimension: what the candidate box is chosen for (any choice is safe: a cell outside
    the box sends the sheet to the precise pass; a good one spares that pass)."""
    refs = [calamine_ref(a + b) for a, b in _FIRST_REFS.findall(chunk, 0, 65536)]
    places = [ref for ref in refs if ref is not None]
    if places:
        return max(r for r, _c in places) + 1, max(c for _r, c in places) + 1
    found = _DIMENSION.search(chunk, 0, 65536)
    ref = calamine_ref(found.group(1) + found.group(2)) if found else None
    return (ref[0] + 1, ref[1] + 1) if ref else None


def fast_scan(stream: IO[bytes], part: str, budget: int) -> SheetScan:
    """Stream one sheet part: suspect when some cell may lie outside a candidate box of at
    most `budget` cells, or is written in a form that only the precise pass can place."""
    scan = SheetScan(part)
    pattern: re.Pattern[bytes] | None = None
    carry = b""
    for chunk in _chunks(stream):
        scan.size += len(chunk)
        if pattern is None:
            carry += chunk  # (the first 64 KB, to see the sheet's first cells)
            if len(carry) < 65536:
                continue
            chunk, carry = carry, b""
            box = candidate_box(_seen_extent(chunk), budget)
            if box is None:
                scan.suspect = True
                return scan
            scan.box = box
            pattern = fast_pattern(*box)
        start = 0
        if carry:  # the tag cut at the end of the last chunk, and the rest of it
            close = chunk.find(b">")
            start = len(chunk) if close < 0 else close + 1
            head = carry + chunk[:start]
            end = _pending_tag(head) if close < 0 else len(head)
            if pattern.search(head, 0, end) or _prefixed_cell(head, end):
                scan.suspect = True
                return scan
            carry = head[end:]
            if close < 0:
                if len(carry) > MAX_TAG:
                    scan.suspect = True
                    return scan
                continue
        end = max(_pending_tag(chunk), start)
        if pattern.search(chunk, start, end) or _prefixed_cell(chunk, end, start):
            scan.suspect = True
            return scan
        carry = chunk[end:]
    if pattern is None and carry:  # a part of less than 64 KB
        box = candidate_box(_seen_extent(carry), budget)
        if box is None:
            scan.suspect = True
            return scan
        scan.box = box
        pattern = fast_pattern(*box)
    if carry and pattern is not None and (pattern.search(carry)
                                          or _prefixed_cell(carry, len(carry))):
        scan.suspect = True
    return scan


# --- the precise pass: calamine's reading of a sheet -------------------------------------
_CELL_NAMES = (b"sheetData", b"row", b"c", b"v", b"is")


_PLAIN_TYPES = (None, b"n", b"s", b"b", b"e")  # an empty <v> of these holds no value


def value_cells(stream: IO[bytes]) -> list[tuple[int, int]]:
    """(row, col), 0-based, of every cell calamine would give a value, reading the sheet
    XML as it does: inside <sheetData>; a <row r> sets the row; each </row> moves to the
    next row and back to column A; a cell takes its place from its (last) `r`, or else from
    the cells before it; a self-closing tag counts as a start and an end. A cell holds a
    value when it has an <is>, or a <v> with anything in it, or an empty <v> and a type
    other than number, shared string, boolean or error (an empty text is text)."""
    cells: list[tuple[int, int]] = []
    row_index = col_index = 0
    in_data = False
    cell: tuple[int, int] | None = None
    has_value = False
    kind: bytes | None = None  # the cell's t
    in_v = False
    for is_end, name, attributes, closing, before in _tokens(stream, _CELL_NAMES):
        if not in_data:
            in_data = name == b"sheetData" and not is_end and not closing
            continue
        if cell is not None:  # inside a cell: its end and its value elements count
            if name == b"v":
                if not is_end and not closing:
                    in_v = True
                elif in_v or closing:  # </v>, or <v/>
                    has_value = has_value or (in_v and before) or kind not in _PLAIN_TYPES
                    in_v = False
            elif name == b"is" and not is_end:
                has_value = True
            elif name == b"c" and (is_end or closing):
                if has_value or in_v:
                    cells.append(cell)
                cell = None
                col_index += 1
            elif name == b"c":  # a cell inside a cell (calamine refuses it): keep both
                if has_value or in_v:
                    cells.append(cell)
                cell, has_value, in_v = _place(attributes, row_index, col_index), True, False
                col_index = cell[1]
            continue
        if name == b"row":
            if not is_end:
                raw = _attribute(attributes, b"r")
                row = calamine_row(raw) if raw is not None else row_index
                row_index = row if row is not None else row_index
            if is_end or closing:
                row_index += 1
                col_index = 0
        elif name == b"c" and not is_end:
            cell = _place(attributes, row_index, col_index)
            kind = _attribute(attributes, b"t")
            col_index = cell[1]
            has_value = in_v = False
            if closing:
                cell = None
                col_index += 1
        elif name == b"sheetData" and is_end:
            break
    if cell is not None and (has_value or in_v):
        cells.append(cell)
    return cells


def _place(attributes: bytes, row_index: int, col_index: int) -> tuple[int, int]:
    """A cell's (row, col): from its last `r` (one that calamine refuses makes it refuse
    the sheet: the place from the cells before it is kept), else from the cells before."""
    raw = _attribute(attributes, b"r")
    ref = calamine_ref(raw) if raw is not None else None
    return ref if ref is not None else (row_index, col_index)


def sheet_parts(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Every part the fast reader may read as a worksheet: anything under xl/worksheets/
    (it resolves a sheet's part from the workbook's relationships and finds it ignoring
    case; a superset is scanned rather than a second guess at that resolution)."""
    return [info for info in archive.infolist()
            if info.filename.replace("\\", "/").lower().startswith("xl/worksheets/")
            and not info.is_dir()]
