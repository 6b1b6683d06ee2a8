"""Scans of a workbook's sheet parts made before the fast reader sees them (BAD_INPUTS 35;
49 at the end).

python-calamine turns a sheet into one dense range spanning every cell that holds a value,
from the first to the last, at about 32 bytes a cell (and `to_python` adds a list slot, 8
bytes, per cell). A few-kilobyte file with one value at `XFD1048576` asks for 512 GB (Rust
then aborts the process) and one at `ZZ200000` for 5 GB. The stored `<dimension>` cannot
be trusted, so each sheet's own cell tags are read, streamed, before calamine is called:

- the fast pass (`fast_scan`): one regular-expression search per megabyte of XML, in C,
  that stops only at a cell tag which is not of the plain form `<c r="B7" s="1" t="s">`
  with its reference inside a candidate box: the stored dimension's width (at least
  DEFAULT_COLUMNS) times as many rows as the workbook's budget allows. A cell written
  otherwise (no `r`: its place then follows from the cells before it; `r` not first; a
  second `r`, of which calamine takes the last; a namespace prefix) or outside the box
  (unless self-closing: such a cell holds no value, as in a sheet formatted down to row
  1,048,576, BAD_INPUTS 12) sends the sheet to
- the precise pass (`value_cells`), which follows calamine's own reading of the sheet:
  rows and cells with or without `r`, self-closing tags, which cells hold a value.

A workbook whose dense ranges would together cost more than EXTENT_FACTOR times its sheets'
XML plus EXTENT_BASE is refused, naming the far cells and the range the data really fills.
OpenDocument sheets (`content.xml`) are read by the precise pass only: their
`number-columns-repeated` and `number-rows-repeated` on value cells blow up the same way.
So are the records of an Excel binary workbook's sheets (.xlsb: rare, no fast pass), and
those of an old .xls (BIFF8 in a compound file: rows and columns are 16-bit there, but
65,536 × 65,536 cells still abort the fast reader).

`external_cells` finds the cells whose values come from another workbook (external links,
DDE; BAD_INPUTS 49), only for a package that holds external link parts.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from ..records import column_letter
from .formats.extent import (
    CELL_BYTES,
    EXTENT_BASE,
    EXTENT_FACTOR,
    Extent,
    budget_cells,
    check_extents,
    far_cells,
    size_text,
)
from .formats.xmlstream import (
    CHUNK,
    BrokenTag,
    _attribute,
    _chunks,
    _pending_tag,
    _tokens,
    open_member,
)

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


# --- OpenDocument: content.xml ------------------------------------------------------------
_ODS_NAMES = (b"table", b"table-row", b"table-cell", b"covered-table-cell", b"p", b"span",
              b"a", b"s", b"annotation", b"list", b"h")


def ods_value_cells(stream: IO[bytes]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Per table (sheet), with its name: the far corner (row, col) of each run of value
    cells, number-rows-repeated and number-columns-repeated expanded. Counted generously,
    never less than the reader makes: the rows and cells of a table inside a cell count as
    rows and cells of the sheet, and a cell holds a value when it has a value type or an
    element inside it."""
    tables: list[tuple[str, list[tuple[int, int]]]] = []
    corners: list[tuple[int, int]] = []
    depth = 0
    row = col = 0
    repeats: list[int] = []  # number-rows-repeated of each open row
    cells: list[list[int]] = []  # [first col, repeat, has value] of each open cell
    for is_end, name, attributes, closing, _text in _tokens(stream, _ODS_NAMES):
        if name == b"table":
            if is_end:
                depth = max(depth - 1, 0)
            elif not closing:
                depth += 1
                if depth == 1:
                    corners = []
                    tables.append((_ods_name(attributes), corners))
                    row = col = 0
                    repeats, cells = [], []
            continue
        if not depth:
            continue
        last_row = row + (repeats[-1] if repeats else 1) - 1
        if name == b"table-row":
            if not is_end:
                repeats.append(_repeat(attributes, b"number-rows-repeated"))
                if len(repeats) == 1:
                    col = 0
            if (is_end or closing) and repeats:
                row += repeats.pop()
        elif name in (b"table-cell", b"covered-table-cell"):
            if is_end:
                if cells:
                    first, repeat, has_value = cells.pop()
                    if has_value:
                        corners.append((last_row, first + repeat - 1))
                continue
            repeat = _repeat(attributes, b"number-columns-repeated")
            typed = _attribute(attributes, b"value-type", local=True) is not None
            if closing:
                if typed:
                    corners.append((last_row, col + repeat - 1))
            else:
                if cells:
                    cells[-1][2] = 1
                cells.append([col, repeat, int(typed)])
            col += repeat
        elif cells and not is_end:
            cells[-1][2] = 1  # an element inside the cell: a value
    return tables


