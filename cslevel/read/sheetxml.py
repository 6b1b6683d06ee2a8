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

import re
from collections.abc import Iterator
from typing import IO

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
from .formats.ods import ods_value_cells
from .formats.xlsb import xlsb_sheet_names, xlsb_value_cells
from .formats.xlsx import (
    _U32,
    DEFAULT_COLUMNS,
    SheetScan,
    calamine_ref,
    calamine_row,
    candidate_box,
    fast_pattern,
    fast_scan,
    sheet_parts,
    value_cells,
)
from .formats.xmlstream import (
    CHUNK,
    BrokenTag,
    _attribute,
    _chunks,
    open_member,
)


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
