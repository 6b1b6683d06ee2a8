"""Cell values as exports write them (BAD_INPUTS 15-19): the coercion functions, each with
its exact output, then the same forms through `cslevel score`."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bad_helpers import write_parts, xlsx_parts
from conftest import write_xlsx
from cs_helpers import files_in, kpi
from cslevel.read.values import agent_id, clean_text, is_blank, number, parse_date, seconds

# every test here checks the English wording of messages
pytestmark = pytest.mark.language("en")

METRICS = ["工号", "姓名", "组别", "平均响应时长", "解决率", "客户满意度", "投诉率"]
FULL_WIDTH = str.maketrans("0123456789.,%-", "０１２３４５６７８９．，％－")


# --- 15: agent ids are text -------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("001", "001"), ("0007", "0007"), (7.0, "7"), (7, "7"), ("７", "7"), ("００７", "007"),
    (" 0007\u00a0", "0007"), ("\u200b0007", "0007"), ("A-001", "A-001"), (1234567.0, "1234567"),
])
def test_bad_inputs_15_agent_id(raw: object, expected: str) -> None:
    assert agent_id(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [
    (7.5, "7.5 is not an agent id"), (True, "an id cannot be TRUE/FALSE"),
    (date(2026, 10, 1), "a date/time (2026-10-01) is not an agent id"),
    ("\u3000", "empty agent id"),
])
def test_bad_inputs_15_agent_id_refused(raw: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        agent_id(raw)
    assert str(caught.value) == message


# --- 16/17: numbers and percentages ------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected", "percent"), [
    (0.95, "0.95", False), (95, "95", False), (2.675, "2.675", False), ("95%", "95", True),
    ("９５％", "95", True), ("95 %", "95", True), ("95\u00a0%", "95", True),
    ("95.5%", "95.5", True),
    ("１，２３４．５", "1234.5", False), ("1,234.5", "1234.5", False),
    ("1,234,567", "1234567", False),
    ("\u22125", "-5", False), ("－５", "-5", False), ("\u2013 5", "-5", False),
    ("1\u00a0234", "1234", False), ("1\u3000234", "1234", False), (" 112 ", "112", False),
    (".5", "0.5", False), ("+3", "3", False), ("1e3", "1E+3", False),
])
def test_bad_inputs_17_number(raw: object, expected: str, percent: bool) -> None:
    value, had_percent = number(raw)
    assert (str(value), had_percent) == (expected, percent)


@pytest.mark.parametrize(("raw", "message"), [
    ("1,5", "'1,5' is not a number (write 1.5 or 1,500)"),
    ("1,2345", "'1,2345' is not a number (write 1.5 or 1,500)"),
    ("12,34.5", "'12,34.5' is not a number (write 1.5 or 1,500)"),
    ("abc", "'abc' is not a number"), ("-", "'-' is not a number"),
    ("未质检", "'未质检' is not a number"), ("NaN", "'NaN' is not a number"),
    ("Infinity", "'Infinity' is not a number"), ("1_000", "'1_000' is not a number"),
    ("1.2.3", "'1.2.3' is not a number"), ("%", "'%' is not a number"),
    (True, "TRUE/FALSE is not a number"),
    (date(2026, 10, 1), "a date/time where a number was expected (2026-10-01)"),
])
def test_bad_inputs_17_number_refused(raw: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        number(raw)
    assert str(caught.value) == message


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, places=3))
def test_bad_inputs_17_number_forms_agree(value: Decimal) -> None:
    """Plain, grouped and full-width spellings of a number give the same Decimal."""
    plain = f"{value:f}"
    grouped = f"{value:,f}"
    assert number(plain) == (value, False)
    assert number(grouped) == (value, False)
    assert number(grouped.translate(FULL_WIDTH)) == (value, False)
    assert number(plain.replace("-", "\u2212") + "%") == (value, True)


# --- 18: durations ---------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    (83, "83"), (83.5, "83.5"), ("83", "83"), ("０：０１：２３", "83"), ("0:01:23", "83"),
    ("00:01:23", "83"), ("1:23", "83"), ("1分23秒", "83"), ("1分钟23秒", "83"), ("83秒", "83"),
    ("1小时", "3600"), ("1小时1分1秒", "3661"), ("0:01:23.5", "83.5"),
    (time(0, 1, 23), "83"), (time(0, 1, 22, 999999), "83"), (time(0, 1, 23, 500000), "83.5"),
    (timedelta(seconds=83), "83"), (timedelta(hours=30), "108000"),
    (timedelta(seconds=83, microseconds=250000), "83.25"),
])
def test_bad_inputs_18_seconds(raw: object, expected: str) -> None:
    assert str(seconds(raw)) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("abc", "'abc' is not a number"), ("1分钟半", "'1分钟半' is not a number"),
    (datetime(2026, 10, 1, 0, 1), "a date (2026-10-01 00:01:00) where a duration was expected"),
])
def test_bad_inputs_18_seconds_refused(raw: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        seconds(raw)
    assert str(caught.value) == message


# --- 19: dates -------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "epoch1904", "expected"), [
    (46296, False, date(2026, 10, 1)), (46296.75, False, date(2026, 10, 1)),
    (44834, True, date(2026, 10, 1)), (0, True, date(1904, 1, 1)),
    (1, False, date(1900, 1, 1)), (59, False, date(1900, 2, 28)), (61, False, date(1900, 3, 1)),
    ("2026/10/1", False, date(2026, 10, 1)), ("2026-10-01", False, date(2026, 10, 1)),
    ("2026.10.01", False, date(2026, 10, 1)), ("2026年10月1日", False, date(2026, 10, 1)),
    ("2026 年 10 月 1 日", False, date(2026, 10, 1)), ("2026年10月1号", False, date(2026, 10, 1)),
    ("２０２６／１０／１", False, date(2026, 10, 1)), ("20261001", False, date(2026, 10, 1)),
    (20261001, False, date(2026, 10, 1)), ("2026-10-01 08:30:00", False, date(2026, 10, 1)),
    ("2026/10/1 18:30", False, date(2026, 10, 1)), ("2026-10-01T08:30", False, date(2026, 10, 1)),
    (datetime(2026, 10, 1, 8, 30), False, date(2026, 10, 1)), (date(2026, 10, 1), True,
                                                               date(2026, 10, 1)),
])
def test_bad_inputs_19_parse_date(raw: object, epoch1904: bool, expected: date) -> None:
    assert parse_date(raw, epoch1904) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("2026-02-30", "'2026-02-30' is not a real date"),
    ("2026年13月1日", "'2026年13月1日' is not a real date"),
    ("20260230", "'20260230' is not a real date"),
    ("10/1/2026", "'10/1/2026' is not a date (use 2026-10-01)"),
    ("下月", "'下月' is not a date (use 2026-10-01)"),
    (60, "serial 60 is 1900-02-29, which is not a real date"),
    (-3, "'-3' is not a date"), (3_000_000, "'3000000' is not a date"),
])
def test_bad_inputs_19_impossible_dates_refused(raw: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(raw)
    assert str(caught.value) == message


def test_blank_and_text_cleaning() -> None:
    assert [is_blank(v) for v in (None, "", " ", "\u00a0", "\u3000", "\u200b", "0", 0, "-")] == [
        True, True, True, True, True, True, False, False, False]
    assert clean_text("  张\u200b三\u00a0 ") == "张三"
    assert clean_text("ＡＢＣ　１２") == "ABC 12"
    assert clean_text(7.0) == "7" and clean_text(0.95) == "0.95" and clean_text(None) == ""


# --- through the CLI -----------------------------------------------------------------------------
def _scores(cli_json, name: str, *extra: str) -> dict[str, float]:
    doc = cli_json("score", name, "--scheme", "star", *extra)
    return {a["agent_id"]: a["score"] for a in doc["agents"]}


def test_bad_inputs_15_ids_stay_text_through_the_cli(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 15: '0001' keeps its zeros, a numeric cell 7 is '7', full-width and
    padded ids are cleaned; none of them is turned into a number."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], [7, "乙", "一组", 112],
                                        ["００８", "丙", "一组", 112],
                                        ["\u00a00009 ", "丁", "一组", 112]])
    assert sorted(_scores(cli_json, "kpi_2026-10.xlsx")) == ["0001", "0009", "008", "7"]


def test_bad_inputs_15_csv_ids_keep_leading_zeros(tmp_path: Path, cli_json) -> None:
    (tmp_path / "kpi_2026-10.csv").write_text("工号,姓名,绩效分值\n0000001,甲,112\n1,乙,112\n",
                                              encoding="utf-8")
    assert sorted(_scores(cli_json, "kpi_2026-10.csv")) == ["0000001", "1"]


@pytest.mark.parametrize("forms", [
    [0.95, "95%", "９５％", "95 %", "95\u00a0%", "95.0%"],
    [95, 95.0, "95", "９５", "95%"],
], ids=["fractions-and-percent-signs", "points-and-percent-signs"])
def test_bad_inputs_16_percent_forms_give_one_scale(tmp_path: Path, cli_json,
                                                    forms: list[Any]) -> None:
    """BAD_INPUTS 16: a resolution rate written 0.95, 95, '95%', '９５％', '95 %' is the same
    95% for every agent (mixing 0.95 and bare 95 in one column is refused: test_errors)."""
    rows = [[f"{i:04d}", "甲", "一组", 36, form, 0.9, 0.005] for i, form in enumerate(forms, 1)]
    kpi(tmp_path / "kpi_2026-10.xlsx", rows, header=METRICS)
    # 30/36 of the 30 s target x 20 + 0.95/0.90 x 30 + 0.90/0.85 x 35 + 150% (cap) x 15
    assert _scores(cli_json, "kpi_2026-10.xlsx") == {f"{i:04d}": 107.89
                                                     for i in range(1, len(forms) + 1)}


def test_bad_inputs_16_ready_score_forms(tmp_path: Path, cli_json) -> None:
    forms = [112, "112%", "１１２", "１１２％", "112 %", "\u00a0112\u00a0", "１１２．００", "112.0"]
    kpi(tmp_path / "kpi_2026-10.xlsx", [[f"{i:04d}", "甲", "一组", form]
                                        for i, form in enumerate(forms, 1)])
    assert set(_scores(cli_json, "kpi_2026-10.xlsx").values()) == {112.0}


def test_bad_inputs_17_18_full_width_and_duration_forms(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 17/18: full-width digits, non-breaking spaces and every duration form give
    the score of the plain numbers; a different response time gives another score, so the
    forms are really read."""
    plain = ["0001", "甲", "一组", 36, 0.95, 0.9, 0.005]
    variants = [
        ["0002", "乙", "一组", "３６", "０．９５", "０．９", "０．５％"],
        ["0003", "丙", "一组", "0:00:36", "95%", "90 %", "0.5%"],
        ["0004", "丁", "一组", "36秒", "９５％", "\u00a00.9\u00a0", 0.005],
        ["0005", "戊", "一组", "0分36秒", 0.95, 0.9, 0.005],
        ["0006", "己", "一组", "00:36", 0.95, 0.9, 0.005],
        ["0007", "庚", "一组", time(0, 0, 36), 0.95, 0.9, 0.005],
        ["0008", "辛", "一组", 20, 0.95, 0.9, 0.005],
    ]
    kpi(tmp_path / "kpi_2026-10.xlsx", [plain, *variants], header=METRICS)
    scores = _scores(cli_json, "kpi_2026-10.xlsx")
    assert scores == {**{f"{i:04d}": 107.89 for i in range(1, 8)}, "0008": 121.23}


