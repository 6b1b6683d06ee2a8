"""Figures out of range (BAD_INPUTS 37–40, 46, 47, 52): NaN, infinities and absurd magnitudes
in any figure or template field, figures outside what the domain allows, values that would
poison later runs, headers that state their unit, ids a float cannot hold or typed with a
space, and one id with two names. Each is refused where it enters (file › sheet › cell, or
template › field) with nothing written, or read and listed as a warning."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bad_helpers import write_parts, xlsx_parts
from conftest import write_xlsx
from cs_helpers import db_snapshot, error_doc, files_in, kpi
from cslevel.read import _convert_one, _decimal, _distinct, states_percent
from cslevel.read.values import agent_id, number, seconds
from cslevel.records import Agent, Month
from cslevel.templates import load_scheme, normalize_label, shipped_templates_dir

pytestmark = pytest.mark.language("en")

STAR = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
METRICS = ["工号", "姓名", "组别", "平均响应时长", "解决率", "客户满意度", "投诉率"]
ATTENDANCE = ["工号", "姓名", "应出勤天数", "实际出勤天数", "迟到次数", "旷工天数"]


class Raw:
    """A number cell written as it stands in the sheet's XML (<v>NaN</v>, <v>1e999999999</v>)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _problems(out: str) -> list[str]:
    return [p["text"] for p in error_doc(out)["problems"]]


def _refused(cli, tmp: Path, *args: str) -> list[str]:
    """Run a command that must stop on input problems: exit 1, nothing written; its
    problems' texts."""
    before = files_in(tmp)
    code, out, err = cli(*args, "--json")
    assert code == 1, err + out
    assert files_in(tmp) == before
    return _problems(out)


def _warnings(doc: dict[str, Any]) -> list[str]:
    return [p["text"] for p in doc["problems"] if p["severity"] == "warning"]


# --- 37: NaN, infinities and absurd magnitudes ------------------------------------------------
@pytest.mark.parametrize(("raw", "message"), [
    (float("nan"), "'nan' is not a number"),
    (float("inf"), "'inf' is not a number"),
    (float("-inf"), "'-inf' is not a number"),
    (1e308, "1e+308 is too large to be a real figure (the limit is 1,000,000,000)"),
    (1e10, "10000000000.0 is too large to be a real figure (the limit is 1,000,000,000)"),
    (10 ** 30, "'1000000000000000000000000000000' is too large to be a real figure (the "
               "limit is 1,000,000,000)"),
    ("NaN", "'NaN' is not a number"), ("inf", "'inf' is not a number"),
    ("-Infinity", "'-Infinity' is not a number"),
    ("1e308", "'1e308' is too large to be a real figure (the limit is 1,000,000,000)"),
    ("1e999999999", "'1e999999999' is too large to be a real figure (the limit is "
                    "1,000,000,000)"),
    ("1,000,000,001", "'1,000,000,001' is too large to be a real figure (the limit is "
                      "1,000,000,000)"),
    ("－1e12%", "'-1e12%' is too large to be a real figure (the limit is 1,000,000,000)"),
])
def test_bad_inputs_37_number_refuses_non_finite_and_absurd(raw: object, message: str) -> None:
    for read in (number, seconds, _decimal):
        with pytest.raises(ValueError) as caught:
            read(raw)
        assert str(caught.value) == message


@pytest.mark.parametrize(("raw", "message"), [
    ("99999999小时", "'99999999小时' is too large to be a real figure (the limit is "
                   "1,000,000,000)"),
    ("999999999:00:00", "'999999999:00:00' is too large to be a real figure (the limit is "
                        "1,000,000,000)"),
])
def test_bad_inputs_37_durations_refuse_absurd(raw: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        seconds(raw)
    assert str(caught.value) == message


def test_bad_inputs_37_the_largest_figures_still_read() -> None:
    assert number(1e9) == (Decimal("1000000000.0"), False)
    assert number("-1,000,000,000") == (Decimal("-1000000000"), False)
    assert seconds("277777小时") == Decimal("999997200")


@given(st.lists(st.one_of(st.floats(), st.sampled_from([1e9, -1e9, 1e9 + 1, 1e308])),
                min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_bad_inputs_37_float_fast_path_is_the_one_by_one_path(raw: list[float]) -> None:
    """The C conversion of a float column steps aside for NaN, infinities and absurd
    magnitudes: what it gives is what each cell converted alone gives."""
    for fn in (number, seconds, _decimal):
        assert _distinct(raw, fn) == {v: _convert_one(fn, v) for v in set(raw)}


def test_bad_inputs_37_number_cells_nan_inf_in_a_kpi_workbook(tmp_path: Path, cli) -> None:
    """Number cells as systems write them (<v>NaN</v>, <v>INF</v>, <v>1e999999999</v>,
    <v>1E+308</v>) in the score column and in a metric column: each cell named."""
    rows = [["工号", "姓名", "组别", "绩效分值"],
            ["0001", "甲", "一组", Raw("NaN")], ["0002", "乙", "一组", Raw("INF")],
            ["0003", "丙", "一组", Raw("1e999999999")], ["0004", "丁", "一组", Raw("1E+308")],
            ["0005", "戊", "一组", Raw("-INF")], ["0006", "己", "一组", 112]]
    write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(rows))
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", "star") == [
        "kpi_2026-10.xlsx › Sheet1 › D2: 绩效分值: 'nan' is not a number — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › D3: 绩效分值: 'inf' is not a number — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › D4: 绩效分值: 'inf' is not a number — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › D5: 绩效分值: 1e+308 is too large to be a real figure "
        "(the limit is 1,000,000,000) — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › D6: 绩效分值: '-inf' is not a number — Enter a number."]


def test_bad_inputs_37_text_figures_in_metric_columns(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [
        ["0001", "甲", "一组", "NaN", 0.95, 0.9, 0.005],
        ["0002", "乙", "一组", "1e308", "inf", 0.9, 0.005],
        ["0003", "丙", "一组", 30, 0.95, "1e999999999", 0.005],
        ["0004", "丁", "一组", 30, 0.95, 0.9, 1e30]], header=METRICS)
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", "star") == [
        "kpi_2026-10.xlsx › Sheet1 › D2: 平均响应时长: 'NaN' is not a number — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › D3: 平均响应时长: '1e308' is too large to be a real "
        "figure (the limit is 1,000,000,000) — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › E3: 解决率: 'inf' is not a number — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › F4: 客户满意度: '1e999999999' is too large to be a real "
        "figure (the limit is 1,000,000,000) — Enter a number.",
        "kpi_2026-10.xlsx › Sheet1 › G5: 投诉率: 1e+30 is too large to be a real figure (the "
        "limit is 1,000,000,000) — Enter a number."]


