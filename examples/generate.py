"""Generate the example workbooks: monthly KPI (绩效考核表), attendance (考勤汇总表), roster (花名册),
and the pay-inputs workbook (薪酬录入表) of the payroll after the last month.

Deterministic: one seeded `random.Random`, no clock, no machine state, fixed workbook
properties, so re-running it writes byte-identical files.

Each agent has a persistent ability (plus a small personal trend, a learning curve for new
hires and month-to-month noise). A month's latent performance becomes the four metric
columns of templates/star.yaml (平均响应时长, 解决率, 客户满意度, 投诉率); the workbook holds no
score column, so cslevel computes the score from the template (Σ weight × achievement).

    python examples/generate.py                      # 40 agents, 2026-01 .. 2026-12, into examples/
    python examples/generate.py --agents 10000 --out /tmp/bench   # benchmark scale
"""

from __future__ import annotations

import argparse
import calendar
import functools
import math
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FIXED_CREATED = datetime(2026, 1, 1, 0, 0, 0)  # workbook properties: never the clock
SEED = 320  # picked so the default 40 agents show every case (see README)

# Levels of templates/star.yaml, lowest regular first, with other spellings a clerk types
# (the level's own name is listed twice: it is the most common spelling).
LEVELS = ["一星", "二星", "三星", "四星", "五星"]
LEVEL_SPELLINGS = {
    "一星": ["一星", "一星", "普通客服员", "一星客服员"],
    "二星": ["二星", "二星", "二星客服员", "2星"],
    "三星": ["三星", "三星", "三星客服员", "3星"],
    "四星": ["四星", "四星", "四星客服员", "4星"],
    "五星": ["五星", "五星", "高级客服员", "五星客服员"],
}
# Share of regular agents holding each level at the start, and the ability (latent
# performance; 0 = exactly on target, about +0.6 = score 110) typical of that level.
LEVEL_SHARE = [0.35, 0.17, 0.15, 0.13, 0.20]
LEVEL_ABILITY = [-0.05, 0.45, 0.60, 0.75, 1.35]
ABILITY_SPREAD = 0.25  # spread of ability among agents of one level
TREND_SPREAD = 0.02  # spread of the personal trend, per month

KPI_HEADER = ["工号", "姓名", "组别", "岗位", "平均响应时长", "解决率", "客户满意度", "投诉率",
              "培训次数"]
# 培训次数 (003: at least 2 trainings a year; templates/star.yaml reads it, weight 0, and flags
# fewer than 2 at the close of December): fixed, not drawn, so that the random figures stay as
# they were. Everyone has one training in April and one in October; a new hire has an
# induction training in the hire month and the month after; 0012 misses October's and 0023
# attends none: both are flagged `training_short` at the year's close.
TRAINING_MONTHS = (4, 10)
MISSES_OCTOBER = "0012"
NO_TRAINING = "0023"
ATT_HEADER = ["工号", "姓名", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数",
              "事假/病假天数"]
PAY_HEADER = ["工号", "姓名", "工作日加班小时", "休息日加班小时", "法定节假日加班小时", "其它福利",
              "一次性金额", "一次性事由", "社保个人部分", "公积金个人部分"]
ROSTER_HEADER = ["工号", "姓名", "组别", "岗位", "入职日期", "离职日期", "当前级别"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 婷 雪 琳 鑫 颖 帆 楠 浩然 欣怡 佳琪 梓涵 "
    "子轩 思远 雨萱 嘉怡 俊杰 文博 晓燕 海燕 春梅 志强 建华 丹丹 玉兰 秀英 桂英 立新 红霞 凤英 玲玲 "
    "慧颖 一鸣 家豪 梦瑶 诗琪 天宇 晓东 亚楠 雅婷 晓丽 倩倩 子豪 宇航 思琪 佳怡 欣然 晨曦 志明 建军 "
    "丽娟 秀兰 美玲 海涛 文杰 国强 晓峰 婉婷 静怡 雨涵 俊辉 鹏飞 佳慧 晓雯 晓红 丽萍 振华 永刚 雪梅 "
    "巧玲 嘉欣 思彤 子墨 一帆 浩宇 泽宇 梓萱 可欣 宏伟 德明 翠兰 春燕 金凤 少华 晓婷 明辉 玉洁"
).split()
SURNAME_WEIGHTS = [1 / (rank + 8) for rank in range(len(SURNAMES))]  # 王李张… most common
CN_DIGITS = "零一二三四五六七八九"


