"""Generate small example inputs for every shipped template but star, one folder each.

The convention (tests/test_examples.py relies on it, and discovers the templates from the
templates/ folder): every template `templates/NAME.yaml` has an example folder
`examples/NAME/` holding
- `kpi_2026-01.xlsx` … `kpi_2026-12.xlsx`: the twelve monthly KPI workbooks;
- `roster.xlsx`: the roster (花名册), whose 当前级别 are level names the template accepts;
- optionally `att_2026-01.xlsx` … `att_2026-12.xlsx` (attendance, given with --attendance)
  and `profile.xlsx` (the points scheme's hard items, given with --profile).
The star template's example is examples/ itself (written by generate.py; the README's Quick
start uses it). The test runs each folder through `cslevel score … --scheme NAME` and
`cslevel promote --json`, and checks the moves against examples/README.md's table: a new
template needs its folder here and its row there.

Deterministic (one random.Random seeded by the scheme's name, fixed workbook stamps), so
re-running it writes byte-identical files. Each folder holds 12 agents in 2 teams; the data
is tuned (never the rules) so that the year shows promotions, and demotions where the
scheme has them.

    python examples/schemes.py            # writes examples/<scheme>/
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import xlsxwriter

STAMP = datetime(2026, 1, 1)
AGENTS = [f"{i:04d}" for i in range(101, 113)]
NAMES = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞", "徐涛", "孙丽"]
TEAMS = ["一组"] * 6 + ["二组"] * 6


def _write(path: Path, title: str, header: list[str], rows: list[list[object]]) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False})
    book.set_properties({"created": STAMP})
    sheet = book.add_worksheet("Sheet1")
    sheet.write_string(0, 0, title)
    sheet.write_row(2, 0, header)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()


def _roster(folder: Path, levels: list[str], hired: list[str]) -> None:
    rows = [[a, n, t, h, lv] for a, n, t, h, lv in zip(AGENTS, NAMES, TEAMS, hired, levels)]
    _write(folder / "roster.xlsx", "客服部花名册", ["工号", "姓名", "组别", "入职日期", "当前级别"], rows)


def _months(folder: Path, title: str, header: list[str],
            row: Callable[[int, int, random.Random], list[object]], rng: random.Random,
            hired: list[str] | None = None) -> None:
    """The 12 KPI workbooks; an agent hired in 2026 is in them from the hire month on."""
    for month in range(1, 13):
        rows = [[agent, NAMES[i], TEAMS[i], *row(i, month, rng)] for i, agent in enumerate(AGENTS)
                if hired is None or hired[i] <= f"2026-{month:02d}-31"]
        _write(folder / f"kpi_2026-{month:02d}.xlsx", f"2026年{month:02d}月{title}",
               ["工号", "姓名", "组别", *header], rows)


# the weighted scheme's posts: ten representatives, a reviewers' assistant (审核助理, one
# level: never moves) and a technical-support agent on the technical-support ladder (中级 →
# 高级), scored on that post's items and weights
WEIGHTED_POSTS = ["客服代表"] * 10 + ["审核助理", "技术支持"]
WEIGHTED_LEVELS = ["大客户·中级"] * 10 + ["审核助理", "技术支持·中级"]
SERVICE_ITEMS = ["客户回访率", "客户满意度", "处理时限和正确度", "各类培训及业务水平"]
TECH_ITEMS = ["处理问题的时限和准确率", "对员工培训后的反馈", "技能和产品的掌握"]


def _working_days(month: int) -> int:
    import calendar

    days = calendar.monthrange(2026, month)[1]
    return sum(1 for d in range(1, days + 1) if calendar.weekday(2026, month, d) < 5)


def weighted(folder: Path, rng: random.Random) -> None:
    """The 考勤 item is not in the KPI workbooks: it is the month's attendance score, from the
    attendance workbooks (att_2026-MM.xlsx, given with --attendance)."""
    ability = [rng.uniform(45, 92) for _ in AGENTS]
    ability[11] = 86.0  # the technical-support agent: 技术支持·高级 from the first review on

    def level_of(i: int, month: int) -> float:
        """0107 falls under 50 from July (probation, then a dismissal review); 0109 rises
        in the last quarter (up at the close of 2026-12)."""
        if i == 6 and month >= 7:
            return ability[i] - 20
        return ability[i] + (6 if i == 8 and month >= 10 else 0)

    rows = [[a, n, t, post, "2023-03-01", lv] for a, n, t, post, lv in
            zip(AGENTS, NAMES, TEAMS, WEIGHTED_POSTS, WEIGHTED_LEVELS)]
    _write(folder / "roster.xlsx", "客服部花名册", ["工号", "姓名", "组别", "岗位", "入职日期", "当前级别"],
           rows)

    def items(i: int, month: int, r: random.Random) -> list[object]:
        points = [round(min(100, max(0, level_of(i, month) + r.uniform(-8, 8))))
                  for _ in range(4)]
        if WEIGHTED_POSTS[i] == "技术支持":
            return ["技术支持", "", "", "", "", *points[:3]]
        return [WEIGHTED_POSTS[i], *points, "", "", ""]

    _months(folder, "客服岗位考核表", ["岗位", *SERVICE_ITEMS, *TECH_ITEMS],
            lambda i, m, r: items(i, m, r), rng)
    for month in range(1, 13):
        required = _working_days(month)
        att = []
        for i, agent in enumerate(AGENTS):
            late, early = rng.choice([0, 0, 0, 1, 2, 3, 5]), rng.choice([0, 0, 0, 1])
            absent = 1 if rng.random() < 0.08 else 0
            leave = rng.choice([0, 0, 0, 1, 2])
            att.append([agent, NAMES[i], required, required - absent - leave, late, early,
                        absent, leave])
        _write(folder / f"att_2026-{month:02d}.xlsx", f"2026年{month:02d}月考勤汇总表",
               ["工号", "姓名", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数",
                "事假/病假天数"], att)


def points(folder: Path, rng: random.Random) -> None:
    _roster(folder, ["二级"] * 12, ["2022-05-01"] * 12)
    education = ["大专", "本科", "硕士", "高中"]
    posts = ["售前", "售后", "售前售后"]
    rows = [[a, n, rng.choice(education), f"{rng.randint(0, 6)}年", rng.choice(posts),
             rng.randint(0, 6)] for a, n in zip(AGENTS, NAMES)]
    _write(folder / "profile.xlsx", "员工档案", ["工号", "姓名", "学历", "工作经验", "可胜任岗位", "证书数"],
           rows)
    base = [rng.uniform(55, 98) for _ in AGENTS]
    _months(folder, "绩效考核表", ["绩效总分"],
            lambda i, m, r: [round(min(100, base[i] + r.uniform(-5, 5)), 1)], rng)


def tier(folder: Path, rng: random.Random) -> None:
    _roster(folder, ["白银"] * 12, ["2024-02-01"] * 12)
    skill = [rng.uniform(0, 1) for _ in AGENTS]
    # from October 0105 gets much better (gold from 2027-01) and 0108 much worse (bronze
    # from 2027-01), so the year's last close moves someone too
    late = {4: (0.45, 0.75), 7: (0.4, 0.0)}

    def at(i: int, month: int) -> float:
        if i in late:
            return late[i][month >= 10]
        return skill[i]

    _months(folder, "段位考核表", ["平均处理时长", "客户满意度", "一次解决率", "知识库贡献", "带教人数",
                                "数据项目"],
            lambda i, m, r: [round(380 - 140 * at(i, m) + r.uniform(-15, 15)),
                             f"{min(99.0, 82 + 15 * at(i, m) + r.uniform(-2, 2)):.1f}%",
                             f"{min(95.0, 68 + 20 * at(i, m) + r.uniform(-3, 3)):.1f}%",
                             round(6 * at(i, m) + r.uniform(0, 1)),
                             round(2.5 * at(i, m)), round(1.4 * at(i, m))], rng)


def grade(folder: Path, rng: random.Random) -> None:
    hired = ["2025-11-01", "2025-06-01", "2024-12-01", "2024-09-01", "2023-11-01", "2023-02-01",
             "2022-10-01", "2021-05-01", "2026-02-01", "2024-03-01", "2023-08-01", "2020-01-01"]
    levels = ["见习", "G1", "G2", "G2", "G3", "G4", "G4", "G5", "见习", "G2", "G3", "G6"]
    _roster(folder, levels, hired)
    base = [rng.uniform(70, 95) for _ in AGENTS]
    _months(folder, "月度绩效表", ["绩效分值"],
            lambda i, m, r: [round(min(100, base[i] + r.uniform(-6, 6)), 1)], rng, hired)


def grade_cba(folder: Path, rng: random.Random) -> None:
    """C/B/A: months in post are the gate (B from 6, A from 36). Hire dates are spread so
    that agents cross a gate during the year; the roster holds each agent's grade before
    2026-01, spelt as clerks do (C, 初级, B级, 中级, A, 高级), blank for the year's two hires."""
    hired = ["2025-09-01", "2025-12-01", "2026-03-01", "2023-05-01", "2023-12-01", "2024-02-01",
             "2022-01-01", "2021-06-01", "2025-08-01", "2024-07-01", "2025-05-01", "2026-07-01"]
    levels = ["C", "初级", "", "B级", "B", "中级", "A", "高级", "C", "B", "B", ""]
    _roster(folder, levels, hired)
    base = [rng.uniform(65, 95) for _ in AGENTS]
    _months(folder, "月度绩效表", ["绩效分值"],
            lambda i, m, r: [round(min(100, base[i] + r.uniform(-6, 6)), 1)], rng, hired)