def test_bad_inputs_37_attendance_roster_and_profile_figures(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    write_parts(tmp_path / "att_2026-10.xlsx", xlsx_parts([
        ATTENDANCE, ["0001", "甲", 22, 22, Raw("NaN"), 0],
        ["0002", "乙", 22, "1e999999999", 0, 0]]))
    write_parts(tmp_path / "roster.xlsx", xlsx_parts([
        ["工号", "姓名", "入职日期"], ["0001", "甲", Raw("NaN")], ["0002", "乙", Raw("1E+308")]]))
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--attendance",
                    "att_2026-10.xlsx", "--roster", "roster.xlsx", "--scheme", "star") == [
        "roster.xlsx › Sheet1 › C2: hire date: 'nan' is not a date — Use a date such as "
        "2026-03-10.",
        "roster.xlsx › Sheet1 › C3: hire date: '1e+308' is not a date — Use a date such as "
        "2026-03-10.",
        "att_2026-10.xlsx › Sheet1 › E2: 迟到次数: 'nan' is not a number — Enter a number of "
        "days or times.",
        "att_2026-10.xlsx › Sheet1 › D3: 实际出勤天数: '1e999999999' is too large to be a real "
        "figure (the limit is 1,000,000,000) — Enter a number of days or times."]

    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "学历", "工作经验", "可胜任岗位", "证书数"], ["0001", "本科", 3, "售前", 1e308],
        ["0002", "本科", "NaN", "售前", 1]])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [["工号", "绩效总分"], ["0001", 60], ["0002", 70]])
    assert _refused(cli, tmp_path, "score", "kpi_2026-01.xlsx", "--scheme", "points",
                    "--profile", "profile.xlsx") == [
        "profile.xlsx › Sheet1 › E2: 证书数: 1e+308 is too large to be a real figure (the "
        "limit is 1,000,000,000) — Use one of the values the template lists.",
        "profile.xlsx › Sheet1 › C3: 工作经验: 'NaN' is not a number — Use one of the values "
        "the template lists."]


def test_bad_inputs_37_pay_table_cells(tmp_path: Path, cli) -> None:
    from test_paytable import TABLE, _template

    table = [row[:] for row in TABLE]
    table[4][1] = Raw("NaN")
    table[5][2] = Raw("1E+30")
    table[6][3] = "1e999999999"
    write_parts(tmp_path / "薪酬表.xlsx", xlsx_parts(
        [[c if c is not None else "" for c in row] for row in table]))
    template = _template(tmp_path)
    code, out, err = cli("templates", "validate", str(template), "--json")
    assert code == 1
    assert _problems(out) == [
        "薪酬表.xlsx › Sheet1 › B5: 基本工资 of 一星: 'nan' is not a number — Write the amount "
        "in yuan, e.g. 3000 or 3000.00.",
        "薪酬表.xlsx › Sheet1 › C6: 岗位绩效工资 of 二星: 1e+30 is too large to be a real figure "
        "(the limit is 1,000,000,000) — Write the amount in yuan, e.g. 3000 or 3000.00.",
        "薪酬表.xlsx › Sheet1 › D7: 交通补贴 of 三星: '1e999999999' is too large to be a real "
        "figure (the limit is 1,000,000,000) — Write the amount in yuan, e.g. 3000 or 3000.00."]


# --- 52 (and 37, 39): templates -----------------------------------------------------------------
def _template_with(tmp: Path, old: str, new: str, name: str = "mine.yaml") -> Path:
    assert STAR.count(old) >= 1, old
    path = tmp / name
    path.write_text(STAR.replace(old, new, 1), encoding="utf-8")
    return path


