"""The KPI reader's fast paths (issue 3, reading speed) give what the general paths give:
whole-column text checks, floats converted by C iterators, percent columns kept as they
are, data rows kept as columns, and the garbage collector's state after a bulk load."""

from __future__ import annotations

import gc
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from cslevel.bulk import thaw
from cslevel.read import _convert_one, _decimal, _distinct, bulk_load, kpi_fields, read_kpi
from cslevel.read.table import find_table
from cslevel.read.values import agent_id, all_plain_text, clean_text, is_plain_text, number, seconds
from cslevel.read.workbook import Sheet, read_sheets
from cslevel.records import Month, Problem
from cslevel.templates import load_scheme

# characters that clean_text changes or that sit on the edge of what it changes
ODD = ["a", "Z", "0", "7", "员", "工", " ", "\n", "\t", "\u3000", "\u00a0", "\u2007", "\u202f",
       "\u2212", "\u2013", "\uff0d", "\u200b", "\ufeff", "ａ", "１", "e\u0301", "\u0301", "é",
       "\u00ad", "·", "-", "_", "%"]
cells_text = st.lists(st.lists(st.sampled_from(ODD), max_size=4).map("".join), min_size=1,
                      max_size=8)


@given(cells_text)
@settings(max_examples=400)
def test_whole_column_text_check_is_the_per_cell_check(cells: list[str]) -> None:
    plain = all_plain_text(cells)
    assert plain == all(is_plain_text(c) for c in cells)
    if plain:  # the column is then kept as it is: what each cell would have become
        assert [clean_text(c) for c in cells] == cells
        assert [agent_id(c) for c in cells] == cells


@pytest.mark.parametrize("cells", [[], [""], ["0001", None], ["0001", 1.0], ["0001", True],
                                   ["x", type("Text", (str,), {})("y")]])
def test_whole_column_text_check_refuses_what_is_not_plain_text(cells: list[object]) -> None:
    assert not all_plain_text(cells)


@given(st.lists(st.floats(allow_nan=False), min_size=1, max_size=20))
def test_floats_converted_in_c_as_one_by_one(raw: list[float]) -> None:
    for fn in (number, seconds, _decimal):
        assert _distinct(raw, fn) == {v: _convert_one(fn, v) for v in set(raw)}


KPI = ["工号", "姓名", "组别", "岗位", "平均响应时长", "解决率", "客户满意度", "投诉率"]


@pytest.mark.parametrize(("rates", "expected"), [
    ([0.9, 0.95, 1.0], ["0.9", "0.95", "1.0"]),  # fractions: kept
    ([0.9, 0.5, 0.0], ["0.9", "0.5", "0.0"]),
    ([90.0, 95.0, 100.0], ["0.9", "0.95", "1.0"]),  # points: divided by 100
    ([0.9, "95%", 1.0], ["0.9", "0.95", "1.0"]),  # a % sign: that cell divided
])
def test_percent_column_scale(tmp_path: Path, rates: list[object], expected: list[str]) -> None:
    path = tmp_path / "kpi_2026-10.xlsx"
    write_xlsx(path, [KPI] + [[f"000{i}", f"员工{i}", "一组", "客服", 30.0, rate, 0.9, 0.01]
                              for i, rate in enumerate(rates, start=1)])
    rows, problems = read_kpi(path, load_scheme("star")[0], None)
    assert not [p for p in problems if p.severity == "error"]
    key = next(m.key for m in load_scheme("star")[0].score.metrics if m.name == "解决率")
    assert [str(r.metrics[key]) for r in rows] == expected
    assert all(type(r.metrics) is dict for r in rows)


def _sheet(rows: list[list[object]]) -> Sheet:
    return Sheet("kpi.xlsx", "绩效", rows)


RATES = st.one_of(st.floats(0, 1.2).map(lambda v: round(v, 3)),
                  st.sampled_from([0.0, 1.0, 0.5, -0.1, 0.03, 0.3, 0.8, float("nan"), 1e30]))


