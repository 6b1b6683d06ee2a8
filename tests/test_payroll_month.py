"""The payroll of a small team through one month, computed by hand here: a promotion, a trial
end, a supervisor, a team lead and an absence (issue: "payroll export that finance can pay
from"). The export must match to the fen in .xlsx (read back) and .csv, with the reason for
every change from the month before, the comparison sheet and the sign-off list."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import write_xlsx
from cslevel.templates import shipped_templates_dir

D = Decimal
FEN = D("0.01")

# The shipped star template plus a team-lead rule (management pay by the team's quarterly
# average), so that one team can show every kind of pay at once.
LEAD_RULE = """
  team_lead:
    name: 管理津贴
    column: [领班]
    bands:
      - {at_least: 110, amount: 300.00}
      - {at_least: 105, amount: 200.00}
      - {at_least: 100, amount: 100.00}
    min_level: 一星
"""

# level -> 基本工资, 岗位绩效工资, 交通补贴, 餐费补贴, 话费补贴 (templates/star.yaml)
TABLE = {
    "试用": [D(2500), D(0), D(100), D(200), D(50)],
    "一星": [D(3000), D(1000), D(150), D(300), D(100)],
    "二星": [D(3300), D(1200), D(150), D(300), D(100)],
    "三星": [D(3600), D(1500), D(200), D(300), D(150)],
    "四星": [D(4000), D(1800), D(200), D(300), D(150)],
}
# the pay-inputs workbook's columns (templates/star.yaml, pay.inputs): none is given here
INPUTS = ["工作日加班费", "休息日加班费", "节假日加班费", "其它福利", "一次性款项", "社保个人部分",
          "公积金个人部分"]
COMPONENTS = ["基本工资", "岗位绩效工资", "交通补贴", "餐费补贴", "话费补贴", "工龄补贴", "主管津贴",
              "管理津贴", *INPUTS, "考勤扣款"]
# the workbook's and the CSV's columns: a pay-inputs item has one only when someone has it
SHOWN = [c for c in COMPONENTS if c not in INPUTS]


def shown(amounts: list[Decimal]) -> list[Decimal]:
    return [a for c, a in zip(COMPONENTS, amounts) if c not in INPUTS]

ROSTER = [
    ["工号", "姓名", "组别", "入职日期", "当前级别", "主管津贴档", "领班"],
    ["0001", "甲", "一组", "2020-06-15", "二星", None, "否"],     # promoted to 三星 from 04
    ["0002", "乙", "一组", "2026-01-10", None, None, "否"],       # trial 01–03, 一星 from 04
    ["0003", "丙", "一组", "2015-03-01", "四星", "二档", "否"],    # supervisor, tier 二档
    ["0004", "丁", "一组", "2023-05-01", "三星", None, "是"],      # team lead of 一组
    ["0005", "戊", "二组", "2025-04-30", "一星", None, "否"],      # absent two days in 03
]
SCORES = {  # 2026-01, 02, 03
    "0001": [112, 115, 120],
    "0002": [100, 104, 105],
    "0003": [110, 105, "112.35"],
    "0004": [110, 100, "115.55"],
    "0005": [100, 105, "93.37"],
}
ATTENDANCE_HEADER = ["工号", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数", "事假天数",
                     "病假天数"]
ATTENDANCE_03 = {
    "0001": [22, 22, 0, 0, 0, 0, 0],
    "0002": [22, 22, 0, 0, 0, 0, 0],
    "0003": [22, 21, 0, 0, 0, 0, 1],   # sick leave: not deducted
    "0004": [22, 22, 1, 0, 0, 0, 0],   # late once: 20.00
    "0005": [22, 19, 3, 0, 2, 1, 0],   # 2 days absent, 1 day personal leave, late 3 times
}


def half_up(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def by_hand() -> dict[str, tuple[str, list[Decimal]]]:
    """April 2026, worked out here from the rules, component by component."""
    # team 一组's Q1 average over every score of its agents, trial included, the lead 0004
    # not counted (004: the lead is paid by the assistants' scores)
    team = [D(str(v)) for a in ("0001", "0002", "0003") for v in SCORES[a]]
    team_average = half_up(sum(team) / len(team))
    assert team_average == D("109.26")  # (347 + 309 + 327.35) / 9
    lead_pay = D(200)  # 105 <= 109.26 < 110

    def line(level: str, march: str | None, years: int, tier: Decimal, lead: Decimal,
             deduction: Decimal) -> tuple[str, list[Decimal]]:
        basic, performance, transport, meals, phone = TABLE[level]
        if march is not None:  # performance pay × March score / 100, at most 1.2 times
            performance = performance * min(D(march) / 100, D("1.2"))
        seniority = min(D(50) * years, D(500))
        amounts = [basic, performance, transport, meals, phone, seniority, tier, lead,
                   *[D(0)] * len(INPUTS), -deduction]
        return level, [half_up(a) for a in amounts]

    day_basic_one_star = D(3000) / D("21.75")
    return {
        # promoted: 三星 table; March 120 → 1.2 × 1000; 5 full years (2020-06-15..2026-04-30)
        "0001": line("三星", "120", 5, D(0), D(0), D(0)),
        # trial over: 一星; March was a trial month, so the standard 600; under a year
        "0002": line("一星", None, 0, D(0), D(0), D(0)),
        # supervisor 二档 1000 whatever the level; 11 years → 550, capped at 500
        "0003": line("四星", "112.35", 11, D(1000), D(0), D(0)),
        # team lead: 200 by the team average; 2 full years (the third on 2026-05-01); late once
        "0004": line("三星", "115.55", 2, D(0), lead_pay, D(20)),
        # 3 days of basic pay (3000 / 21.75 a day) and 3 × 20 for lateness
        "0005": line("一星", "93.37", 1, D(0), D(0),
                     half_up(3 * day_basic_one_star + 3 * D(20))),
    }


@pytest.fixture
def month(tmp_path: Path, cli) -> Path:
    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    anchor = "  attendance_deduction:"
    (tmp_path / "star_lead.yaml").write_text(text.replace(anchor, LEAD_RULE.lstrip("\n") + anchor),
                                             encoding="utf-8")
    write_xlsx(tmp_path / "roster.xlsx", ROSTER, text_columns=(0,))
    for i in range(3):
        write_xlsx(tmp_path / f"kpi_2026-{i + 1:02d}.xlsx", [
            ["工号", "姓名", "组别", "绩效分值"],
            *[[a, r[1], r[2], float(SCORES[a][i]) if isinstance(SCORES[a][i], str)
               else SCORES[a][i]] for a, r in zip(SCORES, ROSTER[1:])]], text_columns=(0,))
    write_xlsx(tmp_path / "att_2026-03.xlsx",
               [ATTENDANCE_HEADER, *[[a, *v] for a, v in ATTENDANCE_03.items()]],
               text_columns=(0,))
    code, _, err = cli("score", "kpi_2026-01.xlsx", "kpi_2026-02.xlsx", "--scheme",
                       "star_lead.yaml", "--roster", "roster.xlsx", "--out", "out/")
    assert code == 0, err
    code, _, err = cli("score", "kpi_2026-03.xlsx", "--attendance", "att_2026-03.xlsx",
                       "--roster", "roster.xlsx", "--out", "out/")
    assert code == 0, err
    code, _, err = cli("promote")
    assert code == 0, err
    return tmp_path


def test_hand_computed_month_in_json(month: Path, cli_json) -> None:
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.xlsx")
    rows = {r["agent_id"]: r for r in doc["rows"]}
    expected = by_hand()
    assert set(rows) == set(expected)
    for agent, (level, amounts) in expected.items():
        assert rows[agent]["level"] == level
        assert rows[agent]["components"] == dict(zip(COMPONENTS, map(str, amounts))), agent
        assert rows[agent]["total"] == str(sum(amounts, D("0.00"))), agent
    assert rows["0005"]["components"]["考勤扣款"] == "-473.79"
    assert rows["0003"]["components"]["岗位绩效工资"] == "2022.30"  # 1800 × 1.1235
    assert doc["total"] == str(sum((sum(a, D("0.00")) for _, a in expected.values()), D("0.00")))
    assert doc["total"] == "29345.46"
    assert doc["problems"] == []


def test_hand_computed_month_in_xlsx(month: Path, cli) -> None:
    code, _, err = cli("payroll", "export", "--month", "2026-04", "--out", "payroll.xlsx")
    assert code == 0, err
    book = openpyxl.load_workbook(month / "payroll.xlsx")
    assert book.sheetnames == ["工资表 2026-04", "与上月对比", "晋升降级申请表"]
    rows = [[c.value for c in r] for r in book["工资表 2026-04"].iter_rows()]
    header = ["月份", "工号", "姓名", "组别", "级别", *SHOWN, "应发合计", "上月应发", "变动说明",
              "计算说明"]
    assert rows[0] == header
    expected = by_hand()
    body = {r[1]: r for r in rows[1:-1]}
    assert set(body) == set(expected)
    for agent, (level, amounts) in expected.items():
        row = body[agent]
        assert row[4] == level
        got = [half_up(D(str(v))) for v in row[5:5 + len(SHOWN)]]
        assert got == shown(amounts), agent
        assert half_up(D(str(row[5 + len(SHOWN)]))) == sum(amounts, D("0.00"))
    totals = rows[-1]
    assert totals[:5] == ["2026-04", "合计", None, None, "5人"]
    for index in range(5, 6 + len(SHOWN)):
        column = sum((half_up(D(str(r[index]))) for r in body.values()), D("0.00"))
        assert half_up(D(str(totals[index]))) == column, header[index]
    assert half_up(D(str(totals[5 + len(SHOWN)]))) == D("29345.46")

    change = {a: r[header.index("变动说明")] for a, r in body.items()}
    assert change["0001"].startswith("晋升 二星→三星（2026-03 考核）")
    assert change["0002"].startswith("试用期满 试用→一星（2026-03 考核）")
    assert "管理津贴 0.00→200.00（领班管理津贴按团队季度平均）" in change["0004"]
    assert "考勤扣款 0.00→-473.79（考勤变化）" in change["0005"]
    note = {a: r[header.index("计算说明")] for a, r in body.items()}
    assert "考勤扣款 473.79（2026-03：旷工天数 2 × 1天日薪 137.93，事假天数 1 × 1天日薪 137.93，" \
           "迟到次数 3 × 20.00）" in note["0005"]
    assert "团队2026-01–2026-03平均 109.26，管理津贴 200.00" in note["0004"]
    assert "主管津贴二档" in note["0003"]

    sign = [[c.value for c in r] for r in book["晋升降级申请表"].iter_rows()]
    assert sign[0][0] == "晋升/降级申请表（2026-03 考核，2026-04 起执行）"
    assert sign[2][:8] == ["工号", "姓名", "组别", "申请类型", "原级别", "新级别", "生效月份", "依据"]
    assert [r[:7] for r in sign[3:]] == [
        ["0001", "甲", "一组", "晋升", "二星", "三星", "2026-04"],
        ["0002", "乙", "一组", "试用期满", "试用", "一星", "2026-04"]]
    assert all(r[8:12] == [None] * 4 for r in sign[3:])  # signature columns left empty

    compare = [[c.value for c in r] for r in book["与上月对比"].iter_rows()]
    assert compare[0] == ["工号", "姓名", "组别", "级别", "上月应发", "本月应发", "差额", "原因"]
    assert {r[0] for r in compare[1:]} == set(expected)  # everyone's pay changed this month
    first = next(r for r in compare[1:] if r[0] == "0001")
    assert half_up(D(str(first[6]))) == half_up(D(str(first[5]))) - half_up(D(str(first[4])))


def test_hand_computed_month_in_csv(month: Path, cli) -> None:
    code, _, err = cli("payroll", "export", "--month", "2026-04", "--out", "payroll.csv")
    assert code == 0, err
    raw = (month / "payroll.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    expected = by_hand()
    body = {r[1]: r for r in rows[1:-1]}
    for agent, (level, amounts) in expected.items():
        assert body[agent][4] == level
        assert body[agent][5:5 + len(SHOWN)] == [str(a) for a in shown(amounts)], agent
        assert body[agent][5 + len(SHOWN)] == str(sum(amounts, D("0.00")))
    totals = rows[-1]
    for index in range(5, 6 + len(SHOWN)):
        assert D(totals[index]) == sum((D(r[index]) for r in body.values()), D("0.00"))
    assert totals[5 + len(SHOWN)] == "29345.46"


def test_payroll_diff_says_why(month: Path, cli_json, cli) -> None:
    doc = cli_json("payroll", "diff", "--month", "2026-04")
    assert doc["month"] == "2026-04" and doc["previous_month"] == "2026-03"
    changes = {c["agent_id"]: c for c in doc["changes"]}
    assert set(changes) == {"0001", "0002", "0003", "0004", "0005"}
    assert changes["0001"]["reasons"][0] == "晋升 二星→三星（2026-03 考核）"
    assert changes["0002"]["reasons"][0] == "试用期满 试用→一星（2026-03 考核）"
    assert changes["0001"]["total"] == str(sum(by_hand()["0001"][1], D("0.00")))
    assert D(changes["0001"]["difference"]) == D(changes["0001"]["total"]) - D(
        changes["0001"]["total_before"])
    assert doc["unchanged"] == 0
    assert [m["agent_id"] for m in doc["moves"]] == ["0001", "0002"]
    # the diff writes nothing
    before = sorted(p.name for p in month.iterdir())
    code, out, err = cli("payroll", "diff", "--month", "2026-04")
    assert code == 0, err
    assert "晋升 二星→三星（2026-03 考核）" in out
    assert sorted(p.name for p in month.iterdir()) == before


def test_unchanged_agents_are_not_listed_in_diff(month: Path, cli_json) -> None:
    doc = cli_json("payroll", "diff", "--month", "2026-03")
    changes = {c["agent_id"]: c for c in doc["changes"]}
    # 03 pays February's figures; 0002 is in trial both months and nothing of its pay moved
    assert "0002" not in changes
    assert doc["unchanged"] == 1
    assert changes["0001"]["reasons"] == ["岗位绩效工资 1,344.00→1,380.00（绩效变化）"]  # 1200 × 112%, 115%


def test_first_month_has_nothing_to_compare(month: Path, cli_json) -> None:
    doc = cli_json("payroll", "diff", "--month", "2026-01")
    assert doc["compared"] is False
    assert doc["changes"] == []


PRO_RATA = "  joiners: pro_rata\n  leavers: pro_rata\n"


def test_pro_rata_joiner_and_leaver(tmp_path: Path, cli_json) -> None:
    """With joiners/leavers: pro_rata, a hire on 2026-04-11 is paid 20/30 of April and a
    leaver on 2026-04-09 9/30; a hire known from the roster only is paid at trial level."""
    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    text = text.replace("  joiners: full\n  leavers: full\n", PRO_RATA)
    assert PRO_RATA in text
    (tmp_path / "star_pro_rata.yaml").write_text(text, encoding="utf-8")
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "入职日期", "离职日期", "当前级别"],
        ["0001", "2020-01-01", "2026-04-09", "一星"],
        ["0002", "2026-04-11", None, None],
        ["0003", "2020-01-01", None, "一星"]], text_columns=(0,))
    write_xlsx(tmp_path / "kpi_2026-03.xlsx", [["工号", "绩效分值"], ["0001", 100], ["0003", 100]],
               text_columns=(0,))
    cli_json("score", "kpi_2026-03.xlsx", "--scheme", "star_pro_rata.yaml", "--roster",
             "roster.xlsx", "--out", "out/")
    rows = {r["agent_id"]: r for r in cli_json("payroll", "export", "--month", "2026-04",
                                               "--out", "p.csv")["rows"]}
    # 一星 with March 100 → 岗位绩效工资 1000; 6 full years of service → 300 (cap 500)
    full = [D(3000), D(1000), D(150), D(300), D(100), D(300), D(0)]
    assert [D(v) for v in list(rows["0003"]["components"].values())[:7]] == full
    leaver = [half_up(a * 9 / 30) for a in full]
    assert [D(v) for v in list(rows["0001"]["components"].values())[:7]] == leaver
    assert rows["0001"]["components"]["基本工资"] == "900.00"
    assert "按出勤日历天数折算 9/30" in rows["0001"]["note"]
    trial = [D(2500), D(0), D(0), D(0), D(0), D(0), D(0)]  # trial: basic pay only (004)
    assert rows["0002"]["level"] == "试用"
    assert [D(v) for v in list(rows["0002"]["components"].values())[:7]] == [
        half_up(a * 20 / 30) for a in trial]
    assert rows["0002"]["components"]["基本工资"] == "1666.67"
    assert rows["0002"]["total"] == str(sum((half_up(a * 20 / 30) for a in trial), D("0.00")))
    assert rows["0002"]["change"] == "首次发放（入职 2026-04-11）"


def test_first_paid_month_has_no_change_column_text(month: Path, cli_json) -> None:
    rows = cli_json("payroll", "export", "--month", "2026-01", "--out", "p.csv")["rows"]
    assert rows and all(r["change"] == "" and r["previous_total"] is None for r in rows)