BAD_TEMPLATE_FIELDS = [
    ("{基本工资: 3600.00,", "{基本工资: .nan,",
     "levels[3].pay.基本工资: Input should be a finite number"),
    ("{基本工资: 3600.00,", "{基本工资: .inf,",
     "levels[3].pay.基本工资: Input should be a finite number"),
    ("{基本工资: 3600.00,", "{基本工资: 1e30,",
     "levels[3].pay: Value error, 基本工资 must be at most 1000000 (yuan a month), got 1E+30"),
    ("{基本工资: 3600.00,", "{基本工资: 1:00:00.5,",  # (a YAML 1.1 float, base 60)
     "levels[3].pay.基本工资: Input should be a valid decimal"),
    ("{基本工资: 3600.00,", "{基本工资: 1e999999999,",
     "levels[3].pay: Value error, 基本工资 must be at most 1000000 (yuan a month), got "
     "1E+999999999"),
    ("      weight: 20 ", "      weight: .nan ",
     "score.metrics[0].weight: Input should be a finite number"),
    ("      target: 30 ", "      target: -.inf ",
     "score.metrics[0].target: Input should be a finite number"),
    ("      target: 30 ", "      target: 1e30 ",
     "score.metrics[0].target: Input should be less than or equal to 1000000000"),
    ("  up_threshold: 110 ", "  up_threshold: .NaN ",
     "promotion.up_threshold: Input should be a finite number"),
    ("一档: 500.00", "一档: 1e30", "pay.supervisor_allowance.tiers.一档: Input should be less "
                                "than or equal to 1000000"),
    ("一档: 500.00", "一档: -500", "pay.supervisor_allowance.tiers.一档: Input should be "
                                "greater than or equal to 0"),
    ("amounts: {late: 20.00,", "amounts: {late: .inf,",
     "pay.attendance_deduction.amounts.late: Input should be a finite number"),
    ("amounts: {late: 20.00,", "amounts: {late: -20,",
     "pay.attendance_deduction.amounts.late: Input should be greater than or equal to 0"),
    ("days: {absent_days: 1,", "days: {absent_days: 1e30,",
     "pay.attendance_deduction.days.absent_days: Input should be less than or equal to 31"),
    ("per_year: 50.00", "per_year: 1e30",
     "pay.seniority.per_year: Input should be less than or equal to 1000000"),
    ("deductions: {late: 2,", "deductions: {late: -2,",
     "attendance.score.deductions.late: Input should be greater than or equal to 0"),
    ("    floor: 0\n", "    floor: 101\n",
     "attendance.score: Value error, floor 101 is above start 100"),
    ("{item: late, above: 3,", "{item: late, above: .nan,",
     "attendance.flags[1].above: Input should be a finite number"),
    ("  cap: 150 ", "  cap: 1e999999999 ", "score.cap: Input should be less than or equal to "
                                            "1000"),
    ("  bounds: [0, 300] ", "  bounds: [300, 0] ",
     "score.bounds: Value error, the lower bound 300 is above the upper bound 0"),
    ("  bounds: [0, 300] ", "  bounds: [0, .inf] ", "score.bounds[1]: Input should be a finite "
                                                    "number"),
    ("aliases: [迟到], unit: times}", "aliases: [迟到], unit: times, bounds: [0, 1e30]}",
     "attendance.items[2].bounds[1]: Input should be less than or equal to 1000000000"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_TEMPLATE_FIELDS)
def test_bad_inputs_52_template_numbers_named_by_validate(tmp_path: Path, cli, old: str,
                                                          new: str, message: str) -> None:
    """`.nan`, `.inf`, 1e30 and other absurd numbers of a template: refused by `templates
    validate` naming the file and the field, never a raw decimal.InvalidOperation."""
    path = _template_with(tmp_path, old, new)
    code, out, err = cli("templates", "validate", str(path), "--json")
    assert code == 1, out
    assert _problems(out) == [f"{path}: {message}"]


@pytest.mark.parametrize(("old", "new", "message"), BAD_TEMPLATE_FIELDS[:3])
def test_bad_inputs_52_every_command_loading_the_template_refuses_it(
        tmp_path: Path, cli, old: str, new: str, message: str) -> None:
    path = _template_with(tmp_path, old, new)
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", str(path)) == [
        f"{path}: {message}"]
    assert not (tmp_path / "history.db").exists()


@pytest.mark.language("zh")
def test_bad_inputs_52_template_message_in_chinese(tmp_path: Path, cli) -> None:
    path = _template_with(tmp_path, "{基本工资: 3600.00,", "{基本工资: .nan,")
    code, out, _ = cli("templates", "validate", str(path), "--json")
    assert code == 1
    assert _problems(out) == [f"{path}: levels[3].pay.基本工资: 应为有限的数字（不能是 NaN 或无穷大）"]


def test_bad_inputs_52_shipped_templates_still_load() -> None:
    from cslevel.templates import shipped_template_names

    for name in shipped_template_names():
        scheme, _ = load_scheme(name)
        assert scheme.score.score_bounds == (
            (Decimal(0), Decimal(300)) if scheme.score.scoring == "achievement"
            else (Decimal(0), Decimal(100)))


