"""D→C's 优秀员工 from the roster too (issue 21, item 4; DOMAIN.md Scheme 6: "at least once in
the last three months: a column of the KPI or roster workbook"). The roster's 优秀员工月份
column lists the months an agent was named; a month counts when the KPI's 优秀员工 column or
the roster says so. Tables at the boundary (month −3 counts, −4 does not) from each source,
the roster cell's forms and its bad values (zh and en), and months through the CLI."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx
from cs_helpers import error_doc, files_in

from cslevel.read.roster import _months_named
from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme

DC, _ = load_scheme("grade_dc")
JAN = Month(2026, 1)
REVIEW = JAN + 7  # 2026-08: top of the team in 06, 07 and 08


def _reviewed(*, kpi: Month | None = None, roster: tuple[Month, ...] = ()):
    """A regular D, a year in post, no complaint, 4th of the team until 05 and 1st from 06:
    the states through the review at the close of 08."""
    agent = Agent("1", team="一组", hire_date=date(2024, 1, 1), start_level="D",
                  first_month=JAN, excellent_months=roster)
    scores = {m: Score("1", m, Decimal(90), {"complaints": Decimal(0),
                                               "excellent": Decimal(int(m == kpi))},
                       team_rank=1 if m >= REVIEW - 2 else 4)
              for m in (JAN + i for i in range(8))}
    states, after = replay(agent, scores, DC, REVIEW)
    return [s.level for s in states] + [after], states[-1]


@pytest.mark.parametrize(("source", "offset", "promoted"), [
    ("kpi", -1, True), ("kpi", -3, True), ("kpi", -4, False),
    ("roster", -1, True), ("roster", -3, True), ("roster", -4, False),
    (None, None, False),
])
def test_named_in_month_minus_3_counts_minus_4_does_not(source: str | None,
                                                        offset: int | None,
                                                        promoted: bool) -> None:
    """Month −1 is the review month itself (08), −3 is 06, −4 is 05."""
    named = REVIEW + (offset + 1) if offset is not None else None
    path, last = _reviewed(kpi=named if source == "kpi" else None,
                           roster=(named,) if source == "roster" and named else ())
    assert path == ["D"] * 8 + ["C" if promoted else "D"]
    if promoted:
        assert last.decision is not None and last.decision.to_level == "C"
        cited = f"{named}（花名册）" if source == "roster" else str(named)
        assert last.decision.reason == (
            f"连续3个月组内前3名（2026-06、2026-07、2026-08），在岗32个月，近3个月无投诉，"
            f"2026-09起晋升为C；{cited}被评为优秀员工")
    else:
        assert last.decision is None
        assert last.note == "组内第1名；近3个月未被评为优秀员工"


def test_either_source_counts_and_both_are_cited_once() -> None:
    """The KPI names 06, the roster 07 and 06 again: both months cited, 06 as the KPI's."""
    _path, last = _reviewed(kpi=REVIEW - 2, roster=(REVIEW - 2, REVIEW - 1))
    assert last.decision is not None
    assert last.decision.reason.endswith("；2026-06、2026-07（花名册）被评为优秀员工")


def test_a_roster_month_outside_the_window_or_after_it_does_not_count() -> None:
    _path, last = _reviewed(roster=(REVIEW - 3, REVIEW + 1))  # 05 and 09
    assert last.decision is None
    assert last.note == "组内第1名；近3个月未被评为优秀员工"


@pytest.mark.parametrize(("cell", "months"), [
    ("2026-09", [(2026, 9)]),
    ("2026-9", [(2026, 9)]),
    ("2026/09", [(2026, 9)]),
    ("2026.09", [(2026, 9)]),
    ("202609", [(2026, 9)]),
    (202609, [(2026, 9)]),
    ("2026年9月", [(2026, 9)]),
    ("２０２６年９月", [(2026, 9)]),  # full-width digits
    ("2026 年 9 月", [(2026, 9)]),
    ("2026年11月、2026年9月", [(2026, 9), (2026, 11)]),  # oldest first
    ("2026-09,2026-10；2026-11", [(2026, 9), (2026, 10), (2026, 11)]),
    ("2026-09， 2026-09", [(2026, 9)]),  # each once
    ("2026-07\n2026-08", [(2026, 7), (2026, 8)]),  # a line break typed in the cell
    ("无", []),
    (datetime(2026, 9, 30), [(2026, 9)]),  # a date cell: its month
    (date(2026, 9, 1), [(2026, 9)]),
    (46266, [(2026, 9)]),  # a date cell whose format was lost: its serial (2026-09-01)
    (46295.0, [(2026, 9)]),  # (2026-09-30)
    (36526, [(2000, 1)]),  # the first and last serials read as dates: 2000-01-01 …
    (73050, [(2099, 12)]),  # … 2099-12-31
])
def test_roster_cell_forms(cell: object, months: list[tuple[int, int]]) -> None:
    assert _months_named(cell) == tuple(Month(*m) for m in months)


