"""Issue 21 item 8: what finance pays besides the monthly figures, from a per-agent pay-inputs
workbook (overtime by kind at the legal multipliers, 六险一金 personal deductions, benefits,
one-off amounts with a reason), and the KPI-rank and management bonuses (004 "呼叫中心客服专员
薪资体系方案"). Table tests at the boundaries (pure `pay_line`), every validation error of
the workbook (file › sheet › cell, both languages, nothing written), a month through the CLI
with the payroll workbook read back, `cslevel run` with input.pay_inputs, and the retro-pay
ledger keeping the new components."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx

from cslevel.payroll import PayInputs, pay_line, rank_places
from cslevel.records import Agent, Month, PayInputsRow, Source
from cslevel.templates import load_scheme, parse_scheme, read_template

D = Decimal
STAR, _STAR_TEXT = load_scheme("star")
LADDER, _LADDER_TEXT = load_scheme("ladder")
APRIL, MARCH = Month(2026, 4), Month(2026, 3)
HERE = Source("pay.xlsx", "Sheet1", 2)
INPUTS = ["工作日加班费", "休息日加班费", "节假日加班费", "其它福利", "一次性款项", "社保个人部分",
          "公积金个人部分"]


def half_up(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def agent(agent_id: str = "0007", team: str = "一组", **extra: object) -> Agent:
    return Agent(agent_id, "张三", team, **extra)  # type: ignore[arg-type]


def line_of(level: str, entered: PayInputsRow | None, scheme=STAR, **extra: object):
    return pay_line(PayInputs(agent(), APRIL, level, MARCH, None, None, None, entered,
                              **extra), scheme)  # type: ignore[arg-type]


# --- overtime: hours × hourly rate × the legal multiplier, each kind at the fen -----------------
@pytest.mark.parametrize(("level", "kind", "hours", "expected"), [
    # 二星 basic 3300: hourly rate 3300 / 21.75 / 8 = 18.96551724…
    ("二星", "工作日加班费", "10", "284.48"),    # × 1.5 × 10 = 284.4827…
    ("二星", "休息日加班费", "8", "303.45"),     # × 2 × 8 = 303.4482…
    ("二星", "节假日加班费", "3", "170.69"),     # × 3 × 3 = 170.6896…
    # 一星 basic 3000: 17.24137931… an hour
    ("一星", "工作日加班费", "0.5", "12.93"),    # 12.9310…
    ("一星", "节假日加班费", "24", "1241.38"),   # 1241.3793…
    ("一星", "工作日加班费", "0", "0.00"),       # zero hours: nothing
    ("一星", "休息日加班费", "744", "25655.17"),  # the most one month can hold: 31 × 24
])
def test_overtime_of_each_kind(level: str, kind: str, hours: str, expected: str) -> None:
    line = line_of(level, PayInputsRow("0007", HERE, {kind: D(hours)}))
    basic = D(STAR.level(level).pay["基本工资"])
    multiplier = {"工作日加班费": D("1.5"), "休息日加班费": D(2), "节假日加班费": D(3)}[kind]
    assert line.components[kind] == D(expected)
    assert half_up(D(hours) * basic / D("21.75") / 8 * multiplier) == D(expected)  # a second way
    if D(hours):
        assert f"{kind} = " in line.note and f"× {multiplier}" in line.note


def test_a_fixed_hourly_rate_rounds_half_up_at_the_fen() -> None:
    text = _STAR_TEXT.replace(
        "hourly_rate: {of: [基本工资], days_per_month: 21.75, hours_per_day: 8, round_rate: false}",
        "hourly_rate: {amount: 30.75}")
    scheme = parse_scheme(text, "fixed.yaml")
    # 30.75 × 1.5 × 1 = 46.125 → 46.13 half-up (half-even would give 46.12)
    line = line_of("一星", PayInputsRow("0007", HERE, {"工作日加班费": D(1)}), scheme)
    assert line.components["工作日加班费"] == D("46.13")
    assert "工作日加班费 = 1 小时 × 时薪 30.75 × 1.5" in line.note


def test_round_rate_rounds_the_hourly_rate_first() -> None:
    text = _STAR_TEXT.replace("round_rate: false", "round_rate: true")
    scheme = parse_scheme(text, "rounded.yaml")
    # 3000 / 21.75 / 8 = 17.2413… → 17.24; × 1.5 × 100 h = 2586.00 (unrounded rate: 2586.21)
    row = PayInputsRow("0007", HERE, {"工作日加班费": D(100)})
    assert line_of("一星", row, scheme).components["工作日加班费"] == D("2586.00")
    assert line_of("一星", row).components["工作日加班费"] == D("2586.21")


# --- deductions, benefits, one-off amounts, the net total --------------------------------------
def test_deductions_are_negative_and_the_total_is_net() -> None:
    row = PayInputsRow("0007", HERE, {"工作日加班费": D(2)},
                       {"其它福利": D("120.5"), "社保个人部分": D("380.255"), "公积金个人部分": D(240)},
                       D(-200), "借支扣回")
    line = line_of("一星", row)
    parts = line.components
    assert parts["其它福利"] == D("120.50")
    assert parts["社保个人部分"] == D("-380.26")  # half-up at the fen, then negative
    assert parts["公积金个人部分"] == D("-240.00")
    assert parts["一次性款项"] == D("-200.00")
    assert parts["工作日加班费"] == D("51.72")  # 2 × 1.5 × 17.2413…
    assert "一次性款项 -200.00：借支扣回" in line.note
    # the level's pay: 3000 + 1000 + 150 + 300 + 100; no seniority (no hire date)
    assert line.total == D(4550) + D("51.72") + D("120.50") - D("200.00") - D("380.26") - D(240)
    assert line.total == sum(parts.values(), D("0.00"))


def test_without_a_row_every_input_is_zero() -> None:
    line = line_of("一星", None)
    assert [line.components[n] for n in INPUTS] == [D("0.00")] * len(INPUTS)
    assert list(line.components) == STAR.pay.all_components


def test_inputs_are_never_pro_rata() -> None:
    text = _STAR_TEXT.replace("joiners: full", "joiners: pro_rata")
    scheme = parse_scheme(text, "pro_rata.yaml")
    hired = Agent("0007", "张三", "一组", hire_date=date(2026, 4, 16))
    line = pay_line(PayInputs(hired, APRIL, "一星", MARCH, None, None, None, PayInputsRow(
        "0007", HERE, {"工作日加班费": D(2)}, {"其它福利": D(100)}, D(300), "入职奖励")), scheme)
    assert line.components["基本工资"] == D("1500.00")  # 3000 × 15/30
    assert line.components["工作日加班费"] == D("51.72")
    assert line.components["其它福利"] == D("100.00")
    assert line.components["一次性款项"] == D("300.00")


# --- the KPI-rank bonus: places, ties at the cut-off ------------------------------------------
@pytest.mark.parametrize(("ties", "places"), [
    ("higher", {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5}),
    ("lower", {"a": 1, "b": 3, "c": 3, "d": 4, "e": 5}),
])
def test_rank_places(ties: str, places: dict[str, int]) -> None:
    scores = {"a": D(120), "b": D("115.5"), "c": D("115.50"), "d": D(110), "e": D(90)}
    assert rank_places(scores, ties) == places


@pytest.mark.parametrize(("ties", "place", "amount"), [
    # ladder: 1st 800, 2nd–3rd 500, 4th–5th 300. Two agents tied for 3rd and 4th:
    ("higher", 3, "500.00"),   # our default: both take the better place, the higher tier
    ("lower", 4, "300.00"),    # both take the worse place, the lower tier
])
def test_a_tie_at_the_cut_off(ties: str, place: int, amount: str) -> None:
    scores = {"a": D(120), "b": D(118), "c": D(110), "d": D(110), "e": D(100), "f": D(99)}
    places = rank_places(scores, ties)
    assert places["c"] == places["d"] == place
    scheme = LADDER.model_copy(update={"pay": LADDER.pay.model_copy(update={
        "rank_bonus": LADDER.pay.rank_bonus.model_copy(update={"ties": ties})})})
    for who in ("c", "d"):
        line = line_of("员工", None, scheme, rank=(places[who], len(scores)))
        assert line.components["排名奖金"] == D(amount)
        assert f"2026-03 KPI 排名第 {place}/6 名（前 {3 if amount == '500.00' else 5} 名）" in line.note
    assert line_of("员工", None, scheme, rank=(6, 6)).components["排名奖金"] == D("0.00")
    assert line_of("员工", None, scheme, rank=None).components["排名奖金"] == D("0.00")


def test_management_bonus_bands() -> None:
    from cslevel.payroll import management_bonus

    boss = agent(team="一组")
    assert management_bonus(boss, LADDER, MARCH, [D(110), D(110)])[0] == D(1000)
    assert management_bonus(boss, LADDER, MARCH, [D(110), D("109.98")])[0] == D(600)  # 109.99
    assert management_bonus(boss, LADDER, MARCH, [D(90)])[0] == D(300)
    amount, why = management_bonus(boss, LADDER, MARCH, [D("89.99")])
    assert (amount, why) == (D(0), "一组 2026-03 平均 89.99：无管理奖金")
    assert management_bonus(boss, LADDER, MARCH, [])[1] == "管理奖金：本组 2026-03 无分值"


# --- the template's fields ---------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "message"), [
    ("hourly_rate: {of: [基本工资], days_per_month: 21.75, hours_per_day: 8, round_rate: false}",
     "hourly_rate: {of: [底薪]}", "pay.inputs.hourly_rate.of：未知薪酬组成 ['底薪']"),
    ("hourly_rate: {of: [基本工资], days_per_month: 21.75, hours_per_day: 8, round_rate: false}",
     "hourly_rate: {amount: 20, of: [基本工资]}", "amount（固定时薪）与 of"),
    ("multiplier: 1.5}", "multiplier: -1.5}", "multiplier"),
])
def test_template_errors_name_the_field(old: str, new: str, message: str) -> None:
    from cslevel.records import CslevelError

    with pytest.raises(CslevelError) as caught:
        parse_scheme(_STAR_TEXT.replace(old, new, 1), "bad.yaml")
    assert message in str(caught.value.problems[0])


def test_shipped_templates_sit_inside_their_declared_ranges() -> None:
    from cslevel.templates import shipped_template_names

    # every shipped template's standard amounts sit inside the ranges it declares (points'
    # 未定级 too: 004's lowest amounts)
    for name in shipped_template_names():
        scheme = load_scheme(name)[0]
        assert scheme.pay_range_warnings() == [], name
    points = load_scheme("points")[0]
    assert points.level("未定级").pay == {"基本工资": Decimal("2500.00"), "岗位津贴": Decimal("500.00")}
    assert LADDER.pay.ranges is not None and LADDER.pay.ranges.totals["员工"] == (5000, 10000)


def test_validate_warns_of_totals_outside_the_ranges(tmp_path: Path, cli) -> None:
    text = read_template("ladder")[1].replace(
        "pay: {基本工资: 4000.00, 岗位津贴: 500.00, 绩效奖金: 1000.00}",
        "pay: {基本工资: 3000.00, 岗位津贴: 500.00, 绩效奖金: 1000.00}")
    (tmp_path / "low.yaml").write_text(text, encoding="utf-8")
    code, out, err = cli("templates", "validate", "low.yaml")
    assert code == 0, err
    assert "! 级别 员工：月薪合计 4500.00 不在 5000–10000 之间（pay.ranges：001 客服岗位的薪酬）" in out
    assert "! 级别 初级：月薪合计 4500.00 不在 5000–10000 之间" in out
    code, out, _err = cli("templates", "validate", "low.yaml", "--json")
    assert json.loads(out)["warnings"] == [
        "级别 员工：月薪合计 4500.00 不在 5000–10000 之间（pay.ranges：001 客服岗位的薪酬）",
        "级别 初级：月薪合计 4500.00 不在 5000–10000 之间（pay.ranges：001 客服岗位的薪酬）"]
    code, out, _err = cli("templates", "validate", str(Path(__file__).parents[1] / "templates"
                                                        / "ladder.yaml"), "--json")
    assert json.loads(out)["warnings"] == []


# --- a month through the CLI ---------------------------------------------------------------------
ROSTER = [["工号", "姓名", "组别", "入职日期", "当前级别", "主管津贴档"],
          ["0001", "甲", "一组", "2020-06-15", "二星", None],
          ["0002", "乙", "一组", "2024-01-10", "一星", None],
          ["0007", "丙", "二组", "2015-03-01", "四星", "二档"],
          *[[f"000{i}", f"员工{i}", "二组", "2024-01-10", "一星", None] for i in range(3, 7)]]
MARCH_KPI = [["工号", "姓名", "组别", "绩效分值"], ["0001", "甲", "一组", 112],
             ["0002", "乙", "一组", 100], ["0007", "丙", "二组", 100],
             *[[f"000{i}", f"员工{i}", "二组", 100] for i in range(3, 7)]]
PAY_HEADER = ["工号", "姓名", "工作日加班小时", "休息日加班小时", "法定节假日加班小时", "其它福利",
              "一次性金额", "事由", "社保个人部分", "公积金个人部分"]


@pytest.fixture
def month(tmp_path: Path, cli) -> Path:
    """A star history: March scored; the payroll of April comes next."""
    write_xlsx(tmp_path / "roster.xlsx", ROSTER, text_columns=(0,))
    write_xlsx(tmp_path / "kpi_2026-03.xlsx", MARCH_KPI, text_columns=(0,))
    code, _out, err = cli("score", "kpi_2026-03.xlsx", "--scheme", "star", "--roster",
                          "roster.xlsx", "--out", "out/")
    assert code == 0, err
    assert cli("promote")[0] == 0
    return tmp_path


def pay_workbook(path: Path, *rows: list[object], header: list[str] = PAY_HEADER) -> Path:
    write_xlsx(path, [["2026年4月薪酬录入表"], header, *rows], text_columns=(0,))
    return path


def test_a_month_with_pay_inputs_through_the_cli(month: Path, cli, cli_json) -> None:
    pay_workbook(month / "pay_2026-04.xlsx",
                 ["0001", "甲", 10, 8, "3", 100, 500, "年中奖", "380.5", 240],
                 ["0002", "乙", None, None, None, None, -200, "借支扣回", 300, 200])
    doc = cli_json("payroll", "export", "--month", "2026-04", "--pay-inputs",
                   "pay_2026-04.xlsx", "--out", "payroll.xlsx")
    rows = {r["agent_id"]: r for r in doc["rows"]}
    first = rows["0001"]["components"]
    # 二星, basic 3300: 18.9655… an hour
    assert [first[n] for n in INPUTS] == [
        "284.48", "303.45", "170.69", "100.00", "500.00", "-380.50", "-240.00"]
    assert [rows["0002"]["components"][n] for n in INPUTS] == [
        "0.00", "0.00", "0.00", "0.00", "-200.00", "-300.00", "-200.00"]
    assert [rows["0007"]["components"][n] for n in INPUTS] == ["0.00"] * 7
    assert len(rows) == 7
    for row in doc["rows"]:
        assert D(row["total"]) == sum(D(v) for v in row["components"].values())
    # 3300 + 1200 × 1.12 + 150 + 300 + 100 + 5 years × 50, plus the inputs
    assert rows["0001"]["total"] == str(D(3300) + D("1344.00") + 550 + 250 + D("284.48")
                                        + D("303.45") + D("170.69") + 100 + 500 - D("380.50") - 240)

    book = openpyxl.load_workbook(month / "payroll.xlsx")
    sheet = book["工资表 2026-04"]
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    header = table[0]
    assert header[5:5 + len(STAR.pay.all_components)] == STAR.pay.all_components
    body = {r[1]: dict(zip(header, r)) for r in table[1:-1]}
    assert body["0001"]["一次性款项"] == 500 and body["0002"]["一次性款项"] == -200
    assert body["0001"]["节假日加班费"] == pytest.approx(170.69)
    assert body["0001"]["社保个人部分"] == pytest.approx(-380.5)
    assert "一次性款项 +500.00：年中奖" in body["0001"]["计算说明"]
    assert "工作日加班费 = 10 小时 × 时薪 18.9655 × 1.5" in body["0001"]["计算说明"]
    assert "一次性款项 -200.00：借支扣回" in body["0002"]["计算说明"]
    totals = dict(zip(header, table[-1]))
    assert totals["一次性款项"] == 300 and totals["公积金个人部分"] == -440
    assert half_up(D(str(totals["应发合计"]))) == D(doc["total"])

    # the workbook is kept for the month: the payroll made again pays the same
    again = cli_json("payroll", "export", "--month", "2026-04", "--out", "again.xlsx")
    assert again["rows"] == doc["rows"]


def test_run_takes_the_pay_inputs_of_the_workspace(tmp_path: Path, cli) -> None:
    code, _out, err = cli("init", "ws", "--language", "zh")
    assert code == 0, err
    ws = tmp_path / "ws"
    text = (ws / "cslevel.toml").read_text(encoding="utf-8")
    assert 'pay_inputs = ["pay_{month}*.xlsx", "薪酬录入_{month}*.xlsx"]' in text
    write_xlsx(ws / "input" / "roster.xlsx", ROSTER, text_columns=(0,))
    write_xlsx(ws / "input" / "kpi_2026-03.xlsx", MARCH_KPI, text_columns=(0,))
    pay_workbook(ws / "input" / "pay_2026-03.xlsx", ["0002", "乙", 4, None, None, None, None,
                                                     None, None, None])
    code, out, err = cli("run", "--month", "2026-03", "--config", str(ws / "cslevel.toml"),
                         "--json")
    assert code == 0, err + out
    book = openpyxl.load_workbook(ws / "output" / "payroll-2026-04.xlsx")
    table = [[c.value for c in r] for r in book["工资表 2026-04"].iter_rows()]
    body = {r[1]: dict(zip(table[0], r)) for r in table[1:-1]}
    # 一星 3000: 4 h × 1.5 × 17.2413… = 103.448… → 103.45
    assert body["0002"]["工作日加班费"] == pytest.approx(103.45)
    assert body["0001"]["工作日加班费"] == 0
    # the same inputs change nothing; a changed pay-inputs workbook is a new run
    code, out, _err = cli("run", "--month", "2026-03", "--config", str(ws / "cslevel.toml"),
                          "--json")
    assert json.loads(out)["status"] == "unchanged"
    pay_workbook(ws / "input" / "pay_2026-03.xlsx", ["0002", "乙", 6, None, None, None, None,
                                                     None, None, None])
    code, out, err = cli("run", "--month", "2026-03", "--config", str(ws / "cslevel.toml"),
                         "--json")
    assert code == 0, err
    assert json.loads(out)["status"] != "unchanged"
    book = openpyxl.load_workbook(ws / "output" / "payroll-2026-04.xlsx")
    table = [[c.value for c in r] for r in book["工资表 2026-04"].iter_rows()]
    body = {r[1]: dict(zip(table[0], r)) for r in table[1:-1]}
    assert body["0002"]["工作日加班费"] == pytest.approx(155.17)  # 6 × 1.5 × 17.2413…


# --- every validation error: file › sheet › cell, both languages, nothing written ----------------
BAD_ROWS = [
    ["0001", "甲", -2, None, None, None, None, None, None, None],          # C3 negative hours
    ["0002", "乙", "两小时", None, None, None, None, None, None, None],     # C4 text
    ["0007", "丙", None, 800, None, None, None, None, None, None],         # D5 > 744 hours
    ["0001", "甲", None, None, None, None, None, None, None, None],         # twice (row 6)
    ["7", "丙", None, None, None, None, None, None, None, None],            # A7: 7 is not 0007
    ["0003", "丁", None, None, None, None, 300, None, None, None],          # one-off, no reason
    ["0004", "戊", None, None, None, None, None, "补发", None, None],       # reason, no amount
    ["0005", "己", None, None, None, None, None, None, -50, None],          # I10 negative
    ["0006", "庚", None, None, "10%", None, None, None, None, None],        # E11 a percentage
]


def expected_errors(lang: str) -> list[str]:
    where = "pay_bad.xlsx › Sheet1"
    if lang == "zh":
        return [
            f"{where} › C3: 加班小时：-2 小时是负数 — 请填写加班小时数（0 或以上的数字），如 7.5。",
            f"{where} › C4: 加班小时：'两小时' 不是数字 — 请填写加班小时数（0 或以上的数字），如 7.5。",
            (f"{where} › D5: 加班小时：800 小时超过一个月的总小时数（744） — "
            "请填写加班小时数（0 或以上的数字），如 7.5。"),
            f"{where} › H8: 一次性金额 300 没有写事由 — 请在“一次性事由”列写明发放或扣回的原因。",
            f"{where} › G9: 写了事由却没有一次性金额 — 请填写金额，或清空事由。",
            f"{where} › I10: 金额：-50 是负数 — 请填写金额（元，0 或以上的数字），如 350.00。",
            (f"{where} › E11: 加班小时：'10%' 是百分数，不是金额或小时数 — "
            "请填写加班小时数（0 或以上的数字），如 7.5。"),
            (f"{where} › A6: 工号 0001 在薪酬录入表中出现两次（另一处：{where} › A3） — "
            "每人只保留一行，删除另一行。"),
            (f"{where} › A7: 未知员工 7：历史数据中没有 — "
            "请核对工号（前导零有效：0007 不是 7），或先对包含该员工的月份评分。"),
        ]
    return [
        (f"{where} › C3: overtime hours: -2 hours is negative — Give the hours worked as a number "
        "of 0 or more, e.g. 7.5."),
        (f"{where} › C4: overtime hours: '两小时' is not a number — Give the hours worked as a "
        "number of 0 or more, e.g. 7.5."),
        (f"{where} › D5: overtime hours: 800 hours is more than a month has (744) — Give the "
        "hours worked as a number of 0 or more, e.g. 7.5."),
        (f"{where} › H8: one-off amount 300 has no reason — Write why it is paid or taken off in "
        "the 一次性事由 column."),
        (f"{where} › G9: a reason without a one-off amount — Fill in the amount, or clear the "
        "reason."),
        (f"{where} › I10: amount: -50 is negative — Give the amount in yuan as a number of 0 or "
        "more, e.g. 350.00."),
        (f"{where} › E11: overtime hours: '10%' is a percentage, not an amount or hours — Give "
        "the hours worked as a number of 0 or more, e.g. 7.5."),
        (f"{where} › A6: agent 0001 appears twice in the pay-inputs workbook (also at {where} › "
        "A3) — Keep one row per agent and delete the other."),
        (f"{where} › A7: unknown agent 7: not in the history — Check the id (leading zeros "
        "count: 0007 is not 7), or score a month with that agent first."),
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_error_at_once_and_nothing_written(month: Path, cli, monkeypatch, lang) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", lang)
    pay_workbook(month / "pay_bad.xlsx", *BAD_ROWS)
    before = (month / "history.db").read_bytes()
    code, out, err = cli("payroll", "export", "--month", "2026-04", "--pay-inputs",
                         "pay_bad.xlsx", "--out", "payroll.xlsx", "--json")
    assert code == 1
    doc = json.loads(out or err)
    got = [p["text"] for p in doc["problems"] if p["severity"] == "error"]
    assert got == expected_errors(lang)
    assert not (month / "payroll.xlsx").exists()
    assert (month / "history.db").read_bytes() == before


def test_an_agent_not_paid_that_month_is_refused(month: Path, cli) -> None:
    write_xlsx(month / "roster.xlsx", [*ROSTER, ["0009", "丁", "二组", "2026-05-01", None, None]],
               text_columns=(0,))
    assert cli("score", "kpi_2026-03.xlsx", "--roster", "roster.xlsx", "--out", "out/")[0] == 0
    pay_workbook(month / "pay.xlsx", ["0009", "丁", 1, None, None, None, None, None, None, None])
    code, out, err = cli("payroll", "export", "--month", "2026-04", "--pay-inputs", "pay.xlsx",
                         "--out", "payroll.xlsx")
    assert code == 1
    assert ("员工 0009 不在 2026-04 的工资表上（已离职或尚未入职）：薪酬录入项无法发放 — "
            "删除该行，或把款项记到工资表上的人员名下。") in err + out
    assert not (month / "payroll.xlsx").exists()


def test_a_template_without_pay_inputs_refuses_the_workbook(tmp_path: Path, cli) -> None:
    write_xlsx(tmp_path / "kpi_2026-03.xlsx", [["工号", "姓名", "组别", "岗位", "客户回访率",
                                               "客户满意度", "处理时限和正确度", "各类培训及业务水平",
                                               "考勤"], ["0001", "甲", "一组", "普通客服代表",
                                                       90, 90, 90, 90, 90]], text_columns=(0,))
    code, _out, err = cli("score", "kpi_2026-03.xlsx", "--scheme", "weighted", "--out", "out/")
    assert code == 0, err
    pay_workbook(tmp_path / "pay.xlsx", ["0001", "甲", 1, None, None, None, None, None, None,
                                         None])
    code, out, err = cli("payroll", "export", "--pay-inputs", "pay.xlsx", "--out", "p.xlsx")
    assert code == 2
    assert "模板 weighted 没有 pay.inputs 部分：无法读取薪酬录入表" in err + out
    assert not (tmp_path / "p.xlsx").exists()


def test_ids_keep_their_leading_zeros(month: Path, cli_json) -> None:
    # 0007 typed as text stays 0007; a space inside is read without it, with a warning
    pay_workbook(month / "pay.xlsx", ["0007", "丙", None, None, None, 88, None, None, None, None],
                 ["00 02", "乙", None, None, None, 66, None, None, None, None])
    doc = cli_json("payroll", "export", "--month", "2026-04", "--pay-inputs", "pay.xlsx",
                   "--out", "p.xlsx")
    rows = {r["agent_id"]: r for r in doc["rows"]}
    assert rows["0007"]["components"]["其它福利"] == "88.00"
    assert rows["0002"]["components"]["其它福利"] == "66.00"
    assert any("'00 02'" in p["text"] and p["severity"] == "warning" for p in doc["problems"])


# --- retro pay: a locked month's paid lines include the new components --------------------------
def test_locked_months_paid_lines_keep_the_pay_inputs(month: Path, cli, cli_json) -> None:
    pay_workbook(month / "pay.xlsx", ["0001", "甲", 10, None, None, None, 500, "年中奖", 380, None])
    paid = cli_json("payroll", "export", "--month", "2026-04", "--pay-inputs", "pay.xlsx",
                    "--out", "p.xlsx")
    assert cli("lock", "2026-03")[0] == 0
    with sqlite3.connect(month / "history.db") as db:
        stored = dict(db.execute("SELECT agent_id, components FROM paid_lines "
                                 "WHERE pay_month = '2026-04'").fetchall())
    first = json.loads(stored["0001"])
    assert (first["工作日加班费"], first["一次性款项"], first["社保个人部分"]) == (
        "284.48", "500.00", "-380.00")
    # the month scored again: only the score's difference is owed, the inputs are paid again
    assert cli("reopen", "2026-03", "--reason", "KPI 更正")[0] == 0
    write_xlsx(month / "kpi_2026-03.xlsx", [[*row[:3], 100] if row[0] == "0001" else row
                                            for row in MARCH_KPI], text_columns=(0,))
    assert cli("score", "kpi_2026-03.xlsx", "--roster", "roster.xlsx", "--out", "out/")[0] == 0
    rows = cli_json("payroll", "corrections")["rows"]
    # only 0001's performance pay differs: 1200 × (1.12 − 1.00); the inputs are due again
    paid_first = next(r for r in paid["rows"] if r["agent_id"] == "0001")
    assert [(r["agent_id"], r["paid"], r["due"], r["difference"]) for r in rows] == [
        ("0001", paid_first["total"], str(D(paid_first["total"]) - 144), "-144.00")]


def test_a_paid_months_pay_inputs_cannot_change(month: Path, cli) -> None:
    cli("payroll", "export", "--month", "2026-04", "--out", "p.xlsx")
    assert cli("lock", "2026-03")[0] == 0
    pay_workbook(month / "pay.xlsx", ["0001", "甲", 10, None, None, None, None, None, None, None])
    code, out, err = cli("payroll", "export", "--month", "2026-04", "--pay-inputs", "pay.xlsx",
                         "--out", "p2.xlsx")
    assert code == 3
    assert "2026-04 的工资已发放（2026-03 已锁定）：其薪酬录入项不能再改" in err + out


# --- the ladder: rank and management bonuses through the CLI -----------------------------------
def test_rank_and_management_bonus_on_the_ladder(tmp_path: Path, cli, cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "当前级别", "通道"],
        ["0001", "甲", "一组", "2020-01-01", "组长", "管理通道"],
        ["0002", "乙", "一组", "2020-01-01", "员工", "管理通道"],
        ["0003", "丙", "一组", "2020-01-01", "初级", "专业通道"],
        ["0004", "丁", "二组", "2020-01-01", "初级", "专业通道"],
        ["0005", "戊", "二组", "2020-01-01", "初级", "专业通道"],
        ["0006", "己", "二组", "2020-01-01", "员工", "管理通道"],
    ], text_columns=(0,))
    scores = {"0001": 99, "0002": 112, "0003": 104, "0004": 104, "0005": 104, "0006": 90}
    write_xlsx(tmp_path / "kpi_2026-03.xlsx", [["工号", "姓名", "组别", "绩效分值"], *[
        [a, "x", "一组" if a <= "0003" else "二组", s] for a, s in scores.items()]],
        text_columns=(0,))
    code, _out, err = cli("score", "kpi_2026-03.xlsx", "--scheme", "ladder", "--roster",
                          "roster.xlsx", "--out", "out/")
    assert code == 0, err
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.xlsx")
    rows = {r["agent_id"]: r["components"] for r in doc["rows"]}
    # places: 0002 1st (800); 0003, 0004, 0005 tied 2nd (500 each: the tie takes the better
    # place); 0001 5th (300); 0006 6th (none)
    assert {a: c["排名奖金"] for a, c in rows.items()} == {
        "0001": "300.00", "0002": "800.00", "0003": "500.00", "0004": "500.00",
        "0005": "500.00", "0006": "0.00"}
    # 组长 0001 leads 一组: (112 + 104) / 2 = 108 → ≥ 100: 600; the others are not managers
    assert {a: c["管理奖金"] for a, c in rows.items()} == {
        "0001": "600.00", "0002": "0.00", "0003": "0.00", "0004": "0.00", "0005": "0.00",
        "0006": "0.00"}
    note = next(r["note"] for r in doc["rows"] if r["agent_id"] == "0001")
    assert "一组 2026-03 平均 108.00（≥ 100）：管理奖金 600.00" in note
    assert "2026-03 KPI 排名第 5/6 名（前 5 名）：排名奖金 300.00" in note


def test_a_rank_tie_at_the_cut_off_with_ties_lower_through_the_cli(tmp_path: Path,
                                                                   cli_json) -> None:
    """The same month under the ladder with `ties: lower`: the three tied for 2nd take the
    worst place of the tie (4th), past the top-3 cut-off: 300 each, not 500."""
    text = read_template("ladder")[1]
    assert text.count("    ties: higher\n") == 1
    (tmp_path / "ladder-lower.yaml").write_text(
        text.replace("    ties: higher\n", "    ties: lower\n"), encoding="utf-8")
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "当前级别", "通道"],
        *[[a, "x", "一组" if a <= "0003" else "二组", "2020-01-01", level, track]
          for a, level, track in (("0001", "组长", "管理通道"), ("0002", "员工", "管理通道"),
                                  ("0003", "初级", "专业通道"), ("0004", "初级", "专业通道"),
                                  ("0005", "初级", "专业通道"), ("0006", "员工", "管理通道"))],
    ], text_columns=(0,))
    scores = {"0001": 99, "0002": 112, "0003": 104, "0004": 104, "0005": 104, "0006": 90}
    write_xlsx(tmp_path / "kpi_2026-03.xlsx", [["工号", "姓名", "组别", "绩效分值"], *[
        [a, "x", "一组" if a <= "0003" else "二组", s] for a, s in scores.items()]],
        text_columns=(0,))
    cli_json("score", "kpi_2026-03.xlsx", "--scheme", "ladder-lower.yaml", "--roster",
             "roster.xlsx", "--out", "out/")
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.xlsx")
    assert {r["agent_id"]: r["components"]["排名奖金"] for r in doc["rows"]} == {
        "0001": "300.00", "0002": "800.00", "0003": "300.00", "0004": "300.00",
        "0005": "300.00", "0006": "0.00"}
    note = next(r["note"] for r in doc["rows"] if r["agent_id"] == "0003")
    assert "2026-03 KPI 排名第 4/6 名（前 5 名）：排名奖金 300.00" in note


def test_examples_star_pay_inputs_workbook_is_read() -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    found = sorted(examples.glob("pay_*.xlsx"))
    assert found, "examples/ has a pay-inputs workbook (examples/generate.py)"
    from cslevel.read.payinputs import read_pay_inputs

    rows, problems = read_pay_inputs(found[0], STAR)
    assert [p for p in problems if p.severity == "error"] == []
    assert any(r.hours for r in rows) and any(r.one_off and r.reason for r in rows)


def test_run_pay_inputs_option(tmp_path: Path, cli) -> None:
    code, _out, err = cli("init", "ws", "--language", "zh")
    assert code == 0, err
    ws = tmp_path / "ws"
    write_xlsx(ws / "input" / "roster.xlsx", ROSTER, text_columns=(0,))
    write_xlsx(ws / "input" / "kpi_2026-03.xlsx", MARCH_KPI, text_columns=(0,))
    # a file the pattern would take, and another one given on the command line: the option wins
    pay_workbook(ws / "input" / "pay_2026-03.xlsx", ["0002", "乙", 4, None, None, None, None,
                                                     None, None, None])
    pay_workbook(tmp_path / "mine.xlsx", ["0002", "乙", None, None, 2, None, None, None, None,
                                          None])
    config = str(ws / "cslevel.toml")
    code, out, err = cli("run", "--month", "2026-03", "--config", config, "--pay-inputs",
                         "mine.xlsx", "--json")
    assert code == 0, err + out
    table = [[c.value for c in r] for r in openpyxl.load_workbook(
        ws / "output" / "payroll-2026-04.xlsx").worksheets[0].iter_rows()]
    body = {r[1]: dict(zip(table[0], r)) for r in table[1:-1]}
    # 一星: 2 h × 3 × 17.2413… = 103.448… → 103.45 on public holidays; nobody has any other
    # item: their columns are left out (the JSON rows keep them, at 0.00)
    assert body["0002"]["节假日加班费"] == pytest.approx(103.45)
    assert [c for c in table[0] if c in INPUTS] == ["节假日加班费"]
    doc = json.loads(out)
    assert doc["paid"] == 7
    code, _out, err = cli("run", "--from", "2026-01", "--config", config, "--pay-inputs",
                          "mine.xlsx")
    assert code == 2
    assert "--pay-inputs 只用于一个月" in err