# --- 38: figures outside what the domain allows ------------------------------------------------
def test_bad_inputs_38_attendance_counts_and_days(tmp_path: Path, cli) -> None:
    """−100 late arrivals (seen: a 2,689.66 bonus instead of a deduction), more days of
    absence than the month has, a negative day count: each cell named, nothing written."""
    kpi(tmp_path / "kpi_2026-02.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100],
                                        ["0003", "丙", "一组", 100]])
    write_xlsx(tmp_path / "att_2026-02.xlsx", [
        ATTENDANCE, ["0001", "甲", 20, 20, -100, 0], ["0002", "乙", 20, 20, 0, 29],
        ["0003", "丙", 20, -1, 101, 28]])
    assert _refused(cli, tmp_path, "score", "kpi_2026-02.xlsx", "--attendance",
                    "att_2026-02.xlsx", "--scheme", "star") == [
        "att_2026-02.xlsx › Sheet1 › E2: 迟到次数: -100 is out of range: allowed 0 to 100 — "
        "Check the value; if such values are right, widen attendance.items[2].bounds in the "
        "template.",
        "att_2026-02.xlsx › Sheet1 › F3: 旷工天数: 29 is more than the 28 days of 2026-02 — "
        "Check the value: the month has 28 days.",
        "att_2026-02.xlsx › Sheet1 › D4: 实际出勤天数: -1 is out of range: allowed 0 to 28 — "
        "Check the value; if such values are right, widen attendance.items[1].bounds in the "
        "template.",
        "att_2026-02.xlsx › Sheet1 › E4: 迟到次数: 101 is out of range: allowed 0 to 100 — "
        "Check the value; if such values are right, widen attendance.items[2].bounds in the "
        "template."]


def test_bad_inputs_38_days_are_checked_against_each_rows_month(tmp_path: Path, cli) -> None:
    """A workbook of several months (a 月份 column): 30 days of absence are refused in
    February, not in March."""
    kpi(tmp_path / "kpi.xlsx", [["0001", "甲", "一组", 112, "2026-02"],
                                ["0001", "甲", "一组", 112, "2026-03"]],
        header=["工号", "姓名", "组别", "绩效分值", "月份"])
    write_xlsx(tmp_path / "att.xlsx", [
        [*ATTENDANCE, "月份"], ["0001", "甲", 20, 0, 0, 30, "2026-02"],
        ["0001", "甲", 22, 0, 0, 30, "2026-03"]], text_columns=(0, 6))
    assert _refused(cli, tmp_path, "score", "kpi.xlsx", "--attendance", "att.xlsx",
                    "--scheme", "star") == [
        "att.xlsx › Sheet1 › F2: 旷工天数: 30 is more than the 28 days of 2026-02 — Check the "
        "value: the month has 28 days."]


def test_bad_inputs_38_rates_and_durations(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [
        ["0001", "甲", "一组", -5, 95, 90, 0.005],
        ["0002", "乙", "一组", 30, 120, 90, 0.005],
        ["0003", "丙", "一组", 30, 95, "-3%", 0.005]], header=METRICS)
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", "star") == [
        "kpi_2026-10.xlsx › Sheet1 › D2: 平均响应时长: -5 is out of range: allowed 0 to "
        "1,000,000,000 — Check the value; if such values are right, widen "
        "score.metrics[0].bounds in the template.",
        "kpi_2026-10.xlsx › Sheet1 › E3: 解决率: 120 is out of range: allowed 0% to 100% — "
        "Check the value; if such values are right, widen score.metrics[1].bounds in the "
        "template.",
        "kpi_2026-10.xlsx › Sheet1 › F4: 客户满意度: -3% is out of range: allowed 0% to 100% — "
        "Check the value; if such values are right, widen score.metrics[2].bounds in the "
        "template."]