# ------------------------------------------------------------------------------------------
@dataclass
class Agent:
    agent_id: str
    name: str
    team: str
    role: str
    hire_date: date
    start_level: str  # as written in the roster's 当前级别 (试用 for new hires)
    ability: float
    trend: float  # change of ability per month
    new_hire: bool = False
    leave_date: date | None = None
    noise: float = 0.0  # AR(1) state of the month-to-month noise
    contacts: int = 1000  # typical contacts handled a month


@dataclass
class MonthData:
    month: tuple[int, int]
    kpi: list[list[object]] = field(default_factory=list)
    attendance: list[list[object]] = field(default_factory=list)


def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"not a month: {text!r} (use 2026-01)")
    return int(match.group(1)), int(match.group(2))


def add_months(month: tuple[int, int], n: int) -> tuple[int, int]:
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 40 -> 四十; from 100 on, Arabic digits as clerks write them."""
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def team_names(n_agents: int) -> list[str]:
    """Four teams at the default size; about ten agents per team at any size."""
    pairs = max(2, round(n_agents / 20))
    return [f"{kind}{cn_number(k)}组" for kind in ("售前", "售后") for k in range(1, pairs + 1)]


@functools.lru_cache(maxsize=None)
def workdays(first: date, last: date) -> int:
    """Monday-to-Friday days from first to last inclusive (the scheduled days)."""
    days = 0
    day = first
    while day <= last:
        if day.weekday() < 5:
            days += 1
        day += timedelta(days=1)
    return days


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method: small means only (complaints, late arrivals)."""
    limit = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# ------------------------------------------------------------------------------------------
