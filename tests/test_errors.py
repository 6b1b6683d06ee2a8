"""The error contract: exit code 1 for data problems (2 for usage errors), every problem on
stderr as `file › sheet › cell: what — what to do`, `--json` gives {"ok": false, "problems"},
and nothing is written: no database created, no results workbook, an existing database
byte-for-byte unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import write_xlsx
from cs_helpers import db_snapshot, error_doc, files_in, kpi

# every test here checks the English wording of messages
pytestmark = pytest.mark.language("en")

DB = "history.db"  # the cli fixture points CSLEVEL_DB at tmp_path / history.db


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # typer's usage-error box wraps at the terminal width; keep messages on one line
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("TERMINAL_WIDTH", "250")


def _problem(doc: dict[str, Any]) -> dict[str, Any]:
    assert len(doc["problems"]) == 1, doc["problems"]
    return doc["problems"][0]


def _assert_problem_line(err: str, where: str, message: str, hint: str) -> None:
    """stderr names the place, says what is wrong and what to do, on one line."""
    lines = [ln for ln in err.splitlines() if message in ln]
    assert lines, err
    line = lines[0]
    assert where in line, line
    assert hint in line, line
    assert line.index(where) < line.index(message) < line.index(hint), line


# --- scenarios: (files to build, args) ----------------------------------------------------
def _no_id_column(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]],
        header=["编号", "姓名", "组别", "绩效分值"])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _no_score_columns(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 0.95]],
        header=["工号", "姓名", "组别", "解决率"])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _duplicate(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100],
                                   ["0001", "丙", "二组", 90]])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _bad_score(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "abc"]])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _unchecked_score(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "未质检"]])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


METRICS = ["工号", "姓名", "组别", "平均响应时长", "解决率", "客户满意度", "投诉率"]


def _bad_metric(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 20, 0.95, 0.9, 0.005],
                                   ["0002", "乙", "一组", 25, "未质检", 0.9, 0.005]],
        header=METRICS)
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _bad_duration(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", "abc", 0.95, 0.9, 0.005]],
        header=METRICS)
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _roster_level(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    write_xlsx(tmp / "roster.xlsx", [["工号", "姓名", "组别", "入职日期", "当前级别"],
                                     ["0001", "甲", "一组", "2024-01-01", "二星"],
                                     ["0002", "乙", "一组", "2024-01-01", "六星"]])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star", "--roster", "roster.xlsx"]


def _kpi_level(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", "七星级", 112]],
        header=["工号", "姓名", "组别", "当前级别", "绩效分值"])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _blank_score(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", None]])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _missing_file(tmp: Path) -> list[str]:
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star"]


def _unknown_scheme(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "nosuch"]


def _no_month(tmp: Path) -> list[str]:
    kpi(tmp / "kpi.xlsx", [["0001", "甲", "一组", 112]])
    return ["score", "kpi.xlsx", "--scheme", "star"]


def _out_missing_folder(tmp: Path) -> list[str]:
    kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    return ["score", "kpi_2026-10.xlsx", "--scheme", "star", "--out", "missing/results.xlsx"]


# (id, scenario, file, sheet, cell, message, hint)
SCORE_ERRORS: list[tuple[str, Callable[[Path], list[str]], str | None, str | None, str | None,
                         str, str]] = [
    ("missing-file", _missing_file, "kpi_2026-10.xlsx", None, None,
     "file not found: kpi_2026-10.xlsx", "Check the path and the file name."),
    # (a KPI workbook without 工号 is read by name and joined to the roster: none given)
    ("no-id-column", _no_id_column, "kpi_2026-10.xlsx", "Sheet1", None,
     "the KPI workbook has no 工号 column: its agents cannot be told apart by name alone",
     "Add a 工号 column (accepted names: 工号, 员工编号, 坐席工号, 员工工号, 客服工号, Agent ID, "
     "AgentID), or give the roster (--roster) so that each name is joined to its 工号."),
    ("no-score-column", _no_score_columns, "kpi_2026-10.xlsx", "Sheet1", "row 1",
     "the KPI workbook has neither a score column (绩效分值) nor every metric column "
     "(missing: 平均响应时长, 客户满意度, 投诉率)",
     "Columns found: 工号, 姓名, 组别, 解决率. Add the missing columns or rename them as the "
     "template says. To score kpi_2026-10.xlsx without 平均响应时长, 客户满意度, 投诉率, set "
     "score.metrics[0].weight (now 20), score.metrics[2].weight (now 35), "
     "score.metrics[3].weight (now 15) to 0 in the template star.yaml and add those 70 points "
     "to the other metrics' weights, so that they still add up to 100."),
    ("duplicate-id", _duplicate, "kpi_2026-10.xlsx", "Sheet1", "row 4",
     "agent 0001 appears twice in the KPI rows of 2026-10 (also at kpi_2026-10.xlsx › Sheet1 › "
     "row 2)", "Keep one row per agent and delete the other."),
    ("score-abc", _bad_score, "kpi_2026-10.xlsx", "Sheet1", "D3",
     "绩效分值: 'abc' is not a number", "Enter a number."),
    ("score-未质检", _unchecked_score, "kpi_2026-10.xlsx", "Sheet1", "D3",
     "绩效分值: '未质检' is not a number", "Enter a number."),
    ("metric-未质检", _bad_metric, "kpi_2026-10.xlsx", "Sheet1", "E3",
     "解决率: '未质检' is not a number", "Enter a number."),
    ("duration-abc", _bad_duration, "kpi_2026-10.xlsx", "Sheet1", "D2",
     "平均响应时长: 'abc' is not a number", "Enter a number."),
    ("roster-unknown-level", _roster_level, "roster.xlsx", "Sheet1", "E3",
     "unknown level '六星'", "Use one of: 试用, 一星, 二星, 三星, 四星, 五星."),
    ("kpi-unknown-level", _kpi_level, "kpi_2026-10.xlsx", "Sheet1", "D2",
     "unknown level '七星级'", "Use one of: 试用, 一星, 二星, 三星, 四星, 五星."),
    ("blank-score", _blank_score, "kpi_2026-10.xlsx", "Sheet1", "D3",
     "绩效分值 is blank", "Fill in the value (0 if it really is zero), or set score.missing: "
     "not_scored in the template."),
    ("no-month", _no_month, "kpi.xlsx", "Sheet1", None,
     "cannot tell which month this file is for",
     "Give --month 2026-10, or put the month in the file name (kpi_2026-10.xlsx) or in a title "
     "cell (2026年10月绩效考核表)."),
    ("out-folder-missing", _out_missing_folder, "missing/results.xlsx", None, None,
     "cannot write the output file (the folder missing does not exist)",
     "Close the file if it is open in Excel/WPS, or choose another --out path in a folder you "
     "can write to."),
]
IDS = [c[0] for c in SCORE_ERRORS]


def _where(file: str | None, sheet: str | None, cell: str | None) -> str:
    return " › ".join(x for x in (file, sheet, cell) if x)


@pytest.mark.language("en")
@pytest.mark.parametrize(("scenario", "file", "sheet", "cell", "message", "hint"),
                         [c[1:] for c in SCORE_ERRORS], ids=IDS)
def test_score_error_fresh_run_writes_nothing(tmp_path: Path, cli, scenario, file, sheet, cell,
                                              message, hint) -> None:
    args = scenario(tmp_path)
    before = files_in(tmp_path)
    code, out, err = cli(*args)
    assert code == 1, err
    assert out == ""
    assert "Error: 1 problem(s); nothing was written." in err
    if file is not None:
        _assert_problem_line(err, _where(file, sheet, cell), message, hint)
    else:
        _assert_problem_line(err, "✗ ", message, hint)
    assert files_in(tmp_path) == before  # no database, no results workbook, no temp file
    assert not (tmp_path / DB).exists()


@pytest.mark.parametrize(("scenario", "file", "sheet", "cell", "message", "hint"),
                         [c[1:] for c in SCORE_ERRORS], ids=IDS)
def test_score_error_json(tmp_path: Path, cli, scenario, file, sheet, cell, message,
                          hint) -> None:
    args = scenario(tmp_path)
    code, out, err = cli(*args, "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem == {
        "severity": "error", "message": message, "hint": hint, "file": file, "sheet": sheet,
        "cell": cell, "text": problem["text"],
    }
    text = problem["text"]
    where = _where(file, sheet, cell)
    assert text.startswith(f"{where}: {message}" if where else message), text
    assert text.endswith(hint)
    assert not (tmp_path / DB).exists()


@pytest.fixture
def existing_db(tmp_path: Path, cli) -> Path:
    """A history with one scored month (2026-09) and its results workbook."""
    kpi(tmp_path / "kpi_2026-09.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    code, _, err = cli("score", "kpi_2026-09.xlsx", "--scheme", "star")
    assert code == 0, err
    assert (tmp_path / DB).exists() and (tmp_path / "results-2026-09.xlsx").exists()
    return tmp_path / DB


@pytest.mark.parametrize(("scenario", "file", "sheet", "cell", "message", "hint"),
                         [c[1:] for c in SCORE_ERRORS], ids=IDS)
def test_score_error_leaves_existing_database_unchanged(tmp_path: Path, cli, existing_db,
                                                       scenario, file, sheet, cell, message,
                                                       hint) -> None:
    args = scenario(tmp_path)
    before_db = db_snapshot(existing_db)
    before_files = files_in(tmp_path)
    old_results = (tmp_path / "results-2026-09.xlsx").read_bytes()
    code, _, err = cli(*args)
    assert code == 1, err
    assert message in err
    assert db_snapshot(existing_db) == before_db
    assert files_in(tmp_path) == before_files
    assert (tmp_path / "results-2026-09.xlsx").read_bytes() == old_results


# --- several problems at once ------------------------------------------------------------
@pytest.mark.language("en")
def test_every_bad_cell_is_named(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "abc"],
                                        ["0003", "丙", "二组", "未质检"], ["0004", "丁", "二组", "-"]])
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--json")
    assert code == 1
    doc = error_doc(out)
    got = [(p["cell"], p["message"]) for p in doc["problems"]]
    assert got == [("D3", "绩效分值: 'abc' is not a number"),
                   ("D4", "绩效分值: '未质检' is not a number"),
                   ("D5", "绩效分值: '-' is not a number")]
    assert "Error: 3 problem(s); nothing was written." in err
    for cell in ("D3", "D4", "D5"):
        assert f"kpi_2026-10.xlsx › Sheet1 › {cell}: 绩效分值: " in err
    assert not (tmp_path / DB).exists()


def test_duplicate_across_two_files_of_one_month(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10_a.xlsx", [["0001", "甲", "一组", 112]])
    kpi(tmp_path / "kpi_2026-10_b.xlsx", [["0002", "乙", "二组", 100], ["0001", "甲", "二组", 90]])
    code, out, _ = cli("score", "kpi_2026-10_a.xlsx", "kpi_2026-10_b.xlsx", "--scheme", "star",
                       "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert (problem["file"], problem["sheet"], problem["cell"]) == (
        "kpi_2026-10_b.xlsx", "Sheet1", "row 3")
    assert problem["message"] == ("agent 0001 appears twice in the KPI rows of 2026-10 "
                                  "(also at kpi_2026-10_a.xlsx › Sheet1 › row 2)")
    assert not (tmp_path / DB).exists()


def test_mixed_fractions_and_percentages_named_without_false_blanks(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 16: one column mixing 0.95 and 95 → E naming the cells. The cells are not
    blank, so no problem may call them blank."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 20, 0.95, 0.9, 0.005],
                                        ["0002", "乙", "一组", 25, 95, 0.9, 0.005]],
        header=METRICS)
    code, out, _ = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--json")
    assert code == 1
    problems = error_doc(out)["problems"]
    assert [p["message"] for p in problems] == [
        "解决率 mixes fractions and percentages (E2, E3)"], problems
    assert problems[0]["hint"] == "Write every value the same way, e.g. all as 95% or all as 0.95."


def test_formula_without_cached_value_is_refused_not_blank(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 20: a formula cell without a cached value (saved by a script) → E "open and
    save it in Excel/WPS", naming the cell; it is not a blank cell."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "=100+12"]])
    code, out, _ = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert (problem["file"], problem["sheet"], problem["cell"]) == (
        "kpi_2026-10.xlsx", "Sheet1", "D3")
    assert "is blank" not in problem["message"]
    assert "open and save it in Excel" in problem["message"] + " " + problem["hint"]
    assert not (tmp_path / DB).exists()


def test_scheme_mismatch_rolls_back(tmp_path: Path, cli, existing_db) -> None:
    """An error found inside the database transaction still changes nothing."""
    from cslevel.templates import shipped_templates_dir

    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    (tmp_path / "other.yaml").write_text(text.replace("scheme: star ", "scheme: star2 ", 1),
                                         encoding="utf-8")
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    before = db_snapshot(existing_db)
    before_files = files_in(tmp_path)
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "other.yaml", "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem["message"] == "this history database grades with the star scheme, not star2"
    assert problem["hint"] == "Use --db to keep another scheme's history in its own database."
    assert db_snapshot(existing_db) == before
    assert files_in(tmp_path) == before_files


def test_failed_output_of_one_month_writes_no_workbook_at_all(tmp_path: Path, cli) -> None:
    """Every run is all or nothing: when the second month's workbook cannot be written, the
    first month's workbook must not be left behind either."""
    for month, score in (("01", 112), ("02", 115)):
        kpi(tmp_path / f"kpi_2026-{month}.xlsx", [["0001", "甲", "一组", score]])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "results-2026-02.xlsx").mkdir()  # cannot be replaced by a file
    code, _, err = cli("score", "kpi_2026-01.xlsx", "kpi_2026-02.xlsx", "--scheme", "star",
                       "--out", "out")
    assert code == 1
    assert "out/results-2026-02.xlsx: cannot write the output file (it is a folder)" in err
    assert not (tmp_path / DB).exists()
    assert sorted(p.name for p in out_dir.iterdir()) == ["results-2026-02.xlsx"]