def test_bad_inputs_38_score_below_zero_or_absurdly_high(tmp_path: Path, cli, cli_json) -> None:
    """46296 (a date serial in the score column) and −5: refused under the template's
    default range 0–300 % of target; a template that sets its own range accepts them."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 46296], ["0002", "乙", "一组", -5],
                                        ["0003", "丙", "一组", 300], ["0004", "丁", "一组", 0]])
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", "star") == [
        "kpi_2026-10.xlsx › Sheet1 › D2: 绩效分值: 46296 is out of range: allowed 0 to 300 — "
        "Check the value; if such values are right, widen score.bounds in the template.",
        "kpi_2026-10.xlsx › Sheet1 › D3: 绩效分值: -5 is out of range: allowed 0 to 300 — "
        "Check the value; if such values are right, widen score.bounds in the template."]
    wide = _template_with(tmp_path, "  bounds: [0, 300] ", "  bounds: [-10, 50000] ")
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", str(wide), "--dry-run")
    assert {a["agent_id"]: a["score"] for a in doc["agents"]} == {
        "0001": 46296, "0002": -5, "0003": 300, "0004": 0}


def test_bad_inputs_38_points_items_and_scores_within_0_100(tmp_path: Path, cli) -> None:
    """The weighted scheme scores each item 0–100: 120 points or a total of 101 are refused;
    an item read but not weighted (a technical-support item for a service post) may be any
    count of 0 or more."""
    head = ["工号", "姓名", "组别", "岗位", "客户回访率", "客户满意度", "处理时限和正确度",
            "各类培训及业务水平", "考勤"]
    kpi(tmp_path / "kpi_2026-10.xlsx", [
        ["0001", "甲", "一组", "客服", 120, 80, 80, 80, 100],
        ["0002", "乙", "一组", "客服", 80, 80, -1, 80, 100]], header=head)
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", "weighted") == [
        "kpi_2026-10.xlsx › Sheet1 › E2: 客户回访率: 120 is out of range: allowed 0 to 100 — "
        "Check the value; if such values are right, widen score.metrics[0].bounds in the "
        "template.",
        "kpi_2026-10.xlsx › Sheet1 › G3: 处理时限和正确度: -1 is out of range: allowed 0 to 100 "
        "— Check the value; if such values are right, widen score.metrics[2].bounds in the "
        "template."]
    kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "甲", "一组", 101]],
        header=["工号", "姓名", "组别", "考核得分"])
    assert _refused(cli, tmp_path, "score", "kpi_2026-11.xlsx", "--scheme", "weighted") == [
        "kpi_2026-11.xlsx › Sheet1 › D2: 考核得分: 101 is out of range: allowed 0 to 100 — "
        "Check the value; if such values are right, widen score.bounds in the template."]


def test_bad_inputs_38_negative_durations_and_profile_counts(tmp_path: Path, cli) -> None:
    from test_aggregate import _calls

    _calls(tmp_path / "calls.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "calls.xlsx")
    book.active["C3"] = -20
    book.save(tmp_path / "calls.xlsx")
    assert _refused(cli, tmp_path, "score", "calls.xlsx", "--scheme", "star", "--out",
                    "out/") == [
        "calls.xlsx › 通话明细 › C3: 应答时长: a duration cannot be negative (-20) — Enter a "
        "number or leave the cell empty."]

    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "学历", "工作经验", "可胜任岗位", "证书数"], ["0001", "本科", -3, "售前", -1]])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [["工号", "绩效总分"], ["0001", 60]])
    assert _refused(cli, tmp_path, "score", "kpi_2026-01.xlsx", "--scheme", "points",
                    "--profile", "profile.xlsx") == [
        "profile.xlsx › Sheet1 › C2: 工作经验: '-3' cannot be negative — Use one of the values "
        "the template lists.",
        "profile.xlsx › Sheet1 › E2: 证书数: '-1' cannot be negative — Use one of the values "
        "the template lists."]


def test_bad_inputs_38_attendance_item_units() -> None:
    scheme, _ = load_scheme("star")
    items = {i.key: i for i in scheme.attendance.items}
    assert {k: i.measure for k, i in items.items()} == {
        "days_required": "days", "days_present": "days", "late": "times",
        "early_leave": "times", "absent_days": "days", "serious_late": "times",
        "absent_late_days": "days", "normal_days": "days", "missed_punches": "times",
        "leave_days": "days", "personal_leave_days": "days", "sick_leave_days": "days"}
    assert items["absent_days"].limits(28) == (Decimal(0), Decimal(28))
    assert items["late"].limits(31) == (Decimal(0), Decimal(100))
    from cslevel.templates import AttendanceItem

    # without a unit, the name says it
    assert [AttendanceItem(key="x", name=n).measure for n in (
        "加班小时", "迟到分钟数", "年假天数", "出勤日", "打卡异常次数", "工时")] == [
        "hours", "minutes", "days", "days", "times", "number"]
    assert AttendanceItem(key="x", name="加班小时").limits(30) == (Decimal(0), Decimal(720))
    # a template's own bounds; a days item stays within its month
    assert AttendanceItem(key="x", name="旷工天数", bounds=(Decimal(0), Decimal(40))).limits(
        30) == (Decimal(0), Decimal(30))
    assert AttendanceItem(key="x", name="迟到次数", bounds=(Decimal(0), Decimal(400))).limits(
        30) == (Decimal(0), Decimal(400))


def test_bad_inputs_38_a_stored_negative_count_never_pays_a_bonus() -> None:
    """A history written before the attendance figures were checked may hold −100 late
    arrivals: the deduction is then 0, never a bonus."""
    from cslevel.payroll import PayInputs, pay_line

    scheme, _ = load_scheme("star")
    line = pay_line(PayInputs(Agent("0001", "甲"), Month(2026, 11), "三星", Month(2026, 10),
                              Decimal(100), {"late": Decimal(-100)}), scheme)
    assert line.components["考勤扣款"] == Decimal("0.00")


# --- 39: what would poison later runs is refused where it enters -----------------------------
def test_bad_inputs_39_a_late_count_of_1e30_leaves_the_history_unchanged(
        tmp_path: Path, cli, cli_json) -> None:
    kpi(tmp_path / "kpi_2026-09.xlsx", [["0001", "甲", "一组", 112]])
    write_xlsx(tmp_path / "att_2026-09.xlsx", [ATTENDANCE, ["0001", "甲", 22, 22, 1, 0]])
    cli_json("score", "kpi_2026-09.xlsx", "--attendance", "att_2026-09.xlsx", "--scheme",
             "star", "--out", "out/")
    before = db_snapshot(tmp_path / "history.db")
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    write_xlsx(tmp_path / "att_2026-10.xlsx", [ATTENDANCE, ["0001", "甲", 22, 22, 1e30, 0]])
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--attendance",
                    "att_2026-10.xlsx", "--out", "out/") == [
        "att_2026-10.xlsx › Sheet1 › E2: 迟到次数: 1e+30 is too large to be a real figure (the "
        "limit is 1,000,000,000) — Enter a number of days or times."]
    assert db_snapshot(tmp_path / "history.db") == before
    # the month's payroll (from September's figures) is as before
    doc = cli_json("payroll", "export", "--month", "2026-10", "--out", "p.csv")
    assert doc["rows"][0]["components"]["考勤扣款"] == "-20.00"


def test_bad_inputs_39_a_pay_amount_of_1e30_fails_validate(tmp_path: Path, cli) -> None:
    path = _template_with(tmp_path, "话费补贴: 200.00}", "话费补贴: 1e30}")
    code, out, err = cli("templates", "validate", str(path), "--json")
    assert code == 1
    assert _problems(out) == [f"{path}: levels[5].pay: Value error, 话费补贴 must be at most "
                              "1000000 (yuan a month), got 1E+30"]

    from test_paytable import TABLE, _template

    table = [row[:] for row in TABLE]
    table[7][1] = "1,000,000.01"
    write_xlsx(tmp_path / "薪酬表.xlsx", table)
    code, out, _ = cli("templates", "validate", str(_template(tmp_path)), "--json")
    assert code == 1
    assert _problems(out) == [
        "薪酬表.xlsx › Sheet1 › B8: 基本工资 of 四星 is '1,000,000.01', more than 1,000,000 "
        "yuan a month — Check the amount: no pay component is that large."]


# --- 40: a header that states its unit --------------------------------------------------------
@pytest.mark.parametrize(("label", "percent", "matches"), [
    ("投诉率(%)", True, "投诉率"), ("满意度（%）", True, "满意度"), ("满意度(%)", True, "满意度"),
    ("解决率 %", True, "解决率"), ("解决率％", True, "解决率"), ("回访率（单位：%）", True, "回访率"),
    ("满意度(百分比)", True, "满意度"), ("满意度【%】", True, "满意度"),
    ("投诉率", False, "投诉率"), ("迟到（单位：次）", False, "迟到"), ("投诉率(次)", False, "投诉率"),
])
def test_bad_inputs_40_headers_that_state_percent(label: str, percent: bool,
                                                  matches: str) -> None:
    assert states_percent(label) is percent
    assert normalize_label(label) == normalize_label(matches)


def _metric_scores(cli_json, header: list[str], rows: list[list[Any]]) -> dict[str, float]:
    Path("kpi_2026-10.xlsx").unlink(missing_ok=True)
    kpi(Path("kpi_2026-10.xlsx"), rows, header=header)
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    return {a["agent_id"]: a["score"] for a in doc["agents"]}


ROWS_40 = [["0001", "甲", "一组", 30, 0.9, 0.85, 0.3], ["0002", "乙", "一组", 30, 0.9, 0.85, 0.5],
           ["0003", "丙", "一组", 30, 0.9, 0.85, 0.8]]


@pytest.mark.parametrize("complaints", ["投诉率(%)", "投诉率（%）", "投诉率 %", "投诉率(单位:%)"])
def test_bad_inputs_40_a_percent_header_means_percent_points(tmp_path: Path, cli_json,
                                                             complaints: str) -> None:
    """投诉率(%) 0.3, 0.5, 0.8 are 0.3 %, 0.5 % and 0.8 % of complaints against a 1 % target
    (achievement capped at 150 %, 150 % and 125 %), not 30–80 %."""
    header = [*METRICS[:6], complaints]
    # 20 × 1 + 30 × 1 + 35 × 1 + 15 × min(0.01 / rate, 1.5)
    assert _metric_scores(cli_json, header, ROWS_40) == {
        "0001": 107.5, "0002": 107.5, "0003": 103.75}


def test_bad_inputs_40_percent_headers_on_every_percent_column(tmp_path: Path, cli_json) -> None:
    header = ["工号", "姓名", "组别", "平均响应时长", "解决率 %", "满意度（%）", "投诉率(%)"]
    rows = [["0001", "甲", "一组", 30, 90, 85, 0.5], ["0002", "乙", "一组", 30, 0.9, 85, 1]]
    # 0002's resolution 0.9 is 0.9 %: 30 × 0.009 / 0.9 = 0.3
    assert _metric_scores(cli_json, header, rows) == {"0001": 107.5, "0002": 70.3}


def test_bad_inputs_40_without_a_unit_a_column_read_both_ways_is_refused(
        tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", ROWS_40, header=METRICS)
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", "star") == [
        "kpi_2026-10.xlsx › Sheet1 › G1: 投诉率: the values (up to 0.8) could be fractions "
        "(0.8 = 80%) or percent points (0.8 = 0.8%), and the header does not say which — Put "
        "the unit in the header (投诉率(%) when 0.8 means 0.8%), or write the values with their "
        "% sign."]


@pytest.mark.parametrize(("complaints", "expected"), [
    # fractions up to 10 × the 1 % target: read as fractions (today's rule)
    ([0.003, 0.005, 0.1], {"0001": 107.5, "0002": 107.5, "0003": 86.5}),
    # with a % sign: percent points, whatever the size
    (["0.3%", "0.5%", "0.8%"], {"0001": 107.5, "0002": 107.5, "0003": 103.75}),
    # bare values above 1: percent points (15 × 0.01 / 0.015 = 10)
    ([1.5, 2, 1], {"0001": 95, "0002": 92.5, "0003": 100}),
])
def test_bad_inputs_40_unambiguous_columns_read_as_before(tmp_path: Path, cli_json,
                                                          complaints: list[Any],
                                                          expected: dict[str, float]) -> None:
    rows = [[*row[:6], c] for row, c in zip(ROWS_40, complaints)]
    assert _metric_scores(cli_json, METRICS, rows) == expected


def test_bad_inputs_40_satisfaction_fractions_are_never_in_doubt(tmp_path: Path,
                                                                 cli_json) -> None:
    """满意度 0.3, 0.5, 0.8 against an 85 % target: 0.3 % is no credible satisfaction, so the
    column is fractions (30 %, 50 %, 80 %) without a word."""
    rows = [[*row[:5], s, 0.005] for row, s in zip(ROWS_40, [0.3, 0.5, 0.8])]
    scores = _metric_scores(cli_json, METRICS, rows)
    assert scores == {"0001": 84.85, "0002": 93.09, "0003": 105.44}


def test_bad_inputs_40_the_template_can_say_the_scale(tmp_path: Path, cli_json) -> None:
    old = "      target: 0.01                # 目标 ≤ 1% / target (003)\n"
    for scale, expected in (("points", {"0001": 107.5, "0002": 107.5, "0003": 103.75}),
                            ("fraction", {"0001": 85.5, "0002": 85.3, "0003": 85.19})):
        path = _template_with(tmp_path, old, old + f"      scale: {scale}\n", f"{scale}.yaml")
        kpi(tmp_path / "kpi_2026-10.xlsx", ROWS_40, header=METRICS)
        doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", str(path), "--dry-run")
        assert {a["agent_id"]: a["score"] for a in doc["agents"]} == expected
        (tmp_path / "kpi_2026-10.xlsx").unlink()


# --- 46: ids a float cannot hold, ids typed with a space -----------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    (9007199254740991.0, "9007199254740991"), ("123456789012345678901234567890",
                                              "123456789012345678901234567890"),
    (123456789012345678901234567890, "123456789012345678901234567890"),
])
def test_bad_inputs_46_ids_kept_exactly(raw: object, expected: str) -> None:
    assert agent_id(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [
    (9007199254740992.0, "the number 9007199254740992.0 is too long to be an id kept exactly "
                         "(its last digits are lost)"),
    (1.2345678901234568e+29, "the number 1.2345678901234568e+29 is too long to be an id kept "
                             "exactly (its last digits are lost)"),
    (float("nan"), "nan is not an agent id"),
])
def test_bad_inputs_46_ids_a_float_cannot_hold_are_refused(raw: float, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        agent_id(raw)
    assert str(caught.value) == message


def test_bad_inputs_46_a_long_numeric_id_cell_is_refused_a_text_one_kept(
        tmp_path: Path, cli, cli_json) -> None:
    write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts([
        ["工号", "姓名", "组别", "绩效分值"], [Raw("123456789012345678901234567890"), "甲", "一组", 112],
        ["0002", "乙", "一组", 100]]))
    assert _refused(cli, tmp_path, "score", "kpi_2026-10.xlsx", "--scheme", "star") == [
        "kpi_2026-10.xlsx › Sheet1 › A2: agent id: the number 1.2345678901234568e+29 is too long "
        "to be an id kept exactly (its last digits are lost) — Use the agent's id as text, e.g. "
        "0007."]
    kpi(tmp_path / "kpi_2026-11.xlsx", [["123456789012345678901234567890", "甲", "一组", 112]])
    doc = cli_json("score", "kpi_2026-11.xlsx", "--scheme", "star", "--dry-run")
    assert [a["agent_id"] for a in doc["agents"]] == ["123456789012345678901234567890"]


def test_bad_inputs_46_an_id_with_a_space_inside_is_read_and_listed(tmp_path: Path,
                                                                     cli_json) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["00 07", "甲", "一组", 112], [" 0008 ", "乙", "一组", 100],
                                        ["00\u300009", "丙", "一组", 100]])
    write_xlsx(tmp_path / "att_2026-10.xlsx", [
        ATTENDANCE, ["0 007", "甲", 22, 22, 0, 0], ["0008", "乙", 22, 22, 0, 0],
        ["0009", "丙", 22, 22, 0, 0]])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名"], ["000 7", "甲"], ["0008", "乙"],
                                          ["0009", "丙"]])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--attendance", "att_2026-10.xlsx",
                   "--roster", "roster.xlsx", "--scheme", "star", "--dry-run")
    assert [a["agent_id"] for a in doc["agents"]] == ["0007", "0008", "0009"]
    assert _warnings(doc) == [
        "roster.xlsx › Sheet1 › A2: agent id '000 7' has a space inside: read as 0007 — Check "
        "the id; if 0007 is right, remove the space in the workbook.",
        "kpi_2026-10.xlsx › Sheet1 › A2: agent id '00 07' has a space inside: read as 0007 — "
        "Check the id; if 0007 is right, remove the space in the workbook.",
        "kpi_2026-10.xlsx › Sheet1 › A4: agent id '00 09' has a space inside: read as 0009 — "
        "Check the id; if 0009 is right, remove the space in the workbook.",
        "att_2026-10.xlsx › Sheet1 › A2: agent id '0 007' has a space inside: read as 0007 — "
        "Check the id; if 0007 is right, remove the space in the workbook."]


def test_bad_inputs_46_names_as_ids_are_not_listed(tmp_path: Path, cli_json) -> None:
    """An attendance sheet without 工号 is read by name: a name padded with a space (张　三)
    is no id typed wrong."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["张三", "张三", "一组", 112]])
    write_xlsx(tmp_path / "att_2026-10.xlsx", [["姓名", "迟到次数"], ["张\u3000三", 1]])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--attendance", "att_2026-10.xlsx",
                   "--scheme", "star", "--dry-run")
    assert not [w for w in _warnings(doc) if "space inside" in w]


