"""The attendance reader's columnar fast path gives what the row-by-row reading gives: the
same rows (down to how each Decimal is written) and the same problems in the same order,
and it steps aside (to the row-by-row reading) whenever a cell is in error."""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from cslevel.read import (
    _attendance_columns,
    _months_of_rows,
    _read_attendance,
    attendance_fields,
    attendance_table,
    read_attendance,
)
from cslevel.read.table import find_table
from cslevel.read.workbook import Sheet
from cslevel.records import CslevelError, Month
from cslevel.templates import load_scheme

SCHEME = load_scheme("star")[0]
HEAD = ["工号", "姓名", "组别", "应出勤天数", "实际出勤天数", "迟到次数", "旷工天数"]
PATH = Path("att_2026-03.xlsx")


def _table(rows: list[list[object]]):
    return find_table([Sheet(PATH.name, "考勤", copy.deepcopy(rows))],
                      attendance_fields(SCHEME), ["agent_id"], "attendance workbook",
                      key_fallback="name", fill_down=["team"])


def _both(rows: list[list[object]], month: Month | None = None, path: Path = PATH):
    """(fast, general) readings of the same sheet, each as comparable text."""
    got = []
    for fast in (True, False):
        out, problems = _read_attendance(path, SCHEME, month, _table(rows), fast=fast)
        got.append(([repr(r) for r in out], [repr(p) for p in problems]))
    return got


def _takes_fast_path(rows: list[list[object]], month: Month | None = None) -> bool:
    table = _table(rows)
    problems = list(table.problems)
    months = _months_of_rows(table, PATH, month, problems)
    return _attendance_columns(table, SCHEME, months, problems) is not None


def _same(rows: list[list[object]], month: Month | None = None, fast: bool | None = None):
    fast_got, general_got = _both(rows, month)
    assert fast_got == general_got
    if fast is not None:
        assert _takes_fast_path(rows, month) is fast
    return fast_got


def test_plain_sheet_takes_fast_path() -> None:
    rows = [HEAD] + [[f"{i:04d}", f"员工{i}", "一组", 22.0, 21.5, 0.0, 0.0] for i in range(50)]
    out, problems = _same(rows, fast=True)
    assert len(out) == 50 and problems == []
    assert "Decimal('21.5')" in out[0]


def test_blanks_text_numbers_full_width_and_totals() -> None:
    rows = [
        ["2026年3月考勤汇总"],
        HEAD,
        ["0001", "张三", "一组", 22, 22.0, None, ""],  # int and float: Decimal('22'), ('22.0')
        ["0002", " 李四 ", "一组", "22", "２１．５", "  ", "\u3000"],  # text, full-width, spaces
        ["0003", "王五", None, 22.0, 1, 1.0, "1"],  # 1 and 1.0 in one column
        [7.0, "赵六", "二组", "22 ", "21,5", None, None],  # numeric id; 1,5 refused
        ["0005", "钱七", "二组", "\u200b", 20, 0, 0],  # a zero-width space is blank
        ["０００６", "孙八", "二组", 22, 22, 0, 0],  # full-width id
        ["合计", None, None, 132, 120, 2, 1],  # totals row: skipped with a warning
    ]
    _same(rows, fast=False)  # (21,5 is an error: row by row)
    rows[5][4] = "21.5"
    out, problems = _same(rows, fast=True)
    assert any("合计" in p for p in problems)
    assert len(out) == 6


def test_mixed_number_types_keep_their_own_form() -> None:
    rows = [HEAD, ["0001", "甲", "一组", 22, 22.0, 1, 1.0], ["0002", "乙", "一组", 22.0, 22, 1.0, 1],
            ["0003", "丙", "一组", True, 22, 1, 1]]
    _same(rows, fast=False)  # TRUE is not a number
    rows[3][3] = 22
    out, _ = _same(rows, fast=True)
    assert "'days_required': Decimal('22')" in out[0]
    assert "'days_required': Decimal('22.0')" in out[1]
    rows = [HEAD, ["0001", "甲", "一组", 22.0, 22.0, 0.0, -0.0], ["0002", "乙", "一组", 22.0, 22.0, -0.0, 0.0]]
    out, _ = _same(rows, fast=True)  # 0.0 and -0.0 are equal but read as they are written
    assert "'late': Decimal('0.0'), 'absent_days': Decimal('-0.0')" in out[0]


