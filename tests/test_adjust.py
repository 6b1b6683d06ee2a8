"""Adjustments (调整, issue 18 part 1): a score or a level set by hand, with a reason, kept
apart from the imported scores. A placement (`adjust level` to 四星) and the streaks after it,
an upheld appeal that completes a streak, an overturned decision, `undo` giving the same bytes
as never having adjusted, a locked month refused with exit code 3 — on SQLite and PostgreSQL
(`db_url`); the checks of every input, in English and in Chinese."""

from __future__ import annotations

import getpass
import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import write_xlsx
from cs_helpers import kpi
from pg_helpers import rows, tables

from cslevel import checkpoints
from cslevel.store import open_history

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
KEYS = ["id", "agent_id", "month", "kind", "value", "was", "reason", "by", "at"]
USER = getpass.getuser()


def _months(tmp: Path, scores: dict[str, list[float]], first: int = 1) -> list[str]:
    """One KPI workbook a month (2026-01 on) for the agents' scores, all in 一组; their names."""
    names = []
    for i in range(max(len(v) for v in scores.values())):
        month = f"2026-{first + i:02d}"
        kpi(tmp / f"kpi_{month}.xlsx", [[agent, f"员工{agent}", "一组", values[i]]
                                        for agent, values in scores.items() if i < len(values)])
        names.append(f"kpi_{month}.xlsx")
    return names


def _ok(cli, *args: str) -> dict[str, Any]:
    code, out, err = cli(*args, "--json")
    assert code == 0, out + err
    return json.loads(out)  # type: ignore[no-any-return]


def _scored(tmp: Path, cli, db: str, scores: dict[str, list[float]], out: str = "out/") -> None:
    files = _months(tmp, scores)
    _ok(cli, "score", *files, "--scheme", "star", "--db", db, "--out", out)


