"""The workbook readers' problems in Chinese (the default) and in English: each case builds a
real input in tmp_path (or calls a reading function) and gets the message and hint of the
problem the readers report, which must be exactly the text of the language in force. The
place (file › sheet › cell) is compared as a Source, not as text: it is not the readers'."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from conftest import write_xlsx
from cs_helpers import kpi
from cslevel import i18n
from cslevel.read import read_attendance, read_kpi, read_roster, roster_fields
from cslevel.read.values import agent_id, flag, number, parse_date
from cslevel.read.workbook import read_sheets
from cslevel.records import CslevelError, Month, Problem, Source
from cslevel.templates import load_scheme

STAR, _STAR_TEXT = load_scheme("star")
LEVELS = {"zh": "、".join(STAR.level_names), "en": ", ".join(STAR.level_names)}
ID_NAMES = {"zh": "、".join(roster_fields(STAR)["agent_id"]),
            "en": ", ".join(roster_fields(STAR)["agent_id"])}

# What a case gives: (message, hint, source) of the problem, or the text of a ValueError.
Got = tuple[str, str, Source | None] | str


def _error(fn: Callable[[object], object], value: object) -> str:
    with pytest.raises(ValueError) as caught:
        fn(value)
    return str(caught.value)


def _refused(path: Path) -> tuple[str, str, Source | None]:
    with pytest.raises(CslevelError) as caught:
        read_sheets(path)
    (problem,) = caught.value.problems
    return problem.message, problem.hint, problem.source


def _one(problems: list[Problem], severity: str = "error") -> tuple[str, str, Source | None]:
    found = [p for p in problems if p.severity == severity]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0].message, found[0].hint, found[0].source


def _roster(tmp: Path, rows: list[list[object]]) -> list[Problem]:
    path = write_xlsx(tmp / "roster.xlsx", [["工号", "姓名", "入职日期", "当前级别"], *rows],
                      text_columns=(0, 1, 2, 3))
    return read_roster(path, STAR)[1]


# --- the cases -----------------------------------------------------------------------------
def number_refused(tmp: Path) -> Got:
    return _error(number, "abc")


def impossible_date(tmp: Path) -> Got:
    return _error(parse_date, "2026-02-30")


def id_cannot_be_true(tmp: Path) -> Got:
    return _error(agent_id, True)


def not_yes_or_no(tmp: Path) -> Got:
    return _error(flag, "maybe")


def file_not_found(tmp: Path) -> Got:
    message, hint, source = _refused(tmp / "nope.xlsx")
    return message.replace(str(tmp), "TMP"), hint, source


def empty_file(tmp: Path) -> Got:
    (tmp / "kpi.xlsx").write_bytes(b"")
    return _refused(tmp / "kpi.xlsx")


def pdf_named_xlsx(tmp: Path) -> Got:
    (tmp / "kpi.xlsx").write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    return _refused(tmp / "kpi.xlsx")


def zip_not_a_workbook(tmp: Path) -> Got:
    import zipfile

    with zipfile.ZipFile(tmp / "kpi.xlsx", "w") as archive:
        archive.writestr("kpi.csv", "工号,姓名\n0001,张三\n")
    return _refused(tmp / "kpi.xlsx")


def gbk_csv(tmp: Path) -> Got:
    (tmp / "kpi.csv").write_bytes(codecs.encode("工号,姓名,绩效分值\n0001,张三,112\n", "gbk"))
    (warning,) = read_sheets(tmp / "kpi.csv")[0].problems
    return warning.message, warning.hint, warning.source


def id_column_missing(tmp: Path) -> Got:
    path = write_xlsx(tmp / "roster.xlsx", [["编号", "姓名"], ["0001", "甲"]])
    with pytest.raises(CslevelError) as caught:
        read_roster(path, STAR)
    (problem,) = caught.value.problems
    return problem.message, problem.hint, problem.source


def id_twice_in_the_roster(tmp: Path) -> Got:
    return _one(_roster(tmp, [["0001", "甲", None, None], ["0001", "乙", None, None]]))


def unknown_level(tmp: Path) -> Got:
    return _one(_roster(tmp, [["0001", "甲", None, "六星"]]))


def bad_hire_date(tmp: Path) -> Got:
    return _one(_roster(tmp, [["0001", "甲", "2026-02-30", None]]))


def empty_id(tmp: Path) -> Got:
    return _one(_roster(tmp, [["0001", "甲", None, None], ["  ", "乙", None, None]]))


def blank_score(tmp: Path) -> Got:
    path = kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", None]])
    return _one(read_kpi(path, STAR, None)[1])


def score_not_a_number(tmp: Path) -> Got:
    path = kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "-"]])
    return _one(read_kpi(path, STAR, None)[1])


def month_unknown(tmp: Path) -> Got:
    path = kpi(tmp / "kpi.xlsx", [["0001", "甲", "一组", 112]])
    with pytest.raises(CslevelError) as caught:
        read_kpi(path, STAR, None)
    (problem,) = caught.value.problems
    return problem.message, problem.hint, problem.source


def totals_row_skipped(tmp: Path) -> Got:
    path = kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["合计", None, None, 112]])
    return _one(read_kpi(path, STAR, None)[1], "warning")


def fractions_read_as_scores(tmp: Path) -> Got:
    path = kpi(tmp / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 1.12], ["0002", "乙", "一组", 0.95]])
    return _one(read_kpi(path, STAR, None)[1], "warning")


def used_sheet_of_three(tmp: Path) -> Got:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表由系统导出"])
    data = book.create_sheet("10月绩效")
    data.append(["工号", "姓名", "绩效分值"])
    data.append(["0001", "甲", 112])
    book.create_sheet("备用")
    book.save(tmp / "kpi_2026-10.xlsx")
    return _one(read_kpi(tmp / "kpi_2026-10.xlsx", STAR, None)[1], "warning")


def note_after_a_name(tmp: Path) -> Got:
    path = write_xlsx(tmp / "att_2026-03.xlsx", [
        ["姓名", "组别", "应出勤天数", "实际出勤天数"], ["张三", "一组", 22, 22],
        ["李四(调岗)", "一组", 22, 10]], text_columns=(0, 1))
    problems = read_attendance(path, STAR, Month(2026, 3))[1]
    return _one([p for p in problems if p.source and p.source.row == 3], "warning")


def note_proposes_a_leave_date(tmp: Path) -> Got:
    """A note giving the day someone left (3月15离职): left out, and the date proposed
    (the warning with a hint)."""
    path = write_xlsx(tmp / "att_2026-03.xlsx", [
        ["姓名", "组别", "应出勤天数", "实际出勤天数"], ["张三", "一组", 22, 22],
        ["李四3月15离职", "一组", 22, 10]], text_columns=(0, 1))
    problems = read_attendance(path, STAR, Month(2026, 3))[1]
    return _one([p for p in problems if p.source and p.source.row == 3 and p.hint], "warning")


S1 = "Sheet1"
CASES: dict[str, tuple[Callable[[Path], Got], Got, Got]] = {
    "number_refused": (number_refused, "'abc' 不是数字", "'abc' is not a number"),
    "impossible_date": (impossible_date, "'2026-02-30' 不是真实存在的日期",
                        "'2026-02-30' is not a real date"),
    "id_cannot_be_true": (id_cannot_be_true, "工号不能是 TRUE/FALSE",
                          "an id cannot be TRUE/FALSE"),
    "not_yes_or_no": (not_yes_or_no, "'maybe' 不是“是/否”（请填 是 或 否）",
                      "'maybe' is not yes/no (use 是 or 否)"),
    "file_not_found": (
        file_not_found,
        ("找不到文件：TMP/nope.xlsx", "请检查路径和文件名。", Source("nope.xlsx")),
        ("file not found: TMP/nope.xlsx", "Check the path and the file name.",
         Source("nope.xlsx"))),
    "empty_file": (
        empty_file, ("文件是空的", "请重新导出工作簿。", Source("kpi.xlsx")),
        ("the file is empty", "Export the workbook again.", Source("kpi.xlsx"))),
    "pdf_named_xlsx": (
        pdf_named_xlsx,
        ("这是一份 PDF 文档，不是工作簿", "请提供从系统导出的 .xlsx、.xls 或 .csv 文件。",
         Source("kpi.xlsx")),
        ("this is a PDF document, not a workbook",
         "Give the .xlsx, .xls or .csv file exported from the system.", Source("kpi.xlsx"))),
    "zip_not_a_workbook": (
        zip_not_a_workbook,
        ("这是 zip 压缩文件，不是 Excel 工作簿",
         "请提供从系统导出的 .xlsx 文件（如果工作簿在压缩包里，请先解压）。", Source("kpi.xlsx")),
        ("this is a zip file but not an Excel workbook",
         ("Give the .xlsx exported from the system (unpack the zip first if the workbook is "
         "inside it)."), Source("kpi.xlsx"))),
    "gbk_csv": (
        gbk_csv, ("已按中文 Windows 文本（GBK/GB18030）读取", "", Source("kpi.csv")),
        ("read as Chinese Windows text (GBK/GB18030)", "", Source("kpi.csv"))),
    "id_column_missing": (
        id_column_missing,
        ("花名册中没有工号列",
         (f"找到的列：编号、姓名。可用的列名：{ID_NAMES['zh']}。请修改列名，或把该列名加入模板的"
         "别名（aliases）。"), Source("roster.xlsx", S1, 1)),
        ("the roster has no 工号 column",
         (f"Columns found: 编号, 姓名. Accepted names: {ID_NAMES['en']}. Rename the column or add "
         "the name to the template's aliases."), Source("roster.xlsx", S1, 1))),
    "id_twice_in_the_roster": (
        id_twice_in_the_roster,
        (f"工号 0001 在花名册中出现两次（另一处：{Source('roster.xlsx', S1, 2)}）",
         "每人只保留一行，删除另一行。", Source("roster.xlsx", S1, 3)),
        (f"agent 0001 appears twice in the roster (also at {Source('roster.xlsx', S1, 2)})",
         "Keep one row per agent and delete the other.", Source("roster.xlsx", S1, 3))),
    "unknown_level": (
        unknown_level,
        ("未知级别 '六星'", f"请使用以下之一：{LEVELS['zh']}。", Source("roster.xlsx", S1, 2, 3)),
        ("unknown level '六星'", f"Use one of: {LEVELS['en']}.",
         Source("roster.xlsx", S1, 2, 3))),
    "bad_hire_date": (
        bad_hire_date,
        ("入职日期：'2026-02-30' 不是真实存在的日期", "请填写日期，例如 2026-03-10。",
         Source("roster.xlsx", S1, 2, 2)),
        ("hire date: '2026-02-30' is not a real date", "Use a date such as 2026-03-10.",
         Source("roster.xlsx", S1, 2, 2))),
    "empty_id": (
        empty_id, ("工号为空", "请填写工号，或删除该行。", Source("roster.xlsx", S1, 3, 0)),
        ("agent id (工号) is empty", "Fill in the id or delete the row.",
         Source("roster.xlsx", S1, 3, 0))),
    "blank_score": (
        blank_score,
        ("绩效分值为空", "请填写数值（确实为零就填 0），或在模板中设置 score.missing: not_scored。",
         Source("kpi_2026-10.xlsx", S1, 3, 3)),
        ("绩效分值 is blank", ("Fill in the value (0 if it really is zero), or set "
         "score.missing: not_scored in the template."), Source("kpi_2026-10.xlsx", S1, 3, 3))),
    "score_not_a_number": (
        score_not_a_number,
        ("绩效分值：'-' 不是数字", "请填写数字。", Source("kpi_2026-10.xlsx", S1, 3, 3)),
        ("绩效分值: '-' is not a number", "Enter a number.",
         Source("kpi_2026-10.xlsx", S1, 3, 3))),
    "month_unknown": (
        month_unknown,
        ("无法判断该文件是哪个月的", ("请指定 --month 2026-10，或把月份写进文件名"
         "（kpi_2026-10.xlsx）或标题单元格（2026年10月绩效考核表）。"), Source("kpi.xlsx", S1)),
        ("cannot tell which month this file is for", ("Give --month 2026-10, or put the month "
         "in the file name (kpi_2026-10.xlsx) or in a title cell (2026年10月绩效考核表)."),
         Source("kpi.xlsx", S1))),
    "totals_row_skipped": (
        totals_row_skipped,
        ("跳过了合计/备注行（'合计'）", "", Source("kpi_2026-10.xlsx", S1, 3)),
        ("skipped a totals/notes row ('合计')", "", Source("kpi_2026-10.xlsx", S1, 3))),
    "fractions_read_as_scores": (
        fractions_read_as_scores,
        ("绩效分值按目标的倍数读取（1.12 = 112%）", "", Source("kpi_2026-10.xlsx", S1)),
        ("绩效分值 read as fractions of target (1.12 = 112%)", "",
         Source("kpi_2026-10.xlsx", S1))),
    "used_sheet_of_three": (
        used_sheet_of_three,
        ("使用了工作表 '10月绩效'（共 3 个工作表：说明、10月绩效、备用）", "",
         Source("kpi_2026-10.xlsx", "10月绩效")),
        ("used sheet '10月绩效' (of 3 sheets: 说明, 10月绩效, 备用)", "",
         Source("kpi_2026-10.xlsx", "10月绩效"))),
    "note_after_a_name": (
        note_after_a_name,
        ("已略去姓名 李四 后的备注 '(调岗)'", "", Source("att_2026-03.xlsx", S1, 3, 0)),
        ("note '(调岗)' after the name 李四 left out", "",
         Source("att_2026-03.xlsx", S1, 3, 0))),
    "note_proposes_a_leave_date": (
        note_proposes_a_leave_date,
        ("李四：备注 '3月15离职' 提示离职日期为 2026-03-15", "如无误，请在花名册的离职日期列填写 2026-03-15。",
         Source("att_2026-03.xlsx", S1, 3, 0)),
        ("李四: the note '3月15离职' proposes the leave date 2026-03-15",
         "If it is right, enter 2026-03-15 as the agent's 离职日期 in the roster.",
         Source("att_2026-03.xlsx", S1, 3, 0))),
}


@pytest.mark.parametrize("case", list(CASES))
def test_in_chinese(tmp_path: Path, case: str) -> None:
    make, chinese, _english = CASES[case]
    assert make(tmp_path) == chinese


@pytest.mark.language("en")
@pytest.mark.parametrize("case", list(CASES))
def test_in_english(tmp_path: Path, case: str) -> None:
    make, _chinese, english = CASES[case]
    assert make(tmp_path) == english


def test_the_language_is_the_one_in_force_when_the_file_is_read(tmp_path: Path) -> None:
    """Texts defined when the module is imported (hints shared by several problems, the kinds
    of file) follow a language chosen later."""
    (tmp_path / "kpi.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    assert _refused(tmp_path / "kpi.xlsx")[0] == "这是一张图片（PNG），不是工作簿"
    i18n.set_language("en")
    assert _refused(tmp_path / "kpi.xlsx")[:2] == (
        "this is a picture (PNG), not a workbook",
        "Give the .xlsx, .xls or .csv file exported from the system.")
    i18n.set_language("zh")
    (tmp_path / "kpi.et").write_text("工号,姓名,绩效分值\n0001,张三,112\n", encoding="utf-8")
    assert [p.message for p in read_sheets(tmp_path / "kpi.et")[0].problems] == [
        "WPS .et 文件，已按以下格式读取：文本表格（CSV/TSV）"]


@pytest.mark.language("en")
def test_problems_on_the_command_line_in_english(tmp_path: Path, cli) -> None:
    """The whole line as `cslevel score` prints it, in English."""
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "-"]])
    code, _out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star")
    assert code == 1
    assert ("kpi_2026-10.xlsx › Sheet1 › D3: 绩效分值: '-' is not a number — Enter a number."
            in " ".join(err.split()))