@pytest.mark.parametrize(("cell", "error"), [
    ("2026-13", "'2026-13' is not a month (use 2026-09 or 2026年9月)"),
    ("2026-00", "'2026-00' is not a month (use 2026-09 or 2026年9月)"),
    ("九月", "'九月' is not a month (use 2026-09 or 2026年9月)"),
    ("9月", "'9月' is not a month (use 2026-09 or 2026年9月)"),
    ("是", "'是' is not a month (use 2026-09 or 2026年9月)"),
    (1, "'1' is not a month (use 2026-09 or 2026年9月)"),
    ("2026-09、2026-9-15", "'2026-9-15' is not a month (use 2026-09 or 2026年9月)"),
    ("1999-12", "'1999-12' is not a month (use 2026-09 or 2026年9月)"),
    (2026.1, "2026.1 is not a month (type it as text: 2026-10)"),
    (float("nan"), "nan is not a month (type it as text: 2026-10)"),
    (True, "True is not a month (type it as text: 2026-10)"),
    (36525, "'36525' is not a month (use 2026-09 or 2026年9月)"),  # a serial before 2000
    (73051, "'73051' is not a month (use 2026-09 or 2026年9月)"),  # after 2099
])
@pytest.mark.language("en")
def test_roster_cell_bad_values(cell: object, error: str) -> None:
    with pytest.raises(ValueError) as raised:
        _months_named(cell)
    assert str(raised.value) == error


# --- through the CLI ------------------------------------------------------------------------
def _workspace(tmp_path: Path, roster_months: dict[str, object]) -> None:
    """Three D agents of one team, a year in post: 0001 and 0002 first and second from 01
    to 03, 0003 last; the KPI has no 优秀员工 column: only the roster names anyone."""
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "当前级别", "优秀员工月份"],
        *[[a, name, "一组", "2024-01-01", "D", roster_months.get(a)]
          for a, name in (("0001", "甲"), ("0002", "乙"), ("0003", "丙"))]])
    for month in (1, 2, 3):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [
            ["工号", "综合得分", "客户投诉次数"], ["0001", 95, 0], ["0002", 94, 0],
            ["0003", 60, 0]])


def test_a_roster_month_through_the_cli(tmp_path: Path, cli_json, cli) -> None:
    """Reviewed at the close of 03: the roster names 0001 in 01 (month −3: promoted, C from
    04) and 0002 in 2025-12 (month −4: not); the months are kept in the history, and a later
    roster that lists only the latest month does not take 01 away."""
    _workspace(tmp_path, {"0001": "2026年1月", "0002": "2025-12"})
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "grade_dc")
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "C", "0002": "D", "0003": "D"}
    assert [(m["agent_id"], m["from"], m["to"], m["effective"], m["reason"])
            for m in promoted["moves"]] == [
        ("0001", "D", "C", "2026-04",
         ("连续3个月组内前3名（2026-01、2026-02、2026-03），在岗27个月，近3个月无投诉，"
         "2026-04起晋升为C；2026-01（花名册）被评为优秀员工"))]
    blocked = cli_json("history", "0002")["months"][-1]
    assert blocked["level"] == "D"
    assert blocked["reason"] == "组内第2名；近3个月未被评为优秀员工"
    db = sqlite3.connect(tmp_path / "history.db")
    assert db.execute("select agent_id, excellent_months from agents order by agent_id"
                      ).fetchall() == [("0001", "2026-01"), ("0002", "2025-12"), ("0003", "")]
    # 04 scored with a roster naming only 0001's latest month: 01 stays on record
    _workspace(tmp_path, {"0001": "2026-04"})
    write_xlsx(tmp_path / "kpi_2026-04.xlsx", [
        ["工号", "综合得分", "客户投诉次数"], ["0001", 95, 0], ["0002", 94, 0], ["0003", 60, 0]])
    cli_json("score", "kpi_2026-04.xlsx", "--roster", "roster.xlsx")
    assert db.execute("select agent_id, excellent_months from agents order by agent_id"
                      ).fetchall() == [("0001", "2026-01,2026-04"), ("0002", "2025-12"),
                                       ("0003", "")]
    assert [m["level"] for m in cli_json("history", "0001")["months"]] == ["D", "D", "D", "C"]
    db.close()


def test_the_kpi_column_through_the_cli_month_minus_3(tmp_path: Path, cli_json) -> None:
    """The same month from the KPI's 优秀员工 column alone (no roster column)."""
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "组别", "入职日期", "当前级别"], ["0001", "一组", "2024-01-01", "D"],
        ["0002", "一组", "2024-01-01", "D"]])
    for month in (1, 2, 3):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [
            ["工号", "综合得分", "客户投诉次数", "优秀员工"],
            ["0001", 95, 0, int(month == 1)], ["0002", 94, 0, 0]])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "grade_dc")
    assert {lv["agent_id"]: lv["level"] for lv in cli_json("promote")["levels"]} == {
        "0001": "C", "0002": "D"}