def _path(doc: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    """(month, level in force, up streak, down streak) of each month of `history --json`."""
    return [(m["month"], m["level"], m["up_streak"], m["down_streak"]) for m in doc["months"]]


def _unstamped(state: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {name: [tuple("<time>" if isinstance(v, str) and STAMP.search(v) else v
                         for v in row) for row in table] for name, table in state.items()}


# --- a placement and the streaks after it ---------------------------------------------------
@pytest.mark.language("en")
def test_a_placement_to_four_stars_and_the_streaks_after_it(tmp_path: Path, cli,
                                                            db_url: str) -> None:
    _scored(tmp_path, cli, db_url, {"0001": [100, 112, 115, 120, 118, 100, 100, 100],
                                    "0002": [100] * 8})
    before = _ok(cli, "history", "0001", "--db", db_url)
    assert _path(before) == [
        ("2026-01", "一星", 0, 1), ("2026-02", "一星", 1, 0), ("2026-03", "一星", 2, 0),
        ("2026-04", "一星", 3, 0), ("2026-05", "二星", 1, 0), ("2026-06", "二星", 0, 1),
        ("2026-07", "二星", 0, 2), ("2026-08", "二星", 0, 3)]
    assert before["next_level"] == "一星"
    assert "adjustments" not in before and "imported_score" not in before["months"][0]

    doc = _ok(cli, "adjust", "level", "0001", "--from", "2026-03", "--to", "四星", "--reason",
              "特别优秀 placed by the director", "--db", db_url)
    assert list(doc) == KEYS
    assert doc == {"id": 1, "agent_id": "0001", "month": "2026-03", "kind": "level",
                   "value": "四星", "was": "一星", "reason": "特别优秀 placed by the director",
                   "by": USER, "at": doc["at"]}
    assert STAMP.fullmatch(doc["at"])

    after = _ok(cli, "history", "0001", "--db", db_url)
    # 03 is at 四星 and its streak starts there (115 counts); 03-05 earn 五星 from 06; the
    # streaks start again after that move; 06-08 below 110 bring 0001 back to 四星 from 09
    assert _path(after) == [
        ("2026-01", "一星", 0, 1), ("2026-02", "一星", 1, 0), ("2026-03", "四星", 1, 0),
        ("2026-04", "四星", 2, 0), ("2026-05", "四星", 3, 0), ("2026-06", "五星", 0, 1),
        ("2026-07", "五星", 0, 2), ("2026-08", "五星", 0, 3)]
    months = {m["month"]: m for m in after["months"]}
    assert months["2026-03"]["reason"] == (
        "level set to 四星 by adjustment #1: 特别优秀 placed by the director")
    assert (months["2026-05"]["decision"], months["2026-05"]["to"],
            months["2026-05"]["effective"]) == ("promote", "五星", "2026-06")
    assert months["2026-05"]["reason"] == (
        "3 months in a row at or above 110% (2026-03 115, 2026-04 120, 2026-05 118): "
        "promoted to 五星 from 2026-06")
    assert (months["2026-08"]["decision"], months["2026-08"]["to"]) == ("demote", "四星")
    assert after["next_level"] == "四星"
    assert after["adjustments"] == [{**doc, "undone_at": None, "undone_by": None,
                                     "undo_reason": None}]
    assert "imported_score" not in months["2026-03"]  # (no score adjusted)
    # the other agent is untouched, the imported scores too
    assert _path(_ok(cli, "history", "0002", "--db", db_url)) == [
        (f"2026-{m:02d}", "一星", 0, m) for m in range(1, 9)]
    assert rows(db_url, "select score from scores where agent_id = '0001' and "
                        "month = '2026-03'") == [("115.00",)]
    assert rows(db_url, 'select id, agent_id, month, kind, value, was, reason, "user", '
                        "undone_at, undone_user, undo_reason from adjustments") == [
        (1, "0001", "2026-03", "level", "四星", "一星", "特别优秀 placed by the director", USER,
         None, None, None)]

    # every command sees it: promote, the payroll, the results workbook
    promoted = _ok(cli, "promote", "--as-of", "2026-05", "--dry-run", "--db", db_url)
    assert [(m["agent_id"], m["from"], m["to"]) for m in promoted["moves"]] == [
        ("0001", "四星", "五星")]
    pay = _ok(cli, "payroll", "export", "--month", "2026-03", "--out", "pay-03.xlsx",
              "--db", db_url)
    assert {r["agent_id"]: r["level"] for r in pay["rows"]} == {"0001": "四星", "0002": "一星"}
    assert {r["agent_id"]: r["change"] for r in pay["rows"]}["0001"].startswith(
        "level 一星→四星 (adjustment #1)")
    _ok(cli, "score", "kpi_2026-03.xlsx", "--db", db_url, "--out", "again.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "again.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "0001")
    cell = row[header.index("Decision")]
    assert (row[header.index("Level this month")].value, cell.value) == (
        "四星", "Adjustment #1 → 四星")
    assert cell.comment is not None and cell.comment.text == (
        "level set to 四星 by adjustment #1: 特别优秀 placed by the director")


@pytest.mark.language("en")
def test_a_placement_replaces_the_move_decided_the_month_before(tmp_path: Path, cli) -> None:
    """An overturned decision: 0001's promotion at the close of 03 is replaced by the level
    set from 04; the sign-off list and the recorded decisions no longer hold it."""
    _scored(tmp_path, cli, "h.db", {"0001": [112, 115, 120, 100]})
    assert [m["to"] for m in _ok(cli, "promote", "--as-of", "2026-03", "--db", "h.db")[
        "moves"]] == ["二星"]
    doc = _ok(cli, "adjust", "level", "0001", "--from", "2026-04", "--to", "一星", "--reason",
              "promotion overturned on review", "--db", "h.db")
    assert (doc["was"], doc["value"]) == ("二星", "一星")
    months = {m["month"]: m for m in _ok(cli, "history", "0001", "--db", "h.db")["months"]}
    assert months["2026-03"]["decision"] is None
    assert months["2026-03"]["reason"] == (
        "the move to 二星 decided here is replaced by adjustment #1: 一星 from 2026-04")
    assert (months["2026-04"]["level"], months["2026-04"]["up_streak"],
            months["2026-04"]["down_streak"]) == ("一星", 0, 1)
    # the decision already confirmed is recorded again without it
    assert rows("h.db", "select count(*) from decisions") == [(0,)]
    assert _ok(cli, "promote", "--as-of", "2026-03", "--db", "h.db")["moves"] == []


@pytest.mark.language("en")
def test_a_placement_during_the_trial_ends_it(tmp_path: Path, cli) -> None:
    """Hired in 01 (trial 01-03): placed at 二星 from 02, the trial ends with 01 (its move to
    the entry level replaced), and 02 is the first month counted."""
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "入职日期"],
                                          ["0001", "新人", "一组", date(2026, 1, 10)]])
    files = _months(tmp_path, {"0001": [120, 120, 120, 120, 120]})
    _ok(cli, "score", *files, "--roster", "roster.xlsx", "--scheme", "star", "--out", "out/")
    before = _ok(cli, "history", "0001")
    assert [(m["month"], m["level"], m["counted"]) for m in before["months"]] == [
        ("2026-01", "试用", False), ("2026-02", "试用", False), ("2026-03", "试用", False),
        ("2026-04", "一星", True), ("2026-05", "一星", True)]
    doc = _ok(cli, "adjust", "level", "0001", "--from", "2026-02", "--to", "二星", "--reason",
              "experienced hire")
    assert doc["was"] == "试用"
    after = _ok(cli, "history", "0001")
    assert [(m["month"], m["level"], m["counted"], m["up_streak"], m["decision"])
            for m in after["months"]] == [
        ("2026-01", "试用", False, 0, None), ("2026-02", "二星", True, 1, None),
        ("2026-03", "二星", True, 2, None), ("2026-04", "二星", True, 3, "promote"),
        ("2026-05", "三星", True, 1, None)]
    assert after["months"][0]["reason"] == (
        "the move to 一星 decided here is replaced by adjustment #1: 二星 from 2026-02; "
        "trial month, not counted")
    assert after["next_level"] == "三星"