def test_errors_fall_back_to_the_row_by_row_reading() -> None:
    base = [HEAD] + [[f"{i:04d}", f"员工{i}", "一组", 22, 21, 0, 0] for i in range(1, 6)]
    for p, c, bad in [(2, 0, None), (2, 0, "  "), (3, 0, True), (3, 0, 1.5),
                      (4, 0, datetime(2026, 3, 1)), (2, 3, "abc"), (5, 6, "1,5"),
                      (4, 5, datetime(2026, 3, 1)), (3, 4, False)]:
        rows = copy.deepcopy(base)
        rows[p][c] = bad
        _same(rows, fast=False)


def test_bad_inputs_38_figures_out_of_range_fall_back_to_the_row_by_row_reading() -> None:
    """A figure outside its item's limits (a negative count, more days than the month has,
    more than 100 late arrivals, NaN, 1e30) is reported as the row-by-row reading reports
    it; figures at the limits keep the fast path."""
    base = [HEAD] + [[f"{i:04d}", f"员工{i}", "一组", 22, 21, 0, 0] for i in range(1, 6)]
    for p, c, bad in [(2, 5, -1), (2, 6, 32), (3, 3, 31.5), (4, 5, 101), (2, 5, -0.5),
                      (2, 5, float("nan")), (5, 6, 1e30), (3, 4, "-3"), (3, 6, float("inf"))]:
        rows = copy.deepcopy(base)
        rows[p][c] = bad
        out, problems = _same(rows, fast=False)
        assert len(out) == 4 and len([p for p in problems if "severity='error'" in p]) == 1
    rows = copy.deepcopy(base)
    rows[2][6], rows[3][5], rows[4][3] = 31, 100, 0
    out, problems = _same(rows, fast=True)
    assert len(out) == 5 and problems == []


@pytest.mark.language("en")
def test_bad_inputs_38_days_within_each_rows_month() -> None:
    """Days are checked against the row's own month (a 月份 column): 30 days of absence are
    possible in March, not in February; the fast path, held to the shortest month, steps
    aside and the row-by-row reading decides."""
    path = Path("att.xlsx")  # (no month in the name: each row's month is its own)

    def both(rows: list[list[object]]) -> tuple[list[str], list[str]]:
        got = []
        for fast in (True, False):
            out, problems = _read_attendance(path, SCHEME, None, _table(rows), fast=fast)
            got.append(([repr(r) for r in out], [repr(p) for p in problems]))
        assert got[0] == got[1]
        table = _table(rows)
        months = _months_of_rows(table, path, None, [])
        assert _attendance_columns(table, SCHEME, months, []) is None
        return got[0]

    rows = [["工号", "姓名", "月份", "旷工天数"], ["0001", "甲", "2026-02", 28],
            ["0002", "乙", "2026-03", 30]]
    out, problems = both(rows)
    assert len(out) == 2 and problems == []
    rows[1][3] = 29
    out, problems = both(rows)
    assert [r.split("agent_id=")[1].split(",")[0] for r in out] == ["'0002'"]
    assert "29 is more than the 28 days of 2026-02" in problems[0]


