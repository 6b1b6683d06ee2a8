"""Read stage, the scan of an Excel binary workbook's (.xlsb) sheet parts before the fast
reader sees them (BAD_INPUTS 35; see `read.sheetxml`): their BIFF12 records read one by one,
as calamine reads them (a rare format: no fast pass), and the sheet names of the workbook
part.

Input: a sheet part's stream, or the workbook part's bytes. Output: the (row, col) of every
cell holding a value; each sheet's relationship id and name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO


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
