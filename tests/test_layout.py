"""BAD_INPUTS 8–14, 21, 22, 24 and 33: layouts and values that real exports have, each read
right (T, with the oddity in the problems list) or refused naming the cell (E)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from cs_helpers import kpi
from cslevel.templates import shipped_templates_dir

STAR = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")


def _messages(doc: dict[str, Any], severity: str = "warning") -> list[str]:
    return [p["message"] for p in doc["problems"] if p["severity"] == severity]


def _levels(doc: dict[str, Any]) -> dict[str, float]:
    return {a["agent_id"]: a["score"] for a in doc["agents"]}


def test_item8_title_rows_blank_rows_header_in_column_b(tmp_path: Path, cli_json) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws["B1"] = "2026年10月客服绩效考核表"
    ws["B2"] = "制表日期：2026-11-02"
    for col, label in enumerate(["工号", "姓名", "组别", "绩效分值"], start=2):
        ws.cell(row=5, column=col, value=label)
    ws.append([None, "0001", "甲", "一组", 112])
    ws.append([])
    ws.append([None, "0002", "乙", "一组", 99.5])
    book.save(tmp_path / "绩效.xlsx")
    doc = cli_json("score", "绩效.xlsx", "--scheme", "star", "--dry-run")
    assert doc["month"] == "2026-10"  # from the title cell
    assert _levels(doc) == {"0001": 112, "0002": 99.5}
    inspect = cli_json("inspect", "绩效.xlsx")
    assert inspect["header_row"] == 5
    assert inspect["columns"] == {"工号": "agent_id", "姓名": "name", "组别": "team",
                                  "绩效分值": "ready_score"}


def test_item9_two_row_header_with_merged_groups(tmp_path: Path, cli_json) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"] = "工号"
    ws.merge_cells("A1:A2")
    ws["B1"] = "姓名"
    ws.merge_cells("B1:B2")
    ws["C1"] = "服务质量"
    ws.merge_cells("C1:D1")
    ws["C2"], ws["D2"] = "客户满意度", "解决率"
    ws["E1"] = "效率"
    ws.merge_cells("E1:F1")
    ws["E2"], ws["F2"] = "平均响应时长（秒）", "投诉率"
    ws.append(["0001", "甲", "90%", "95%", 20, "0.5%"])
    book.save(tmp_path / "kpi_2026-10.xlsx")
    inspect = cli_json("inspect", "kpi_2026-10.xlsx")
    assert inspect["header_row"] == 2
    assert inspect["columns"] == {
        "工号": "agent_id", "姓名": "name", "客户满意度": "metric:satisfaction",
        "解决率": "metric:resolution_rate", "平均响应时长(秒)": "metric:response_time",
        "投诉率": "metric:complaint_rate"}
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    # 20 × min(30/20, 1.5) + 30 × .95/.90 + 35 × .90/.85 + 15 × min(.01/.005, 1.5)
    # = 30 + 31.6667 + 37.0588 + 22.5 = 121.2255 -> 121.23
    assert _levels(doc) == {"0001": 121.23}


def _team_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["组别", "工号", "姓名", "绩效分值"])
    ws.append(["一组", "0001", "甲", 112])
    ws.append([None, "0002", "乙", 100])
    ws.append([None, "0003", "丙", 120])
    ws.merge_cells("A2:A4")
    ws.append(["二组", "0004", "丁", 115])
    book.save(path)


@pytest.mark.language("en")
def test_item10_merged_team_cells_not_filled_unless_the_template_says(
        tmp_path: Path, cli_json) -> None:
    _team_workbook(tmp_path / "kpi_2026-10.xlsx")
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    assert {a["agent_id"]: a["team"] for a in doc["agents"]} == {
        "0001": "一组", "0002": "", "0003": "", "0004": "二组"}
    assert "merged cells in column 组别 were left blank under their first row" in _messages(doc)

    template = tmp_path / "filled.yaml"
    template.write_text(STAR.replace("  month: [月份, 考核月份, Month]",
                                     "  month: [月份, 考核月份, Month]\n  fill_down: [team]"),
                        encoding="utf-8")
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", template, "--dry-run")
    assert {a["agent_id"]: a["team"] for a in doc["agents"]} == {
        "0001": "一组", "0002": "一组", "0003": "一组", "0004": "二组"}
    assert ("merged cells in column 组别 filled down (the template allows it)"
            in _messages(doc))


@pytest.mark.language("en")
def test_item11_totals_and_notes_under_the_data(tmp_path: Path, cli_json) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100],
                                        ["合计", None, None, 212], [None, "平均", None, 106],
                                        ["制表人：王芳", None, None, None]])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    assert _levels(doc) == {"0001": 112, "0002": 100}
    assert [p["text"] for p in doc["problems"]] == [
        "kpi_2026-10.xlsx › Sheet1 › row 4: skipped a totals/notes row ('合计')",
        "kpi_2026-10.xlsx › Sheet1 › row 5: skipped a totals/notes row ('平均')",
        "kpi_2026-10.xlsx › Sheet1 › row 6: skipped a totals/notes row ('制表人:王芳')"]


def test_item12_formatted_to_the_last_row_and_column(tmp_path: Path, cli_json) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["工号", "姓名", "绩效分值"])
    ws.append(["0001", "甲", 112])
    fill = PatternFill("solid", fgColor="FFFF00")
    ws.cell(row=1_048_576, column=1).fill = fill
    ws.cell(row=2, column=16_384).fill = fill
    book.save(tmp_path / "kpi_2026-10.xlsx")
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    assert _levels(doc) == {"0001": 112}


@pytest.mark.language("en")
def test_item13_hidden_sheet_first_picked_by_content(tmp_path: Path, cli_json) -> None:
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "参数"
    hidden.append(["工号", "备注"])
    hidden.append(["9999", "x"])
    hidden.sheet_state = "hidden"
    notes = book.create_sheet("说明")
    notes.append(["本表由系统导出"])
    data = book.create_sheet("10月绩效")
    data.append(["工号", "姓名", "绩效分值"])
    data.append(["0001", "甲", 112])
    book.save(tmp_path / "kpi_2026-10.xlsx")
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    assert _levels(doc) == {"0001": 112}
    assert "used sheet '10月绩效' (of 3 sheets: 说明, 10月绩效, 参数)" in _messages(doc)


@pytest.mark.language("en")
def test_item14_two_tables_side_by_side(tmp_path: Path, cli_json) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["工号", "姓名", "绩效分值", None, None, "组别", "人数"])
    ws.append(["0001", "甲", 112, None, None, "一组", 2])
    ws.append(["0002", "乙", 100, None, None, "二组", 5])
    ws.append([None, None, None, None, None, "三组", 4])
    book.save(tmp_path / "kpi_2026-10.xlsx")
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    assert _levels(doc) == {"0001": 112, "0002": 100}
    assert {a["team"] for a in doc["agents"]} == {""}  # 组别 of the other table is not ours
    assert ("read the table in columns A–C only (other tables on the sheet ignored)"
            in _messages(doc))


@pytest.mark.language("en")
def test_item21_blank_metric_is_refused_naming_the_cell(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", None]])
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star")
    assert code == 1
    assert ("kpi_2026-10.xlsx › Sheet1 › D3: 绩效分值 is blank — Fill in the value (0 if it "
            "really is zero), or set score.missing: not_scored in the template.") in err
    assert not (tmp_path / "history.db").exists()


@pytest.mark.language("en")
def test_item21_blank_metric_not_scored_when_the_template_says(tmp_path: Path, cli_json) -> None:
    template = tmp_path / "lenient.yaml"
    template.write_text(STAR.replace("  missing: error ", "  missing: not_scored "),
                        encoding="utf-8")
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", None]])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--scheme", template, "--dry-run")
    assert _levels(doc) == {"0001": 112}
    assert "blank 绩效分值: not scored this month" in _messages(doc)


@pytest.mark.language("en")
def test_item22_same_agent_twice_names_both_rows(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100],
                                        ["0001", "甲", "一组", 99]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star")
    assert code == 1
    assert ("kpi_2026-10.xlsx › Sheet1 › row 4: agent 0001 appears twice in the KPI rows of "
            "2026-10 (also at kpi_2026-10.xlsx › Sheet1 › row 2)") in err


@pytest.mark.language("en")
def test_item24_agents_missing_from_one_of_the_two_workbooks_are_listed(
        tmp_path: Path, cli_json) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    kpi(tmp_path / "att_2026-10.xlsx", [["0001", "甲", 22, 0], ["0003", "丙", 22, 1]],
        header=["工号", "姓名", "实际出勤天数", "迟到次数"])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--attendance", "att_2026-10.xlsx",
                   "--scheme", "star", "--dry-run")
    assert _messages(doc) == [
        "agent 0003 is in the attendance workbook but not in the KPI workbook of 2026-10",
        "agent 0002 is in the KPI workbook but not in the attendance workbook of 2026-10"]
    by_id = {a["agent_id"]: a for a in doc["agents"]}
    assert by_id["0001"]["attendance_score"] == 100
    assert by_id["0002"]["attendance_score"] is None


@pytest.mark.language("en")
def test_item33_stray_text_after_the_first_thousand_rows(tmp_path: Path, cli) -> None:
    rows: list[list[Any]] = [[f"{i:05d}", f"员工{i}", "一组", 100 + i % 20] for i in range(1, 1500)]
    rows[1199][3] = "-"
    rows[1399][3] = "未质检"
    kpi(tmp_path / "kpi_2026-10.xlsx", rows)
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star")
    assert code == 1
    assert "kpi_2026-10.xlsx › Sheet1 › D1201: 绩效分值: '-' is not a number" in err
    assert "kpi_2026-10.xlsx › Sheet1 › D1401: 绩效分值: '未质检' is not a number" in err
    assert not (tmp_path / "history.db").exists()


def test_attendance_score_and_flags_from_the_template_rules(tmp_path: Path, cli_json) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100],
                                        ["0003", "丙", "一组", 100]])
    kpi(tmp_path / "att_2026-10.xlsx", [["0001", "甲", 0, 0, 0], ["0002", "乙", 4, 1, 1],
                                        ["0003", "丙", 1, 0, 12]],
        header=["工号", "姓名", "迟到次数", "早退次数", "旷工天数"])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--attendance", "att_2026-10.xlsx",
                   "--scheme", "star", "--out", "r.xlsx")
    got = {a["agent_id"]: (a["attendance_score"], a["attendance_flags"]) for a in doc["agents"]}
    # 100 − 2 × late − 2 × early − 10 × absent, never below 0; flags for a person to review
    assert got == {"0001": (100, []), "0002": (80, ["旷工", "迟到超过3次"]),
                   "0003": (0, ["旷工"])}
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["考核结果"]
    header = [c.value for c in ws[1]]
    assert header[-3:] == ["考勤分", "考勤标记", "评分说明"]
    rows = {r[0]: r[-3:-1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows == {"0001": (100, ""), "0002": (80, "旷工、迟到超过3次"), "0003": (0, "旷工")}


def test_inspect_json_keys(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    code, out, _ = cli("inspect", "kpi_2026-10.xlsx", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["sheet"] == "Sheet1"
    assert doc["header_row"] == 1
    assert doc["months"] == ["2026-10"]
    assert doc["agents"] == 2
    assert doc["problems"] == []
    assert doc["first_rows"][0] == {"工号": "0001", "姓名": "甲", "组别": "一组", "绩效分值": "112"}
    assert list(tmp_path.iterdir()) == [tmp_path / "kpi_2026-10.xlsx"]  # wrote nothing


def test_title_merged_across_the_table_is_not_a_header(tmp_path: Path, cli_json) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"] = "2026年10月客服绩效考核表"
    ws.merge_cells("A1:D1")
    ws.append(["工号", "姓名", "组别", "绩效分值"])
    ws.append(["0001", "甲", "一组", 112])
    book.save(tmp_path / "绩效表.xlsx")
    doc = cli_json("score", "绩效表.xlsx", "--scheme", "star", "--dry-run")
    assert doc["month"] == "2026-10"
    assert cli_json("inspect", "绩效表.xlsx")["header_row"] == 2