def grade_dc(folder: Path, rng: random.Random) -> None:
    _roster(folder, ["D"] * 12, ["2024-01-01"] * 10 + ["2026-01-01"] * 2)
    base = [rng.uniform(60, 95) for _ in AGENTS]
    _months(folder, "综合排名表", ["综合得分", "客户投诉次数"],
            lambda i, m, r: [round(base[i] + r.uniform(-6, 6), 1), 1 if r.random() < 0.08 else 0],
            rng)


# Which standard each assistant's figures meet in Q1..Q4 (一级, 二级, or None: neither).
# A level is granted after 2 quarters in a row: 0101 三级 → 一级 and 0102 三级 → 二级 at the
# close of 06, 0111 二级 → 一级 at the close of 09, 0103 三级 → 二级 at the close of 12; 0104
# meets 二级 only in quarters that are not in a row. The others never meet a standard.
ASSISTANT_QUARTERS: dict[int, tuple[str | None, ...]] = {
    0: ("一级", "一级", "一级", "一级"), 1: ("二级", "二级", "二级", "二级"),
    2: ("二级", None, "二级", "二级"), 3: (None, "二级", None, "二级"),
    10: ("二级", "一级", "一级", "一级"), 11: ("二级", "二级", "二级", "二级"),
}


def assistant(folder: Path, rng: random.Random) -> None:
    _roster(folder, ["三级"] * 10 + ["二级"] * 2, ["2024-01-01"] * 12)
    base = [rng.uniform(60, 95) for _ in AGENTS]

    def row(i: int, month: int, r: random.Random) -> list[object]:
        meets = ASSISTANT_QUARTERS.get(i, (None,) * 4)[(month - 1) // 3]
        if meets is None:  # B-case follow-ups short of 40 a quarter: no standard is met
            return [round(base[i] + r.uniform(-5, 5), 1), r.randint(0, 8), r.randint(0, 9),
                    r.randint(8, 16), r.randint(8, 12), r.randint(2, 5), r.randint(2, 5),
                    1 if r.random() < 0.15 else 0]
        top = meets == "一级"  # 一级 also needs A-case follow-ups and reports
        return [round(r.uniform(86, 96) if top else r.uniform(76, 84), 1), r.randint(0, 5),
                r.randint(0, 5), r.randint(14, 18) if top else r.randint(6, 12),
                r.randint(14, 18), r.randint(4, 6) if top else r.randint(1, 3),
                r.randint(4, 6), 1 if r.random() < 0.3 else 0]

    _months(folder, "客服助理考核表",
            ["绩效得分", "仪表扣分", "日常工作及案件处理扣分", "A类案件跟进数", "B类案件跟进数",
             "A类案例报告采纳数", "B类案例报告采纳数", "最佳队员"], row, rng)


def ladder(folder: Path, rng: random.Random) -> None:
    """The dual ladder: 一组 on the management track, 二组 on the expert track. Each agent
    scores around a base (±3): 113 and up is always ≥ 110 (a move up every 3 months), 85
    and below always < 90 (a move down), 95–105 never moves. 0112 joins in April with only
    its track in the roster (it opens at that track's lowest level, 初级). 0106 (员工, 103)
    improves from October to 113, so the close of 2026-12 moves it up to 组长."""
    levels = ["主管", "员工", "组长", "组长", "员工", "员工",
              "初级", "中级", "高级", "中级", "初级", ""]
    tracks = ["管理通道"] * 6 + ["专业通道"] * 5 + ["专业序列"]
    hired = ["2020-03-01", "2024-05-01", "2022-09-01", "2023-01-01", "2025-02-01", "2024-08-01",
             "2025-06-01", "2023-04-01", "2021-07-01", "2022-11-01", "2025-01-01", "2026-04-01"]
    base = [114, 100, 84, 98, 96, 103, 115, 97, 114, 83, 101, 99]
    rows = [[a, n, t, h, lv, tr] for a, n, t, h, lv, tr
            in zip(AGENTS, NAMES, TEAMS, hired, levels, tracks)]
    _write(folder / "roster.xlsx", "客服部花名册",
           ["工号", "姓名", "组别", "入职日期", "当前级别", "通道"], rows)
    for month in range(1, 13):
        rows = [[agent, NAMES[i], TEAMS[i], round(_ladder_base(base, i, month)
                                                  + rng.uniform(-3, 3), 1)]
                for i, agent in enumerate(AGENTS) if hired[i] <= f"2026-{month:02d}-31"]
        _write(folder / f"kpi_2026-{month:02d}.xlsx", f"2026年{month:02d}月绩效考核表",
               ["工号", "姓名", "组别", "绩效分值"], rows)


def _ladder_base(base: list[int], i: int, month: int) -> int:
    return 113 if i == 5 and month >= 10 else base[i]


SCHEMES: dict[str, Callable[[Path, random.Random], None]] = {
    "weighted": weighted, "points": points, "tier": tier, "grade": grade,
    "grade_dc": grade_dc, "grade_cba": grade_cba, "assistant": assistant, "ladder": ladder,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    for name, make in SCHEMES.items():
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        make(folder, random.Random(f"cslevel-{name}"))


if __name__ == "__main__":
    main()
