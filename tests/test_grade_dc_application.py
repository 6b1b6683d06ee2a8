"""The agent's own application (本人申请) on the sign-off list (issue 21, item 4; DOMAIN.md
Scheme 6: "Passing is applied for by the agent (申请) and takes effect in pay the next
month", 004 "客服部岗位晋升标准"). The template's `signoff.application` adds a column headed
by its label, before the signatures: empty on the row of each promotion to a level of
`to_levels` (grade_dc: C), "not needed" on the others. The written workbooks are read back
with openpyxl; a template without the field writes the list as before."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx

from cslevel.templates import shipped_templates_dir

DC_TEXT = (shipped_templates_dir() / "grade_dc.yaml").read_text(encoding="utf-8")
APPLICATION = """signoff:
  application:
    label: 本人申请（签名、日期）
    to_levels: [C]
"""
HEAD_ZH = ["工号", "姓名", "组别", "申请类型", "原级别", "新级别", "生效月份", "依据"]
SIGNATURES_ZH = ["本人签字", "主管签字", "人事审核", "财务签收", "审批结果", "审批人", "备注"]
REASON_C = ("连续3个月组内前3名（2026-01、2026-02、2026-03），在岗27个月，近3个月无投诉，2026-04起"
            "晋升为C；2026-01被评为优秀员工")
REASON_B = ("连续3个月组内前3名（2026-01、2026-02、2026-03），在岗27个月，近3个月无投诉，2026-04起"
            "晋升为B；2026-02（花名册）被评为优秀员工")


def _history(tmp_path: Path, cli_json, scheme: str = "grade_dc") -> None:
    """One team: 0001 (D) and 0002 (C) first and second from 01 to 03, 0001 named 优秀员工 in
    01 by the KPI, 0002 in 02 by the roster: D→C and C→B from 04; 0003 and 0004 below."""
    write_xlsx(tmp_path / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "当前级别", "优秀员工月份"],
        ["0001", "甲", "一组", "2024-01-01", "D", None],
        ["0002", "乙", "一组", "2024-01-01", "C", "2026-02"],
        ["0003", "丙", "一组", "2024-01-01", "D", None],
        ["0004", "丁", "一组", "2024-01-01", "D", None]])
    for month in (1, 2, 3):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [
            ["工号", "综合得分", "客户投诉次数", "优秀员工"], ["0001", 95, 0, int(month == 1)],
            ["0002", 94, 0, 0], ["0003", 60, 0, 0], ["0004", 50, 0, 0]])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", scheme)


def _list(path: Path) -> list[tuple[object, ...]]:
    """The sign-off list's rows from the header on, as openpyxl reads them."""
    sheet = openpyxl.load_workbook(path).worksheets[-1]
    assert sheet.title in ("晋升降级申请表", "Sign-off list")
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=3)]


def test_the_application_column_on_the_moves_and_payroll_workbooks(tmp_path: Path,
                                                                    cli_json) -> None:
    _history(tmp_path, cli_json)
    cli_json("promote", "--out", "moves.xlsx")
    cli_json("payroll", "export", "--month", "2026-04", "--out", "pay.xlsx")
    expected = [
        (*HEAD_ZH, "本人申请（签名、日期）", *SIGNATURES_ZH),
        ("0001", "甲", "一组", "晋升", "D", "C", "2026-04", REASON_C, None, *[None] * 7),
        ("0002", "乙", "一组", "晋升", "C", "B", "2026-04", REASON_B, "无需申请", *[None] * 7)]
    assert _list(tmp_path / "moves.xlsx") == expected
    assert _list(tmp_path / "pay.xlsx") == expected
    # the approval drop-down is still on the approval column (N, after the new column)
    sheet = openpyxl.load_workbook(tmp_path / "moves.xlsx").worksheets[-1]
    (check,) = sheet.data_validations.dataValidation
    assert (check.formula1, str(check.sqref)) == ('"同意,不同意"', "N4:N5")


