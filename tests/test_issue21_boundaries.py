"""Issue 21, "Done when": boundaries that the other files check in tables (the rules replayed
alone), here through the command line, a month (or a quarter) at a time.

- The grade scheme's probation exam (004 "客服岗位定级方案": theory ≥ 80, practical ≥ 85,
  typing ≥ 40 characters a minute, and the product-knowledge part ≥ 80): a hire exactly on
  every floor is 转正 (paid as G1) from the next month; one hundredth below on any one part
  is flagged, naming the part, and stays 见习 on trial pay. (tests/test_grade_variants.py has
  the table.)
- The weighted scheme's posts (004 "客服部岗位级别说明"): the top of a post's ladder goes no
  higher and its lowest level no lower, each with the note that says so; one step above the
  lowest moves down within the post. (tests/test_weighted_posts.py has the table.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_xlsx

# (id, theory, practical, typing, product): exactly on every floor, then each part one
# hundredth below its floor
EXAMS = [("0001", 80, 85, 40, 80), ("0002", 79.99, 85, 40, 80), ("0003", 80, 84.99, 40, 80),
         ("0004", 80, 85, 39.99, 80), ("0005", 80, 85, 40, 79.99)]


def test_grade_exam_on_each_floor_and_one_hundredth_below_through_the_cli(
        tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "入职日期"],
                                          *[[e[0], "2026-03-02"] for e in EXAMS]])
    write_xlsx(tmp_path / "kpi_2026-03.xlsx", [
        ["工号", "绩效分值", "理论考试", "实操考试", "打字速度", "产品知识考核"],
        *[[agent, 88, *marks] for agent, *marks in EXAMS]])
    cli_json("score", "kpi_2026-03.xlsx", "--roster", "roster.xlsx", "--scheme", "grade",
             "--out", "out/")
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "转正", "0002": "见习", "0003": "见习", "0004": "见习", "0005": "见习"}
    assert [(m["agent_id"], m["from"], m["to"]) for m in promoted["moves"]] == [
        ("0001", "见习", "转正")]
    assert sorted((f["agent_id"], f["flag"]) for f in promoted["flags"]) == [
        (agent, "probation_exam_failed") for agent in ("0002", "0003", "0004", "0005")]
    # each failure names the part below its floor
    assert {f["agent_id"]: f["reason"] for f in promoted["flags"]} == {
        agent: f"试用考核未通过（{part}）：延长试用或辞退，由人决定" for agent, part in [
            ("0002", "理论考试 79.99 < 80"), ("0003", "实操考试 84.99 < 85"),
            ("0004", "打字速度 39.99 < 40"), ("0005", "产品知识考核 79.99 < 80")]}
    pay = {r["agent_id"]: r["components"] for r in cli_json(
        "payroll", "export", "--month", "2026-04", "--out", "p.xlsx")["rows"]}
    assert pay["0001"] == {"基本工资": "3200.00", "职级津贴": "500.00"}  # paid as G1
    assert all(pay[a] == {"基本工资": "2800.00", "职级津贴": "0.00"}  # trial pay
               for a in ("0002", "0003", "0004", "0005"))


SERVICE = ["客户回访率", "客户满意度", "处理时限和正确度", "各类培训及业务水平", "考勤"]
TECH = ["处理问题的时限和准确率", "对员工培训后的反馈", "技能和产品的掌握"]
# (id, post, level held, the same item points every month): the quarter's average is the
# points themselves (every item alike)
POSTS = [("0001", "技术支持", "技术支持·高级", 95),     # top: > 80 but no higher level
         ("0002", "技术支持", "技术支持·中级", 60),     # lowest: 50–< 70 but no lower level
         ("0003", "审核员", "审核员二级", 69.99),       # one above the lowest: down within the post
         ("0004", "审核员", "审核员四级", 80.01),       # top of the reviewers' ladder
         ("0005", "客服主管", "客服主管·中级", 80.01)]  # up to the top of the supervisors'


@pytest.mark.language("en")
def test_a_posts_ladder_top_and_bottom_through_the_cli(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "岗位", "当前级别"],
                                          *[[a, f"员工{a}", post, level]
                                            for a, post, level, _p in POSTS]])
    files = []
    for month in ("2026-01", "2026-02", "2026-03"):
        files.append(write_xlsx(tmp_path / f"kpi_{month}.xlsx", [
            ["工号", "姓名", "岗位", *SERVICE, *TECH],
            *[[a, f"员工{a}", post,
               *([points] * 5 + [None] * 3 if post != "技术支持" else [None] * 4 + [points] * 4)]
              for a, post, _level, points in POSTS]]))
    doc = cli_json("score", *files, "--roster", "roster.xlsx", "--scheme", "weighted",
                   "--out", "out/")
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []
    march = {a["agent_id"]: a for a in doc["months"][-1]["agents"]}
    assert {a: march[a]["note"] for a in ("0001", "0002")} == {
        "0001": ("2026-01–2026-03 average 95 (2026-01 95, 2026-02 95, 2026-03 95): already "
                 "at the top of 技术支持 (技术支持·高级)"),
        "0002": ("2026-01–2026-03 average 60 (2026-01 60, 2026-02 60, 2026-03 60): already "
                 "at the lowest level of 技术支持 (技术支持·中级)")}
    promoted = cli_json("promote")
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "技术支持·高级", "0002": "技术支持·中级", "0003": "审核员一级",
        "0004": "审核员四级", "0005": "客服主管·高级"}
    assert sorted((m["agent_id"], m["from"], m["to"]) for m in promoted["moves"]) == [
        ("0003", "审核员二级", "审核员一级"), ("0005", "客服主管·中级", "客服主管·高级")]


def test_the_grade_example_shows_a_passed_and_a_failed_exam(tmp_path: Path, cli_json) -> None:
    """examples/grade (examples/README.md): 0109, hired 2026-02, passes its exam in 02 — 转正
    (paid as G1) from 03, G1 at its 6-month gate; 0101 fails the product-knowledge part in 01
    (flagged, the note naming the part), stays 见习 past its gate, passes a retake in 05 and is
    G1 from 06."""
    folder = Path(__file__).resolve().parents[1] / "examples" / "grade"
    doc = cli_json("score", str(folder / "kpi_2026-*.xlsx"), "--roster", folder / "roster.xlsx",
                   "--scheme", "grade", "--out", "out/")
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []
    path: dict[str, list[str]] = {}
    months: dict[tuple[str, str], dict] = {}
    for month in doc["months"]:
        for agent in month["agents"]:
            path.setdefault(agent["agent_id"], []).append(agent["level"])
            months[month["month"], agent["agent_id"]] = agent
    assert path["0109"] == ["见习"] + ["转正"] * 5 + ["G1"] * 5  # in the files from 02
    assert months["2026-02", "0109"]["decision"] == "trial_end"
    assert months["2026-07", "0109"]["decision"] == "promote"  # the 6-month gate
    assert path["0101"] == ["见习"] * 5 + ["G1"] * 7
    failed = months["2026-01", "0101"]
    assert failed["flags"] == ["probation_exam_failed"]
    assert failed["note"] == "试用考核未通过（产品知识考核 72 < 80）：延长试用或辞退，由人决定"
    assert months["2026-05", "0101"]["decision"] == "trial_end"
    # 转正 is paid as G1 (3,200.00 + 500.00), 见习 the trial pay
    pay = {r["agent_id"]: r for r in cli_json("payroll", "export", "--month", "2026-03",
                                               "--out", "p.xlsx")["rows"]}
    assert (pay["0109"]["level"], pay["0109"]["total"]) == ("转正", "3700.00")
    assert (pay["0101"]["level"], pay["0101"]["total"]) == ("见习", "2800.00")