# --- an upheld appeal that completes a streak -----------------------------------------------
@pytest.mark.language("en")
def test_an_upheld_appeal_completes_a_streak(tmp_path: Path, cli, db_url: str) -> None:
    _scored(tmp_path, cli, db_url, {"0001": [112, 110, 109, 111], "0002": [120, 120, 120, 120]})
    months = {m["month"]: m for m in _ok(cli, "history", "0001", "--db", db_url)["months"]}
    assert (months["2026-03"]["up_streak"], months["2026-03"]["decision"]) == (0, None)
    assert months["2026-04"]["level"] == "一星"

    code, out, err = cli("adjust", "score", "0001", "--month", "2026-03", "--to", "110",
                         "--reason", "appeal upheld: 2 calls wrongly counted", "--by",
                         "王主管", "--db", db_url)
    assert code == 0, err
    lines = out.splitlines()
    assert re.fullmatch(r"Adjustment #1: score of 0001 in 2026-03: 109\.00 → 110\.00 \(王主管, "
                        + STAMP.pattern + r"\): appeal upheld: 2 calls wrongly counted",
                        lines[0]), lines[0]
    assert lines[1:] == ["Level in force of 0001:", "  2026-04: 一星 → 二星",
                         "  2026-05: 一星 → 二星"]

    doc = _ok(cli, "history", "0001", "--db", db_url)
    months = {m["month"]: m for m in doc["months"]}
    # 01-03 at or above 110 now: promoted at the close of 03, 二星 from 04
    assert [(m["score"], m["imported_score"], m["up_streak"]) for m in doc["months"]] == [
        (112, 112, 1), (110, 110, 2), (110, 109, 3), (111, 111, 1)]
    assert (months["2026-03"]["decision"], months["2026-03"]["to"]) == ("promote", "二星")
    assert months["2026-03"]["reason"] == (
        "3 months in a row at or above 110% (2026-01 112, 2026-02 110, 2026-03 110): "
        "promoted to 二星 from 2026-04; 2026-03 score 109.00 → 110.00 by adjustment #1")
    assert months["2026-04"]["level"] == "二星"
    assert doc["adjustments"][0]["by"] == "王主管"
    # the import is never edited
    assert rows(db_url, "select score from scores where agent_id = '0001' and "
                        "month = '2026-03'") == [("109.00",)]
    moves = _ok(cli, "promote", "--as-of", "2026-03", "--db", db_url)["moves"]
    assert [(m["agent_id"], m["to"]) for m in moves] == [("0001", "二星"), ("0002", "二星")]
    assert moves[0]["reason"].endswith("; 2026-03 score 109.00 → 110.00 by adjustment #1")
    listed = _ok(cli, "adjust", "list", "--db", db_url)
    assert list(listed) == ["adjustments"]
    assert [list(a) for a in listed["adjustments"]] == [KEYS]
    assert [(a["id"], a["kind"], a["value"], a["was"]) for a in listed["adjustments"]] == [
        (1, "score", "110.00", "109.00")]


