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
scheme has them. The calls template's folder holds raw call-detail exports
(about 3,300 calls of 6 agents a month) as its kpi_2026-MM.xlsx: `cslevel score` reads them
through the template's `aggregate` section.

    python examples/schemes.py            # writes examples/<scheme>/
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from datetime import date, datetime
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
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_string(0, 0, title)
    sheet.write_row(2, 0, header)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(r, c, value, stamp)
            elif value is not None:  # (None: a blank cell)
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


# years of hotel or property service (not scored: 五级/六级 need 2, DOMAIN.md Scheme 4)
POINTS_HOTEL_YEARS = [3, 0, 2, 1, 4, 0, 2, 5, 0, 1, 3, 2]


def points(folder: Path, rng: random.Random) -> None:
    # the roster writes the bands as the source does (助理二级 = 二级)
    _roster(folder, ["助理二级"] * 12, ["2022-05-01"] * 12)
    education = ["大专", "本科", "硕士", "高中"]
    posts = ["售前", "售后", "售前售后"]
    rows = [[a, n, rng.choice(education), f"{rng.randint(0, 6)}年", rng.choice(posts),
             rng.randint(0, 6), f"{hotel}年"]
            for a, n, hotel in zip(AGENTS, NAMES, POINTS_HOTEL_YEARS)]
    _write(folder / "profile.xlsx", "员工档案",
           ["工号", "姓名", "学历", "工作经验", "可胜任岗位", "证书数", "酒店物业从业年限"], rows)
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

    def trainings(i: int, month: int) -> int:
        # 培训次数 (003: at least 2 a year), not drawn from rng so the other figures stay as
        # they were: one in April and one in October, except 0103 (April only: flagged
        # training_short at the close of 2026-12) and 0110 (none all year: flagged too)
        if i == 9:
            return 0
        return 1 if month == 4 or (month == 10 and i != 2) else 0

    _months(folder, "段位考核表", ["平均处理时长", "客户满意度", "一次解决率", "知识库贡献", "带教人数",
                                "数据项目", "培训次数"],
            lambda i, m, r: [round(380 - 140 * at(i, m) + r.uniform(-15, 15)),
                             f"{min(99.0, 82 + 15 * at(i, m) + r.uniform(-2, 2)):.1f}%",
                             f"{min(95.0, 68 + 20 * at(i, m) + r.uniform(-3, 3)):.1f}%",
                             round(6 * at(i, m) + r.uniform(0, 1)),
                             round(2.5 * at(i, m)), round(1.4 * at(i, m)), trainings(i, m)],
            rng)


# The probation exam (理论, 实操, 打字, 产品知识) by agent index and month: 0109 (hired 2026-02)
# passes in its hire month, so it is 转正 (paid as G1) from 03 and G1/G2 from the 6-month
# gate; 0101 (hired 2025-11) fails the product-knowledge part in 01 (flagged, kept 见习 past
# its gate at the close of 04) and passes a retake in 05.
GRADE_EXAMS: dict[tuple[int, int], list[object]] = {
    (8, 2): [86, 88, 52, 84], (0, 1): [84, 87, 45, 72], (0, 5): [85, 90, 48, 83]}


def grade(folder: Path, rng: random.Random) -> None:
    hired = ["2025-11-01", "2025-06-01", "2024-12-01", "2024-09-01", "2023-11-01", "2023-02-01",
             "2022-10-01", "2021-05-01", "2026-02-01", "2024-03-01", "2023-08-01", "2020-01-01"]
    levels = ["见习", "G1", "G2", "G2", "G3", "G4", "G4", "G5", "见习", "G2", "G3", "G6"]
    _roster(folder, levels, hired)
    base = [rng.uniform(70, 95) for _ in AGENTS]
    _months(folder, "月度绩效表", ["绩效分值", "理论考试", "实操考试", "打字速度", "产品知识考核"],
            lambda i, m, r: [round(min(100, base[i] + r.uniform(-6, 6)), 1),
                             *GRADE_EXAMS.get((i, m), [None] * 4)], rng, hired)


# C/B/A, reviewed once a year at the close of 12: (hire date, grade before 2026-01 as clerks
# spell it, months of experience before joining, the agent's usual score). Up from a year's
# average ≥ 85 with the months for the next grade, down under 60:
# 0101, 0103 C → B; 0104 B → A; 0105 B → A only with its 24 months before joining (34 in
# post); 0106 (35 months, 92) stays B, one month short of A; 0112 (hired 2026-08, 5 months)
# C → B with 1 month before joining; 0107 A → B and 0111 B → C (averages under 60); 0109
# (52) stays C, the lowest grade.
CBA_AGENTS = [("2025-09-01", "C", 0, 90), ("2025-12-01", "初级", 0, 75),
              ("2026-03-01", "", 0, 90), ("2023-05-01", "B级", 0, 90),
              ("2024-03-01", "B", 24, 90), ("2024-02-01", "中级", 0, 92),
              ("2022-01-01", "A", 0, 55), ("2021-06-01", "高级", 0, 80),
              ("2025-08-01", "C", 0, 52), ("2024-07-01", "B", 0, 72),
              ("2025-05-01", "B", 0, 54), ("2026-08-01", "", 1, 90)]