@given(st.lists(RATES, min_size=1, max_size=10),
       st.sampled_from([None, Decimal("0.01"), Decimal("0.85")]),
       st.sampled_from(["投诉率", "投诉率(%)"]))
@settings(max_examples=300, deadline=None)
def test_bad_inputs_38_40_percent_fast_path_is_the_general_path(
        rates: list[float], target: Decimal | None, header: str) -> None:
    """A percent column of bare floats at most 1 is kept as it is, checked within its
    limits and for a doubtful scale in C passes; the same column with a blank cell below
    (which takes the general path) gives the same figures and the same problems."""
    from cslevel.read import Limits, _scaled_column

    def read(cells: list[object]) -> tuple[list[object], list[str]]:
        rows = [["工号", header], *[[f"{i:04d}", c] for i, c in enumerate(cells, 1)]]
        table = find_table([_sheet(rows)], {"agent_id": ["工号"], "rate": ["投诉率"]},
                           ["agent_id"], "KPI workbook")
        problems: list[Problem] = []
        got = _scaled_column(table, "rate", "percent", problems,
                             Limits(Decimal(0), Decimal(1), "x", True), target)
        return got, [str(p) for p in problems]

    fast, fast_problems = read(rates)
    general, general_problems = read([*rates, None])
    assert [repr(v) for v in [*fast, None]] == [repr(v) for v in general]
    assert fast_problems == general_problems


@pytest.mark.parametrize("tail", [[], [["合计", None, None, None, 1.0, 1.0, 1.0, 1.0]],
                                  [[None] * 8, ["制表：张三"] + [None] * 7]])
def test_rows_kept_as_columns_are_the_rows(tail: list[list[object]]) -> None:
    data = [[f"000{i}", f"员工{i}", "一组", "客服", 30.0 + i, 0.9, 0.8, 0.01] for i in range(5)]
    table = find_table([_sheet([KPI, *data, *tail])], kpi_fields(load_scheme("star")[0]),
                       ["agent_id"], "KPI workbook")
    assert table.rows == list(zip(range(1, 6), data))
    assert table.row_count == 5
    assert list(table.row_indexes()) == [1, 2, 3, 4, 5]
    assert table.row_cells == data
    assert table.cells_at(3) == data[2]
    assert table.transposed() == [list(column) for column in zip(*data)]


def test_rows_of_a_table_with_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "kpi_2026-10.xlsx"
    write_xlsx(path, [KPI] + [[f"000{i}", f"员工{i}", "一组", "客服", 30.0, 0.9, 0.9, 0.01]
                              for i in range(1, 5)])
    sheets = read_sheets(path)
    sheet = Sheet(sheets[0].file, sheets[0].name, sheets[0].rows, merged=((1, 2, 3, 2),))
    sheet.rows[2][2] = sheet.rows[3][2] = None
    table = find_table([sheet], kpi_fields(load_scheme("star")[0]), ["agent_id"],
                       "KPI workbook", fill_down=["team"])
    assert [cells[2] for _, cells in table.rows] == ["一组"] * 4
    assert table.transposed()[2] == ["一组"] * 4
    assert [index for index, _ in table.rows] == list(table.row_indexes()) == [1, 2, 3, 4]