def test_failed_output_keeps_the_old_workbook(tmp_path: Path, cli, existing_db) -> None:
    for month, score in (("10", 112), ("11", 115)):
        kpi(tmp_path / f"kpi_2026-{month}.xlsx", [["0001", "甲", "一组", score]])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "results-2026-10.xlsx").write_bytes(b"old workbook")
    (out_dir / "results-2026-11.xlsx").mkdir()
    before = db_snapshot(existing_db)
    code, _, _ = cli("score", "kpi_2026-10.xlsx", "kpi_2026-11.xlsx", "--out", "out")
    assert code == 1
    assert db_snapshot(existing_db) == before
    assert (out_dir / "results-2026-10.xlsx").read_bytes() == b"old workbook"


# --- usage errors: exit code 2 -------------------------------------------------------------
@pytest.mark.language("en")
@pytest.mark.parametrize("value", ["2026-13", "abc", "10-2026"])
def test_bad_month_is_a_usage_error(tmp_path: Path, cli, value: str) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--month", value)
    assert code == 2
    assert out == ""
    assert f"not a month: '{value}' (expected YYYY-MM, e.g. 2026-10)" in err
    assert files_in(tmp_path) == {"kpi_2026-10.xlsx"}


def test_unknown_option_is_a_usage_error(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--bogus")
    assert code == 2
    assert "No such option: --bogus" in err
    assert files_in(tmp_path) == {"kpi_2026-10.xlsx"}


@pytest.mark.parametrize("args", [["promote", "--as-of", "2026-13"],
                                  ["payroll", "export", "--month", "2026/13"],
                                  ["promote", "--months", "0"]])
def test_other_usage_errors(tmp_path: Path, cli, existing_db, args: list[str]) -> None:
    before = db_snapshot(existing_db)
    code, _, err = cli(*args)
    assert code == 2, err
    assert db_snapshot(existing_db) == before


# --- history / promote / payroll -------------------------------------------------------------
@pytest.mark.parametrize("args", [["history", "0001"], ["promote"], ["payroll", "export"]])
def test_commands_without_a_database(tmp_path: Path, cli, args: list[str]) -> None:
    code, out, err = cli(*args, "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem["message"] == f"no history database at {tmp_path / DB}"
    assert problem["hint"] == ("Run `cslevel score` first, or point --db / CSLEVEL_DB at the "
                               "database.")
    assert f"no history database at {tmp_path / DB}" in err
    assert files_in(tmp_path) == set()


def test_history_unknown_agent(tmp_path: Path, cli, existing_db) -> None:
    before = db_snapshot(existing_db)
    code, out, err = cli("history", "7", "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem["message"] == "no agent '7' in the history"
    assert problem["hint"] == ("Check the id (ids are text: 0007 is not 7). Known ids include: "
                               "0001, 0002")
    assert "no agent '7' in the history" in err
    assert db_snapshot(existing_db) == before


def test_promote_as_of_outside_history(tmp_path: Path, cli, existing_db) -> None:
    before = db_snapshot(existing_db)
    before_files = files_in(tmp_path)
    code, out, _ = cli("promote", "--as-of", "2026-12", "--out", "moves.xlsx", "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem["message"] == "--as-of 2026-12 is outside the scored months (2026-09 to 2026-09)"
    assert problem["hint"] == "Score that month first, or give a month in that range."
    assert db_snapshot(existing_db) == before
    assert files_in(tmp_path) == before_files


def test_promote_out_missing_folder(tmp_path: Path, cli, existing_db) -> None:
    before = db_snapshot(existing_db)
    code, out, _ = cli("promote", "--out", "missing/moves.xlsx", "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem["file"] == "missing/moves.xlsx"
    assert problem["message"] == "cannot write the output file (the folder missing does not exist)"
    assert db_snapshot(existing_db) == before


def test_payroll_month_not_scored_yet(tmp_path: Path, cli, existing_db) -> None:
    before = db_snapshot(existing_db)
    code, out, _ = cli("payroll", "export", "--month", "2026-11", "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem["message"] == ("no scores for 2026-10: the level in force in 2026-11 is not "
                                  "known yet")
    assert problem["hint"] == "Score 2026-10 first (the latest scored month is 2026-09)."
    assert db_snapshot(existing_db) == before
    assert not (tmp_path / "payroll-2026-11.xlsx").exists()


def test_payroll_bad_suffix(tmp_path: Path, cli, existing_db) -> None:
    before = db_snapshot(existing_db)
    code, out, _ = cli("payroll", "export", "--month", "2026-10", "--out", "payroll.txt",
                       "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert problem["message"] == "cannot write payroll as .txt"
    assert problem["hint"] == "Use --out payroll.xlsx or --out payroll.csv."
    assert db_snapshot(existing_db) == before
    assert not (tmp_path / "payroll.txt").exists()


@pytest.mark.language("en")
def test_unknown_scheme(tmp_path: Path, cli) -> None:
    _unknown_scheme(tmp_path)
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "nosuch", "--json")
    assert code == 1
    problem = _problem(error_doc(out))
    assert (problem["message"], problem["file"]) == ("unknown scheme 'nosuch'", None)
    assert problem["hint"].startswith("Use one of: ")
    assert "star" in problem["hint"]
    assert problem["hint"].endswith("or give the path of a template file (.yaml).")
    assert "✗ unknown scheme 'nosuch' — Use one of: " in err
    assert files_in(tmp_path) == {"kpi_2026-10.xlsx"}


@pytest.mark.language("en")
def test_unknown_scheme_leaves_existing_database_unchanged(tmp_path: Path, cli,
                                                          existing_db) -> None:
    _unknown_scheme(tmp_path)
    before = db_snapshot(existing_db)
    before_files = files_in(tmp_path)
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "nosuch")
    assert code == 1
    assert "unknown scheme 'nosuch'" in err
    assert db_snapshot(existing_db) == before
    assert files_in(tmp_path) == before_files


def test_error_json_is_the_only_stdout(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", "abc"]])
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--json")
    assert code == 1
    doc = json.loads(out)  # the whole of stdout is one JSON document
    assert set(doc) == {"ok", "problems"}
    assert doc["ok"] is False
    assert "kpi_2026-10.xlsx › Sheet1 › D2: 绩效分值: 'abc' is not a number" in err