@pytest.mark.language("en")
def test_the_application_column_in_english(tmp_path: Path, cli_json) -> None:
    """The label is the template's own text; "not needed" is in the language in force."""
    _history(tmp_path, cli_json)
    cli_json("promote", "--out", "moves.xlsx")
    rows = _list(tmp_path / "moves.xlsx")
    assert rows[0] == ("Agent ID", "Name", "Team", "Move", "From level", "To level",
                       "Effective month", "Grounds", "本人申请（签名、日期）", "Agent's signature",
                       "Supervisor's signature", "HR check", "Received by finance", "Approval",
                       "Approver", "Remarks")
    assert [(r[0], r[5], r[8]) for r in rows[1:]] == [("0001", "C", None),
                                                       ("0002", "B", "not needed")]


def test_a_signed_list_with_the_column_is_imported(tmp_path: Path, cli_json) -> None:
    """The application is read by a person: import reads the approval column only."""
    _history(tmp_path, cli_json)
    cli_json("promote", "--out", "moves.xlsx")
    book = openpyxl.load_workbook(tmp_path / "moves.xlsx")
    sheet = book.worksheets[-1]
    sheet["I4"] = "甲 2026-04-02"  # the agent's application, signed and dated
    sheet["N4"], sheet["N5"] = "同意", "不同意"
    book.save(tmp_path / "signed.xlsx")
    got = cli_json("signoff", "import", "signed.xlsx")
    assert [(m["agent_id"], m["to"], m["result"]) for m in got["moves"]] == [
        ("0001", "C", "approved"), ("0002", "B", "rejected")]


def _template(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_promotion_needs_it_without_to_levels(tmp_path: Path, cli_json) -> None:
    _history(tmp_path, cli_json, str(_template(tmp_path, DC_TEXT.replace(
        "    to_levels: [C]\n", ""))))
    cli_json("promote", "--out", "moves.xlsx")
    assert [(r[0], r[8]) for r in _list(tmp_path / "moves.xlsx")[1:]] == [
        ("0001", None), ("0002", None)]


def test_without_the_field_the_list_is_unchanged(tmp_path: Path, cli_json) -> None:
    assert APPLICATION in DC_TEXT  # (else the replacement below would test nothing)
    _history(tmp_path, cli_json, str(_template(tmp_path, DC_TEXT.replace(APPLICATION, ""))))
    cli_json("promote", "--out", "moves.xlsx")
    assert _list(tmp_path / "moves.xlsx") == [
        (*HEAD_ZH, *SIGNATURES_ZH),
        ("0001", "甲", "一组", "晋升", "D", "C", "2026-04", REASON_C, *[None] * 7),
        ("0002", "乙", "一组", "晋升", "C", "B", "2026-04", REASON_B, *[None] * 7)]
    sheet = openpyxl.load_workbook(tmp_path / "moves.xlsx").worksheets[-1]
    (check,) = sheet.data_validations.dataValidation
    assert str(check.sqref) == "M4:M5"


def test_the_star_list_has_no_application_column(tmp_path: Path, cli_json) -> None:
    from cs_helpers import kpi

    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "当前级别"],
                                          ["0001", "甲", "一组", "一星"]])
    for month in ("2026-01", "2026-02", "2026-03"):
        kpi(tmp_path / f"kpi_{month}.xlsx", [["0001", "甲", "一组", 115]])
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "star", "--roster", "roster.xlsx")
    cli_json("promote", "--out", "moves.xlsx")
    rows = _list(tmp_path / "moves.xlsx")
    assert rows[0] == (*HEAD_ZH, *SIGNATURES_ZH)
    assert rows[1][:6] == ("0001", "甲", "一组", "晋升", "一星", "二星")
    assert rows[1][8:] == (None,) * 7


def test_an_unknown_level_in_to_levels_is_refused(tmp_path: Path, cli) -> None:
    bad = _template(tmp_path, DC_TEXT.replace("to_levels: [C]", "to_levels: [C级以上]"))
    code, _out, err = cli("templates", "validate", bad)
    assert code == 1
    assert ("signoff.application.to_levels：未知级别 'C级以上'；可用的级别：['见习', 'D', 'C', "
            "'B', 'A']") in " ".join(err.split())
