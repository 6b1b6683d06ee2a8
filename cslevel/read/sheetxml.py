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

This module is the scans' face; they live in `read/formats/`: `xlsx` (references, the
fast and the precise pass), `ods`, `xlsb`, `xls`, `links` (external_cells), `extent` (the
budget and the decision) and `xmlstream` (a part's bytes and tags).
"""


from __future__ import annotations

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
from .formats.links import external_cells
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
from .formats.xmlstream import BrokenTag, open_member

__all__ = [
    "CELL_BYTES", "DEFAULT_COLUMNS", "EXTENT_BASE", "EXTENT_FACTOR", "BrokenTag", "Extent",
    "NotReadable", "SheetScan", "budget_cells", "calamine_ref", "calamine_row",
    "candidate_box", "check_extents", "external_cells", "far_cells", "fast_pattern",
    "fast_scan", "ods_value_cells", "open_member", "sheet_parts", "size_text", "value_cells",
    "xls_value_cells", "xlsb_sheet_names", "xlsb_value_cells",
]
