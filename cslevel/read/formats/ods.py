"""Read stage, the scan of an OpenDocument spreadsheet's `content.xml` before the fast
reader sees it (BAD_INPUTS 35; see `read.sheetxml`): its `number-columns-repeated` and
`number-rows-repeated` on value cells blow up the reader's dense ranges as a far cell of an
.xlsx does, so the part is read precisely, table by table.

Input: the content part's stream. Output: per table, its name and the far corners of its
runs of value cells.
"""

from __future__ import annotations

import html
from typing import IO

from .xmlstream import _attribute, _tokens

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
