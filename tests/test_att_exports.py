"""Attendance exports as clerks get them (issue 19, items 1–4): DingTalk's 月度汇总 and WeCom's
上下班打卡_月报, built here in their exported layouts (title and period rows, two-row merged
headers, units on a second line, day columns, blank or `--` zeros, a daily sheet beside the
monthly one), keyed by 工号 or by name; name-keyed sheets joined to agent ids through the
KPI workbook or the roster; the month from the stated period. Exact figures per agent
through `cslevel score --attendance` and `cslevel run`."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import REALDATA
from cs_helpers import files_in, kpi

from cslevel.records import Month
from cslevel.store import open_history

pytestmark = pytest.mark.language("en")

D = Decimal

# --- the exports, as the apps lay them out ---------------------------------------------------
DING_BASIC = ["姓名", "考勤组", "部门", "工号", "职位", "UserId"]
DING_FIGURES = ["出勤天数", "休息天数", "工作时长", "迟到次数", "迟到时长", "严重迟到次数",
                "严重迟到时长", "旷工迟到天数", "早退次数", "早退时长", "上班缺卡次数",
                "下班缺卡次数", "旷工天数", "出差时长", "外出时长"]
DING_LEAVE = ["事假(天)", "病假(天)", "年假(天)"]
DING_OVERTIME = ["工作日(小时)", "休息日(小时)"]
WEEKDAY = "一二三四五六日"
MARCH, MAY = Month(2026, 3), Month(2026, 5)


def _day_cell(day: date) -> str:
    return "休息\n(-)" if day.weekday() >= 5 else "正常班:正常\n(08:17,18:30)"


def dingtalk(path: Path, people: list[dict[str, Any]], month: Month = MARCH, *,
             basic: list[str] = DING_BASIC, figures: list[str] = DING_FIGURES,
             daily_sheet: bool = False) -> Path:
    """A DingTalk 月度汇总 export: row 1 a merged title with the period, row 2 when it was
    made, rows 3–4 the header (basic and figure columns merged down, 请假, 加班 and 考勤结果
    merged across over their columns), data from row 5. `people`: one dict per agent of
    header -> value; a figure not given is left blank (DingTalk's zero). `daily_sheet`: a
    每日统计 sheet first, as in a combined export."""
    book = openpyxl.Workbook()
    if daily_sheet:
        daily = book.active
        daily.title = "每日统计"
        daily.append(["每日统计 统计日期：" + f"{month}-01 至 {month}-01"])
        daily.append([*DING_BASIC, "日期", "班次", *DING_FIGURES])
        for person in people:
            for day in (1, 2):
                daily.append([*(person.get(h) for h in DING_BASIC), f"{month}-{day:02d}",
                              "正常班", 1, 0, 8, 1, 5, *([0] * 10)])
        sheet = book.create_sheet("月度汇总")
    else:
        sheet = book.active
        sheet.title = "月度汇总"
    days = calendar.monthrange(month.year, month.month)[1]
    single = [*basic, *figures]
    width = len(single) + len(DING_LEAVE) + len(DING_OVERTIME) + days
    last_day = date(month.year, month.month, days)
    sheet.cell(1, 1, f"月度汇总 统计日期：{month}-01 至 {last_day.isoformat()}")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(2, 1, f"报表生成时间：{month + 1}-01 09:15")
    col = 1
    for label in single:
        sheet.cell(3, col, label)
        sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
        col += 1
    for group, labels in (("请假", DING_LEAVE), ("加班", DING_OVERTIME),
                          ("考勤结果", [str(d) + ("\n" + WEEKDAY[date(month.year, month.month,
                                                                      d).weekday()]
                                                  if date(month.year, month.month,
                                                          d).weekday() >= 5 else "")
                                        for d in range(1, days + 1)])):
        sheet.cell(3, col, group)
        sheet.merge_cells(start_row=3, start_column=col, end_row=3,
                          end_column=col + len(labels) - 1)
        for offset, label in enumerate(labels):
            sheet.cell(4, col + offset, label)
        col += len(labels)
    for r, person in enumerate(people, start=5):
        row = [person.get(h) for h in [*single, *DING_LEAVE, *DING_OVERTIME]]
        row += [_day_cell(date(month.year, month.month, d)) for d in range(1, days + 1)]
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(path)
    return path


WECOM_GROUPS: list[tuple[str, list[str]]] = [
    ("基础信息", ["姓名", "账号", "部门", "职务", "考勤规则"]),
    ("考勤概况", ["应打卡天数\n(天)", "正常天数\n(天)", "异常天数\n(天)", "标准工作时长\n(小时)",
              "实际工作时长\n(小时)"]),
    ("异常统计", ["迟到次数\n(次)", "迟到时长\n(分钟)", "早退次数\n(次)", "早退时长\n(分钟)",
              "旷工次数\n(次)", "旷工天数\n(天)", "缺卡次数\n(次)", "地点异常\n(次)"]),
    ("外出打卡", ["外出次数\n(次)"]),
    ("加班统计", ["加班总时长\n(小时)"]),
    ("假勤统计", ["事假\n(天)", "病假\n(天)", "年假\n(天)"]),
]


def wecom(path: Path, people: list[dict[str, Any]], month: Month = MAY, *,
          with_id: bool = False) -> Path:
    """A WeCom 上下班打卡_月报: A1 a title, A2 the period (no year) and when it was made, row 3
    group headers merged across, row 4 the columns with their unit on a second line, day
    columns `1\\n星期五`, data from row 5, panes frozen at B5, `--` where there is nothing.
    `people`: header (without its unit) -> value. `with_id`: a 工号 column after 姓名."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "上下班打卡_月报"
    days = calendar.monthrange(month.year, month.month)[1]
    groups = [(g, (["姓名", "工号", *labels[1:]] if with_id and g == "基础信息" else labels))
              for g, labels in WECOM_GROUPS]
    groups.append(("", [f"{d}\n星期{WEEKDAY[date(month.year, month.month, d).weekday()]}"
                        for d in range(1, days + 1)]))
    width = sum(len(labels) for _g, labels in groups)
    sheet.cell(1, 1, "上下班打卡_月报")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(2, 1, f"统计时间:{month.month:02d}-01 ～ {month.month:02d}-{days:02d} "
                     f"制表时间:{month + 1}-01 10:20(UTC+8)")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    col = 1
    labels_in_order = []
    for group, labels in groups:
        if group:
            sheet.cell(3, col, group)
            sheet.merge_cells(start_row=3, start_column=col, end_row=3,
                              end_column=col + len(labels) - 1)
        for offset, label in enumerate(labels):
            sheet.cell(4, col + offset, label)
        labels_in_order += labels
        col += len(labels)
    for r, person in enumerate(people, start=5):
        for c, label in enumerate(labels_in_order, start=1):
            key = label.split("\n")[0]
            if re.fullmatch(r"\d+", key):
                value: Any = "正常(09:01-18:02)"
            else:
                value = person.get(key, "--")
            cell = sheet.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "B5"
    book.save(path)
    return path


# --- who is in them --------------------------------------------------------------------------
DING_PEOPLE = [
    {"姓名": "张三", "考勤组": "客服组", "部门": "客服一部", "工号": "0001", "职位": "客服",
     "UserId": "0215311", "出勤天数": 21, "休息天数": 9, "工作时长": 9840, "迟到次数": 2,
     "迟到时长": 23, "严重迟到次数": 1, "严重迟到时长": 40, "上班缺卡次数": 1,
     "下班缺卡次数": 2, "事假(天)": 1, "病假(天)": 0.5},
    {"姓名": "李四", "考勤组": "客服组", "部门": "客服一部", "工号": "0002", "职位": "客服",
     "UserId": "0215312", "出勤天数": 22, "休息天数": 9, "工作时长": 10560,
     "旷工迟到天数": 1, "早退次数": 3, "早退时长": 31, "旷工天数": 1, "下班缺卡次数": 1},
    {"姓名": "王五", "考勤组": "客服组", "部门": "客服二部", "工号": "0003", "职位": "组长",
     "UserId": "0215313", "出勤天数": 23, "休息天数": 8, "工作时长": 11040},
]
DING_TOTALS = {
    "0001": {"days_present": D(21), "late": D(2), "serious_late": D(1),
             "absent_late_days": D(0), "early_leave": D(0), "missed_punches": D(3),
             "absent_days": D(0), "personal_leave_days": D(1), "sick_leave_days": D("0.5")},
    "0002": {"days_present": D(22), "late": D(0), "serious_late": D(0),
             "absent_late_days": D(1), "early_leave": D(3), "missed_punches": D(1),
             "absent_days": D(1), "personal_leave_days": D(0), "sick_leave_days": D(0)},
    "0003": {"days_present": D(23), "late": D(0), "serious_late": D(0),
             "absent_late_days": D(0), "early_leave": D(0), "missed_punches": D(0),
             "absent_days": D(0), "personal_leave_days": D(0), "sick_leave_days": D(0)},
}
KPI_ROWS = [["0001", "张三", "一组", 112], ["0002", "李四", "一组", 95],
            ["0003", "王五", "二组", 120]]

WECOM_PEOPLE = [
    {"姓名": "张三", "工号": "0001", "账号": "ZhangSan", "部门": "客服一部", "职务": "客服",
     "考勤规则": "客服班", "应打卡天数": 20, "正常天数": 17, "异常天数": 3,
     "标准工作时长": 160, "实际工作时长": 158.5, "迟到次数": 2, "迟到时长": 17,
     "缺卡次数": 1, "事假": 1},
    {"姓名": "李四", "工号": "0002", "账号": "LiSi", "部门": "客服一部", "职务": "客服",
     "考勤规则": "客服班", "应打卡天数": 20, "正常天数": 20, "异常天数": 0,
     "标准工作时长": 160, "实际工作时长": 161, "迟到次数": 0, "早退次数": 0, "旷工天数": 0,
     "缺卡次数": 0},
    {"姓名": "王五", "工号": "0003", "账号": "WangWu", "部门": "客服二部", "职务": "组长",
     "考勤规则": "客服班", "应打卡天数": 20, "正常天数": 18, "异常天数": 2,
     "标准工作时长": 160, "实际工作时长": 150, "早退次数": 1, "早退时长": 12,
     "旷工次数": 1, "旷工天数": 1, "病假": 0.5},
]
WECOM_TOTALS = {
    "0001": {"days_required": D(20), "normal_days": D(17), "late": D(2), "early_leave": D(0),
             "absent_days": D(0), "missed_punches": D(1), "personal_leave_days": D(1),
             "sick_leave_days": D(0)},
    "0002": {"days_required": D(20), "normal_days": D(20), "late": D(0), "early_leave": D(0),
             "absent_days": D(0), "missed_punches": D(0), "personal_leave_days": D(0),
             "sick_leave_days": D(0)},
    "0003": {"days_required": D(20), "normal_days": D(18), "late": D(0), "early_leave": D(1),
             "absent_days": D(1), "missed_punches": D(0), "personal_leave_days": D(0),
             "sick_leave_days": D("0.5")},
}


def _without_ids(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**p, "工号": None} for p in people]