def _roster(path: Path, hire_dates: list[Any]) -> None:
    write_xlsx(path, [["工号", "姓名", "组别", "入职日期"],
                      *[[f"{i:04d}", "甲", "一组", d] for i, d in enumerate(hire_dates, 1)]],
               text_columns=(0, 1, 2))


def _trial(cli_json, *extra: str) -> dict[str, bool]:
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", *extra)
    return {a["agent_id"]: a["in_trial"] for a in doc["agents"]}


def test_bad_inputs_19_hire_date_forms_in_a_roster(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 19: every date form is read; hired in 2026-09 means on trial in 2026-10
    (3 trial months), hired in 2024 does not, so a misread date would show."""
    forms = ["2026/9/1", "2026-09-01", "2026年9月1日", "２０２６．９．１", "20260901",
             datetime(2026, 9, 1), 46266, "2024/1/1"]
    kpi(tmp_path / "kpi_2026-10.xlsx", [[f"{i:04d}", "甲", "一组", 112]
                                        for i in range(1, len(forms) + 1)])
    _roster(tmp_path / "roster.xlsx", forms)
    assert _trial(cli_json, "--roster", "roster.xlsx") == {
        **{f"{i:04d}": True for i in range(1, 8)}, "0008": False}


def test_bad_inputs_19_mac_1904_serials_in_a_roster(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 19: a Mac workbook (1904 date system) with hire dates as plain serials:
    44804 is 2026-09-01 there (and 2022-08-31 in the 1900 system)."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    write_parts(tmp_path / "roster.xlsx", xlsx_parts(
        [["工号", "姓名", "组别", "入职日期"], ["0001", "甲", "一组", 44804]],
        workbook_pr='<workbookPr date1904="1"/>'))
    assert _trial(cli_json, "--roster", "roster.xlsx") == {"0001": True}


def test_bad_inputs_19_impossible_hire_date_is_refused(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 19: 2026-02-30 → E naming roster › sheet › cell; nothing written."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 112]])
    _roster(tmp_path / "roster.xlsx", ["2024/1/1", "2026-02-30"])
    before = files_in(tmp_path)
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--roster",
                         "roster.xlsx", "--json")
    assert code == 1
    assert json.loads(out)["problems"] == [{
        "severity": "error", "message": "hire date: '2026-02-30' is not a real date",
        "hint": "Use a date such as 2026-03-10.", "file": "roster.xlsx", "sheet": "Sheet1",
        "cell": "D3", "text": "roster.xlsx › Sheet1 › D3: hire date: '2026-02-30' is not a real "
                              "date — Use a date such as 2026-03-10."}]
    assert "roster.xlsx › Sheet1 › D3: hire date: '2026-02-30' is not a real date" in err
    assert files_in(tmp_path) == before
    assert not (tmp_path / "history.db").exists()