# --- undo gives what never adjusting gave -------------------------------------------------
def _outputs(cli, db: str, out: str) -> dict[str, bytes]:
    """The results of every month, the sign-off list and the payroll (.xlsx and .csv)."""
    _ok(cli, "score", *sorted(p.name for p in Path().glob("kpi_*.xlsx")), "--db", db,
        "--out", f"{out}/")
    _ok(cli, "promote", "--db", db, "--out", f"{out}/moves.xlsx")
    for suffix in ("xlsx", "csv"):
        _ok(cli, "payroll", "export", "--db", db, "--out", f"{out}/payroll.{suffix}")
    return {p.name: p.read_bytes() for p in sorted(Path(out).iterdir())}


def _decisions(db: str) -> list[tuple[Any, ...]]:
    return sorted(rows(db, "select agent_id, decided_month, effective_month, from_level, "
                           "to_level, kind, rule, reason, trigger_months from decisions"))


def test_undo_gives_the_same_bytes_as_never_adjusting(tmp_path: Path, cli,
                                                      db_url: str) -> None:
    scores = {"0001": [112, 110, 109, 111, 115, 120], "0002": [100, 100, 112, 113, 114, 90]}
    never = str(tmp_path / "never.db")
    _scored(tmp_path, cli, never, scores, "first/")
    _ok(cli, "promote", "--db", never)
    expected = _outputs(cli, never, "never")
    assert len(expected) == 9

    _scored(tmp_path, cli, db_url, scores, "first/")
    _ok(cli, "promote", "--db", db_url)
    score = _ok(cli, "adjust", "score", "0001", "--month", "2026-03", "--to", "110",
                "--reason", "申诉成立", "--db", db_url)
    level = _ok(cli, "adjust", "level", "0002", "--from", "2026-02", "--to", "四星",
                "--reason", "特别优秀", "--db", db_url)
    adjusted = _outputs(cli, db_url, "adjusted")
    assert adjusted["results-2026-06.xlsx"] != expected["results-2026-06.xlsx"]
    assert adjusted["payroll.csv"] != expected["payroll.csv"]

    undone = _ok(cli, "adjust", "undo", str(level["id"]), "--reason", "录入错误", "--db",
                 db_url)
    assert undone == level
    undone = _ok(cli, "adjust", "undo", str(score["id"]), "--reason", "申诉撤回", "--db",
                 db_url)
    assert undone == score
    assert _ok(cli, "adjust", "list", "--db", db_url) == {"adjustments": []}
    assert _outputs(cli, db_url, "undone") == expected
    # the history as well: the decisions, and the checkpoints kept with them (settings)
    assert _decisions(db_url) == _decisions(never)
    kept = ("scores", "agents", "months", "settings")
    assert ({t: v for t, v in _unstamped(tables(db_url)).items() if t in kept}
            == {t: v for t, v in _unstamped(tables(never)).items() if t in kept})
    # the rows stay, undone, with who undid them and why
    assert rows(db_url, 'select id, undone_user, undo_reason from adjustments order by id') == [
        (1, USER, "申诉撤回"), (2, USER, "录入错误")]
    trail = _ok(cli, "history", "0002", "--db", db_url)["adjustments"]
    assert [(a["id"], a["undo_reason"]) for a in trail] == [(2, "录入错误")]
    assert STAMP.fullmatch(trail[0]["undone_at"])