def _attendance(db: Path, month: Month) -> dict[str, dict[str, Decimal]]:
    with open_history(str(db), write=False) as history:
        return history.attendance(month)


def _score(cli, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli("score", *args, "--scheme", "star", "--out", "out/", "--json")
    assert out.strip(), err
    return code, json.loads(out)


def _texts(doc: dict[str, Any], severity: str) -> list[str]:
    return [p["message"] for p in doc["problems"] if p["severity"] == severity]


# --- DingTalk --------------------------------------------------------------------------------
def test_dingtalk_monthly_report_keyed_by_id(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS)
    dingtalk(tmp_path / "公司_月度汇总_20260301-20260331.xlsx", DING_PEOPLE)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "公司_月度汇总_20260301-20260331.xlsx",
                       "--month", "2026-03")
    assert code == 0, doc
    assert _attendance(tmp_path / "history.db", Month(2026, 3)) == DING_TOTALS
    assert not [t for t in _texts(doc, "warning") if "attendance" in t]


def test_dingtalk_columns_matched_by_header_in_any_order(tmp_path: Path, cli) -> None:
    """Administrators choose and order the columns: 工号 first, figures shuffled, some left
    out (the template's items those would give are then absent, not 0)."""
    basic = ["工号", "部门", "姓名", "UserId"]
    figures = ["旷工天数", "下班缺卡次数", "迟到次数", "出勤天数", "上班缺卡次数", "早退次数"]
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS)
    dingtalk(tmp_path / "月度汇总.xlsx", DING_PEOPLE, basic=basic, figures=figures)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月度汇总.xlsx", "--month", "2026-03")
    assert code == 0, doc
    kept = {"absent_days", "missed_punches", "late", "days_present", "early_leave",
            "personal_leave_days", "sick_leave_days"}
    assert _attendance(tmp_path / "history.db", Month(2026, 3)) == {
        agent: {k: v for k, v in totals.items() if k in kept}
        for agent, totals in DING_TOTALS.items()}