# --- 47: one id, two names ----------------------------------------------------------------
def test_bad_inputs_47_one_id_with_other_names_across_workbooks(tmp_path: Path,
                                                                 cli_json) -> None:
    kpi(tmp_path / "kpi_2026-09.xlsx", [["0001", "张三", "一组", 112], ["0002", "李四", "一组", 100],
                                        ["0003", "王五", "一组", 100]])
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "张三", "一组", 112], ["0002", "李 四", "一组", 100],
                                        ["0003", "王武", "一组", 100]])
    write_xlsx(tmp_path / "att_2026-10.xlsx", [
        ATTENDANCE, ["0001", "张叁", 22, 22, 0, 0], ["0002", "李四", 22, 22, 0, 0],
        ["0003", "王武", 22, 22, 0, 0]])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名"], ["0001", "张三"], ["0002", "李思"],
                                          ["0003", "王五"], ["0004", ""]])
    doc = cli_json("score", "kpi_2026-09.xlsx", "kpi_2026-10.xlsx", "--attendance",
                   "att_2026-10.xlsx", "--roster", "roster.xlsx", "--scheme", "star",
                   "--out", "out/")
    assert _warnings(doc) == [
        "kpi_2026-10.xlsx › Sheet1 › row 4: agent 0003 is named 王武 here but 王五 in "
        "kpi_2026-09.xlsx › Sheet1 › row 4 — Check which name is right and correct the other "
        "workbook (one id is one person).",
        "att_2026-10.xlsx › Sheet1 › row 2: agent 0001 is named 张叁 here but 张三 in "
        "kpi_2026-09.xlsx › Sheet1 › row 2 — Check which name is right and correct the other "
        "workbook (one id is one person).",
        "roster.xlsx › Sheet1 › row 3: agent 0002 is named 李思 here but 李四 in "
        "kpi_2026-09.xlsx › Sheet1 › row 3 — Check which name is right and correct the other "
        "workbook (one id is one person)."]


