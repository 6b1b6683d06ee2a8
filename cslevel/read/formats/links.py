"""Read stage, values from other workbooks (BAD_INPUTS 49): the cells of an .xlsx sheet
part whose formulas take their values from another workbook (external links, DDE), which
the saved values may no longer match. Scanned only for a package that holds external link
parts (`containers._check_links`).

Input: a sheet part's stream. Output: the (row, col, link) of each such cell.
"""

from __future__ import annotations

import re
from typing import IO

from . import xmlstream
from .xlsx import calamine_ref
from .xmlstream import _attribute, _chunks

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
        carry = buffer[pos:] if len(buffer) - pos <= 64 * xmlstream.CHUNK else b""
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