# --- locked months -----------------------------------------------------------------------
@pytest.mark.language("en")
def test_a_locked_month_is_refused_with_exit_code_3(tmp_path: Path, cli, db_url: str) -> None:
    _scored(tmp_path, cli, db_url, {"0001": [112, 110, 109, 111]})
    _ok(cli, "payroll", "export", "--month", "2026-03", "--out", "p.xlsx", "--db", db_url)
    _ok(cli, "lock", "2026-02", "--db", db_url)
    before = tables(db_url)
    locked = (r"\(locked after payroll on \d{4}-\d\d-\d\d by " + re.escape(USER) + r"\)")
    for args, what in [
        (("score", "0001", "--month", "2026-02", "--to", "111"), "2026-02 is locked "),
        (("score", "0001", "--month", "2026-01", "--to", "111"),
         "2026-01 cannot be adjusted: 2026-02 is locked and would change "),
        (("level", "0001", "--from", "2026-02", "--to", "三星"), "2026-02 is locked "),
        # a level from 03 replaces the decision at the close of 02, which 03's payroll paid
        (("level", "0001", "--from", "2026-03", "--to", "三星"),
         "2026-03 cannot be adjusted: 2026-02 is locked and would change "),
    ]:
        code, out, err = cli("adjust", *args, "--reason", "late appeal", "--db", db_url)
        assert code == 3, (args, out, err)
        assert re.search(re.escape(what) + locked, err), err
        assert 'cslevel reopen 2026-02 --reason "…"' in err
        assert "nothing was written" in err
        assert tables(db_url) == before
    code, out, _err = cli("adjust", "score", "0001", "--month", "2026-01", "--to", "111",
                          "--reason", "late appeal", "--db", db_url, "--json")
    assert code == 3 and json.loads(out)["ok"] is False

    # a later month may still be adjusted; once its month is locked, the undo is refused too
    doc = _ok(cli, "adjust", "score", "0001", "--month", "2026-03", "--to", "110", "--reason",
              "appeal upheld", "--db", db_url)
    _ok(cli, "lock", "2026-03", "--db", db_url)
    before = tables(db_url)
    code, _out, err = cli("adjust", "undo", str(doc["id"]), "--reason", "x", "--db", db_url)
    assert code == 3
    assert re.search(r"adjustment #1 cannot be undone: 2026-03 is locked and would change "
                     + locked, err), err
    assert tables(db_url) == before
    _ok(cli, "reopen", "2026-03", "--reason", "appeal withdrawn", "--db", db_url)
    assert _ok(cli, "adjust", "undo", "1", "--reason", "appeal withdrawn", "--db", db_url)[
        "id"] == 1


# --- the checks --------------------------------------------------------------------------
@pytest.fixture
def scored(tmp_path: Path, cli) -> Path:
    _scored(tmp_path, cli, str(tmp_path / "history.db"), {"0001": [112, 110, 109, 111],
                                                          "0002": [100, 100]})
    return tmp_path / "history.db"


def _refused(cli, db: Path, *args: str) -> list[str]:
    """The problems of a refused adjustment (exit code 1), which changed nothing."""
    before = tables(str(db))
    code, out, err = cli("adjust", *args, "--json")
    assert code == 1, out + err
    assert tables(str(db)) == before
    return [p["text"] for p in json.loads(out)["problems"]]