def grade_cba(folder: Path, rng: random.Random) -> None:
    """C/B/A: a yearly review at the close of 12 on the year's average, the gates (B from 6
    months, A from 36) counting experience before joining (the roster's 入职前经验（月）). The
    roster spells grades as clerks do (C, 初级, B级, 中级, A, 高级), blank for the year's two
    hires."""
    hired = [h for h, *_ in CBA_AGENTS]
    rows = [[a, n, t, h, lv, exp or None] for a, n, t, (h, lv, exp, _s) in
            zip(AGENTS, NAMES, TEAMS, CBA_AGENTS)]
    _write(folder / "roster.xlsx", "客服部花名册",
           ["工号", "姓名", "组别", "入职日期", "当前级别", "入职前经验（月）"], rows)
    _months(folder, "月度绩效表", ["绩效分值"],
            lambda i, m, r: [round(min(100, CBA_AGENTS[i][3] + r.uniform(-3, 3)), 1)], rng,
            hired)


# The probation exam of the year's two D→C hires (见习, a 3-month trial): 0111 passes in 01
# (D from 02); 0112 fails the practical part in 01 (flagged) and passes a retake in 03 (D
# from 04).
DC_EXAMS: dict[tuple[int, int], list[object]] = {
    (10, 1): [88, 90, 55, 86], (11, 1): [82, 80, 50, 85], (11, 3): [84, 86, 51, 88]}


# From 10 on the 优秀员工 are kept in the roster (its 优秀员工月份 column), not in the KPI.
DC_ROSTER_NAMES_FROM = 10


def grade_dc(folder: Path, rng: random.Random) -> None:
    """D→C: the top 3 of the team 3 months in a row, a year in post, no complaint, and named
    优秀员工 in the last three months: each month the team's best score is named, in the KPI's
    优秀员工 column until 09 and in the roster's 优秀员工月份 column from 10."""
    base = [rng.uniform(60, 95) for _ in AGENTS]
    named: list[list[str]] = [[] for _ in AGENTS]  # the months the roster lists
    for month in range(1, 13):
        score = [round(base[i] + rng.uniform(-6, 6), 1) for i in range(len(AGENTS))]
        complaints = [1 if rng.random() < 0.08 else 0 for _ in AGENTS]
        best = {team: max((s, i) for i, s in enumerate(score) if TEAMS[i] == team)[1]
                for team in set(TEAMS)}
        in_roster = month >= DC_ROSTER_NAMES_FROM
        for i in best.values():
            if in_roster:
                named[i].append(f"2026年{month}月")
        rows = [[agent, NAMES[i], TEAMS[i], score[i], complaints[i],
                 *([] if in_roster else [int(best[TEAMS[i]] == i)]),
                 *DC_EXAMS.get((i, month), [None] * 4)]
                for i, agent in enumerate(AGENTS)]
        _write(folder / f"kpi_2026-{month:02d}.xlsx", f"2026年{month:02d}月综合排名表",
               ["工号", "姓名", "组别", "综合得分", "客户投诉次数",
                *([] if in_roster else ["优秀员工"]), "理论考试", "实操考试", "打字速度",
                "产品知识考核"], rows)
    levels, hired = ["D"] * 10 + ["见习"] * 2, ["2024-01-01"] * 10 + ["2026-01-01"] * 2
    _write(folder / "roster.xlsx", "客服部花名册",
           ["工号", "姓名", "组别", "入职日期", "当前级别", "优秀员工月份"],
           [[a, n, t, h, lv, "、".join(months) or None] for a, n, t, h, lv, months in zip(
               AGENTS, NAMES, TEAMS, hired, levels, named)])


# Which standard each assistant's figures meet in Q1..Q4 (一级, 二级, or None: neither).
# A level is granted after 2 quarters in a row: 0101 三级 → 一级 and 0102 三级 → 二级 at the
# close of 06, 0111 二级 → 一级 at the close of 09, 0103 三级 → 二级 at the close of 12; 0104
# meets 二级 only in quarters that are not in a row. The others never meet a standard.
ASSISTANT_QUARTERS: dict[int, tuple[str | None, ...]] = {
    0: ("一级", "一级", "一级", "一级"), 1: ("二级", "二级", "二级", "二级"),
    2: ("二级", None, "二级", "二级"), 3: (None, "二级", None, "二级"),
    10: ("二级", "一级", "一级", "一级"), 11: ("二级", "二级", "二级", "二级"),
}


