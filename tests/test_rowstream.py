"""RowStream writes the bytes xlsxwriter writes: the same cells given to xlsxwriter's own
writers and to a RowStream make identical files, whatever the text, numbers, formats,
comments and row order; rows that need xlsxwriter's care are handed to it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslevel.export.rowstream import RowStream
from cslevel.export.xlsx import add_sheet, new_workbook
from cslevel.records import Month

# one cell: (column, kind, value, format name or None)
Cell = tuple[int, str, Any, "str | None"]
FORMATS = (None, "money", "head", "wrap")
SPECIAL_TEXT = ["", " lead", "trail ", "a&b", "<r>x</r>", 'say "hi"', "x\ny", "tab\there",
                "_x0041_", "ctl\x01", "\ufffe", "　全角空格", "=SUM(A1)", "工号", "x" * 17000]


def _write(path: Path, rows: list[tuple[int, list[Cell]]], *, stream: bool,
           head: bool = True, row_format_at: int | None = None,
           column_format: bool = False, tail: bool = True, heights: bool = False) -> int:
    """Write `rows` to a workbook, through a RowStream or through xlsxwriter's writers;
    return how many rows the stream wrote directly (0 without one)."""
    book, fmt = new_workbook(path, "t", Month(2026, 1), constant_memory=True)
    formats = {None: None, "money": book.add_format({"num_format": "#,##0.00", "border": 1}),
               "head": fmt["head"], "wrap": fmt["wrap"]}
    sheet = add_sheet(book, "数据")
    if head:
        sheet.write_row(0, 0, ["工号", "金额"], formats["head"])
    if row_format_at is not None:
        sheet.set_row(row_format_at, 30, formats["wrap"])
    if column_format:
        sheet.set_column(2, 2, 12, formats["money"])
    cells = RowStream(sheet) if stream else None
    for row, row_cells in rows:
        if heights and row % 2:  # as the sign-off list: each row's height set with its cells
            sheet.set_row(row, 36)
        for col, kind, value, name in row_cells:
            style = formats[name]
            if kind == "comment":
                sheet.write_comment(row, col, value)
            elif cells is not None:
                {"s": cells.string, "n": cells.number,
                 "b": lambda r, c, v, f: cells.blank(r, c, None, f)}[kind](row, col, value, style)
            else:
                {"s": sheet.write_string, "n": sheet.write_number,
                 "b": sheet.write_blank}[kind](row, col, value, style)
    if cells is not None:
        cells.end()
    if tail:  # xlsxwriter's own writers after the stream, as the payroll's total row
        last = max((r for r, _ in rows), default=0) + 1
        sheet.write_string(last, 0, "合计", formats["head"])
        sheet.write_number(last, 1, 12.5, formats["money"])
    second = add_sheet(book, "其他")
    second.write_string(0, 0, "另一张表")
    book.close()
    return cells.direct if cells is not None else 0


def _same(tmp_path: Path, rows: list[tuple[int, list[Cell]]], **options: Any) -> int:
    a, b = tmp_path / "xlsxwriter.xlsx", tmp_path / "stream.xlsx"
    _write(a, rows, stream=False, **options)
    direct = _write(b, rows, stream=True, **options)
    assert a.read_bytes() == b.read_bytes()
    return direct


def _plain_rows(count: int, start: int = 1) -> list[tuple[int, list[Cell]]]:
    return [(r, [(0, "s", f"{r:05d}", None), (1, "s", "张三", "wrap"), (2, "n", r * 1.5, "money"),
                 (3, "b", None, "money"), (4, "b", None, None), (5, "n", r, None),
                 (6, "s", "说明 " + str(r), None)])
            for r in range(start, start + count)]


def test_plain_rows_are_written_directly_and_read_back(tmp_path: Path) -> None:
    rows = _plain_rows(300)
    assert _same(tmp_path, rows) == 299  # the last row is left to xlsxwriter by end()
    sheet = openpyxl.load_workbook(tmp_path / "stream.xlsx")["数据"]
    assert [c.value for c in sheet[1]][:2] == ["工号", "金额"]
    assert [c.value for c in sheet[2]] == ["00001", "张三", 1.5, None, None, 1, "说明 1"]
    assert sheet["C301"].number_format == "#,##0.00"
    assert sheet["D301"].border.left.style == "thin"  # the blank kept its format
    assert [c.value for c in sheet[302]][:2] == ["合计", 12.5]  # written after the stream
    assert sheet.max_row == 302 and sheet.max_column == 7


@pytest.mark.parametrize("text", SPECIAL_TEXT)
def test_text_needing_care_goes_to_xlsxwriter(tmp_path: Path, text: str) -> None:
    rows = _plain_rows(2)
    rows.insert(1, (2, [(0, "s", "x", None), (1, "s", text, "wrap"), (2, "n", 1.0, "money")]))
    rows[2] = (3, rows[2][1])
    direct = _same(tmp_path, rows)
    plain = text in ("", "=SUM(A1)", "工号")  # a formula's text is written as text
    assert direct == (2 if plain else 1)  # (the last row is always xlsxwriter's)


@pytest.mark.parametrize("number", [True, 2**60, -(2**60), 10**400])
def test_numbers_xlsxwriter_must_format_go_to_it(tmp_path: Path, number: Any) -> None:
    rows = [(1, [(0, "s", "a", None), (1, "n", number, "money")]), *_plain_rows(2, start=2)]
    if number == 10**400:  # xlsxwriter cannot write it either: the same error both ways
        with pytest.raises(OverflowError):
            _write(tmp_path / "a.xlsx", rows, stream=False)
        with pytest.raises(OverflowError):
            _write(tmp_path / "b.xlsx", rows, stream=True)
        return
    assert _same(tmp_path, rows) == 1


def test_not_finite_numbers_fail_as_in_xlsxwriter(tmp_path: Path) -> None:
    rows = [(1, [(0, "n", math.nan, None)])]
    for stream in (False, True):
        with pytest.raises(TypeError, match="NAN/INF not supported"):
            _write(tmp_path / f"{stream}.xlsx", rows, stream=stream)


def test_comments_rows_skipped_and_rows_with_their_own_format(tmp_path: Path) -> None:
    rows = _plain_rows(3)
    rows[1] = (2, [*rows[1][1][:3], (3, "comment", "晋升原因", None), *rows[1][1][3:]])
    rows.append((9, [(0, "s", "after a gap", None)]))
    rows.append((10, [(2, "s", "no first column", None), (5, "n", 3, None)]))
    assert _same(tmp_path, rows) == 4  # rows 1, 2, 3, 9 (10, the last, by end())
    assert _same(tmp_path, rows, row_format_at=9) == 3  # set_row: xlsxwriter writes row 9
    assert _same(tmp_path, rows, heights=True) == 4  # heights alone (rows 1, 3, 9): direct
    # a column with a format (set_column): a cell there without a format of its own takes
    # the column's, as unformatted text in column C does in row 10
    assert _same(tmp_path, rows, column_format=True) == 4
    assert _same(tmp_path, rows[:-1] + [(10, rows[-1][1]), (11, [(0, "s", "x", None)])],
                 column_format=True) == 4
    comment = openpyxl.load_workbook(tmp_path / "stream.xlsx")["数据"]["D3"].comment
    assert comment is not None and comment.text == "晋升原因"


def test_columns_out_of_order_or_repeated_and_rows_going_back(tmp_path: Path) -> None:
    rows = [(1, [(1, "s", "b", None), (0, "s", "a", None)]),  # out of order
            (2, [(0, "s", "a", None), (0, "s", "again", None)]),  # written twice
            *_plain_rows(2, start=3)]
    assert _same(tmp_path, rows) == 1
    back = [*_plain_rows(3), (2, [(0, "s", "too late", None)])]  # dropped by xlsxwriter too
    assert _same(tmp_path, back) == 3


def test_a_row_xlsxwriter_already_holds_and_no_header(tmp_path: Path) -> None:
    assert _same(tmp_path, _plain_rows(3, start=0), head=False) == 2
    rows = [(0, [(2, "s", "beside the header", None)]), *_plain_rows(2)]
    assert _same(tmp_path, rows) == 1  # row 0 holds the header cells: xlsxwriter merges


def test_out_of_bounds_goes_to_xlsxwriter(tmp_path: Path) -> None:
    rows = [*_plain_rows(2), (1_048_576, [(0, "s", "beyond", None)]),
            (3, [(16_384, "s", "beyond", None)])]
    assert _same(tmp_path, rows, tail=False) == 2


def test_without_constant_memory_every_cell_goes_to_xlsxwriter(tmp_path: Path) -> None:
    import xlsxwriter

    def write(path: Path, stream: bool) -> int:
        book = xlsxwriter.Workbook(str(path))
        book.set_properties({"created": __import__("datetime").datetime(2026, 1, 1)})
        sheet = book.add_worksheet()
        cells = RowStream(sheet) if stream else None
        for r in range(1, 4):
            (cells.string if cells else sheet.write_string)(r, 0, f"r{r}", None)
        if cells:
            cells.end()
        book.close()
        return cells.direct if cells else 0

    assert write(tmp_path / "b.xlsx", True) == 0
    write(tmp_path / "a.xlsx", False)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


_text = st.one_of(st.sampled_from(SPECIAL_TEXT[:-1]), st.text(max_size=12),
                  st.text(alphabet="工号张三 _x0123&<>", max_size=8))
_number = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**6, 10**6),
                    st.sampled_from([0.1 + 0.2, 1e16, 123456789.125, -0.0, 5e-324]))
_cell = st.one_of(st.tuples(st.just("s"), _text), st.tuples(st.just("n"), _number),
                  st.tuples(st.just("b"), st.none()))


@st.composite
def _rows(draw: Any) -> list[tuple[int, list[Cell]]]:
    rows, row = [], 0
    for _ in range(draw(st.integers(0, 12))):
        row += draw(st.integers(0, 2))
        cols = sorted(draw(st.sets(st.integers(0, 9), max_size=6)))
        if draw(st.booleans()):
            cols.reverse()
        cells: list[Cell] = []
        for col in cols:
            kind, value = draw(_cell)
            cells.append((col, kind, value, draw(st.sampled_from(FORMATS))))
            if kind != "b" and draw(st.integers(0, 9)) == 0:
                cells.append((col, "comment", draw(_text) or "c", None))
        rows.append((row, cells))
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows())
def test_any_cells_make_the_same_file(tmp_path: Path, rows: list[tuple[int, list[Cell]]]) -> None:
    _same(tmp_path, rows)
    _same(tmp_path, rows, heights=True, head=False)