def test_dingtalk_combined_export_reads_the_monthly_sheet_not_the_daily(
        tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS)
    dingtalk(tmp_path / "考勤报表.xlsx", DING_PEOPLE, daily_sheet=True)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "考勤报表.xlsx", "--month", "2026-03")
    assert code == 0, doc
    assert _attendance(tmp_path / "history.db", Month(2026, 3)) == DING_TOTALS
    assert ("used sheet '月度汇总', the monthly totals (daily sheets left out: 每日统计)"
            in _texts(doc, "warning"))


def test_dingtalk_month_from_the_period_when_no_month_is_given(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-03.xlsx", KPI_ROWS)
    dingtalk(tmp_path / "月度汇总.xlsx", DING_PEOPLE)  # (no month in the file name)
    code, doc = _score(cli, "kpi_2026-03.xlsx", "--attendance", "月度汇总.xlsx")
    assert code == 0, doc
    assert _attendance(tmp_path / "history.db", Month(2026, 3)) == DING_TOTALS


def test_dingtalk_report_of_another_month_is_refused(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS)
    dingtalk(tmp_path / "月度汇总.xlsx", DING_PEOPLE, month=Month(2026, 2))
    before = files_in(tmp_path)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月度汇总.xlsx", "--month", "2026-03")
    assert code == 1
    assert [p["text"] for p in doc["problems"]] == [
        ("月度汇总.xlsx › 月度汇总: the report is for 2026-02 (统计日期:2026-02-01 至 2026-02-28), "
        "not 2026-03 — Give the attendance report of 2026-03 (export it again for that "
        "month).")]
    assert files_in(tmp_path) == before
    # without --month: the KPI's month (from its file name) is not the report's
    kpi(tmp_path / "kpi_2026-03.xlsx", KPI_ROWS)
    code, doc = _score(cli, "kpi_2026-03.xlsx", "--attendance", "月度汇总.xlsx")
    assert code == 1
    assert _texts(doc, "error") == [
        "attendance is for 2026-02 but no KPI workbook for that month was given"]


def test_dingtalk_blank_ids_are_joined_by_name(tmp_path: Path, cli) -> None:
    """工号 may be empty in a DingTalk export: those rows are joined by name through the
    KPI workbook, with one warning for the sheet."""
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS)
    people = [{**p, "工号": None} if p["姓名"] != "王五" else p for p in DING_PEOPLE]
    dingtalk(tmp_path / "月度汇总.xlsx", people)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月度汇总.xlsx", "--month", "2026-03")
    assert code == 0, doc
    assert _attendance(tmp_path / "history.db", Month(2026, 3)) == DING_TOTALS
    warnings = _texts(doc, "warning")
    assert "工号 is empty in 2 rows (D5 …): those agents are identified by name" in warnings
    assert not [w for w in warnings if "not in the KPI workbook" in w]