ASSISTANT_LEAD = 10  # 0111 leads 二组 (领班): paid by the average of the team without the lead


def assistant(folder: Path, rng: random.Random) -> None:
    levels = ["三级"] * 10 + ["二级"] * 2
    rows = [[a, n, t, "2024-01-01", lv, "是" if i == ASSISTANT_LEAD else "否"]
            for i, (a, n, t, lv) in enumerate(zip(AGENTS, NAMES, TEAMS, levels))]
    _write(folder / "roster.xlsx", "客服部花名册",
           ["工号", "姓名", "组别", "入职日期", "当前级别", "领班"], rows)
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

    def with_improvements(i: int, month: int, r: random.Random) -> list[object]:
        # the lead files a process improvement in each quarter's last month
        return [*row(i, month, r), 1 if i == ASSISTANT_LEAD and month % 3 == 0 else 0]

    _months(folder, "客服助理考核表",
            ["绩效得分", "仪表扣分", "日常工作及案件处理扣分", "A类案件跟进数", "B类案件跟进数",
             "A类案例报告采纳数", "B类案例报告采纳数", "最佳队员", "流程改进建议数"],
            with_improvements, rng)


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


CALL_HEADER = ["呼叫时间", "坐席工号", "坐席", "通话状态", "排队时长", "通话时长", "事后处理时长", "满意度",
               "挂机方"]


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _calls_of(month: int, agent: int, skill: float, r: random.Random) -> list[list[object]]:
    """One agent's calls in a month, as a call-centre system exports them: 00:01:23
    durations, 通话状态 已接听/未接听, 满意度 in words or not rated."""
    days = (date(2026 + month // 12, month % 12 + 1, 1) - date(2026, month, 1)).days
    rows: list[list[object]] = []
    for _ in range(r.randint(420, 680)):
        start = datetime(2026, month, r.randint(1, days), r.randint(8, 19), r.randint(0, 59),
                         r.randint(0, 59))
        answered = r.random() < 0.90 + 0.08 * skill
        queue = min(300, int(r.expovariate(1 / (38 - 22 * skill))))
        talk = max(20, int(r.gauss(230 - 80 * skill, 45))) if answered else 0
        wrap = max(0, int(r.gauss(35 - 10 * skill, 8))) if answered else 0
        rating = ""
        if answered:
            roll = r.random()
            if roll < 0.55:
                rating = r.choice(["满意", "非常满意"]) if r.random() < 0.72 + 0.25 * skill else (
                    r.choice(["一般", "不满意"]))
            elif roll < 0.75:
                rating = "未评价"
        rows.append([start, AGENTS[agent], NAMES[agent],
                     "已接听" if answered else "未接听", _hms(queue), _hms(talk), _hms(wrap),
                     rating, ("坐席" if r.random() < 0.15 else "客户") if answered else ""])
    return rows


def calls(folder: Path, rng: random.Random) -> None:
    """Raw call-detail exports (one row per call, a few calls abandoned in the queue with
    no agent) for templates/calls.yaml, and a roster: 6 agents only (about 550 calls each a
    month, near the template's target of 600), so that a month stays a few thousand rows."""
    _roster(folder, ["二星", "三星", "二星", "四星", "三星", "一星"], ["2024-04-01"] * 6)
    skill = [rng.uniform(0.2, 1) for _ in range(6)]
    for month in range(1, 13):
        rows = [row for i in range(6) for row in _calls_of(
            month, i, min(1.0, max(0.0, skill[i] + rng.uniform(-0.15, 0.15))), rng)]
        for _ in range(rng.randint(20, 40)):  # abandoned in the queue (呼损): nobody's
            start = datetime(2026, month, rng.randint(1, 28), rng.randint(8, 19),
                             rng.randint(0, 59), rng.randint(0, 59))
            rows.append([start, "", "", "呼损",
                         _hms(rng.randint(60, 240)), "00:00:00", "00:00:00", "", ""])
        rows.sort(key=lambda row: (str(row[0]), str(row[1])))  # by call time, as exported
        _write(folder / f"kpi_2026-{month:02d}.xlsx", f"2026年{month:02d}月通话明细",
               CALL_HEADER, rows)


SCHEMES: dict[str, Callable[[Path, random.Random], None]] = {
    "weighted": weighted, "points": points, "tier": tier, "grade": grade,
    "grade_dc": grade_dc, "grade_cba": grade_cba, "assistant": assistant, "ladder": ladder,
    "calls": calls,
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