@pytest.mark.language("en")
def test_name_only_sheet_with_notes() -> None:
    rows = [["姓名", "组别", "应出勤天数", "实际出勤天数", "迟到次数"],
            ["张三", "一组", 22, 22, 0],
            ["李四3月15离职", "一组", 22, 10, None],
            ["王五（试用）", "二组", 22, "20", 1],
            ["赵六", None, 22, 22, 0]]
    out, problems = _same(rows, fast=True)
    assert [r.split("agent_id=")[1].split(",")[0] for r in out] == \
        ["'张三'", "'李四'", "'王五'", "'赵六'"]
    assert sum("left out" in p for p in problems) == 2
    rows[3][3] = "x"  # an error too: row by row, warnings in the same order
    _same(rows, fast=False)


@pytest.mark.language("en")
def test_month_column_and_duplicates() -> None:
    rows = [["工号", "姓名", "月份", "应出勤天数"],
            ["0001", "甲", "2026-03", 22], ["0002", "乙", "2026年4月", 21],
            ["0001", "甲", "2026-03", 20], ["0003", "丙", None, 22], ["0004", "丁", "x", 22]]
    _both_no_month = []
    for fast in (True, False):
        out, problems = _read_attendance(Path("att.xlsx"), SCHEME, None, _table(rows), fast=fast)
        _both_no_month.append(([repr(r) for r in out], [repr(p) for p in problems]))
    assert _both_no_month[0] == _both_no_month[1]
    assert any("appears twice" in p for p in _both_no_month[0][1])
    assert any("month is empty" in p for p in _both_no_month[0][1])


def test_missing_columns_and_short_rows() -> None:
    rows = [["工号", "应出勤天数", "迟到次数"], ["0001", 22], ["0002"], ["0003", 22, 1]]
    out, _ = _same(rows, fast=True)
    assert "name=''" in out[0] and "totals={}" in out[1]


def test_month_override_and_conflict() -> None:
    rows = [["2026年4月考勤"], HEAD, ["0001", "甲", "一组", 22, 22, 0, 0]]
    _same(rows, month=Month(2026, 5), fast=True)
    with pytest.raises(CslevelError):
        _read_attendance(PATH, SCHEME, None, _table(rows))


CELLS = st.one_of(
    st.none(), st.sampled_from(["", " ", "\u3000", "\u200b", "1", "１", "1.5", "1,5", "1,500",
                                "x", "2%", "−1", "22 "]),
    st.integers(-3, 30), st.floats(-3, 30, allow_nan=False).map(lambda v: round(v, 1)),
    st.booleans(), st.sampled_from([31, 32, 100, 101, 1e30, float("nan"), float("inf")]))
IDS = st.one_of(st.sampled_from(["0001", "0002", "０００３", " 0004", "合计", "", None, "张三",
                                 "李四2月离职"]),
                st.integers(1, 5).map(float), st.just(1.5))


@given(st.lists(st.tuples(IDS, st.sampled_from(["甲", " 乙", None, "丙（试用）"]),
                          CELLS, CELLS, CELLS), min_size=1, max_size=12),
       st.booleans())
@settings(max_examples=300, deadline=None)
def test_random_sheets_read_alike(rows: list[tuple[object, ...]], by_name: bool) -> None:
    if by_name:
        sheet = [["姓名", "应出勤天数", "迟到次数", "旷工天数"]] + [[r[0], *r[2:]] for r in rows]
    else:
        sheet = [["工号", "姓名", "应出勤天数", "迟到次数", "旷工天数"]] + [list(r) for r in rows]
    try:
        fast_got, general_got = _both(sheet)
    except CslevelError:
        return  # (no data row left: refused before either reading)
    assert fast_got == general_got


def test_generated_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "att_2026-03.xlsx",
                      [HEAD] + [[f"{i:04d}", f"员工{i}", "一组", 22, 21.5, i % 3, 0.0]
                                for i in range(1, 200)])
    fast = read_attendance(path, SCHEME, None)
    general = _read_attendance(path, SCHEME, None, attendance_table(path, SCHEME), fast=False)
    assert [repr(r) for r in fast[0]] == [repr(r) for r in general[0]]
    assert fast[1] == general[1]
    assert fast[0][0].totals["days_present"] == Decimal("21.5")
