"""`cslevel run` finds the month's workbooks by name and content (issue 19, item 6), and
`cslevel run --from M1 --to M2` takes in earlier months in order (item 7).

Every workbook is built here: .xlsx with openpyxl, a WPS .et (an xlsx container inside),
an .xls as call-centre systems save it (a web page holding a table), a .csv in GB18030."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from hostile_helpers import write_ods

from cslevel.read.identify import kind_in_name, kind_in_rows, month_in_name, month_in_rows
from cslevel.read.workbook import Sheet
from cslevel.records import Month

KPI_HEADER = ["工号", "姓名", "组别", "岗位", "平均响应时长", "解决率", "客户满意度", "投诉率"]
ATT_HEADER = ["工号", "姓名", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数",
              "事假/病假天数"]
AGENTS = [["0001", "张三", "一组", "客服", 20, 0.95, 0.9, 0.005],
          ["0002", "李四", "一组", "客服", 40, 0.80, 0.8, 0.02]]
ATTENDED = [["0001", "张三", 22, 22, 0, 0, 0, 0], ["0002", "李四", 22, 20, 2, 0, 0, 2]]


def _workspace(tmp_path: Path, cli, language: str = "en") -> Path:
    code, _out, err = cli("init", "ws", "--language", language)
    assert code == 0, err
    ws = tmp_path / "ws"
    config = ws / "cslevel.toml"
    text = config.read_text(encoding="utf-8")
    assert 'roster = "input/roster.xlsx"' in text
    config.write_text(text.replace('roster = "input/roster.xlsx"', 'roster = ""'),
                      encoding="utf-8")
    return ws


def _book(path: Path, title: list[list[object]], header: list[str],
          rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [*title, header, *rows]:
        sheet.append(row)
    book.save(path)  # (openpyxl writes the xlsx container whatever the name's extension)
    return path


def _kpi(path: Path, title: str | None = None, rows: list[list[object]] = AGENTS) -> Path:
    return _book(path, [[title], []] if title else [], KPI_HEADER, rows)


def _att_page(path: Path) -> Path:
    """An attendance export as a web page saved as .xls."""
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                    for row in [ATT_HEADER, *ATTENDED])
    path.write_text(f'<html><head><meta charset="utf-8"></head><body><table>{cells}'
                    "</table></body></html>", encoding="utf-8")
    return path


def _att_csv(path: Path) -> Path:
    lines = [",".join(str(v) for v in row) for row in [ATT_HEADER, *ATTENDED]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def _run(cli, ws: Path, *args: str) -> tuple[int, dict, str]:
    code, out, err = cli("run", "--config", str(ws / "cslevel.toml"), "--json", *args)
    return code, json.loads(out) if out.strip() else {}, err


def _names(doc: dict, key: str = "inputs") -> list[str]:
    return [Path(i["file"]).name for i in doc[key]]


# --- what a name and the first rows say ----------------------------------------------------
@pytest.mark.parametrize(("name", "month"), [
    ("2026年11月绩效.xlsx", Month(2026, 11)), ("11月考勤.xls", Month(2026, 11)),
    ("202611考勤.csv", Month(2026, 11)), ("kpi_2026-11.xlsx", Month(2026, 11)),
    ("考勤_2026_03.et", Month(2026, 3)), ("绩效 2026.3.xlsx", Month(2026, 3)),
    ("3月考勤.xls", Month(2026, 3)), ("2025年12月绩效考核表.ods", Month(2025, 12)),
    ("导出数据.xlsx", None), ("2026年绩效汇总.xlsx", None), ("12345678.csv", None),
    ("公司_月度汇总_20260301-20260331.xlsx", Month(2026, 3)),
    ("上下班打卡_月报_20260501-20260531.xlsx", Month(2026, 5)),
    ("月度汇总_20260126-20260225.xlsx", None),  # a pay cycle over two months: the rows say
])
def test_month_in_a_file_name(name: str, month: Month | None) -> None:
    assert month_in_name(name, 2026) == month


@pytest.mark.parametrize(("name", "kind"), [
    ("2026年11月绩效.xlsx", "kpi"), ("kpi_2026-11.xlsx", "kpi"), ("客服考核表.xls", "kpi"),
    ("11月考勤.xls", "attendance"), ("上下班打卡_202611.xlsx", "attendance"),
    ("考勤报表_月度汇总.xlsx", "attendance"), ("att_2026-11.xlsx", "attendance"),
    ("花名册.xlsx", "roster"), ("导出数据.xlsx", None), ("绩效与考勤.xlsx", None),
])
def test_kind_in_a_file_name(name: str, kind: str | None) -> None:
    assert kind_in_name(name) == kind


def _sheet(rows: list[list[object]]) -> list[Sheet]:
    return [Sheet("f.xlsx", "Sheet1", rows)]


def test_month_in_the_first_rows() -> None:
    assert month_in_rows(_sheet([["2026年11月客服绩效考核表"], [], KPI_HEADER])) == Month(2026, 11)
    assert month_in_rows(_sheet([["统计日期：2026-10-01 至 2026-10-31", None],
                                 ATT_HEADER])) == Month(2026, 10)
    # a month column whose values say one month; a hire date in the rows says nothing
    month_column = [["工号", "姓名", "月份", "入职日期"], ["0001", "张三", "2026-09", "2025-01-02"],
                    ["0002", "李四", "2026年9月", "2024-03-04"]]
    assert month_in_rows(_sheet(month_column)) == Month(2026, 9)
    assert month_in_rows(_sheet([month_column[0], month_column[1],
                                 ["0002", "李四", "2026-08", ""]])) is None
    assert month_in_rows(_sheet([KPI_HEADER, *AGENTS])) is None


def test_kind_from_the_header_labels() -> None:
    from cslevel.read import attendance_fields, kpi_fields, roster_fields
    from cslevel.templates import load_scheme

    scheme, _text = load_scheme("star")
    fields = {"kpi": kpi_fields(scheme), "attendance": attendance_fields(scheme),
              "roster": roster_fields(scheme)}
    assert kind_in_rows(_sheet([KPI_HEADER]), fields) == "kpi"
    assert kind_in_rows(_sheet([ATT_HEADER]), fields) == "attendance"
    assert kind_in_rows(_sheet([["工号", "姓名", "入职日期", "离职日期"]]), fields) == "roster"
    assert kind_in_rows(_sheet([["工号", "姓名", "备注"]]), fields) is None


# --- item 6: a month's files found by name and content ---------------------------------------
def test_chinese_names_xls_page_and_never_taken_files(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    inputs = ws / "input"
    _kpi(inputs / "2026年3月绩效.xlsx", "2026年3月客服绩效考核表")
    _att_page(inputs / "3月考勤.xls")
    # never taken, whatever they hold (BAD_INPUTS 7): a lock file, a hidden file, a staged
    # file, an output
    for name in ("~$2026年3月绩效.xlsx", ".2026年3月绩效.xlsx",
                 ".~cslevel-0123456789ab-42-results-2026-03.xlsx", "results-2026-03.xlsx"):
        _kpi(inputs / name, "2026年3月客服绩效考核表")
    code, doc, err = _run(cli, ws, "--month", "2026-03")
    assert code == 0, err
    assert doc["status"] == "done" and doc["agents"] == 2 and doc["paid"] == 2
    assert _names(doc) == ["2026年3月绩效.xlsx", "3月考勤.xls"]
    assert sorted(_names(doc, "outputs")) == ["moves-2026-03.xlsx", "payroll-2026-04.xlsx",
                                              "results-2026-03.xlsx"]


def test_wps_et_and_gb18030_csv_and_a_name_that_says_nothing(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    inputs = ws / "input"
    _kpi(inputs / "202604绩效.et")
    _att_csv(inputs / "202604考勤.csv")
    _kpi(inputs / "系统导出.xlsx", "2026年5月客服绩效考核表")  # month and kind from content
    code, doc, err = _run(cli, ws, "--month", "2026-04")
    assert code == 0, err
    assert _names(doc) == ["202604绩效.et", "202604考勤.csv"]
    assert doc["agents"] == 2
    code, doc, err = _run(cli, ws, "--month", "2026-05")
    assert code == 0, err
    assert _names(doc) == ["系统导出.xlsx"]


def test_ods_whose_month_is_in_its_statistics_line(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    _kpi(ws / "input" / "6月绩效.xlsx")
    write_ods(ws / "input" / "考勤汇总.ods",
              [["统计日期：2026-06-01 至 2026-06-30"], ATT_HEADER, *ATTENDED])
    write_ods(ws / "input" / "考勤汇总(5月).ods",
              [["统计日期：2026-05-01 至 2026-05-31"], ATT_HEADER, *ATTENDED])
    code, doc, err = _run(cli, ws, "--month", "2026-06")
    assert code == 0, err
    assert _names(doc) == ["6月绩效.xlsx", "考勤汇总.ods"]


def test_the_patterns_of_the_settings_win(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    config = ws / "cslevel.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('kpi = ["kpi_{month}*.xlsx", "绩效_{month}*.xlsx", '
                                   '"kpi_{yyyymm}*.xlsx"]', 'kpi = ["our_{yyyymm}.xlsx"]'),
                      encoding="utf-8")
    _kpi(ws / "input" / "our_202603.xlsx")
    _kpi(ws / "input" / "2026年3月绩效.xlsx")
    code, doc, err = _run(cli, ws, "--month", "2026-03")
    assert code == 0, err
    assert _names(doc) == ["our_202603.xlsx"]


@pytest.mark.language("en")
def test_no_kpi_workbook_lists_every_file_and_why(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    inputs = ws / "input"
    _kpi(inputs / "2026年2月绩效.xlsx")
    _att_page(inputs / "3月考勤.xls")
    _book(inputs / "名单.xlsx", [["2026年3月"]], ["工号", "姓名", "备注"], [["0001", "张三", ""]])
    _kpi(inputs / "导出.xlsx")  # no month in its name or its first rows
    _kpi(inputs / "~$2026年3月绩效.xlsx")
    (inputs / "说明.docx").write_bytes(b"PK")
    code, doc, err = _run(cli, ws, "--month", "2026-03")
    assert code == 1
    assert doc["ok"] is False
    folder = str(inputs)
    assert [(p["severity"], p["file"], p["message"], p["hint"]) for p in doc["problems"]] == [
        ("error", folder, f"no KPI workbook for 2026-03 in {folder}",
         ("Put the month's export there, named like kpi_2026-03*.xlsx, 绩效_2026-03*.xlsx, "
         "kpi_202603*.xlsx (the patterns are input.kpi in cslevel.toml) or with the month and "
         "绩效 in its name (2026年3月绩效.xlsx), or give another --month.")),
        ("warning", "2026年2月绩效.xlsx", "for another month (2026-02)",
         "Taken when that month is run: cslevel run --month 2026-02"),
        ("warning", "3月考勤.xls", "taken as the month's attendance workbook", ""),
        ("warning", "~$2026年3月绩效.xlsx", "a lock file of Excel/WPS (the workbook is open)",
         "Not read; it goes away when the workbook is closed."),
        ("warning", "名单.xlsx", "not a KPI or attendance workbook (by its name and its header)",
         ("Put 绩效 or 考勤 in its name, or name it in cslevel.toml (input.kpi, "
         "input.attendance).")),
        ("warning", "导出.xlsx", "neither its name nor its first rows say which month it is",
         "Put the month in its name, e.g. 2026年3月绩效.xlsx."),
        ("warning", "说明.docx", "not a workbook (.docx)",
         "Only .xlsx, .xls, .et, .ods, .csv files are read."),
    ]
    assert "Error: 7 problem(s); nothing was written." in err
    assert list((ws / "output").iterdir()) == []


def test_several_candidates_say_which_to_keep(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli, language="zh")
    inputs = ws / "input"
    _kpi(inputs / "2026年3月绩效.xlsx")
    _kpi(inputs / "2026年3月绩效(1).xlsx")
    _att_page(inputs / "3月考勤.xls")
    code, doc, err = _run(cli, ws, "--month", "2026-03")
    assert code == 1
    assert [p["text"] for p in doc["problems"]] == [
        (f"{inputs}: {inputs} 中有 2 个文件都可能是 2026-03 的绩效表："
        "2026年3月绩效(1).xlsx, 2026年3月绩效.xlsx — 请只保留正确的那个，或在 cslevel.toml 中指定"
        "（input.kpi）。"),
        ("2026年3月绩效(1).xlsx: 2 个都可能是 2026-03 绩效表的文件之一 — 请在 input 中只保留正确的"
        '那个，或在 cslevel.toml 中指定：input.kpi = ["2026年3月绩效(1).xlsx"]'),
        ("2026年3月绩效.xlsx: 2 个都可能是 2026-03 绩效表的文件之一 — 请在 input 中只保留正确的"
        '那个，或在 cslevel.toml 中指定：input.kpi = ["2026年3月绩效.xlsx"]'),
        "3月考勤.xls: 已作为该月的考勤表采用",
    ]
    assert "错误：4 个问题，未写入任何内容。" in err
    assert list((ws / "output").iterdir()) == []


# --- item 7: earlier months ------------------------------------------------------------------
@pytest.mark.language("en")
def test_a_run_says_when_earlier_months_were_never_run(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    for month in (1, 2, 3):
        _kpi(ws / "input" / f"2026年{month}月绩效.xlsx")
    code, doc, err = _run(cli, ws, "--month", "2026-03")
    assert code == 0, err
    # (and a warning that no attendance workbook was given)
    assert [(p["severity"], p["message"], p["hint"]) for p in doc["problems"]
            if p["file"] == str(ws / "input")] == [
        ("warning", ("input holds workbooks of earlier months that no run took in: "
         "2026-01, 2026-02"),
         ("Take them in, in order, each month on its own: "
         "cslevel run --from 2026-01 --to 2026-03"))]
    code, doc, err = _run(cli, ws, "--month", "2026-01")
    assert code == 0, err
    assert [p for p in doc["problems"] if p["file"] == str(ws / "input")] == []
    code, doc, err = _run(cli, ws, "--month", "2026-03")
    assert [p["message"] for p in doc["problems"] if p["file"] == str(ws / "input")] == [
        "input holds workbooks of earlier months that no run took in: 2026-02"]


RUN_KEYS = {"month", "pay_month", "status", "changed", "key", "previous_run", "inputs",
            "template_hash", "outputs", "rewritten", "changes", "agents", "moves", "paid",
            "payroll_total", "problems"}


def test_run_from_takes_in_earlier_months_in_order(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli, language="zh")
    for month in (1, 2, 4):
        _kpi(ws / "input" / f"2026年{month}月绩效.xlsx")
    _att_page(ws / "input" / "2月考勤.xls")
    code, doc, err = _run(cli, ws, "--from", "2026-01", "--to", "2026-04")
    assert code == 0, err
    assert set(doc) == {"ok", "from", "to", "landed", "not_landed", "months", "problems"}
    assert (doc["ok"], doc["from"], doc["to"]) == (True, "2026-01", "2026-04")
    assert doc["landed"] == ["2026-01", "2026-02", "2026-04"] and doc["not_landed"] == []
    assert [(m["month"], m["status"]) for m in doc["months"]] == [
        ("2026-01", "done"), ("2026-02", "done"), ("2026-03", "skipped"), ("2026-04", "done")]
    first, second, skipped, fourth = doc["months"]
    assert set(first) == RUN_KEYS and set(fourth) == RUN_KEYS
    assert _names(second) == ["2026年2月绩效.xlsx", "2月考勤.xls"]
    assert skipped == {"month": "2026-03", "status": "skipped", "changed": False,
                       "reason": "input 中没有 2026-03 的绩效表", "problems": []}
    assert doc["problems"] == []
    assert sorted(p.name for p in (ws / "output").iterdir()) == [
        "moves-2026-01.xlsx", "moves-2026-02.xlsx", "moves-2026-04.xlsx",
        "payroll-2026-02.xlsx", "payroll-2026-03.xlsx", "payroll-2026-05.xlsx",
        "results-2026-01.xlsx", "results-2026-02.xlsx", "results-2026-04.xlsx"]
    code, out, err = cli("runs", "--config", str(ws / "cslevel.toml"), "--json")
    assert code == 0, err
    assert [r["details"]["month"] for r in reversed(json.loads(out)["runs"])] == [
        "2026-01", "2026-02", "2026-04"]
    # again: every month unchanged, the console says so month by month
    code, out, err = cli("run", "--config", str(ws / "cslevel.toml"), "--from", "2026-01",
                         "--to", "2026-04")
    assert code == 0, err
    lines = out.splitlines()
    assert [ln for ln in lines if ln.startswith("2026-")] == [
        "2026-01 无变化", "2026-02 无变化", "2026-03 已跳过：input 中没有 2026-03 的绩效表",
        "2026-04 无变化", "2026-01–2026-04：已运行 3 个月，跳过 1 个月，未运行 0 个月"]
    assert lines[-1] == "2026-01–2026-04：已运行 3 个月，跳过 1 个月，未运行 0 个月"


@pytest.mark.language("en")
def test_run_from_stops_at_the_month_that_fails(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    _kpi(ws / "input" / "2026年1月绩效.xlsx")
    bad = [AGENTS[0], ["0002", "李四", "一组", "客服", 40, "abc", 0.8, 0.02]]
    _kpi(ws / "input" / "2026年2月绩效.xlsx", rows=bad)
    _kpi(ws / "input" / "2026年3月绩效.xlsx")
    code, doc, _err = _run(cli, ws, "--from", "2026-01", "--to", "2026-03")
    assert code == 1
    assert doc["ok"] is False
    assert doc["landed"] == ["2026-01"] and doc["not_landed"] == ["2026-02", "2026-03"]
    assert [(m["month"], m["status"]) for m in doc["months"]] == [
        ("2026-01", "done"), ("2026-02", "failed"), ("2026-03", "not_run")]
    failed = doc["months"][1]
    assert failed["problems"] and failed["problems"] == doc["problems"]
    assert {p["file"] for p in failed["problems"] if p["severity"] == "error"} == {
        "2026年2月绩效.xlsx"}
    assert sorted(p.name for p in (ws / "output").iterdir()) == [
        "moves-2026-01.xlsx", "payroll-2026-02.xlsx", "results-2026-01.xlsx"]
    code, out, _err = cli("run", "--config", str(ws / "cslevel.toml"), "--from", "2026-02",
                         "--to", "2026-03")
    assert code == 1
    assert "2026-02 failed: nothing of this month was written" in out
    assert "2026-03 not run (an earlier month failed)" in out
    assert out.splitlines()[-1] == ("  Fix the problems of 2026-02, then: cslevel run --from "
                                    "2026-02 --to 2026-03")


@pytest.mark.language("en")
@pytest.mark.parametrize(("args", "message"), [
    (["--to", "2026-03"], "--to needs --from"),
    (["--from", "2026-04", "--to", "2026-03"], "--from 2026-04 is after --to 2026-03"),
    (["--from", "2026-01", "--month", "2026-03"], "give either --month or --from, not both"),
    (["--from", "2026-01", "--dry-run"], "--dry-run runs one month"),
    (["--from", "2026-13"], "2026-13"),
    (["--from", "2099-01"], "--from 2099-01 is after --to "),  # (--to: last month)
])
def test_run_from_usage_errors(tmp_path: Path, cli, args: list[str], message: str) -> None:
    ws = _workspace(tmp_path, cli)
    code, _out, err = cli("run", "--config", str(ws / "cslevel.toml"), *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert list((ws / "output").iterdir()) == []


@pytest.mark.language("en")
def test_a_file_the_patterns_left_out_is_named(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    _book(ws / "input" / "att_2026-03.xlsx", [], ATT_HEADER, ATTENDED)  # att_{month}*.xlsx
    _att_page(ws / "input" / "2026年3月考勤.xls")
    code, doc, _err = _run(cli, ws, "--month", "2026-03")
    assert code == 1
    assert doc["problems"][0]["message"] == f"no KPI workbook for 2026-03 in {ws / 'input'}"
    assert [(p["file"], p["message"], p["hint"]) for p in doc["problems"][1:]] == [
        ("2026年3月考勤.xls", ("also looks like the month's attendance workbook, but "
         "input.attendance in cslevel.toml names other files"),
         "Not read; change input.attendance to take it."),
        ("att_2026-03.xlsx", "taken as the month's attendance workbook", "")]


def test_one_progress_across_the_months(tmp_path: Path, cli) -> None:
    from cslevel.config import load_config
    from cslevel.pipeline import run_range

    ws = _workspace(tmp_path, cli)
    for month in (1, 3):
        _kpi(ws / "input" / f"2026年{month}月绩效.xlsx")
    said: list[str] = []
    result = run_range(load_config(ws / "cslevel.toml"), Month(2026, 1), Month(2026, 3),
                       progress=said.append)
    assert [(m.month, m.status) for m in result.months] == [
        (Month(2026, 1), "done"), (Month(2026, 2), "skipped"), (Month(2026, 3), "done")]
    assert result.exit_code == 0
    assert said[0] == "读取模板"
    months = [line.split(" · ")[0] for line in said[1:]]
    assert months == sorted(months)  # in order, each month's steps together
    assert set(months) == {"2026-01 (1/3)", "2026-03 (3/3)"}
    assert "2026-03 (3/3) · 工资表" in said


@pytest.mark.language("en")
def test_several_of_each_kind_are_each_named_with_their_kind(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli)
    inputs = ws / "input"
    for name in ("2026年3月绩效.xlsx", "3月绩效-复制.xlsx"):
        _kpi(inputs / name)
    for name in ("2026年3月考勤.xls", "3月考勤-复制.xls"):
        _att_page(inputs / name)
    code, doc, _err = _run(cli, ws, "--month", "2026-03")
    assert code == 1
    assert [(p["severity"], p["file"], p["message"]) for p in doc["problems"]] == [
        ("error", str(inputs), (f"2 files could each be the KPI workbook for 2026-03 in {inputs}: "
         "2026年3月绩效.xlsx, 3月绩效-复制.xlsx")),
        ("error", str(inputs), ("2 files could each be the attendance workbook for 2026-03 in "
         f"{inputs}: 2026年3月考勤.xls, 3月考勤-复制.xls")),
        ("warning", "2026年3月绩效.xlsx",
         "one of 2 files that could be the KPI workbook for 2026-03"),
        ("warning", "2026年3月考勤.xls",
         "one of 2 files that could be the attendance workbook for 2026-03"),
        ("warning", "3月绩效-复制.xlsx",
         "one of 2 files that could be the KPI workbook for 2026-03"),
        ("warning", "3月考勤-复制.xls",
         "one of 2 files that could be the attendance workbook for 2026-03"),
    ]