def make_agents(rng: random.Random, n_agents: int, start: tuple[int, int], n_months: int
                ) -> list[Agent]:
    """Regular agents (hired before the first month) then new hires during the period."""
    n_hires = min(round(n_agents * 0.1), n_agents - 1) if n_months >= 3 else 0
    n_regular = n_agents - n_hires
    width = max(4, len(str(n_agents)))
    teams = team_names(n_agents)
    used_names: set[str] = set()

    def new_name() -> str:
        for _ in range(30):
            name = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + rng.choice(GIVEN)
            if name not in used_names:
                break
        used_names.add(name)
        return name

    agents: list[Agent] = []
    first_day = date(start[0], start[1], 1)
    # Oldest hires get the lowest ids, as a call-centre system numbers them.
    tenures = sorted((rng.randint(100, 365 * 7) for _ in range(n_regular)), reverse=True)
    for i, days_before in enumerate(tenures):
        hired = first_day - timedelta(days=days_before)
        # A level needs the time to earn it (3 months' trial, then 3 months a star), and
        # longer tenure makes a higher level somewhat more likely.
        reachable = (days_before // 30 - 3) // 3
        weights = [share * (1 + 0.5 * (k - 2) * (days_before / (365 * 7) - 0.5))
                   if k <= reachable else 0.0 for k, share in enumerate(LEVEL_SHARE)]
        level_index = rng.choices(range(5), weights=weights)[0]
        level = LEVELS[level_index]
        team = teams[i % len(teams)]
        agents.append(Agent(
            agent_id=str(i + 1).zfill(width), name=new_name(), team=team,
            role=("售前客服" if team.startswith("售前") else "售后客服"), hire_date=hired,
            start_level=rng.choice(LEVEL_SPELLINGS[level]),
            ability=LEVEL_ABILITY[level_index] + rng.gauss(0, ABILITY_SPREAD),
            trend=rng.gauss(0, TREND_SPREAD), contacts=rng.randint(700, 1400)))
    # The first agent of each team (the longest-serving) is its team lead.
    for team in teams:
        lead = next((a for a in agents if a.team == team), None)
        if lead is not None:
            lead.role = "客服组长"

    # New hires: spread over the period so that some finish trial and one is still in it.
    for k in range(n_hires):
        span = max(n_months - 3, 0)
        index = 1 + (round(k * span / (n_hires - 1)) if n_hires > 1 else 0)
        y, m = add_months(start, index)
        hired = date(y, m, rng.randint(1, 20))
        team = teams[(n_regular + k) % len(teams)]
        agents.append(Agent(
            agent_id=str(n_regular + k + 1).zfill(width), name=new_name(), team=team,
            role=("售前客服" if team.startswith("售前") else "售后客服"), hire_date=hired,
            start_level="试用", ability=0.45 + rng.gauss(0, 0.4), trend=rng.gauss(0, 0.02),
            new_hire=True, contacts=rng.randint(500, 1000)))

    # Leavers: one at the default size, about one in forty at any size, mid-period, chosen
    # among agents at a middle level of modest ability (never 0001, the README's example).
    if n_months >= 2:
        n_leavers = max(1, round(n_agents / 40))
        middle = LEVEL_SPELLINGS["二星"] + LEVEL_SPELLINGS["三星"] + LEVEL_SPELLINGS["四星"]
        candidates = [a for a in agents[1:n_regular] if a.start_level in middle
                      and a.ability < LEVEL_ABILITY[2]] or agents[1:n_regular]
        y, m = add_months(start, max(0, n_months // 2 - 1))
        for leaver in rng.sample(candidates, min(n_leavers, len(candidates))):
            leaver.leave_date = date(y, m, rng.randint(10, 25))
    return agents


def trainings(agent: Agent, month: tuple[int, int]) -> int:
    """The agent's 培训次数 in `month` (see TRAINING_MONTHS): never drawn from the rng."""
    if agent.agent_id == NO_TRAINING:
        return 0
    hired = (agent.hire_date.year, agent.hire_date.month)
    induction = agent.new_hire and month in (hired, add_months(hired, 1))
    scheduled = month[1] in TRAINING_MONTHS and not (
        agent.agent_id == MISSES_OCTOBER and month[1] == 10)
    return int(induction) + int(scheduled)


def latent(rng: random.Random, agent: Agent, months_in: int, season: float) -> float:
    """This month's performance on the latent scale (0 = on target, +0.6 ≈ score 110)."""
    agent.noise = 0.45 * agent.noise + rng.gauss(0, 0.30)
    level = agent.ability + agent.trend * months_in + season + agent.noise
    if agent.new_hire:  # learning curve: weak in the hire month, near ability by month 4
        level -= 0.9 * math.exp(-months_in / 1.5)
    return level


def metrics(rng: random.Random, agent: Agent, z: float) -> list[float]:
    """Latent performance -> 平均响应时长 (s), 解决率, 客户满意度, 投诉率 (fractions)."""
    def z_metric() -> float:
        return z + rng.gauss(0, 0.30)

    response = min(max(30 * math.exp(-0.28 * z_metric()), 8.0), 180.0)
    resolution = min(1 - 0.10 * math.exp(-0.45 * z_metric()), 0.995)
    satisfaction = min(1 - 0.15 * math.exp(-0.40 * z_metric()), 0.995)
    contacts = max(200, round(agent.contacts * rng.uniform(0.85, 1.15)))
    complaints = poisson(rng, contacts * 0.01 * math.exp(-0.55 * z_metric()))
    return [round(response, 1), round(resolution, 4), round(satisfaction, 4),
            round(complaints / contacts, 4)]


def attendance(rng: random.Random, agent: Agent, first: date, last: date) -> list[object]:
    """Monthly totals: scheduled days, days present, late, early leave, absent, leave days."""
    start = max(first, agent.hire_date)
    end = min(last, agent.leave_date) if agent.leave_date else last
    required = workdays(start, end)
    late = poisson(rng, 0.6)
    early = poisson(rng, 0.2)
    absent = 1 if rng.random() < 0.03 else 0
    leave = rng.choice([0, 0, 0, 0, 0, 0, 0.5, 1, 1, 2, 3]) if required > 5 else 0
    leave = min(leave, max(required - absent, 0))
    present = required - absent - leave
    return [agent.agent_id, agent.name, required, present, late, early, absent, leave]


def build(n_agents: int, n_months: int, start: tuple[int, int], seed: int = SEED
          ) -> tuple[list[Agent], list[MonthData]]:
    rng = random.Random(seed)
    agents = make_agents(rng, n_agents, start, n_months)
    # The system exports team by team, ids ascending within a team.
    team_order = {t: i for i, t in enumerate(team_names(n_agents))}
    order = {a.agent_id: (team_order[a.team], a.agent_id) for a in agents}
    out: list[MonthData] = []
    for index in range(n_months):
        y, m = add_months(start, index)
        first = date(y, m, 1)
        last = date(y, m, calendar.monthrange(y, m)[1])
        # Company-wide month effect: Spring Festival (Feb) and Double 11 (Nov) load.
        season = {2: -0.10, 11: -0.12, 6: -0.04}.get(m, 0.0)
        data = MonthData((y, m))
        for agent in agents:
            if agent.hire_date > last or (agent.leave_date and agent.leave_date < first):
                continue
            months_in = (y * 12 + m) - (agent.hire_date.year * 12 + agent.hire_date.month)
            if not agent.new_hire:
                months_in = index
            z = latent(rng, agent, months_in, season)
            data.kpi.append([agent.agent_id, agent.name, agent.team, agent.role,
                             *metrics(rng, agent, z), trainings(agent, (y, m))])
            data.attendance.append(attendance(rng, agent, first, last))
        data.kpi.sort(key=lambda row: order[str(row[0])])
        data.attendance.sort(key=lambda row: order[str(row[0])])
        out.append(data)
    return agents, out


# ------------------------------------------------------------------------------------------
def _book(path: Path) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    book.set_properties({"title": path.stem, "author": "cslevel examples",
                         "company": "示例客服中心", "created": FIXED_CREATED})
    return book


def _formats(book: xlsxwriter.Workbook) -> dict[str, Format]:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                 "align": "center"}),
        "text": book.add_format({"num_format": "@"}),
        "seconds": book.add_format({"num_format": "0.0"}),
        "pct": book.add_format({"num_format": "0.00%"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }


def _header(sheet: Worksheet, fmt: dict[str, Format], title: str, header: list[str],
            widths: list[int]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, title, fmt["title"])
    # row 1 is left empty, as the system's export does
    for col, label in enumerate(header):
        sheet.write_string(2, col, label, fmt["head"])
    sheet.freeze_panes(3, 0)


def write_kpi(path: Path, month: tuple[int, int], rows: list[list[object]]) -> None:
    book = _book(path)
    fmt = _formats(book)
    sheet = book.add_worksheet("绩效考核")
    _header(sheet, fmt, f"{month[0]}年{month[1]:02d}月客服绩效考核表", KPI_HEADER,
            [8, 10, 10, 10, 14, 10, 12, 10, 10])
    for r, row in enumerate(rows, start=3):
        for c in range(4):
            sheet.write_string(r, c, str(row[c]), fmt["text"])
        sheet.write_number(r, 4, row[4], fmt["seconds"])
        for c in range(5, 8):
            sheet.write_number(r, c, row[c], fmt["pct"])
        sheet.write_number(r, 8, row[8])  # General: 0, 1, 2
    book.close()


def write_attendance(path: Path, month: tuple[int, int], rows: list[list[object]]) -> None:
    book = _book(path)
    fmt = _formats(book)
    sheet = book.add_worksheet("考勤汇总")
    _header(sheet, fmt, f"{month[0]}年{month[1]:02d}月考勤汇总表", ATT_HEADER,
            [8, 10, 12, 14, 10, 10, 10, 14])
    for r, row in enumerate(rows, start=3):
        sheet.write_string(r, 0, str(row[0]), fmt["text"])
        sheet.write_string(r, 1, str(row[1]), fmt["text"])
        for c in range(2, 8):
            sheet.write_number(r, c, row[c])  # General: 22, 0.5
    book.close()


def write_roster(path: Path, agents: list[Agent]) -> None:
    book = _book(path)
    fmt = _formats(book)
    sheet = book.add_worksheet("花名册")
    _header(sheet, fmt, "客服部员工花名册", ROSTER_HEADER, [8, 10, 10, 10, 12, 12, 12])
    for r, agent in enumerate(sorted(agents, key=lambda a: a.agent_id), start=3):
        for c, value in enumerate([agent.agent_id, agent.name, agent.team, agent.role]):
            sheet.write_string(r, c, value, fmt["text"])
        sheet.write_datetime(r, 4, datetime.combine(agent.hire_date, datetime.min.time()),
                             fmt["date"])
        if agent.leave_date:
            sheet.write_datetime(r, 5, datetime.combine(agent.leave_date, datetime.min.time()),
                                 fmt["date"])
        sheet.write_string(r, 6, agent.start_level, fmt["text"])
    book.close()


def pay_inputs_rows(last_kpi: list[list[object]]) -> list[list[object]]:
    """The pay-inputs rows of the payroll after the last month: the first eight agents of
    its KPI workbook (by id), each with personal social insurance and housing fund; overtime
    of each kind and a one-off amount with its reason for some (fixed by position, not drawn:
    the random draws of the other workbooks stay as they were)."""
    first = sorted(last_kpi, key=lambda row: str(row[0]))[:8]
    one_off = {2: (500, "年度优秀员工奖"), 5: (-200, "借支扣回")}
    rows: list[list[object]] = []
    for i, row in enumerate(first):
        hours = [[8, 0, 0], [4.5, 8, 0], [0, 0, 0], [12, 0, 3]][i % 4]
        amount, reason = one_off.get(i, (None, ""))
        rows.append([str(row[0]), str(row[1]), *hours, 100 if i % 2 == 0 else 0, amount,
                     reason, 315 + 10 * i, 210 + 5 * i])
    return rows


def write_pay_inputs(path: Path, month: tuple[int, int], rows: list[list[object]]) -> None:
    book = _book(path)
    fmt = _formats(book)
    sheet = book.add_worksheet("薪酬录入")
    _header(sheet, fmt, f"{month[0]}年{month[1]:02d}月薪酬录入表（随下月工资发放）", PAY_HEADER,
            [8, 10, 14, 14, 18, 10, 10, 16, 12, 14])
    for r, row in enumerate(rows, start=3):
        sheet.write_string(r, 0, str(row[0]), fmt["text"])
        sheet.write_string(r, 1, str(row[1]), fmt["text"])
        for c in range(2, 10):
            if c == 7:
                if row[c]:
                    sheet.write_string(r, c, str(row[c]), fmt["text"])
            elif row[c] is not None:
                sheet.write_number(r, c, row[c])
    book.close()


def generate(out: Path, n_agents: int, n_months: int, start: tuple[int, int],
             seed: int = SEED) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    agents, months = build(n_agents, n_months, start, seed)
    written = []
    for data in months:
        tag = f"{data.month[0]}-{data.month[1]:02d}"
        write_kpi(out / f"kpi_{tag}.xlsx", data.month, data.kpi)
        write_attendance(out / f"att_{tag}.xlsx", data.month, data.attendance)
        written += [out / f"kpi_{tag}.xlsx", out / f"att_{tag}.xlsx"]
    write_roster(out / "roster.xlsx", agents)
    written.append(out / "roster.xlsx")
    last = months[-1]
    tag = f"{last.month[0]}-{last.month[1]:02d}"
    write_pay_inputs(out / f"pay_{tag}.xlsx", last.month, pay_inputs_rows(last.kpi))
    written.append(out / f"pay_{tag}.xlsx")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="folder to write into (default: the examples folder)")
    parser.add_argument("--agents", type=int, default=40, help="agents (default 40)")
    parser.add_argument("--months", type=int, default=12, help="months (default 12)")
    parser.add_argument("--start", type=parse_month, default=(2026, 1),
                        help="first month, YYYY-MM (default 2026-01)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    if args.agents < 1 or args.months < 1:
        parser.error("--agents and --months must be at least 1")
    written = generate(args.out, args.agents, args.months, args.start, args.seed)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
