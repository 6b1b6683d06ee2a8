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
from .formats.xls import NotReadable, xls_value_cells
from .formats.xlsb import xlsb_sheet_names, xlsb_value_cells
from .formats.xlsx import (
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