def test_read_kpi_leaves_the_collector_on_with_its_rows_frozen(tmp_path: Path) -> None:
    """The collector is paused while a workbook is read; after it the rows are frozen (left
    out of collections) until `thaw`, which the history calls when it closes."""
    path = tmp_path / "kpi_2026-10.xlsx"
    write_xlsx(path, [KPI, ["0001", "张三", "一组", "客服", 30.0, 0.9, 0.9, 0.01]])
    scheme = load_scheme("star")[0]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    rows, _ = read_kpi(path, scheme, Month(2026, 10))
    assert gc.isenabled() and rows[0].agent_id == "0001"
    frozen = gc.get_freeze_count()
    assert frozen > len(rows)
    read_kpi(path, scheme, Month(2026, 10))  # a second bulk load freezes what it made too
    assert gc.get_freeze_count() >= frozen
    thaw()
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    thaw()  # nothing frozen: nothing to do
    assert gc.get_freeze_count() == 0
    gc.disable()
    try:
        read_kpi(path, scheme, None)
        assert not gc.isenabled()  # paused by the caller: left paused, nothing frozen
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()
    kept = [object() for _ in range(3)]
    gc.freeze()  # the program's own frozen objects stay as they are
    try:
        frozen = gc.get_freeze_count()
        with bulk_load():
            assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen and gc.isenabled()
        thaw()  # not bulk_load's: left frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    del kept


def test_a_history_closing_thaws_what_the_command_froze(tmp_path: Path) -> None:
    from cslevel.store import open_history

    with open_history(str(tmp_path / "h.db")) as history:
        with bulk_load():
            made = [{"n": i} for i in range(1000)]
        assert gc.get_freeze_count() >= 1000
        assert history.scored_months() == []
    assert gc.get_freeze_count() == 0
    assert len(made) == 1000


@pytest.mark.language("en")
def test_rows_all_narrower_than_the_header(tmp_path: Path) -> None:
    """A text table whose data rows all lack the last column (its cells are blank, not an
    IndexError)."""
    path = tmp_path / "kpi_2026-10.csv"
    path.write_text(",".join(KPI) + "\n0001,张三,一组,客服,30,0.9,0.9\n", encoding="utf-8")
    rows, problems = read_kpi(path, load_scheme("star")[0], None)
    assert rows == []
    assert [str(p) for p in problems] == [(
        "kpi_2026-10.csv › kpi_2026-10 › H2: 投诉率 is blank — Fill in the value (0 if it "
        "really is zero), or set score.missing: not_scored in the template.")]


def test_a_line_break_typed_in_a_cell_is_cleaned(tmp_path: Path) -> None:
    """Alt+Enter in a name cell: the name is cleaned as clean_text cleans it, although all
    the other names of the column are plain text."""
    path = tmp_path / "kpi_2026-10.xlsx"
    write_xlsx(path, [KPI] + [[f"000{i}", name, "一组", "客服", 30.0, 0.9, 0.9, 0.01]
                              for i, name in enumerate(["张三", "李\n四", "王五"], start=1)])
    rows, _ = read_kpi(path, load_scheme("star")[0], None)
    assert [r.name for r in rows] == ["张三", "李 四", "王五"]


@pytest.mark.language("en")
@pytest.mark.parametrize("first", ["number", "flag"])
def test_true_false_refused_whether_or_not_an_equal_number_comes_first(
        tmp_path: Path, first: str) -> None:
    """TRUE equals 1.0 and FALSE equals 0.0 in a set of distinct values: whichever comes
    first, the TRUE/FALSE cells are refused and the numbers read."""
    path = tmp_path / "kpi_2026-10.xlsx"
    pair = [[1.0, 0.0], [True, False]]
    rates = pair if first == "number" else pair[::-1]
    write_xlsx(path, [KPI] + [[f"000{i}", f"员工{i}", "一组", "客服", 30.0, rate, 0.9, complaints]
                              for i, (rate, complaints) in enumerate(rates, start=1)])
    rows, problems = read_kpi(path, load_scheme("star")[0], None)
    flagged = 3 if first == "number" else 2
    assert [str(p) for p in problems] == [
        f"kpi_2026-10.xlsx › Sheet1 › {column}{flagged}: {label}: TRUE/FALSE is not a number — "
        "Enter a number." for column, label in (("F", "解决率"), ("H", "投诉率"))]
    assert [r.agent_id for r in rows] == ["0001" if first == "number" else "0002"]