@pytest.mark.parametrize(("language", "lines"), [
    ("zh", [("roster.xlsx › Sheet1 › F2: 被评为优秀员工的月份：'是' 不是月份（请写 2026-09 或 2026年9月）"
            " — 请填写被评为优秀员工的月份，例如 2026-09、2026-11；没有则留空。"),
            ("roster.xlsx › Sheet1 › F3: 被评为优秀员工的月份：'2026-13' 不是月份（请写 2026-09 或 "
            "2026年9月） — 请填写被评为优秀员工的月份，例如 2026-09、2026-11；没有则留空。")]),
    ("en", [("roster.xlsx › Sheet1 › F2: months named employee of the month (优秀员工): '是' is "
            "not a month (use 2026-09 or 2026年9月) — Give the months the agent was named 优秀员工, "
            "e.g. 2026-09、2026-11, or leave the cell empty for none."),
            ("roster.xlsx › Sheet1 › F3: months named employee of the month (优秀员工): '2026-13' "
            "is not a month (use 2026-09 or 2026年9月) — Give the months the agent was named "
            "优秀员工, e.g. 2026-09、2026-11, or leave the cell empty for none.")]),
])
def test_bad_roster_months_are_refused_naming_each_cell(tmp_path: Path, cli, language: str,
                                                        lines: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bad cell at once, in the language in force; nothing written."""
    monkeypatch.setenv("CSLEVEL_LANG", language)
    _workspace(tmp_path, {"0001": "是", "0002": "2026-09、2026-13", "0003": "2026-01"})
    before = files_in(tmp_path)
    code, out, err = cli("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme",
                         "grade_dc", "--json")
    assert code == 1, err + out
    assert [p["text"] for p in error_doc(out)["problems"]] == lines
    assert files_in(tmp_path) == before


def test_the_roster_reader_gives_each_agent_its_months(tmp_path: Path) -> None:
    """Through the roster reader: a date cell, a number cell, text in a title-topped sheet
    under another header (最近优秀员工), and a blank cell."""
    from cslevel.read.roster import read_roster

    write_xlsx(tmp_path / "roster.xlsx", [
        ["2026年花名册"], [],
        ["工号", "姓名", "组别", "入职日期", "当前级别", "最近优秀员工"],
        ["0001", "甲", "一组", "2024-01-01", "D", datetime(2026, 1, 20)],
        ["0002", "乙", "一组", "2024-01-01", "D", 202602],
        ["0003", "丙", "一组", "2024-01-01", "D", "2026年3月，2025年12月"],
        ["0004", "丁", "一组", "2024-01-01", "D", None]])
    rows, problems = read_roster(tmp_path / "roster.xlsx", DC)
    assert problems == []
    assert {r.agent_id: r.excellent_months for r in rows} == {
        "0001": (Month(2026, 1),), "0002": (Month(2026, 2),),
        "0003": (Month(2025, 12), Month(2026, 3)), "0004": ()}


def test_a_serial_in_a_1904_workbook_is_read_in_its_date_system() -> None:
    """A Mac workbook's 1904 date system counts 1,462 days fewer to the same day."""
    assert _months_named(46266 - 1462, epoch1904=True) == (Month(2026, 9),)
    assert _months_named(46266, epoch1904=False) == (Month(2026, 9),)


def test_a_roster_naming_an_earlier_month_derives_the_reviews_from_it_again(
        tmp_path: Path, cli_json) -> None:
    """01–03 scored and promoted with nobody named for 0002 (second of the team: no move);
    04 is scored with a roster that names 0002 in 02 after all (month −2 of the review at the
    close of 03): that review is derived again as if 02 had been scored again — 0002 is C
    from 04, the recorded decisions follow with a warning, and the score is recorded as
    changing the months from 02 on (what `cslevel status` reads for stale files)."""
    from cslevel.pipeline.workspace import changes_month

    _workspace(tmp_path, {"0001": "2026年1月"})
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "grade_dc")
    promoted = cli_json("promote")
    assert [(m["agent_id"], m["to"]) for m in promoted["moves"]] == [("0001", "C")]
    _workspace(tmp_path, {"0001": "2026年1月", "0002": "2026-02"})
    write_xlsx(tmp_path / "kpi_2026-04.xlsx", [
        ["工号", "综合得分", "客户投诉次数"], ["0001", 95, 0], ["0002", 94, 0], ["0003", 60, 0]])
    scored = cli_json("score", "kpi_2026-04.xlsx", "--roster", "roster.xlsx")
    assert [p["message"] for p in scored["problems"] if p["severity"] == "warning"] == [
        "已确认晋降级的月份被重新评分：截至 2026-03 的晋降级已重新推导，1 人有变化：0002"]
    history = cli_json("history", "0002")
    assert [m["level"] for m in history["months"]] == ["D", "D", "D", "C"]
    assert [(m["month"], m["decision"], m["to"]) for m in history["months"]
            if m["decision"]] == [("2026-03", "promote", "C")]
    runs = cli_json("runs")["runs"]
    latest = next(r for r in runs if r["command"] == "score")
    assert latest["details"]["months"] == ["2026-04"]
    assert latest["details"]["roster_from"] == "2026-02"
    assert [changes_month(latest, Month(2026, m)) for m in (1, 2, 3, 4)] == [
        False, True, True, True]