def test_bad_inputs_47_same_names_say_nothing(tmp_path: Path, cli_json) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "张三", "一组", 112], ["0002", "Li Si", "一组", 100]])
    write_xlsx(tmp_path / "att_2026-10.xlsx", [
        ATTENDANCE, ["0001", "张 三", 22, 22, 0, 0], ["0002", "li si", 22, 22, 0, 0]])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名"], ["0001", "张三"], ["0002", ""]])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--attendance", "att_2026-10.xlsx",
                   "--roster", "roster.xlsx", "--scheme", "star", "--dry-run")
    assert _warnings(doc) == []


def test_bad_inputs_47_names_compared_as_dicts() -> None:
    """The comparison takes whole columns (10,000 agents a month): every id renamed is found
    once, in order, whatever the size."""
    from cslevel.pipeline.intake import Intake as _Intake
    from cslevel.records import Problem, Source

    seen = _Intake.Seen()
    problems: list[Problem] = []
    ids = [f"{i:05d}" for i in range(10_000)]
    seen.compare(ids, [f"员工{i}" for i in range(10_000)],
                 [Source("a.xlsx", "S", i + 2) for i in range(10_000)], problems)
    names = [f"员工{i}" if i % 2500 else f"改名{i}" for i in range(10_000)]
    seen.compare(ids, names, [Source("b.xlsx", "S", i + 2) for i in range(10_000)], problems)
    seen.compare(ids, names, [Source("c.xlsx", "S", i + 2) for i in range(10_000)], problems)
    assert [str(p) for p in problems] == [
        f"b.xlsx › S › row {i + 2}: agent {i:05d} is named 改名{i} here but 员工{i} in a.xlsx › "
        f"S › row {i + 2} — Check which name is right and correct the other workbook (one id "
        "is one person)." for i in (0, 2500, 5000, 7500)]
