"""The history database: where it is, what re-scoring does, dry runs, failed runs, migrations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from cs_helpers import db_snapshot, files_in, kpi, query, scores_table

from cslevel.store import MIGRATIONS


def _kpi(tmp: Path, month: str, rows: list[list]) -> Path:
    return kpi(tmp / f"kpi_{month}.xlsx", rows)


# --- where the database is ---------------------------------------------------------------
@pytest.mark.language("en")
def test_db_option_beats_env(tmp_path: Path, cli) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--db", "explicit.db")
    assert code == 0, err
    assert (tmp_path / "explicit.db").exists()
    assert not (tmp_path / "history.db").exists()  # CSLEVEL_DB
    assert not (tmp_path / "cslevel.db").exists()
    assert scores_table(tmp_path / "explicit.db") == {("2026-10", "0001"): "112.00"}
    # reading commands follow the same order
    assert cli("history", "0001", "--db", "explicit.db")[0] == 0
    code, _, err = cli("history", "0001")
    assert code == 1
    assert f"no history database at {tmp_path / 'history.db'}" in err


def test_env_beats_default(tmp_path: Path, cli) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star")
    assert code == 0, err
    assert (tmp_path / "history.db").exists()
    assert not (tmp_path / "cslevel.db").exists()
    assert scores_table(tmp_path / "history.db") == {("2026-10", "0001"): "112.00"}


def test_default_is_cslevel_db_in_cwd(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSLEVEL_DB")
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star")
    assert code == 0, err
    assert (tmp_path / "cslevel.db").exists()
    assert not (tmp_path / "history.db").exists()
    assert scores_table(tmp_path / "cslevel.db") == {("2026-10", "0001"): "112.00"}


@pytest.mark.language("en")
def test_db_in_missing_folder(tmp_path: Path, cli) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112]])
    code, out, _err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--db",
                          "nodir/x.db", "--json")
    assert code == 1
    doc = json.loads(out)
    assert [p["message"] for p in doc["problems"]] == [
        "the folder for the database does not exist: nodir"]
    assert files_in(tmp_path) == {"kpi_2026-10.xlsx"}


# --- migrations ------------------------------------------------------------------------------
def test_schema_migrations_are_recorded(tmp_path: Path, cli) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112]])
    assert cli("score", "kpi_2026-10.xlsx", "--scheme", "star")[0] == 0
    rows = query(tmp_path / "history.db", "select version, name, applied_at from schema_migrations")
    assert [(v, n) for v, n, _ in rows] == [
        (1, "create history tables"), (2, "supervisor allowance tier and team lead on agents"),
        (3, "month locks and audit trail"), (4, "output files promised by a committed run"),
        (5, "adjustments: scores and levels set by a person"),
        (6, "results of signed sign-off lists"), (7, "payroll lines paid at lock"),
        (8, "experience before joining on agents"),
        (9, "pay inputs of a pay month: overtime, deductions, benefits, one-off"),
        (10, "months named employee of the month on agents")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", rows[0][2])
    tables = {r[0] for r in query(tmp_path / "history.db",
                                  "select name from sqlite_master where type = 'table'")}
    assert tables == {"schema_migrations", "settings", "agents", "scores", "attendance",
                      "months", "decisions", "runs", "locks", "audit", "output_files",
                      "adjustments", "signoffs", "paid_payrolls", "paid_lines", "pay_inputs"}
    # a second run does not apply the migrations again
    _kpi(tmp_path, "2026-11", [["0001", "甲", "一组", 112]])
    assert cli("score", "kpi_2026-11.xlsx")[0] == 0
    assert query(tmp_path / "history.db",
                 "select version from schema_migrations order by version") == [
        (v,) for v in range(1, len(MIGRATIONS) + 1)]


# --- re-scoring ----------------------------------------------------------------------------
def test_rescoring_replaces_the_month(tmp_path: Path, cli) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 100], ["0002", "乙", "一组", 90]])
    assert cli("score", "kpi_2026-10.xlsx", "--scheme", "star")[0] == 0
    _kpi(tmp_path, "2026-11", [["0001", "甲", "一组", 101]])
    assert cli("score", "kpi_2026-11.xlsx")[0] == 0
    (tmp_path / "kpi_2026-10.xlsx").unlink()
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 120], ["0003", "丙", "二组", 95]])
    assert cli("score", "kpi_2026-10.xlsx")[0] == 0
    db = tmp_path / "history.db"
    assert scores_table(db) == {("2026-10", "0001"): "120.00", ("2026-10", "0003"): "95.00",
                                ("2026-11", "0001"): "101.00"}
    assert query(db, "select count(*) from scores where month = '2026-10'") == [(2,)]
    assert query(db, "select month from months order by month") == [("2026-10",), ("2026-11",)]


def test_same_month_twice_changes_nothing(tmp_path: Path, cli) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    assert cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--out", "a.xlsx")[0] == 0
    db = tmp_path / "history.db"

    def state() -> dict:
        return {t: query(db, f"select * from {t} order by 1, 2") for t in
                ("agents", "settings", "attendance", "decisions")} | {
            "scores": query(db, "select month, agent_id, score, metrics, source, "
                                "discipline_block, explanation from scores order by 1, 2")}

    first = state()
    assert cli("score", "kpi_2026-10.xlsx", "--out", "b.xlsx")[0] == 0
    assert state() == first

    def cells(path: Path) -> list:
        book = openpyxl.load_workbook(path)
        return [[c.value for c in row] for ws in book for row in ws.iter_rows()]

    assert cells(tmp_path / "a.xlsx") == cells(tmp_path / "b.xlsx")


@pytest.mark.language("en")
def test_rescoring_rederives_later_decisions(tmp_path: Path, cli, cli_json) -> None:
    for month, score in (("2026-01", 112), ("2026-02", 115), ("2026-03", 120)):
        _kpi(tmp_path, month, [["0001", "甲", "一组", score], ["0002", "乙", "一组", 100]])
    for month in ("2026-01", "2026-02", "2026-03"):
        cli_json("score", f"kpi_{month}.xlsx", "--scheme", "star", "--out", f"r-{month}.xlsx")
    doc = cli_json("promote")
    assert {m["agent_id"]: m["to"] for m in doc["moves"]} == {"0001": "二星"}
    db = tmp_path / "history.db"
    assert query(db, "select agent_id, decided_month, effective_month, to_level from decisions"
                     " order by agent_id") == [("0001", "2026-03", "2026-04", "二星")]

    # 2026-02 was wrong: 0001 scored 100, not 115, so there is no three-month streak
    (tmp_path / "kpi_2026-02.xlsx").unlink()
    _kpi(tmp_path, "2026-02", [["0001", "甲", "一组", 100], ["0002", "乙", "一组", 100]])
    doc = cli_json("score", "kpi_2026-02.xlsx", "--out", "r-2026-02.xlsx")
    assert [p["message"] for p in doc["problems"]] == [
        ("a month already promoted was re-scored: decisions up to 2026-03 were derived again "
         "and changed for 1 agent(s): 0001")]
    assert query(db, "select count(*) from decisions") == [(0,)]
    assert scores_table(db)[("2026-02", "0001")] == "100.00"
    assert cli_json("history", "0001")["next_level"] == "一星"
    assert cli_json("promote")["moves"] == []


def test_rescoring_can_create_a_decision(tmp_path: Path, cli, cli_json) -> None:
    for month, score in (("2026-01", 112), ("2026-02", 100), ("2026-03", 120)):
        _kpi(tmp_path, month, [["0001", "甲", "一组", score]])
        cli_json("score", f"kpi_{month}.xlsx", "--scheme", "star", "--out", f"r-{month}.xlsx")
    assert cli_json("promote")["moves"] == []
    (tmp_path / "kpi_2026-02.xlsx").unlink()
    _kpi(tmp_path, "2026-02", [["0001", "甲", "一组", 110]])
    cli_json("score", "kpi_2026-02.xlsx", "--out", "r-2026-02.xlsx")
    db = tmp_path / "history.db"
    assert query(db, "select agent_id, decided_month, effective_month, from_level, to_level, "
                     "kind from decisions") == [
        ("0001", "2026-03", "2026-04", "一星", "二星", "promote")]


def test_promote_window_is_remembered(tmp_path: Path, cli, cli_json) -> None:
    for month, score in (("2026-01", 112), ("2026-02", 115)):
        _kpi(tmp_path, month, [["0001", "甲", "一组", score]])
        cli_json("score", f"kpi_{month}.xlsx", "--scheme", "star", "--out", f"r-{month}.xlsx")
    assert cli_json("history", "0001")["next_level"] == "一星"  # template window: 3
    doc = cli_json("promote", "--months", "2")
    assert (doc["window"], [m["to"] for m in doc["moves"]]) == (2, ["二星"])
    db = tmp_path / "history.db"
    assert query(db, "select value from settings where key = 'window'") == [("2",)]
    assert cli_json("history", "0001")["next_level"] == "二星"


# --- dry run ------------------------------------------------------------------------------
@pytest.mark.language("en")
def test_dry_run_writes_nothing_fresh(tmp_path: Path, cli) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run",
                         "--out", "r.xlsx")
    assert code == 0, err
    assert files_in(tmp_path) == {"kpi_2026-10.xlsx"}
    assert "Level distribution — star" in out and "│ 2026-10 " in out
    assert re.search(r"│ 2026-10\s*│\s*·\s*│\s*2\s*│\s*·", out), out  # 试用 none, 一星 two
    assert "--dry-run: nothing was written." in out
    assert "Results workbook" not in out


def test_dry_run_json(tmp_path: Path, cli_json) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    assert doc["outputs"] == []
    assert [(a["agent_id"], a["score"], a["level"]) for a in doc["agents"]] == [
        ("0001", 112, "一星"), ("0002", 100, "一星")]
    assert files_in(tmp_path) == {"kpi_2026-10.xlsx"}


def test_dry_run_leaves_existing_database_unchanged(tmp_path: Path, cli, cli_json) -> None:
    for month, score in (("2026-01", 112), ("2026-02", 115)):
        _kpi(tmp_path, month, [["0001", "甲", "一组", score]])
    cli_json("score", "kpi_2026-01.xlsx", "--scheme", "star")
    db = tmp_path / "history.db"
    before = db_snapshot(db)
    before_files = files_in(tmp_path)
    doc = cli_json("score", "kpi_2026-02.xlsx", "--dry-run")
    assert doc["agents"][0]["up_streak"] == 2  # the stored history was used
    assert db_snapshot(db) == before
    assert files_in(tmp_path) == before_files
    doc = cli_json("promote", "--dry-run")
    assert db_snapshot(db) == before


# --- failing commands leave the database as it was ------------------------------------------
@pytest.fixture
def stored(tmp_path: Path, cli_json) -> Path:
    for month, score in (("2026-01", 112), ("2026-02", 115), ("2026-03", 120)):
        _kpi(tmp_path, month, [["0001", "甲", "一组", score], ["0002", "乙", "一组", 100]])
        cli_json("score", f"kpi_{month}.xlsx", "--scheme", "star", "--out", f"r-{month}.xlsx")
    cli_json("promote")
    return tmp_path / "history.db"


def _bad_kpi(tmp: Path) -> list[str]:
    _kpi(tmp, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "未质检"]])
    return ["score", "kpi_2026-04.xlsx"]


def _bad_rescore(tmp: Path) -> list[str]:
    (tmp / "kpi_2026-02.xlsx").unlink()
    _kpi(tmp, "2026-02", [["0001", "甲", "一组", 100], ["0001", "甲", "一组", 100]])
    return ["score", "kpi_2026-02.xlsx"]


def _unwritable_results(tmp: Path) -> list[str]:
    _kpi(tmp, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    return ["score", "kpi_2026-04.xlsx", "--out", "missing/r.xlsx"]


def _unwritable_moves(tmp: Path) -> list[str]:
    return ["promote", "--as-of", "2026-02", "--out", "missing/moves.xlsx"]


def _unwritable_payroll(tmp: Path) -> list[str]:
    return ["payroll", "export", "--month", "2026-04", "--out", "missing/p.xlsx"]


@pytest.mark.parametrize("scenario", [_bad_kpi, _bad_rescore, _unwritable_results,
                                      _unwritable_moves, _unwritable_payroll])
@pytest.mark.language("en")
def test_failing_command_leaves_database_byte_for_byte(tmp_path: Path, cli, stored: Path,
                                                      scenario) -> None:
    args = scenario(tmp_path)
    before = db_snapshot(stored)
    before_files = files_in(tmp_path)
    code, _, err = cli(*args)
    assert code == 1, err
    assert "nothing was written" in err
    after = db_snapshot(stored)
    assert after[1] == before[1]  # every table's rows
    assert after[0] == before[0]  # and the file's bytes
    assert files_in(tmp_path) == before_files


def test_an_old_database_opens_with_this_version(tmp_path: Path, cli_json) -> None:
    """A history made before migration 2 (agents without the payroll extras) is upgraded in
    the first command's transaction, its data kept."""
    import sqlite3

    db = tmp_path / "history.db"
    _kpi(tmp_path, "2026-09", [["0009", "老员工", "一组", 120]])
    cli_json("score", "kpi_2026-09.xlsx", "--scheme", "star", "--roster",
             _roster(tmp_path))
    con = sqlite3.connect(db)  # take the database back to what migration 1 made
    con.execute("ALTER TABLE agents DROP COLUMN supervisor_tier")
    con.execute("ALTER TABLE agents DROP COLUMN team_lead")
    con.execute("ALTER TABLE agents DROP COLUMN experience_months")
    con.execute("ALTER TABLE agents DROP COLUMN excellent_months")
    con.execute("DROP TABLE locks")
    con.execute("DROP TABLE audit")
    con.execute("DROP TABLE output_files")
    con.execute("DROP TABLE adjustments")
    con.execute("DELETE FROM schema_migrations WHERE version >= 2")
    con.commit()
    con.close()
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112], ["0009", "老员工", "一组", 120]])
    doc = cli_json("score", "kpi_2026-10.xlsx")
    assert {a["agent_id"]: a["level"] for a in doc["agents"]} == {"0001": "一星", "0009": "三星"}
    versions = [v for v, in query(db, "select version from schema_migrations order by version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    assert query(db, "select count(*) from locks") == [(0,)]


def _roster(tmp_path: Path) -> str:
    from conftest import write_xlsx

    write_xlsx(tmp_path / "roster.xlsx", [["工号", "当前级别"], ["0009", "三星"]])
    return "roster.xlsx"


# --- the package's face ----------------------------------------------------------------------
def test_the_face_names_what_its_modules_define_and_codec_loads_no_database_layer() -> None:
    """`cslevel.store` imports a name's module when the name is first used: every name it
    offers is the one its module defines, and the values as stored (`cslevel.store.codec`,
    which a worker process that scores a workbook uses) come without SQLAlchemy."""
    import subprocess
    import sys
    from importlib import import_module

    from cslevel import store

    assert sorted(store.__all__) == sorted(store._HOME)
    for name in store.__all__:
        home = import_module(f"cslevel.store.{store._HOME[name]}")
        assert getattr(store, name) is getattr(home, name), name
    with pytest.raises(AttributeError):
        store.no_such_name  # noqa: B018  (the attribute looked up is the test)
    code = ("import sys, cslevel.store.codec, cslevel.parallel; "
            "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