def _repeat(attributes: bytes, name: bytes) -> int:
    raw = _attribute(attributes, name, local=True)
    digits = raw.strip().lstrip(b"0") if raw is not None else b""
    if not digits.isdigit():
        return 1
    return int(digits) if len(digits) <= 12 else 10**12  # (absurd either way)


def _ods_name(attributes: bytes) -> str:
    raw = _attribute(attributes, b"name", local=True)
    return html.unescape(raw.decode("utf-8", "replace")) if raw is not None else "?"


# --- Excel binary workbooks (.xlsb) -----------------------------------------------------------
def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each BIFF12 record: a type of one or two bytes and a size of up to
    four, seven bits a byte, as calamine reads them."""
    pos, end = 0, len(data)
    while pos < end:
        first = data[pos]
        pos += 1
        kind = first & 0x7F
        if first & 0x80 and pos < end:
            kind |= (data[pos] & 0x7F) << 7
            pos += 1
        size = shift = 0
        for _byte in range(4):
            if pos >= end:
                break
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, data[pos:pos + size]
        pos += size


def xlsb_value_cells(stream: IO[bytes]) -> list[tuple[int, int]]:
    """(row, col) of every cell of a .xlsb sheet part that calamine gives a value: the row
    from the last row header (BrtRowHdr; one past row 1,048,576 ends the sheet), the
    column from the cell record (types 2 to 11: numbers, errors, booleans, strings and
    formulas with their values; blank cells hold none)."""
    cells: list[tuple[int, int]] = []
    row = 0
    for kind, body in _records(stream.read()):
        if kind == 0x0000 and len(body) >= 4:
            row = int.from_bytes(body[:4], "little")
            if row > 0x10_0000:
                break
        elif 2 <= kind <= 11 and len(body) >= 4:
            cells.append((row, int.from_bytes(body[:4], "little")))
        elif kind == 0x0092:  # the end of the sheet's data
            break
    return cells


def xlsb_sheet_names(book: bytes) -> list[tuple[str, str]]:
    """(relationship id, name) of each sheet of a .xlsb workbook part (BrtBundleSh)."""
    out = []
    for kind, body in _records(book):
        if kind != 0x009C or len(body) < 12:
            continue
        try:
            rel, pos = _wide(body, 8)
            name, _pos = _wide(body, pos)
        except (IndexError, UnicodeDecodeError):
            continue
        out.append((rel, name))
    return out


def _wide(body: bytes, pos: int) -> tuple[str, int]:
    count = int.from_bytes(body[pos:pos + 4], "little")
    end = pos + 4 + 2 * count
    if count == 0xFFFFFFFF:  # (a null string)
        return "", pos + 4
    if end > len(body):
        raise IndexError(end)
    return body[pos + 4:end].decode("utf-16-le"), end


# --- old Excel workbooks (.xls: BIFF8 in a compound file) -------------------------------------
class NotReadable(Exception):
    """The compound file or its BIFF records are not as this reader expects them."""


def _compound_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """The first stream named one of `names` in an OLE compound file (CFB): the header, the
    sector allocation table (FAT, through the DIFAT), the directory and the mini stream,
    every chain bounded so that a looping or overlong chain ends the reading."""
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise NotReadable("header")

    def u32(pos: int) -> int:
        return int.from_bytes(data[pos:pos + 4], "little")

    shift = int.from_bytes(data[0x1E:0x20], "little")
    mini_shift = int.from_bytes(data[0x20:0x22], "little")
    if shift not in (9, 12) or mini_shift != 6:
        raise NotReadable("sector size")
    size = 1 << shift
    sectors = (len(data) - size) // size + 1
    # The fast reader sizes its buffers from these counts before it reads a sector: one
    # changed byte (found by the fuzzer) made it ask for gigabytes and die.
    for offset in (0x28, 0x2C, 0x40, 0x48):  # directory, FAT, mini FAT and DIFAT sectors
        if u32(offset) > sectors:
            raise NotReadable("sector counts")

    def sector(n: int) -> bytes:
        if n >= sectors:
            raise NotReadable("sector")
        return data[(n + 1) * size:(n + 2) * size]

    fat_sectors = [u32(0x4C + 4 * i) for i in range(109)]
    difat, seen = u32(0x44), set()
    while difat < 0xFFFFFFFA and difat not in seen and len(seen) < sectors:
        seen.add(difat)
        block = sector(difat)
        fat_sectors += [int.from_bytes(block[i:i + 4], "little") for i in range(0, size - 4, 4)]
        difat = int.from_bytes(block[size - 4:], "little")
    fat: list[int] = []
    for n in fat_sectors[:u32(0x2C)]:
        if n >= 0xFFFFFFFA:
            break
        block = sector(n)
        fat += [int.from_bytes(block[i:i + 4], "little") for i in range(0, size, 4)]

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen_here = [], set()
        while start < 0xFFFFFFFA:
            if start in seen_here or start >= len(table):
                raise NotReadable("chain")
            seen_here.add(start)
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(n) for n in chain(u32(0x30), fat))
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise NotReadable("directory")
    root = entries[0]
    for entry in entries:  # every size the fast reader may allocate for
        declared = int.from_bytes(entry[120:124] if size == 512 else entry[120:128], "little")
        if declared > len(data):
            raise NotReadable("stream size")
    for entry in entries:
        length = int.from_bytes(entry[64:66], "little")
        name = entry[:max(length - 2, 0)].decode("utf-16-le", "replace")
        if entry[66] != 2 or name not in names:
            continue
        start = int.from_bytes(entry[116:120], "little")
        length = int.from_bytes(entry[120:124], "little")
        if length < u32(0x38):  # in the mini stream
            mini = b"".join(sector(n) for n in chain(int.from_bytes(root[116:120], "little"),
                                                     fat))
            mini_fat_raw = b"".join(sector(n) for n in chain(u32(0x3C), fat))
            mini_fat = [int.from_bytes(mini_fat_raw[i:i + 4], "little")
                        for i in range(0, len(mini_fat_raw), 4)]
            return b"".join(mini[n * 64:(n + 1) * 64] for n in chain(start, mini_fat))[:length]
        return b"".join(sector(n) for n in chain(start, fat))[:length]
    raise NotReadable("no workbook stream")


_XLS_VALUES = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}  # NUMBER, RK, …


def xls_value_cells(data: bytes) -> list[tuple[str, list[tuple[int, int]], int]]:
    """Per worksheet of a BIFF8 workbook (name, cells, reserved): the (row, col) of every
    record that gives a cell a value (numbers, RK and MULRK, strings, booleans and errors,
    formulas; blank cells hold none), each worksheet's records read from its BOUNDSHEET
    offset; and the cells the fast reader reserves room for from the sheet's DIMENSIONS
    record (rows × columns in u32 arithmetic: a first row after the last one wraps to four
    billion, found by the fuzzer)."""
    stream = _compound_stream(data, ("Workbook", "Book"))

    def records(pos: int) -> Iterator[tuple[int, bytes]]:
        while pos + 4 <= len(stream):
            kind = int.from_bytes(stream[pos:pos + 2], "little")
            length = int.from_bytes(stream[pos + 2:pos + 4], "little")
            yield kind, stream[pos + 4:pos + 4 + length]
            pos += 4 + length

    sheets = []
    for kind, body in records(0):
        if kind == 0x0085 and len(body) >= 8 and body[5] == 0:  # BOUNDSHEET of a worksheet
            count, high = body[6], body[7] & 1
            raw = body[8:8 + count * (2 if high else 1)]
            name = raw.decode("utf-16-le" if high else "latin-1", "replace")
            sheets.append((name, int.from_bytes(body[:4], "little")))
        elif kind == 0x000A:  # the end of the workbook globals
            break
    out = []
    for name, offset in sheets:
        cells: list[tuple[int, int]] = []
        reserved = 0
        for kind, body in records(offset):
            if kind == 0x000A:
                break
            if kind == 0x0200 and len(body) >= 10:  # DIMENSIONS
                wide = len(body) >= 14
                first_row = int.from_bytes(body[0:4] if wide else body[0:2], "little")
                last_row = int.from_bytes(body[4:8] if wide else body[2:4], "little")
                cols = body[8:12] if wide else body[4:8]
                first_col = int.from_bytes(cols[0:2], "little")
                last_col = int.from_bytes(cols[2:4], "little")
                reserved = max(reserved, (((last_row - first_row) % _U32) + 2)
                               * (((last_col - first_col) % _U32) + 2))
                continue
            if kind in _XLS_VALUES and len(body) >= 4:
                cells.append((int.from_bytes(body[:2], "little"),
                              int.from_bytes(body[2:4], "little")))
            elif kind == 0x00BD and len(body) >= 6:  # MULRK: a run of RK cells
                row = int.from_bytes(body[:2], "little")
                first = int.from_bytes(body[2:4], "little")
                last = int.from_bytes(body[-2:], "little")
                cells += [(row, first), (row, max(first, last))]
        out.append((name, cells, reserved))
    return out


def sheet_parts(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Every part the fast reader may read as a worksheet: anything under xl/worksheets/
    (it resolves a sheet's part from the workbook's relationships and finds it ignoring
    case; a superset is scanned rather than a second guess at that resolution)."""
    return [info for info in archive.infolist()
            if info.filename.replace("\\", "/").lower().startswith("xl/worksheets/")
            and not info.is_dir()]


