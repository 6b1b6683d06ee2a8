"""Read stage, the decision on a workbook's sheet extents (BAD_INPUTS 35; see
`read.sheetxml`): whether the dense ranges the fast reader would load its sheets into stay
within a budget proportional to the sheets' XML, and if not, which far cells make them so
large and which range the data really fills.

Input: `Extent`s, the cells of each sheet that hold values (as the scans of `xlsx`, `ods`,
`xlsb` and `xls` find them), and the bytes of sheet XML. Output: nothing, or a
`CslevelError` naming the far cells and what to do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ...i18n import _, ngettext
from ...records import CslevelError, Problem, Source, column_letter

CELL_BYTES = 40  # the dense range (~32 bytes a cell) and the Python lists (~8)
EXTENT_FACTOR = 20  # a workbook may take this many times its sheets' unpacked XML...
EXTENT_BASE = 200 * 1024**2  # ...plus this much


def budget_cells(xml_bytes: int) -> int:
    """How many cells (the dense ranges of all sheets together) a workbook whose sheets
    hold `xml_bytes` of XML may be read into."""
    return (EXTENT_FACTOR * xml_bytes + EXTENT_BASE) // CELL_BYTES


def size_text(n: int) -> str:
    """Bytes in words: 5.5 GB, 120.0 MB, 3 KB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{-(-n // 1024):,} KB"


@dataclass
class Extent:
    """A sheet's cells that hold values, as far as its size is concerned."""

    sheet: str
    cells: list[tuple[int, int]] = field(default_factory=list)
    from_origin: bool = False  # the reader's range starts at A1 whatever the first cell

    def box(self) -> int:
        if not self.cells:
            return 0
        rows = [r for r, _c in self.cells]
        cols = [c for _r, c in self.cells]
        if self.from_origin:
            return (max(rows) + 1) * (max(cols) + 1)
        return (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1)


ROW_GAP = 1000  # rows apart: a run of rows further than this from the data is not the data
COL_GAP = 100


def _core(values: list[int], gap: int) -> tuple[int, int]:
    """The run of `values` (sorted, split where they lie more than `gap` apart) holding the
    most of them (the first such run): where the data is along one axis."""
    counts = Counter(values)
    runs: list[list[int]] = []  # [values held, first, last]
    for v in sorted(counts):
        if runs and v - runs[-1][2] <= gap:
            runs[-1][0] += counts[v]
            runs[-1][2] = v
        else:
            runs.append([counts[v], v, v])
    _held, first, last = max(runs, key=lambda run: run[0])
    return first, last


def far_cells(cells: list[tuple[int, int]], limit: int
              ) -> tuple[list[tuple[int, int]], tuple[int, int, int, int]]:
    """The stray cells and the box of the others (first row, first col, last row, last
    col): the data is where most cells lie, along each axis, apart from runs that lie more
    than ROW_GAP rows or COL_GAP columns away; the rest are strays, the farthest (lowest,
    then rightmost) first. When the data alone does not fit in `limit` cells, the outermost
    row or column is taken away instead, one at a time, until the rest fits."""
    r1, r2 = _core([r for r, _ in cells], ROW_GAP)
    c1, c2 = _core([c for _, c in cells], COL_GAP)
    far = [(r, c) for r, c in cells if not (r1 <= r <= r2 and c1 <= c <= c2)]
    kept = [(r, c) for r, c in cells if r1 <= r <= r2 and c1 <= c <= c2]
    if not far or not kept:
        return _peel(cells, limit)
    box = (min(r for r, _ in kept), min(c for _, c in kept), max(r for r, _ in kept),
           max(c for _, c in kept))
    if (box[2] - box[0] + 1) * (box[3] - box[1] + 1) > limit:
        return _peel(cells, limit)
    return sorted(set(far), key=lambda rc: (-rc[0], -rc[1])), box


def _peel(cells: list[tuple[int, int]], limit: int
          ) -> tuple[list[tuple[int, int]], tuple[int, int, int, int]]:
    """While the box of `cells` holds more than `limit` cells, take away its outermost row
    or column, the one leaving the largest gap: the cells taken away, and the last box."""
    by_row: dict[int, list[int]] = {}
    by_col: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
        by_col.setdefault(c, []).append(r)
    left_in_row = {r: len(cs) for r, cs in by_row.items()}
    left_in_col = {c: len(rs) for c, rs in by_col.items()}
    rows, cols = sorted(by_row), sorted(by_col)
    gone: set[tuple[int, int]] = set()
    removed: list[tuple[int, int]] = []
    lo_r, hi_r, lo_c, hi_c = 0, len(rows) - 1, 0, len(cols) - 1

    def next_alive(seq: list[int], left: dict[int, int], start: int, step: int) -> int:
        i = start + step
        while not left[seq[i]]:
            i += step
        return seq[i]

    while (rows[hi_r] - rows[lo_r] + 1) * (cols[hi_c] - cols[lo_c] + 1) > limit:
        height = rows[hi_r] - rows[lo_r] + 1
        width = cols[hi_c] - cols[lo_c] + 1
        choices: list[tuple[int, str, int]] = []
        if hi_r > lo_r:
            choices.append(((rows[hi_r] - next_alive(rows, left_in_row, hi_r, -1)) * width,
                            "row", rows[hi_r]))
            choices.append(((next_alive(rows, left_in_row, lo_r, 1) - rows[lo_r]) * width,
                            "row", rows[lo_r]))
        if hi_c > lo_c:
            choices.append(((cols[hi_c] - next_alive(cols, left_in_col, hi_c, -1)) * height,
                            "col", cols[hi_c]))
            choices.append(((next_alive(cols, left_in_col, lo_c, 1) - cols[lo_c]) * height,
                            "col", cols[lo_c]))
        if not choices:
            break
        _gain, kind, line = max(choices, key=lambda choice: choice[0])
        for r, c in ([(line, c) for c in by_row[line]] if kind == "row"
                     else [(r, line) for r in by_col[line]]):
            if (r, c) not in gone:
                gone.add((r, c))
                removed.append((r, c))
                left_in_row[r] -= 1
                left_in_col[c] -= 1
        while not left_in_row[rows[lo_r]]:
            lo_r += 1
        while not left_in_row[rows[hi_r]]:
            hi_r -= 1
        while not left_in_col[cols[lo_c]]:
            lo_c += 1
        while not left_in_col[cols[hi_c]]:
            hi_c -= 1
    return removed, (rows[lo_r], cols[lo_c], rows[hi_r], cols[hi_c])


def _ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


def check_extents(file: str, extents: list[Extent], xml_bytes: int) -> None:
    """Refuse the workbook when its sheets' dense ranges together would cost more than the
    budget for `xml_bytes` of sheet XML: name the far cells of the sheet that costs most
    and the range its data really fills."""
    limit = budget_cells(xml_bytes)
    boxes = [extent.box() for extent in extents]
    total = sum(boxes)
    if total <= limit:
        return
    worst = max(range(len(extents)), key=boxes.__getitem__)
    extent = extents[worst]
    cells = extent.cells
    if extent.from_origin and (0, 0) not in cells:
        cells = [(0, 0), *cells]
    removed, (r1, c1, r2, c2) = far_cells(cells, max(limit - (total - boxes[worst]), 1))
    names = _(", ").join(_ref(r, c) for r, c in removed[:3]) or _ref(r2, c2)
    if len(removed) > 3:
        names = _("{cells} and {count} more").format(cells=names, count=len(removed) - 3)
    data = f"{_ref(r1, c1)}:{_ref(r2, c2)}" if (r1, c1) != (r2, c2) else _ref(r1, c1)
    far_row, far_col = removed[0] if removed else (r2, c2)
    count = len(removed) or 1
    raise CslevelError(Problem(
        ngettext("a value in {cells}, far outside the sheet's data ({data}): reading the "
                 "sheet would take {size} of memory",
                 "values in {cells}, far outside the sheet's data ({data}): reading the "
                 "sheet would take {size} of memory", count).format(
            cells=names, data=data, size=size_text(boxes[worst] * CELL_BYTES)),
        Source(file, extent.sheet, far_row + 1, far_col),
        hint=ngettext("Delete the stray value in {cells} (or the empty rows and columns "
                      "between it and the data), save the workbook and run again.",
                      "Delete the stray values in {cells} (or the empty rows and columns "
                      "between them and the data), save the workbook and run again.",
                      count).format(cells=names)))