def test_a_missed_punch_sum_out_of_range_is_refused(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS[:1])
    dingtalk(tmp_path / "月度汇总.xlsx", [{**DING_PEOPLE[0], "上班缺卡次数": 60,
                                         "下班缺卡次数": 50}])
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月度汇总.xlsx", "--month", "2026-03")
    assert code == 1
    assert [p["text"] for p in doc["problems"] if p["severity"] == "error"] == [
        ("月度汇总.xlsx › 月度汇总 › row 5: 缺卡次数: 上班缺卡次数 + 下班缺卡次数 add up to 110, "
        "out of range: allowed 0 to 100 — Check the values; if such values are right, widen "
        "attendance.items[8].bounds in the template.")]


# --- WeCom -----------------------------------------------------------------------------------
def test_wecom_monthly_report_keyed_by_name(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS)
    wecom(tmp_path / "上下班打卡_月报_20260501-20260531.xlsx", WECOM_PEOPLE)
    code, doc = _score(cli, "kpi.xlsx", "--attendance",
                       "上下班打卡_月报_20260501-20260531.xlsx", "--month", "2026-05")
    assert code == 0, doc
    assert _attendance(tmp_path / "history.db", Month(2026, 5)) == WECOM_TOTALS
    warnings = _texts(doc, "warning")
    assert "no 工号 column: agents are identified by 姓名" in warnings
    assert not [w for w in warnings if "not in the KPI workbook" in w]