# --- values from other workbooks (BAD_INPUTS 49) --------------------------------------------
_PREFIX = rb"(?:[^\s<>/:=!?\"']+:)?"
_CELL_END = re.compile(rb"</" + _PREFIX + rb"c\s*>")
# (attributes read up to the next '<' at most: a run of broken tags is passed over once)
_CELL_START = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])((?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+)>")
_FORMULA_START = re.compile(
    rb"<" + _PREFIX + rb"f(?=[\s/>])((?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+)>")
_LINK_INDEX = re.compile(rb"\[(\d+)\]")
_DDE = re.compile(rb"[A-Za-z0-9_.]+\|'?[^!]*'?!")


def external_cells(stream: IO[bytes]) -> list[tuple[int, int, int]]:
    """(row, col, link) of each cell whose formula takes its value from another workbook:
    `[1]Sheet1!A1` names the workbook's first external link (link 1); a DDE formula
    (`Server|Topic!Item`) gives link 0. Cells that share such a formula (t="shared") are
    found through the formula's si (cells written without `r` are not named). Each cell is
    the text before a `</c>`, from the last cell tag in it: one pass, whatever the XML."""
    cells: list[tuple[int, int, int]] = []
    shared: dict[bytes, int] = {}
    carry = b""
    for chunk in [*_chunks(stream), None]:
        buffer = carry + chunk if chunk is not None else carry
        pos = 0
        for closing in _CELL_END.finditer(buffer):
            piece = buffer[pos:closing.start()]
            pos = closing.end()
            starts = list(_CELL_START.finditer(piece))
            if not starts or b"f" not in piece[starts[-1].end():]:
                continue
            found = _cell_link(piece[starts[-1].end():], shared)
            raw = _attribute(starts[-1].group(1), b"r")
            ref = calamine_ref(raw) if raw is not None else None
            if found is not None and ref is not None:
                cells.append((ref[0], ref[1], found))
        carry = buffer[pos:] if len(buffer) - pos <= 64 * CHUNK else b""
    return cells


def _cell_link(inner: bytes, shared: dict[bytes, int]) -> int | None:
    """The external link a cell's formula takes its value from (see external_cells)."""
    formula = _FORMULA_START.search(inner)
    if formula is None:
        return None
    attributes = formula.group(1)
    closed = attributes.endswith(b"/")
    text = b"" if closed else inner[formula.end():inner.find(b"<", formula.end())]
    link = _LINK_INDEX.search(text)
    found = int(link.group(1)) if link else 0 if _DDE.search(text) else None
    si = _attribute(attributes.rstrip(b"/"), b"si")
    if found is not None and si is not None:
        shared[si] = found
    elif found is None and si is not None and not text.strip():
        found = shared.get(si)
    return found


__all__ = [
    "CELL_BYTES", "DEFAULT_COLUMNS", "EXTENT_BASE", "EXTENT_FACTOR", "BrokenTag", "Extent",
    "NotReadable", "SheetScan", "budget_cells", "calamine_ref", "calamine_row",
    "candidate_box", "check_extents", "external_cells", "far_cells", "fast_pattern",
    "fast_scan", "ods_value_cells", "open_member", "sheet_parts", "size_text", "value_cells",
    "xls_value_cells", "xlsb_sheet_names", "xlsb_value_cells",
]
