"""`cslevel lock M` after payroll and `cslevel reopen M --reason …`: re-scoring a locked month
is refused with exit code 3 and changes nothing; a month before it may be scored again (the
locked month keeps its scores and files: retro pay, tests/test_retro_pay.py); the reason,
the user and the time of a reopening are kept."""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

import pytest
from cs_helpers import db_snapshot, files_in, kpi, query


@pytest.fixture
def locked(tmp_path: Path, cli, cli_json) -> Path:
    for month, score in (("2026-09", 112), ("2026-10", 115)):
        kpi(tmp_path / f"kpi_{month}.xlsx", [["0001", "甲", "一组", score]])
    cli_json("score", "kpi_2026-09.xlsx", "kpi_2026-10.xlsx", "--scheme", "star", "--out", "out/")
    cli_json("payroll", "export", "--month", "2026-11", "--out", "p.xlsx")
    doc = cli_json("lock", "2026-10")
    assert doc["month"] == "2026-10" and doc["locked"] is True and doc["already"] is False
    assert doc["user"] == getpass.getuser()
    # the payroll 2026-10 is paid from, recorded as paid: 一星, 岗位绩效工资 1000 × 115%
    assert (doc["pay_month"], doc["paid"]) == ("2026-11", {
        "month": "2026-11", "lines": 1, "total": "4700.00", "settled": []})
    return tmp_path / "history.db"


@pytest.mark.language("en")
@pytest.mark.parametrize("month", ["2026-10", "2026-09"])
def test_bad_inputs_31_rescoring_a_locked_month_is_refused(tmp_path: Path, locked: Path, cli,
                                             month: str) -> None:
    """2026-10, the locked month: refused (exit code 3), nothing changes. 2026-09, the month
    before it: refused before retro pay; now scored again, while 2026-10 stays locked with
    its scores and the paid payroll of 2026-11 stays as it was (it owes nothing here: its
    level and its figures, 2026-10's, are the same)."""
    (tmp_path / f"kpi_{month}.xlsx").unlink()
    kpi(tmp_path / f"kpi_{month}.xlsx", [["0001", "甲", "一组", 90]])
    before, before_files = db_snapshot(locked), files_in(tmp_path)
    code, out, err = cli("score", f"kpi_{month}.xlsx", "--out", "again/")
    if month == "2026-09":
        assert code == 0, err
        after = db_snapshot(locked)[1]
        assert after["scores"] != before[1]["scores"]
        assert [r for r in after["scores"] if r[0] == "2026-10"] == [
            r for r in before[1]["scores"] if r[0] == "2026-10"]
        for table in ("locks", "paid_lines"):
            assert after[table] == before[1][table], table
        # the paid payroll stays, marked to be worked out anew (2026-09 feeds its levels)
        assert [(*r[:5], 1) for r in before[1]["paid_payrolls"]] == after["paid_payrolls"]
        assert files_in(tmp_path) == before_files | {"again/results-2026-09.xlsx"}
        assert "the payroll of 2026-11 was paid: what it owes now" in out
        code, out, err = cli("payroll", "corrections", "--json")
        assert (code, json.loads(out)["rows"]) == (0, []), err
        return
    assert code == 3
    assert re.search(r"2026-10 is locked \(locked after payroll on \d{4}-\d\d-\d\d by " +
                     re.escape(getpass.getuser()) + r"\)", err), err
    assert 'cslevel reopen 2026-10 --reason "…"' in err
    assert "nothing was written" in err
    assert db_snapshot(locked) == before
    assert files_in(tmp_path) == before_files


def test_a_later_month_can_still_be_scored(tmp_path: Path, locked: Path, cli_json) -> None:
    kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "甲", "一组", 120]])
    doc = cli_json("score", "kpi_2026-11.xlsx", "--out", "out/")
    assert doc["month"] == "2026-11"


def test_bad_inputs_31_reopen_with_reason_then_rescore(tmp_path: Path, locked: Path, cli, cli_json) -> None:
    doc = cli_json("reopen", "2026-10", "--reason", "考勤表更正 corrected attendance")
    assert (doc["action"], doc["locked"], doc["reason"]) == (
        "reopen", False, "考勤表更正 corrected attendance")
    (tmp_path / "kpi_2026-10.xlsx").unlink()
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 90]])
    assert cli_json("score", "kpi_2026-10.xlsx", "--out", "out/")["month"] == "2026-10"
    trail = query(locked, "select user, action, month, reason from audit order by id")
    user = getpass.getuser()
    assert trail == [(user, "lock", "2026-10", ""),
                     (user, "reopen", "2026-10", "考勤表更正 corrected attendance")]
    stamps = [at for at, in query(locked, "select at from audit")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", s) for s in stamps)
    assert query(locked, "select count(*) from locks") == [(0,)]


@pytest.mark.language("en")
def test_reopen_needs_a_reason(locked: Path, cli) -> None:
    code, _, err = cli("reopen", "2026-10", "--reason", "  ")
    assert code == 1
    assert "a reason is needed to reopen a locked month" in err
    code, _, err = cli("reopen", "2026-10")
    assert code == 2  # --reason is required
    assert query(locked, "select count(*) from locks") == [(1,)]


@pytest.mark.language("en")
def test_reopen_a_month_that_is_not_locked(locked: Path, cli) -> None:
    code, _, err = cli("reopen", "2026-09", "--reason", "x")
    assert code == 1
    assert "2026-09 is not locked (locked months: 2026-10)" in err


def test_lock_twice_changes_nothing(locked: Path, cli_json) -> None:
    first = query(locked, "select * from locks")
    doc = cli_json("lock", "2026-10")
    assert doc["already"] is True
    assert query(locked, "select * from locks") == first
    assert query(locked, "select count(*) from audit") == [(1,)]


@pytest.mark.language("en")
def test_lock_needs_a_scored_month(locked: Path, cli) -> None:
    code, _, err = cli("lock", "2026-11")
    assert code == 1
    assert "2026-11 has no scores to lock" in err
    code, _, err = cli("lock", "2026-13")
    assert code == 2
