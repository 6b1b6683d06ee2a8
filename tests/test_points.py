"""The points scheme (岗位定级积分): hard items from a profile workbook + 0.75 × the month's
performance, bands to levels (lower bound inclusive), below 60 not graded and flagged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import write_xlsx
from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme

POINTS, TEXT = load_scheme("points")
JAN = Month(2026, 1)


@pytest.mark.parametrize(("score", "level", "flags"), [
    (59.99, "未定级", ("not_graded",)),
    (60, "助理", ()), (62.99, "助理", ()), (63, "助理·高", ()), (65.99, "助理·高", ()),
    (66, "助理一级", ()), (70.99, "助理一级", ()), (71, "二级", ()), (80.99, "二级", ()),
    (81, "三级", ()), (86, "四级", ()), (91, "五级", ()), (95.99, "五级", ()), (96, "六级", ()),
    (100, "六级", ()),
])
def test_bands_lower_bound_inclusive(score: float, level: str, flags: tuple[str, ...]) -> None:
    agent = Agent("1", start_level="二级", first_month=JAN)
    states, next_level = replay(agent, {JAN: Score("1", JAN, Decimal(str(score)))}, POINTS, JAN)
    assert next_level == level
    assert states[0].flags == flags
    assert states[0].level == "二级"  # decided at the close of the month, in force next month


def test_height_and_looks_are_left_out() -> None:
    assert [i.key for i in POINTS.profile.items] == [
        "education", "experience", "posts", "certificates"]
    assert "身高、相貌" in TEXT and "unlawful" in TEXT


def test_hard_items_are_scaled_back_to_25() -> None:
    """Without height and looks the four hard items reach 20: scaled by 25/20 they reach the
    source's 25 again, so 25 + 0.75 × 100 = 100 and 六级 (96–100) can be reached."""
    items = POINTS.profile.items
    most = sum(max([*i.values.values(), *(s.points for s in i.steps),
                    *([i.max] if i.max is not None else [])]) for i in items)
    assert most == 20
    assert POINTS.profile.scale == Decimal("1.25")
    assert most * POINTS.profile.scale + POINTS.score.performance_factor * 100 == 100
    assert "25/20" in TEXT


@pytest.mark.language("en")
def test_profile_plus_performance_through_the_cli(tmp_path: Path, cli_json, cli) -> None:
    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "姓名", "学历", "工作经验", "可胜任岗位", "证书数"],
        ["0001", "甲", "本科", "3年", "售前售后", 3],     # 3 + 4 + 5 + 3 = 15
        ["0002", "乙", "大专", "实习", "售前", 7],         # 1 + 0 + 2 + 5 (at most 5) = 8
        ["0003", "丙", "硕士", 6, "售后", 0],              # 5 + 5 + 4 + 0 = 14
        ["0004", "丁", "博士", "5年", "两者", 5],          # 5 + 5 + 5 + 5 = 20, the most
    ])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [
        ["工号", "姓名", "绩效总分"], ["0001", "甲", 60], ["0002", "乙", 80], ["0003", "丙", 100],
        ["0004", "丁", 100]])
    doc = cli_json("score", "kpi_2026-01.xlsx", "--scheme", "points", "--profile", "profile.xlsx")
    # hard × 25/20 + 0.75 × performance: 15 × 1.25 + 45, 8 × 1.25 + 60, 14 × 1.25 + 75, 25 + 75
    assert {a["agent_id"]: a["score"] for a in doc["agents"]} == {
        "0001": 63.75, "0002": 70, "0003": 92.5, "0004": 100}
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "助理·高", "0002": "助理一级", "0003": "五级", "0004": "六级"}
    history = cli_json("history", "0002")
    assert history["months"][0]["level"] == "未定级"

    code, _, err = cli("score", "kpi_2026-01.xlsx", "--scheme", "points")
    assert code == 1 and "Give --profile profile.xlsx" in err


@pytest.mark.language("en")
def test_a_bad_profile_value_is_named(tmp_path: Path, cli) -> None:
    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "学历", "工作经验", "可胜任岗位", "证书数"], ["0001", "小学毕业", 1, "售前", 1]])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [["工号", "绩效总分"], ["0001", 60]])
    code, _, err = cli("score", "kpi_2026-01.xlsx", "--scheme", "points", "--profile",
                       "profile.xlsx")
    assert code == 1
    assert "profile.xlsx › Sheet1 › B2: 学历: '小学毕业' is not one of 初中, 高中" in err