def test_wecom_monthly_report_keyed_by_id_month_from_the_file_name(
        tmp_path: Path, cli) -> None:
    """No --month and no year in 统计时间: the month comes from the file name's period."""
    kpi(tmp_path / "kpi_2026-05.xlsx", KPI_ROWS)
    wecom(tmp_path / "上下班打卡_月报_20260501-20260531.xlsx", WECOM_PEOPLE, with_id=True)
    code, doc = _score(cli, "kpi_2026-05.xlsx", "--attendance",
                       "上下班打卡_月报_20260501-20260531.xlsx")
    assert code == 0, doc
    assert _attendance(tmp_path / "history.db", Month(2026, 5)) == WECOM_TOTALS
    assert "no 工号 column: agents are identified by 姓名" not in _texts(doc, "warning")


def test_wecom_period_year_from_when_it_was_made(tmp_path: Path) -> None:
    from cslevel.read import read_attendance
    from cslevel.templates import load_scheme

    scheme = load_scheme("star")[0]
    path = wecom(tmp_path / "月报.xlsx", WECOM_PEOPLE, month=Month(2026, 12), with_id=True)
    rows, _problems = read_attendance(path, scheme, None)
    assert {r.month for r in rows} == {Month(2026, 12)}  # (made on 2027-01-01)
    assert {r.agent_id: r.totals for r in rows} == WECOM_TOTALS


