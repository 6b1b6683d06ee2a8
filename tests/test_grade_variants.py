"""Issue 21, items 1 and 4 (004 "客服岗位定级方案", "客服部岗位晋升标准"): a passed probation exam
ends the trial in pay (转正 from the next month, paid as G1), the exam's product-knowledge
part, the exam in the D→C variant, D→C's 优秀员工 in the last three months, and C/B/A's
experience before joining and yearly review. Tables at the boundaries, then months through
the CLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx

from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme

GRADE, _ = load_scheme("grade")
DC, _ = load_scheme("grade_dc")
CBA, _ = load_scheme("grade_cba")
JAN = Month(2026, 1)
PASS = {"theory": "80", "practical": "85", "typing": "40", "product": "80"}


def _exam(**parts: str) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in dict(PASS, **parts).items()}


def _path(scheme, agent: Agent, scores: dict[Month, Score], through: Month):
    states, after = replay(agent, scores, scheme, through)
    return [s.level for s in states] + [after], states


def _grade_hire(exam: dict[str, Decimal], months: int = 8):
    agent = Agent("1", hire_date=date(2026, 1, 5), first_month=JAN)
    scores = {JAN + i: Score("1", JAN + i, Decimal(90), exam if i == 0 else {})
              for i in range(months)}
    return _path(GRADE, agent, scores, JAN + (months - 1))


# --- item 1: the probation exam ends the trial in pay --------------------------------------
@pytest.mark.parametrize(("part", "mark", "passed"), [
    ("theory", "80", True), ("theory", "79.99", False),
    ("practical", "85", True), ("practical", "84.99", False),
    ("typing", "40", True), ("typing", "39.99", False),
    ("product", "80", True), ("product", "79.99", False),
])
def test_grade_exam_on_each_floor_and_one_hundredth_below(part: str, mark: str,
                                                          passed: bool) -> None:
    path, states = _grade_hire(_exam(**{part: mark}))
    if passed:
        # exam in 01 (hire month): 转正 from 02, G1 at the 6-month gate (07), 90 ≥ 85: G2 in 08
        assert path == ["见习"] + ["转正"] * 5 + ["G1", "G2", "G2"]
        assert states[0].flags == ()
        assert states[0].decision is not None and states[0].decision.effective == JAN + 1
        assert states[0].decision.kind == "trial_end"
    else:
        # a failed exam keeps 见习 past the gate, flagged for a person
        assert path == ["见习"] * 9
        assert states[0].flags == ("probation_exam_failed",)
        name = {"theory": "理论考试", "practical": "实操考试", "typing": "打字速度",
                "product": "产品知识考核"}[part]
        assert states[0].note == (f"试用考核未通过（{name} {mark} < {PASS[part]}）：延长试用或辞退，"
                                  "由人决定")
        assert states[1].note == "试用考核未通过：延长试用或辞退，由人决定"  # no exam that month


def test_grade_exam_blank_part_fails_and_no_exam_waits_for_the_gate() -> None:
    blank = {k: v for k, v in _exam().items() if k != "product"}
    assert _grade_hire(blank)[0] == ["见习"] * 9
    assert _grade_hire({})[0] == ["见习"] * 6 + ["G1", "G2", "G2"]


def test_zhuanzheng_is_paid_as_g1() -> None:
    assert GRADE.level("转正").pay == GRADE.level("G1").pay
    assert GRADE.level("转正").pay != GRADE.level("见习").pay


@pytest.mark.parametrize(("exam", "path", "flag"), [
    (_exam(), ["见习", "D", "D", "D", "D", "D"], ()),                 # pass: D from 02
    (_exam(practical="84.99"), ["见习"] * 6, ("probation_exam_failed",)),  # trial extended
    ({}, ["见习", "见习", "见习", "D", "D", "D"], ()),                 # 3 trial months
])
def test_dc_exam(exam: dict[str, Decimal], path: list[str], flag: tuple[str, ...]) -> None:
    agent = Agent("1", team="一组", hire_date=date(2026, 1, 5), first_month=JAN)
    scores = {JAN + i: Score("1", JAN + i, Decimal(90), exam if i == 0 else {}, team_rank=1)
              for i in range(5)}
    got, states = _path(DC, agent, scores, JAN + 4)
    assert got == path
    assert states[0].flags == flag
    assert all(not s.counted for s in states if s.level == "见习")


# --- item 4: D→C needs 优秀员工 in the last three months ---------------------------------
@pytest.mark.parametrize(("named", "promoted"), [(-1, True), (-3, True), (-4, False), (None, False)])
def test_dc_employee_of_the_month_in_the_last_three_months(named: int | None,
                                                           promoted: bool) -> None:
    """Top of the team in 06, 07 and 08 (4th place before), a year in post, no complaint;
    reviewed at the close of 08. Named 优秀员工 in month −1 (08), −3 (06) or −4 (05)."""
    review = JAN + 7
    agent = Agent("1", team="一组", hire_date=date(2024, 1, 1), start_level="D",
                  first_month=JAN)
    scores = {}
    for month in (JAN + i for i in range(8)):
        excellent = Decimal(int(named is not None and month == review + (named + 1)))
        scores[month] = Score("1", month, Decimal(90),
                              {"complaints": Decimal(0), "excellent": excellent},
                              team_rank=1 if month >= review + (-2) else 4)
    got, states = _path(DC, agent, scores, review)
    assert got == ["D"] * 8 + ["C" if promoted else "D"]
    last = states[-1]
    if promoted:
        assert last.decision is not None
        assert last.decision.reason.endswith(f"{review + (named + 1)}被评为优秀员工")
    else:
        assert last.decision is None
        assert last.note.endswith("近3个月未被评为优秀员工")


# --- item 4: C/B/A experience before joining and the yearly review --------------------------
def _cba(hired: date, average: str, *, level: str = "C", experience: int = 0):
    agent = Agent("1", hire_date=hired, start_level=level, first_month=JAN,
                  experience_months=experience)
    scores = {JAN + i: Score("1", JAN + i, Decimal(average)) for i in range(12)}
    return _path(CBA, agent, scores, JAN + 11)


@pytest.mark.parametrize(("experience", "grade"), [(0, "C"), (1, "B")])
def test_cba_experience_before_joining_crosses_the_gate_by_one_month(experience: int,
                                                                     grade: str) -> None:
    # hired 2026-08-01: 5 full months in post when 2027-01 starts, under B's gate of 6; one
    # month of experience before joining makes it 6; the year's average 90 ≥ 85
    got, _states = _cba(date(2026, 8, 1), "90", experience=experience)
    assert got[:-1] == ["C"] * 12  # no move by the gate alone in between
    assert got[-1] == grade


@pytest.mark.parametrize(("average", "level", "after"), [
    ("85", "B", "A"), ("84.99", "B", "B"), ("60", "B", "B"), ("59.99", "B", "C"),
    ("59.99", "C", "C"), ("99", "A", "A"),
])
def test_cba_yearly_review_lines(average: str, level: str, after: str) -> None:
    got, states = _cba(date(2020, 1, 1), average, level=level)
    assert got == [level] * 12 + [after]
    moved = states[-1].decision
    assert (moved is not None) == (level != after)
    assert all(s.decision is None for s in states[:-1])  # reviewed at the close of 12 only


# --- a month through the CLI --------------------------------------------------------------
def test_grade_exam_month_through_the_cli(tmp_path: Path, cli_json) -> None:
    """An exam passed in 03 is 转正 from 04, paid as G1; one failed is flagged and stays 见习
    on trial pay."""
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "入职日期"], ["0001", "2026-03-02"],
                                          ["0002", "2026-03-02"]])
    write_xlsx(tmp_path / "kpi_2026-03.xlsx", [
        ["工号", "绩效分值", "理论考试", "实操考试", "打字速度", "产品知识考核"],
        ["0001", 88, 80, 85, 40, 80], ["0002", 88, 80, 85, 40, 79.99]])
    cli_json("score", "kpi_2026-03.xlsx", "--roster", "roster.xlsx", "--scheme", "grade",
             "--out", "out/")
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "转正", "0002": "见习"}
    assert [(m["agent_id"], m["to"]) for m in promoted["moves"]] == [("0001", "转正")]
    failed = cli_json("history", "0002")["months"][0]
    assert failed["flags"] == ["probation_exam_failed"]
    pay = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.xlsx")
    rows = {r["agent_id"]: r for r in pay["rows"]}
    assert rows["0001"]["components"] == {"基本工资": "3200.00", "职级津贴": "500.00"}  # = G1
    assert rows["0002"]["components"] == {"基本工资": "2800.00", "职级津贴": "0.00"}


def test_cba_yearly_review_and_experience_through_the_cli(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "入职日期", "当前级别", "入职前经验（月）"],
        ["0001", "2026-08-01", "C", 1],      # 5 months in post + 1 -> B
        ["0002", "2026-08-01", "C", None],   # 5 months: stays C
        ["0003", "2020-01-01", "B", None],   # average 59.99 -> C
    ])
    write_xlsx(tmp_path / "kpi_2026-12.xlsx", [["工号", "绩效分值"], ["0001", 90],
                                               ["0002", 90], ["0003", 59.99]])
    cli_json("score", "kpi_2026-12.xlsx", "--roster", "roster.xlsx", "--scheme", "grade_cba",
             "--out", "out/")
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "B", "0002": "C", "0003": "C"}


@pytest.mark.language("en")
def test_cba_experience_not_whole_months_is_refused(tmp_path: Path, cli) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "入职日期", "入职前经验（月）"],
                                          ["0001", "2026-08-01", "1.5"]])
    write_xlsx(tmp_path / "kpi_2026-12.xlsx", [["工号", "绩效分值"], ["0001", 90]])
    code, out, err = cli("score", "kpi_2026-12.xlsx", "--roster", "roster.xlsx", "--scheme",
                         "grade_cba")
    assert code == 1
    assert "roster.xlsx › Sheet1 › C2: experience before joining: 1.5 is not a whole number " \
        "of months from 0 to 600 — Give the months of relevant experience before joining, " \
        "e.g. 24, or leave the cell empty for none." in out + err


# --- the reasons and notes, in both languages -------------------------------------------------
def _texts() -> dict[str, str]:
    """The new reasons and notes, from real rule runs."""
    passed = _grade_hire(_exam())[1][0].decision
    up = _cba(date(2020, 1, 1), "85", level="B")[1][-1].decision
    down = _cba(date(2020, 1, 1), "59.99", level="B")[1][-1].decision
    short = _cba(date(2024, 2, 1), "92", level="B")[1][-1].note
    same = _cba(date(2020, 1, 1), "70", level="B")[1][-1].note
    agent = Agent("1", team="一组", hire_date=date(2026, 1, 5), first_month=JAN)
    dc = _path(DC, agent, {JAN: Score("1", JAN, Decimal(90), _exam(typing="39"), team_rank=1),
                           JAN + 1: Score("1", JAN + 1, Decimal(90), _exam(), team_rank=1)},
               JAN + 1)[1]
    regular = Agent("1", team="一组", hire_date=date(2024, 1, 1), start_level="D",
                    first_month=JAN)
    blocked = _path(DC, regular, {JAN + i: Score("1", JAN + i, Decimal(90), {
        "complaints": Decimal(0)}, team_rank=1) for i in range(3)}, JAN + 2)[1][-1].note
    assert passed is not None and up is not None and down is not None
    assert dc[1].decision is not None
    return {"passed": passed.reason, "up": up.reason, "down": down.reason, "short": short,
            "same": same, "dc_failed": dc[0].note, "dc_passed": dc[1].decision.reason,
            "blocked": blocked}


def test_reasons_in_chinese() -> None:
    assert _texts() == {
        "passed": "试用考核通过：2026-02起为转正（按正式岗位发薪），满6个月后再定级",
        "up": "年度评审：全年平均85（≥85），司龄84个月（≥36），2027-01起为A",
        "down": "年度评审：全年平均59.99（<60），2027-01起降为C",
        "short": "年度评审：平均92（≥85），但司龄35个月，不足A要求的36个月",
        "same": "年度评审：全年平均70，级别不变",
        "dc_failed": "无成绩或试用期，连续计数清零；试用考核未通过（打字速度 39 < 40）：延长试用或辞退，由人决定",
        "dc_passed": "试用考核通过：2026-03起转正为D",
        "blocked": "组内第1名；近3个月未被评为优秀员工",
    }


@pytest.mark.language("en")
def test_reasons_in_english() -> None:
    assert _texts() == {
        "passed": "probation exam passed: regular (转正) from 2026-02, before the 6-month gate",
        "up": "yearly review: average of the year 85 (≥85), 84 months in post (≥36): A from "
              "2027-01",
        "down": "yearly review: average of the year 59.99 (<60): C from 2027-01",
        "short": "yearly review: average 92 (≥85), but 35 months in post, fewer than the 36 of A",
        "same": "yearly review: average of the year 70: unchanged",
        "dc_failed": "no score or trial: the count restarts; probation exam failed (打字速度 39 < "
                     "40): extend the trial or dismiss, for a person to decide",
        "dc_passed": "probation exam passed: regular (D) from 2026-03",
        "blocked": "place 1 in the team; not named employee of the month in the last 3 months",
    }


def test_dc_month_through_the_cli(tmp_path: Path, cli_json) -> None:
    """D→C through the CLI: a new hire's exam passed in 01 (D from 02), one failed (still
    见习 after the 3 trial months, flagged); two regular agents on top 3 months in a row, only
    the one named 优秀员工 in 03 is promoted."""
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "组别", "入职日期", "当前级别"], ["0001", "一组", "2024-01-01", "D"],
        ["0002", "一组", "2024-01-01", "D"], ["0003", "一组", "2026-01-01", "见习"],
        ["0004", "一组", "2026-01-01", "见习"]])
    header = ["工号", "综合得分", "客户投诉次数", "优秀员工", "理论考试", "实操考试", "打字速度",
              "产品知识考核"]
    for month in (1, 2, 3, 4):
        exam = {"0003": [80, 85, 40, 80], "0004": [80, 85, 40, 79.99]} if month == 1 else {}
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [header] + [
            [a, score, 0, int(a == "0001" and month == 3), *exam.get(a, [None] * 4)]
            for a, score in (("0001", 95), ("0002", 94), ("0003", 50), ("0004", 40))])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "grade_dc",
             "--out", "out/")
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "C", "0002": "D", "0003": "D", "0004": "见习"}
    levels = {a: [m["level"] for m in cli_json("history", a)["months"]]
              for a in ("0001", "0003", "0004")}
    assert levels == {"0001": ["D", "D", "D", "C"], "0003": ["见习", "D", "D", "D"],
                      "0004": ["见习"] * 4}
    assert cli_json("history", "0004")["months"][0]["flags"] == ["probation_exam_failed"]
