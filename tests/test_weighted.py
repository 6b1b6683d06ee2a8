"""The weighted scheme (岗位级别): DOMAIN.md's worked example through the CLI, the bands
at their boundaries, probation and the dismissal-review flag, and weights per post."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import write_xlsx
from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme

SCORES = {
    "X": [85, 82, 80, 75, 75, 75],
    "Y": [60, 65, 70, 45, 50, 52],
    "Z": [40, 45, 50, 48, 70, 72],
}
LEVELS = {  # level in force 01..07
    "X": ["大客户·中级"] * 3 + ["大客户·高级"] * 4,
    "Y": ["大客户·中级"] * 3 + ["普通·高级"] * 3 + ["普通·中级"],
    "Z": ["大客户·中级"] * 3 + ["普通·高级"] * 3 + ["普通·中级"],
}


def _month(tmp_path: Path, index: int) -> Path:
    rows: list[list[object]] = [["工号", "姓名", "岗位", "考核得分"]]
    rows += [[a, a, "客服代表", s[index]] for a, s in SCORES.items()]
    return write_xlsx(tmp_path / f"kpi_2026-{index + 1:02d}.xlsx", rows)


def test_worked_example_quarterly_reviews(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "当前级别"],
                                          ["X", "X", "大客户·中级"], ["Y", "Y", "大客户客服代表中级"],
                                          ["Z", "Z", "大客户中级"]])
    seen = {a: [] for a in SCORES}
    probation = {a: [] for a in SCORES}
    flags = {}
    for index in range(6):
        doc = cli_json("score", _month(tmp_path, index), "--scheme", "weighted",
                       "--roster", "roster.xlsx")
        for agent in doc["agents"]:
            seen[agent["agent_id"]].append(agent["level"])
            probation[agent["agent_id"]].append(agent["probation"])
        promoted = cli_json("promote")
        for flag in promoted["flags"]:
            flags[(flag["agent_id"], flag["month"])] = flag["flag"]
        if index == 2:
            assert {(m["agent_id"], m["to"], m["rule"]) for m in promoted["moves"]} == {
                ("X", "大客户·高级", "review_up"), ("Y", "普通·高级", "review_down"),
                ("Z", "普通·高级", "review_down")}
    next_levels = {row["agent_id"]: row["level"] for row in promoted["levels"]}
    for agent, levels in LEVELS.items():
        assert seen[agent] + [next_levels[agent]] == levels, agent
    # Z: probation in 04 (after a Q1 average of 45), still under 50 -> a dismissal review
    assert probation["Z"] == [False, False, False, True, False, False]
    assert flags == {("Z", "2026-04"): "dismissal_review"}
    history = cli_json("history", "Z")
    april = history["months"][3]
    assert (april["month"], april["level"], april["probation"], april["flags"]) == (
        "2026-04", "普通·高级", True, ["dismissal_review"])
    assert "提请部门审议是否解除劳动合同" in april["reason"]
    june = cli_json("history", "Y")["months"][5]
    assert june["decision"] == "demote"
    assert "2026-04–2026-06 平均 49" in june["reason"] and "试用考察一个月" in june["reason"]
    assert cli_json("history", "X")["months"][2]["reason"].startswith(
        "2026-01–2026-03 平均 82.33")


WEIGHTED, _ = load_scheme("weighted")
JAN = Month(2026, 1)


def _path(quarter: list[float | None], start: str = "大客户·中级", months: int = 4):
    agent = Agent("1", start_level=start, first_month=JAN)
    scores = {JAN + i: Score("1", JAN + i, Decimal(str(v)))
              for i, v in enumerate(quarter) if v is not None}
    return replay(agent, scores, WEIGHTED, JAN + (months - 1))


@pytest.mark.parametrize(("quarter", "april", "probation"), [
    ([80.01, 80.01, 80.01], "大客户·高级", False),   # > 80 up
    ([80, 80, 80], "大客户·中级", False),            # 80 is not above 80: unchanged
    ([70, 70, 70], "大客户·中级", False),            # 70 含: unchanged
    ([69.99, 69.99, 69.99], "普通·高级", False),     # under 70: down
    ([50, 50, 50], "普通·高级", False),              # 50 含: down, no probation
    ([49.99, 49.99, 49.99], "普通·高级", True),      # under 50: down and probation
    ([90, None, 71], "大客户·高级", False),          # the scored months are averaged: 80.5
    ([None, None, None], "大客户·中级", False),      # nothing to review
])
def test_bands_at_their_boundaries(quarter, april: str, probation: bool) -> None:
    states, _ = _path(quarter + [60])
    assert states[3].level == april
    assert states[3].probation is probation


def test_no_move_below_the_floor_but_probation_still_applies() -> None:
    states, next_level = _path([40, 40, 40, 45], start="普通·中级")
    assert states[2].decision is None
    assert states[2].note.endswith("已是客服代表最低级别普通·中级，不再降级，并试用考察一个月")
    assert states[3].probation is True
    assert states[3].flags == ("dismissal_review",)
    assert next_level == "普通·中级"


def test_weights_per_post_within_one_scheme(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [
        ["工号", "岗位", "客户回访率", "客户满意度", "处理时限和正确度", "各类培训及业务水平", "考勤",
         "处理问题的时限和准确率", "对员工培训后的反馈", "技能和产品的掌握"],
        ["001", "客服代表", 90, 80, 70, 60, 100, None, None, None],
        ["002", "技术支持", None, None, None, None, 90, 80, 70, 100],
    ])
    doc = cli_json("score", "kpi_2026-01.xlsx", "--scheme", "weighted", "--dry-run")
    scores = {a["agent_id"]: a["score"] for a in doc["agents"]}
    # 客服: .2×90 + .2×80 + .25×70 + .25×60 + .1×100 = 18 + 16 + 17.5 + 15 + 10
    # 技术支持: .4×80 + .4×70 + .1×100 + .1×90 = 32 + 28 + 10 + 9
    assert scores == {"001": 76.5, "002": 79}


@pytest.mark.language("en")
def test_a_post_whose_columns_are_missing_is_refused(tmp_path: Path, cli) -> None:
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [
        ["工号", "岗位", "客户回访率", "客户满意度", "处理时限和正确度", "各类培训及业务水平", "考勤"],
        ["002", "技术支持", 90, 80, 70, 60, 100],
    ])
    code, _, err = cli("score", "kpi_2026-01.xlsx", "--scheme", "weighted")
    assert code == 1
    assert ("kpi_2026-01.xlsx › Sheet1 › row 1: agents in the post 技术支持 are scored on "
            "处理问题的时限和准确率, 对员工培训后的反馈, 技能和产品的掌握, but the workbook has no "
            "such column") in err


def test_results_workbook_shows_probation_and_flags(tmp_path: Path, cli_json) -> None:
    import openpyxl

    write_xlsx(tmp_path / "roster.xlsx", [["工号", "当前级别"], ["Z", "大客户·中级"]])
    for index, score in enumerate([40, 45, 50, 48]):
        write_xlsx(tmp_path / f"kpi_2026-{index + 1:02d}.xlsx",
                   [["工号", "岗位", "考核得分"], ["Z", "客服代表", score]])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "weighted",
             "--out", "out/")
    ws = openpyxl.load_workbook(tmp_path / "out" / "results-2026-04.xlsx")["考核结果"]
    header = [c.value for c in ws[1]]
    assert header[:7] == ["工号", "姓名", "组别", "考核得分", "本月级别", "试用考察", "待审议标记"]
    row = [c.value for c in ws[2]]
    assert row[4:7] == ["普通·高级", "是", "解除合同审议"]


def test_rolling_reviews_count_from_the_agents_own_start() -> None:
    rolling = WEIGHTED.model_copy(update={"promotion": WEIGHTED.promotion.model_copy(
        update={"review_months": []})})
    start = Month(2026, 2)  # joins in February: reviews at the close of 04, 07, 10
    agent = Agent("1", start_level="大客户·中级", first_month=start)
    scores = {start + i: Score("1", start + i, Decimal(v))
              for i, v in enumerate([90, 90, 90, 60, 60, 60])}
    states, next_level = replay(agent, scores, rolling, start + 5)
    decided = [(str(s.month), s.decision.to_level) for s in states if s.decision]
    assert decided == [("2026-04", "大客户·高级"), ("2026-07", "大客户·中级")]
    assert next_level == "大客户·中级"