def test_a_daily_report_alone_is_refused(tmp_path: Path, cli) -> None:
    """WeCom's daily report (one row per agent and day, dates such as 2026/06/07 星期日) is
    not a month's totals: refused, asking for the monthly report."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "上下班打卡_日报"
    sheet.append(["上下班打卡_日报"])
    sheet.append(["统计时间:06-07 ～ 06-08 制表时间:2026-06-09 10:20(UTC+8)"])
    sheet.append(["日期", "姓名", "账号", "部门", "迟到次数\n(次)", "缺卡次数\n(次)"])
    for day in ("2026/06/07 星期日", "2026/06/08 星期一"):
        sheet.append([day, "张三", "ZhangSan", "客服一部", 0, "--"])
    book.save(tmp_path / "上下班打卡_日报_20260607-20260608.xlsx")
    kpi(tmp_path / "kpi.xlsx", KPI_ROWS)
    code, doc = _score(cli, "kpi.xlsx", "--attendance",
                       "上下班打卡_日报_20260607-20260608.xlsx", "--month", "2026-06")
    assert code == 1
    assert [p["text"] for p in doc["problems"]] == [
        ("上下班打卡_日报_20260607-20260608.xlsx: this is a daily report (上下班打卡_日报), not "
        "the month's totals — Export the monthly report instead (DingTalk 月度汇总, WeCom "
        "上下班打卡_月报), and give that.")]


# --- names -----------------------------------------------------------------------------------
def test_two_agents_of_one_name_ask_for_the_id(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", [*KPI_ROWS, ["0009", "张三", "二组", 101]])
    wecom(tmp_path / "月报.xlsx", WECOM_PEOPLE)
    before = files_in(tmp_path)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月报.xlsx", "--month", "2026-05")
    assert code == 1
    assert [p["text"] for p in doc["problems"] if p["severity"] == "error"] == [
        ("月报.xlsx › 上下班打卡_月报 › row 5: 张三 is read by name, but 2 agents have that name: "
        "0001 at kpi.xlsx › Sheet1 › row 2 and 0009 at kpi.xlsx › Sheet1 › row 5 — Fill in this "
        "row's 工号 in the attendance workbook (add a 工号 column if it has none), and run "
        "again.")]
    assert files_in(tmp_path) == before


@pytest.mark.language("zh")
def test_two_agents_of_one_name_in_chinese(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", [*KPI_ROWS, ["0009", "张三", "二组", 101]])
    wecom(tmp_path / "月报.xlsx", WECOM_PEOPLE)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月报.xlsx", "--month", "2026-05")
    assert code == 1
    assert [p["text"] for p in doc["problems"] if p["severity"] == "error"] == [
        ("月报.xlsx › 上下班打卡_月报 › row 5: 按姓名读取张三，但有 2 名坐席同名：0001（kpi.xlsx › "
        "Sheet1 › row 2）和 0009（kpi.xlsx › Sheet1 › row 5） — 请在考勤表中填写这一行的工号"
        "（没有工号列就加一列），然后重新运行。")]


def test_a_name_joined_through_the_roster(tmp_path: Path, cli) -> None:
    """A name the KPI workbook does not give (its 姓名 column is blank) is found in the
    roster; one found nowhere is listed and left out."""
    from conftest import write_xlsx

    kpi(tmp_path / "kpi.xlsx", [["0001", "", "一组", 112], ["0002", "李四", "一组", 95]])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "入职日期"],
                                          ["0001", "张三", "2024-01-02"]])
    wecom(tmp_path / "月报.xlsx", WECOM_PEOPLE)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月报.xlsx", "--month", "2026-05",
                       "--roster", "roster.xlsx")
    assert code == 0, doc
    assert _attendance(tmp_path / "history.db", Month(2026, 5)) == {
        a: WECOM_TOTALS[a] for a in ("0001", "0002")}
    assert ("王五 is in the attendance workbook (read by name) but no agent of that name is in "
            "the KPI workbook of 2026-05 or the roster") in _texts(doc, "warning")


# --- run (a workspace) -----------------------------------------------------------------------
def _workspace(tmp_path: Path, cli) -> Path:
    """`cslevel init` with a roster of the three agents in its input folder."""
    from conftest import write_xlsx

    code, _out, err = cli("init", "ws", "--language", "en")
    assert code == 0, err
    ws = tmp_path / "ws"
    write_xlsx(ws / "input" / "roster.xlsx", [["工号", "姓名", "入职日期"],
                                              *[[i, n, "2024-01-02"] for i, n, _t, _s in KPI_ROWS]])
    return ws


def _run(cli, ws: Path, month: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli("run", "--month", month, "--config", str(ws / "cslevel.toml"),
                         "--json")
    assert out.strip(), err
    return code, json.loads(out)


def test_run_takes_the_app_exports(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    kpi(ws / "input" / "kpi_2026-03.xlsx", KPI_ROWS)
    dingtalk(ws / "input" / "att_2026-03_月度汇总.xlsx", _without_ids(DING_PEOPLE),
             daily_sheet=True)
    kpi(ws / "input" / "kpi_2026-05.xlsx", KPI_ROWS)
    wecom(ws / "input" / "att_2026-05_上下班打卡_月报.xlsx", WECOM_PEOPLE)
    code, doc = _run(cli, ws, "2026-03")
    assert code == 0, doc
    code, doc = _run(cli, ws, "2026-05")
    assert code == 0, doc
    db = ws / "cslevel.db"
    assert _attendance(db, Month(2026, 3)) == DING_TOTALS
    assert _attendance(db, Month(2026, 5)) == WECOM_TOTALS


def test_run_finds_the_app_exports_by_the_names_the_apps_give(tmp_path: Path, cli) -> None:
    """No file named like the settings' patterns: the month's KPI workbook by its Chinese
    name, DingTalk's export by the period in its name; a WeCom daily report beside them is
    left out with its reason, not a second candidate."""
    from conftest import write_xlsx

    ws = _workspace(tmp_path, cli)
    kpi(ws / "input" / "2026年3月绩效.xlsx", KPI_ROWS)
    dingtalk(ws / "input" / "公司_月度汇总_20260301-20260331.xlsx", DING_PEOPLE)
    write_xlsx(ws / "input" / "上下班打卡_日报_20260301-20260331.xlsx",
               [["姓名", "工号", "日期", "上班打卡"], ["张三", "0001", "2026/03/02 星期一", "08:55"]])
    code, doc = _run(cli, ws, "2026-03")
    assert code == 0, doc
    assert [Path(i["file"]).name for i in doc["inputs"]] == [
        "2026年3月绩效.xlsx", "公司_月度汇总_20260301-20260331.xlsx", "roster.xlsx"]
    assert _attendance(ws / "cslevel.db", Month(2026, 3)) == DING_TOTALS
    # with no KPI workbook, the list of files says why the daily report is not taken
    (ws / "input" / "2026年3月绩效.xlsx").unlink()
    code, doc = _run(cli, ws, "2026-03")
    assert code == 1
    assert ("上下班打卡_日报_20260301-20260331.xlsx: a daily report of the attendance app "
            "(日报, 每日统计) — Not read; cslevel reads the month's report: DingTalk 月度汇总 or "
            "WeCom 上下班打卡_月报.") in [f"{Path(p['file']).name}: {p['message']} — {p['hint']}"
                                    for p in doc["problems"] if p.get("file")]


def test_run_refuses_a_report_of_another_month(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    kpi(ws / "input" / "kpi_2026-04.xlsx", KPI_ROWS)
    dingtalk(ws / "input" / "att_2026-04.xlsx", DING_PEOPLE)  # (March's report)
    before = files_in(ws)
    code, doc = _run(cli, ws, "2026-04")
    assert code == 1
    assert _texts(doc, "error") == [
        "the report is for 2026-03 (统计日期:2026-03-01 至 2026-03-31), not 2026-04"]
    assert files_in(ws) == before


# --- the real workbook: name-keyed, joined to a 工号-keyed KPI -------------------------------
ATT_MARCH = REALDATA / "cn-attendance-2017" / "考勤表_2017年3月_pseudonymised.xlsx"


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")
def test_real_attendance_joins_by_name_to_a_kpi_keyed_by_id(tmp_path: Path, cli) -> None:
    sheet = openpyxl.load_workbook(ATT_MARCH, read_only=True)["考勤汇总"]
    typed = [str(row[2]).strip() for row in sheet.iter_rows(min_row=5, values_only=True)
             if row[2]]
    names = [re.sub(r"\d.*$", "", name) for name in typed]  # (notes after the names)
    assert len(names) == len(set(names)) == 44
    ids = {name: f"A{n:03d}" for n, name in enumerate(names, start=1)}
    kpi(tmp_path / "kpi_2017-03.xlsx", [[ids[name], name, "一组", 100] for name in names])
    code, doc = _score(cli, "kpi_2017-03.xlsx", "--attendance", str(ATT_MARCH))
    assert code == 0, doc
    got = _attendance(tmp_path / "history.db", Month(2017, 3))
    assert len(got) == 44
    # 冯志: 事假 1.5, 病假 1; 花安晨: 迟到 8; 杨春辰 (3月15离职): nothing; 周春: 病假 3
    assert got[ids["冯志"]] == {"personal_leave_days": D("1.5"), "sick_leave_days": D(1)}
    assert got[ids["花安晨"]] == {"late": D(8)}
    assert got[ids["杨春辰"]] == {}
    assert got[ids["周春"]] == {"sick_leave_days": D(3)}
    warnings = _texts(doc, "warning")
    assert not [w for w in warnings if "not in the KPI workbook" in w
                or "not in the attendance workbook" in w]
    assert "杨春辰: the note '3月15离职' proposes the leave date 2017-03-15" in warnings
    assert "韦雅: the note '3月8入职' proposes the hire date 2017-03-08" in warnings
    assert "喻辰: the note '0301入职' proposes the hire date 2017-03-01" in warnings
    assert "云宇: the note '4月1离职' proposes the leave date 2017-04-01" in warnings
    # the names read here are the KPI's: no renamed-agent warnings
    assert not [w for w in warnings if " is named " in w]


def test_the_column_path_gives_what_the_row_path_gives_on_an_app_report(
        tmp_path: Path) -> None:
    """The sums of `sum_of` items and the zeros of blank cells, made a column at a time,
    are those of the row-by-row reading (the oracle), and the column path does run here."""
    from cslevel.read import _attendance_columns, _read_attendance, attendance_table
    from cslevel.templates import load_scheme

    scheme = load_scheme("star")[0]
    path = dingtalk(tmp_path / "月度汇总.xlsx", DING_PEOPLE, daily_sheet=True)
    fast = _read_attendance(path, scheme, None, attendance_table(path, scheme))
    slow = _read_attendance(path, scheme, None, attendance_table(path, scheme), fast=False)
    assert fast == slow
    assert {r.agent_id: r.totals for r in fast[0]} == DING_TOTALS
    table = attendance_table(path, scheme)
    assert _attendance_columns(table, scheme, [MARCH] * table.row_count, []) is not None


# --- a KPI workbook without 工号 -------------------------------------------------------------
def _roster(path: Path, rows: list[list[str]]) -> Path:
    from conftest import write_xlsx

    return write_xlsx(path, [["工号", "姓名", "入职日期"], *[[*r, "2024-01-02"] for r in rows]])


def test_a_kpi_keyed_by_name_is_joined_through_the_roster(tmp_path: Path, cli) -> None:
    """Neither the KPI workbook nor WeCom's report has 工号: the KPI rows take their ids from
    the roster, and the attendance rows join those by name."""
    kpi(tmp_path / "kpi.xlsx", [r[1:] for r in KPI_ROWS], header=["姓名", "组别", "绩效分值"],
        text_columns=(0, 1))
    _roster(tmp_path / "roster.xlsx", [["0001", "张三"], ["0002", "李 四"], ["0003", "王五"]])
    wecom(tmp_path / "月报.xlsx", WECOM_PEOPLE)
    code, doc = _score(cli, "kpi.xlsx", "--attendance", "月报.xlsx", "--month", "2026-05",
                       "--roster", "roster.xlsx")
    assert code == 0, doc
    assert {a["agent_id"]: (a["name"], a["score"]) for a in doc["agents"]} == {
        "0001": ("张三", 112), "0002": ("李 四", 95), "0003": ("王五", 120)}  # (the roster's)
    assert _attendance(tmp_path / "history.db", Month(2026, 5)) == WECOM_TOTALS
    with open_history(str(tmp_path / "history.db"), write=False) as history:
        assert sorted(history.agents()) == ["0001", "0002", "0003"]


def test_a_kpi_whose_id_column_is_empty_is_joined_by_name(tmp_path: Path, cli) -> None:
    """A 工号 column with nothing in it (an export whose administrator left 工号 unset) is
    no id column: the rows are joined to the roster by name, and the warning says why."""
    kpi(tmp_path / "kpi.xlsx", [[None, *r[1:]] for r in KPI_ROWS],
        header=["工号", "姓名", "组别", "绩效分值"], text_columns=(1, 2))
    _roster(tmp_path / "roster.xlsx", [["0001", "张三"], ["0002", "李四"], ["0003", "王五"]])
    code, doc = _score(cli, "kpi.xlsx", "--month", "2026-05", "--roster", "roster.xlsx")
    assert code == 0, doc
    assert {a["agent_id"]: (a["name"], a["score"]) for a in doc["agents"]} == {
        "0001": ("张三", 112), "0002": ("李四", 95), "0003": ("王五", 120)}
    assert "the 工号 column is empty: agents are identified by 姓名" in _texts(doc, "warning")
    # one id given: the column is an id column, and the blank ones are refused as before
    kpi(tmp_path / "kpi.xlsx", [["0001", *KPI_ROWS[0][1:]], *[[None, *r[1:]] for r in
                                                              KPI_ROWS[1:]]],
        header=["工号", "姓名", "组别", "绩效分值"], text_columns=(0, 1, 2))
    code, doc = _score(cli, "kpi.xlsx", "--month", "2026-05", "--roster", "roster.xlsx")
    assert code == 1 and len(_texts(doc, "error")) == 2


def test_a_kpi_keyed_by_name_needs_the_roster(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi.xlsx", [r[1:] for r in KPI_ROWS], header=["姓名", "组别", "绩效分值"],
        text_columns=(0, 1))
    before = files_in(tmp_path)
    code, doc = _score(cli, "kpi.xlsx", "--month", "2026-05")
    assert code == 1
    assert _texts(doc, "error") == [
        "the KPI workbook has no 工号 column: its agents cannot be told apart by name alone"]
    assert files_in(tmp_path) == before
    # a name the roster lacks, and one two agents of the roster share
    _roster(tmp_path / "roster.xlsx", [["0001", "张三"], ["0008", "王五"], ["0009", "王五"]])
    code, doc = _score(cli, "kpi.xlsx", "--month", "2026-05", "--roster", "roster.xlsx")
    assert code == 1
    assert [p["text"] for p in doc["problems"] if p["severity"] == "error"] == [
        ("kpi.xlsx › Sheet1 › row 3: 李四 has no 工号 in the KPI workbook and is not in the "
        "roster — Add the agent to the roster, or a 工号 column to the KPI workbook."),
        ("kpi.xlsx › Sheet1 › row 4: 王五 is read by name, but 2 agents have that name: 0008 at "
        "roster.xlsx › Sheet1 › row 3 and 0009 at roster.xlsx › Sheet1 › row 4 — Add a 工号 "
        "column to the KPI workbook, and run again.")]
