"""Read stage, the scan of an old Excel workbook (.xls: BIFF8 in an OLE compound file)
before the fast reader sees it (BAD_INPUTS 35; see `read.sheetxml`): rows and columns are
16-bit there, but 65,536 × 65,536 cells still abort the fast reader, and it trusts the
compound file's sizes and chains, which a damaged file gets wrong (the fuzzer).

Input: the file's bytes. Output: per worksheet, its name, the cells holding values and the
cells the fast reader reserves room for; `NotReadable` when the compound file or its
records cannot be followed.
"""

from __future__ import annotations

from collections.abc import Iterator

from .xlsx import _U32


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