@pytest.mark.language("en")
def test_every_input_is_checked(scored: Path, cli, cli_json) -> None:
    assert _refused(cli, scored, "score", "9999", "--month", "2026-03", "--to", "110",
                    "--reason", "x") == [
        ("no agent '9999' in the history — Check the id (ids are text: 0007 is not 7). Known "
         "ids include: 0001, 0002")]
    assert _refused(cli, scored, "score", "0002", "--month", "2026-03", "--to", "110",
                    "--reason", "x") == [
        ("0002 has no score in 2026-03: nothing to adjust — Adjust a month the agent was "
         "scored in: 2026-01, 2026-02.")]
    assert _refused(cli, scored, "score", "0001", "--month", "2026-03", "--to", "300.5",
                    "--reason", "x") == [
        ("score 300.5 is out of range: allowed 0 to 300 — Give a score within the template's "
         "score.bounds.")]
    assert _refused(cli, scored, "score", "0001", "--month", "2026-03", "--to", "110%",
                    "--reason", " ", "--by", "") == [
        'a reason is needed for an adjustment — Say why, e.g. --reason "appeal upheld"',
        (f"--by is empty — Give the name of who decided, or leave --by out to record the user "
         f"logged in ({USER})."),
        "'110%' is not a score — Give the score as a number, e.g. --to 110"]
    assert _refused(cli, scored, "score", "0001", "--month", "2026-03", "--to", "110.005",
                    "--reason", "x") == [
        ("score 110.005 has more decimals than the template's scores (2) — Give the score as "
         "the results show it, e.g. --to 110.01")]
    assert _refused(cli, scored, "score", "0001", "--month", "2026-03", "--to", "109",
                    "--reason", "x") == [
        ("the score of 0001 in 2026-03 is 109.00 already: nothing to adjust — See the agent's "
         "months with: cslevel history 0001")]
    assert _refused(cli, scored, "level", "0001", "--from", "2026-03", "--to", "六星",
                    "--reason", "x") == [
        "'六星' is not a level on the ladder of star — Give one of: 一星, 二星, 三星, 四星, 五星"]
    assert _refused(cli, scored, "level", "0001", "--from", "2026-03", "--to", "试用",
                    "--reason", "x") == [
        "'试用' is not a level on the ladder of star — Give one of: 一星, 二星, 三星, 四星, 五星"]
    assert _refused(cli, scored, "level", "0001", "--from", "2025-12", "--to", "三星",
                    "--reason", "x") == [
        ("0001 is in the history from 2026-01: no level can be set for 2025-12 — Give a month "
         "from 2026-01 to 2026-05.")]
    assert _refused(cli, scored, "level", "0001", "--from", "2026-06", "--to", "三星",
                    "--reason", "x") == [
        ("no scores for 2026-05: no level can be set from 2026-06 yet — Give a month from "
         "2026-01 to 2026-05.")]
    assert _refused(cli, scored, "undo", "1", "--reason", "x") == [
        "no adjustment #1 — See the adjustments in force with: cslevel adjust list"]
    code, _out, err = cli("adjust", "score", "0001", "--month", "2026-13", "--to", "110",
                          "--reason", "x")
    assert code == 2 and "not a month" in err
    code, _out, err = cli("adjust", "score", "0001", "--month", "2026-03", "--to", "110")
    assert code == 2 and "--reason" in err

    # the month after the latest scored one is allowed (the level paid next)
    doc = cli_json("adjust", "level", "0001", "--from", "2026-05", "--to", "三星",
                   "--reason", "from next month")
    assert (doc["month"], doc["was"], doc["value"]) == ("2026-05", "一星", "三星")
    assert cli_json("history", "0001")["next_level"] == "三星"
    cli_json("adjust", "undo", "1", "--reason", "not yet")
    day = cli_json("history", "0001")["adjustments"][0]["undone_at"][:10]
    assert _refused(cli, scored, "undo", "1", "--reason", "again") == [
        f"adjustment #1 was undone already ({day}, {USER}): not yet — Nothing to undo."]
    assert cli_json("history", "0001")["next_level"] == "一星"


@pytest.mark.language("en")
def test_list_in_force_by_agent(scored: Path, cli, cli_json) -> None:
    assert cli_json("adjust", "list") == {"adjustments": []}
    code, out, _err = cli("adjust", "list")
    assert code == 0 and out == "No adjustments in force.\n"
    first = cli_json("adjust", "score", "0001", "--month", "2026-01", "--to", "100",
                     "--reason", "recount")
    second = cli_json("adjust", "level", "0002", "--from", "2026-02", "--to", "二星",
                      "--reason", "placement")
    third = cli_json("adjust", "score", "0001", "--month", "2026-01", "--to", "105",
                     "--reason", "second recount")
    assert third["was"] == "100.00"  # the score in use before it
    assert cli_json("adjust", "list") == {"adjustments": [first, second, third]}
    assert cli_json("adjust", "list", "--agent", "0001") == {"adjustments": [first, third]}
    cli_json("adjust", "undo", str(first["id"]), "--reason", "superseded")
    assert cli_json("adjust", "list", "--agent", "0001") == {"adjustments": [third]}
    assert cli_json("history", "0001")["months"][0]["score"] == 105
    code, out, _err = cli("adjust", "list", "--agent", "9999", "--json")
    assert code == 1 and "no agent '9999' in the history" in out
    code, out, _err = cli("adjust", "list")
    assert "second recount" in out and "superseded" not in out


