"""`cslevel score` reads, scores and stores one workbook at a time inside the run's single
transaction: a month split over two workbooks, the same agent in two workbooks of a month,
attendance of a month in two workbooks, a locked month met in a later workbook and a bad
workbook after good ones — each gives what one read of everything would give, and a refused
run leaves the database byte for byte as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx
from cs_helpers import db_snapshot, files_in, kpi

pytestmark = pytest.mark.language("en")

DB = "history.db"  # the cli fixture points CSLEVEL_DB at tmp_path / history.db
ATT_HEADER = ["工号", "姓名", "迟到次数", "旷工天数"]


def _stored(tmp_path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(tmp_path / DB)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_month_in_two_workbooks_is_stored_whole(tmp_path: Path, cli) -> None:
    a = kpi(tmp_path / "kpi_2026-10_一组.xlsx", [["0001", "张三", "一组", 112]])
    b = kpi(tmp_path / "kpi_2026-10_二组.xlsx", [["0002", "李四", "二组", 95.5]])
    code, _out, err = cli("score", a, b, "--scheme", "star", "--month", "2026-10",
                          "--out", "out/")
    assert code == 0, err
    assert _stored(tmp_path, "select agent_id, score from scores order by agent_id") == [
        ("0001", "112.00"), ("0002", "95.50")]
    assert _stored(tmp_path, "select month, files from months") == [
        ("2026-10", '["kpi_2026-10_一组.xlsx", "kpi_2026-10_二组.xlsx"]')]
    sheet = openpyxl.load_workbook(tmp_path / "out" / "results-2026-10.xlsx").worksheets[0]
    assert [[c.value for c in row][:4] for row in sheet.iter_rows(min_row=2)] == [
        ["0001", "张三", "一组", 112], ["0002", "李四", "二组", 95.5]]


def test_the_same_agent_in_two_workbooks_of_a_month_is_refused(tmp_path: Path, cli) -> None:
    first = kpi(tmp_path / "kpi_a.xlsx", [["0001", "张三", "一组", 112]])
    second = kpi(tmp_path / "kpi_b.xlsx", [["0002", "李四", "二组", 90],
                                            ["0001", "张三", "一组", 101]])
    code, out, err = cli("score", first, "--scheme", "star", "--month", "2026-09")
    assert code == 0, err
    before = db_snapshot(tmp_path / DB)
    code, out, err = cli("score", first, second, "--scheme", "star", "--month", "2026-10",
                         "--out", "out/")
    assert code == 1
    assert ("kpi_b.xlsx › Sheet1 › row 3: agent 0001 appears twice in the KPI rows of 2026-10 "
            "(also at kpi_a.xlsx › Sheet1 › row 2) — Keep one row per agent and delete the "
            "other.") in err
    assert db_snapshot(tmp_path / DB) == before
    assert "out" not in files_in(tmp_path)


def test_attendance_of_a_month_in_two_workbooks(tmp_path: Path, cli) -> None:
    k = kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "张三", "一组", 112],
                                             ["0002", "李四", "二组", 95]])
    a1 = write_xlsx(tmp_path / "att_1.xlsx", [ATT_HEADER, ["0001", "张三", 1, 0],
                                              ["0002", "李四", 0, 0]])
    a2 = write_xlsx(tmp_path / "att_2.xlsx", [ATT_HEADER, ["0002", "李四", 3, 1]])
    code, _out, err = cli("score", k, "--attendance", a1, "--attendance", a2, "--scheme",
                          "star", "--month", "2026-10", "--json")
    assert code == 0, err
    # the later workbook's row of 0002 counts, as when both are read before storing
    assert _stored(tmp_path, "select agent_id, source, totals from attendance "
                             "order by agent_id") == [
        ("0001", "att_1.xlsx › Sheet1 › row 2", '{"late": "1.0", "absent_days": "0.0"}'),
        ("0002", "att_2.xlsx › Sheet1 › row 2", '{"late": "3.0", "absent_days": "1.0"}')]


def test_a_locked_month_in_a_later_workbook_stores_nothing(tmp_path: Path, cli) -> None:
    sep = kpi(tmp_path / "kpi_2026-09.xlsx", [["0001", "张三", "一组", 100]])
    assert cli("score", sep, "--scheme", "star")[0] == 0
    assert cli("lock", "2026-09")[0] == 0
    before = db_snapshot(tmp_path / DB)
    # the first workbook (a later month) is fine and stored in the run's transaction; the
    # second is of the locked month: the run stops and the first is rolled back as well
    later = kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "张三", "一组", 120]])
    again = kpi(tmp_path / "kpi_2026-09_更正.xlsx", [["0001", "张三", "一组", 90]])
    code, _out, err = cli("score", later, again, "--scheme", "star", "--out", "out/")
    assert code == 3
    assert "2026-09 is locked (locked after payroll on" in err
    assert db_snapshot(tmp_path / DB) == before
    assert "out" not in files_in(tmp_path)


def test_a_bad_workbook_after_good_ones_stores_nothing(tmp_path: Path, cli) -> None:
    good = [kpi(tmp_path / f"kpi_2026-0{m}.xlsx", [["0001", "张三", "一组", 100 + m]])
            for m in (7, 8)]
    assert cli("score", good[0], "--scheme", "star", "--month", "2026-07")[0] == 0
    before = db_snapshot(tmp_path / DB)
    bad = kpi(tmp_path / "kpi_2026-09.xlsx", [["0001", "张三", "一组", "abc"]])
    code, _out, err = cli("score", *good, bad, "--scheme", "star", "--out", "out/")
    assert code == 1
    assert "kpi_2026-09.xlsx › Sheet1 › D2: 绩效分值: 'abc' is not a number" in err
    assert db_snapshot(tmp_path / DB) == before
    assert "out" not in files_in(tmp_path)