def test_chinese_messages(scored: Path, cli, cli_json) -> None:
    code, out, err = cli("adjust", "level", "0001", "--from", "2026-02", "--to", "四星",
                         "--reason", "特别优秀")
    assert code == 0, err
    assert out.startswith("调整 #1：0001 自 2026-02 起的级别：一星 → 四星（")
    assert "0001 的适用级别变化：\n  2026-02: 一星 → 四星\n" in out
    months = cli_json("history", "0001")["months"]
    assert months[1]["reason"] == "级别由调整 #1 设为四星：特别优秀"
    code, out, _err = cli("history", "0001")
    assert "调整记录" in out and "特别优秀" in out
    code, _out, err = cli("adjust", "score", "0001", "--month", "2026-03", "--to", "abc",
                          "--reason", "")
    assert code == 1
    assert "调整需要填写原因" in err and "'abc' 不是分数" in err
    cli_json("payroll", "export", "--month", "2026-03", "--out", "p.xlsx")
    cli_json("lock", "2026-02")
    code, _out, err = cli("adjust", "score", "0001", "--month", "2026-01", "--to", "120",
                          "--reason", "申诉成立")
    assert code == 3
    assert "无法调整 2026-01：2026-02 已锁定，调整会改变它" in err
    code, _out, err = cli("adjust", "undo", "1", "--reason", "录入错误")
    assert code == 3 and "无法撤销调整 #1：2026-02 已锁定" in err


# --- checkpoints and `cslevel run` ------------------------------------------------------
def _workspace(tmp_path: Path, cli, name: str) -> Path:
    code, _out, err = cli("init", name)
    assert code == 0, err
    ws = tmp_path / name
    for month in range(1, 7):
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_2026-{month:02d}.xlsx", ws / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", ws / "input")
    return ws


def test_checkpoints_are_not_reused_across_adjustments(tmp_path: Path, cli,
                                                       monkeypatch) -> None:
    """With checkpoints and without, the same decisions after an adjustment and its undo;
    the month's run after an adjustment is not taken for the same run."""
    recorded = {}
    for name, on in (("full", False), ("checkpoints", True)):
        monkeypatch.setattr(checkpoints, "usable", lambda scheme, on=on: on)
        ws = _workspace(tmp_path, cli, name)
        config, db = str(ws / "cslevel.toml"), str(ws / "cslevel.db")
        for month in range(1, 5):
            _ok(cli, "run", "--month", f"2026-{month:02d}", "--config", config)
        assert (_ok(cli, "run", "--month", "2026-04", "--config", config)["status"]
                == "unchanged")
        with open_history(db, write=False) as history:
            kept = history.checkpoints()
        assert (kept is not None) == on
        placed = _ok(cli, "adjust", "level", "0001", "--from", "2026-02", "--to", "四星",
                     "--reason", "placement", "--db", db)
        _ok(cli, "adjust", "score", "0002", "--month", "2026-03", "--to", "130",
            "--reason", "recount", "--db", db)
        with open_history(db, write=False) as history:
            now = history.checkpoints()
        if on:  # kept again (with the decisions recorded again), under the adjustments' key
            assert kept is not None and now is not None
            assert json.loads(now[1])["key"] != json.loads(kept[1])["key"]
        assert _ok(cli, "run", "--month", "2026-04", "--config", config)["status"] == "done"
        for month in (5, 6):
            _ok(cli, "run", "--month", f"2026-{month:02d}", "--config", config)
        with open_history(db, write=False) as history:
            with_them = history.decisions()
        _ok(cli, "adjust", "undo", str(placed["id"]), "--reason", "undone", "--db", db)
        _ok(cli, "run", "--month", "2026-06", "--config", config)
        with open_history(db, write=False) as history:
            recorded[name] = (with_them, history.decisions())
    assert recorded["checkpoints"] == recorded["full"]
    with_them, without = recorded["full"]
    assert [(d.decided, d.to_level) for d in with_them if d.agent_id == "0001"] != [
        (d.decided, d.to_level) for d in without if d.agent_id == "0001"]
