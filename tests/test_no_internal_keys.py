"""No internal keys in what a person reads (issue 19, item 10): the month's outputs written in
Chinese — the results workbooks, the moves and sign-off workbook (promote --out), the payroll
workbook with its comparison and corrections sheets, and the console's human text — read
back cell by cell; any text outside the data (ids, names, teams, levels, figures, file and
template names) that holds an identifier-like ASCII word (`streak_up`, `follow_a`) or a word
of cslevel's own vocabulary (rule kinds, decision kinds, flags, metric keys, severities) fails
with the cell's address."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx

from cslevel.labels import DECISION_LABEL, FLAG_LABEL, RULE_LABEL, SEVERITY_LABEL
from cslevel.rules import RULES
from cslevel.scheme.promotion import RULE_KINDS
from cslevel.templates import load_scheme, shipped_template_names

# snake_case words (`streak_up`, `follow_a`, `kpi_2026` outside a file name) ...
IDENTIFIER = re.compile(r"\b[A-Za-z]+(?:_[A-Za-z0-9]+)+\b")
# ... and cslevel's own vocabulary as bare words: rule kinds, what a rule decided by, decision
# kinds, flags, severities, and the metric keys of every shipped template (`work`, `csat`)
DENY = {word.lower() for word in (
    *RULE_KINDS, *RULES, *RULE_LABEL, *DECISION_LABEL, *FLAG_LABEL, *SEVERITY_LABEL,
    "promote", "demote", "severity", "where", "what", "metrics", "flags",
    *(m.key for name in shipped_template_names() for m in load_scheme(name)[0].score.metrics))}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def internal_words(text: str, data: set[str]) -> list[str]:
    """The internal keys in `text` once the data it quotes (`data`) is taken out."""
    for value in sorted(data, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    found = IDENTIFIER.findall(text) + [w for w in WORD.findall(text) if w.lower() in DENY]
    return list(dict.fromkeys(found))


# what a clerk types, quoted in the console's hints: `cslevel promote`, --attendance
COMMAND = re.compile(r"`[^`]*`|--[a-z][a-z-]*|\bcslevel(?: [a-z]+)+")


def console_words(outputs: list[str], data: set[str]) -> list[str]:
    """The internal keys in the console's human text, line by line."""
    return [f"console {step} › line {number}: {words} in {line.strip()!r}"
            for step, out in enumerate(outputs)
            for number, line in enumerate(out.splitlines(), start=1)
            if (words := internal_words(COMMAND.sub(" ", line), data))]


def scan_workbook(path: Path, data: set[str]) -> list[str]:
    bad = []
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for text, where in [(sheet.title, "title")]:
            if internal_words(text, data):
                bad.append(f"{path.name} › {where}: {text}")
        for row in sheet.iter_rows():
            for cell in row:
                texts = [cell.value] if isinstance(cell.value, str) else []
                if cell.comment is not None:
                    texts.append(cell.comment.text)
                for text in texts:
                    words = internal_words(text, data)
                    if words:
                        bad.append(f"{path.name} › {sheet.title} › {cell.coordinate}: "
                                   f"{words} in {text!r}")
    return bad


# --- the months: every kind of decision, flag, problem and sheet ------------------------------
STAR_HEADER = ["工号", "姓名", "组别", "当前级别", "入职日期", "绩效分值"]
STAR = {  # id: name, team, level, hire date, scores of 01..04
    "0001": ("张三", "一组", "二星", None, [115, 112, 120, 90]),   # promoted at 03
    "0002": ("李四", "一组", "三星", None, [100, 105, 101, 130]),  # demoted at 03
    "0003": ("王五", "二组", None, "2026-01-05", [100, 100, 100, 100]),  # trial ends with 03
    "0004": ("赵六", "二组", "一星", None, [90, 95, 99, 100]),     # at the floor
}
ATTENDANCE = [["工号", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数", "事假天数",
               "病假天数"],
              ["0001", 22, 22, 0, 0, 0, 0, 0], ["0002", 22, 20, 2, 1, 1, 1, 0],
              ["0003", 22, 22, 0, 0, 0, 0, 0], ["0004", 22, 22, 0, 0, 0, 0, 0],
              ["0099", 22, 22, 0, 0, 0, 0, 0]]  # not in the KPI workbook: a warning


def _star_months(tmp_path: Path, cli) -> list[str]:
    """Four months of the star scheme: a promotion, a demotion, an end of trial, an agent at
    the floor, a warning; the payroll of April paid (locked), March corrected after it, and
    the payroll of May carrying the correction (更正明细). The console's text of each step."""
    def month(index: int, scores: dict[str, int]) -> None:
        write_xlsx(tmp_path / f"kpi_2026-{index:02d}.xlsx", [
            STAR_HEADER, *[[a, name, team, level, hired, scores.get(a, figures[index - 1])]
                           for a, (name, team, level, hired, figures) in STAR.items()]],
            text_columns=(0, 1, 2, 3, 4))

    for index in range(1, 5):
        month(index, {})
    write_xlsx(tmp_path / "att_2026-03.xlsx", ATTENDANCE)
    console = []
    steps = [("score", "kpi_2026-01.xlsx", "kpi_2026-02.xlsx", "--scheme", "star", "--out", "out/"),
             ("score", "kpi_2026-03.xlsx", "--attendance", "att_2026-03.xlsx", "--out", "out/"),
             ("promote", "--out", "moves.xlsx"),
             ("payroll", "export", "--month", "2026-04", "--out", "payroll-04.xlsx"),
             ("lock", "2026-03"),
             ("reopen", "2026-03", "--reason", "考勤更正"),
             ("score", "kpi_2026-03.xlsx", "--attendance", "att_2026-03.xlsx", "--out", "out/"),
             ("score", "kpi_2026-04.xlsx", "--out", "out/"),
             ("promote", "--out", "moves-04.xlsx"),
             ("payroll", "export", "--month", "2026-05", "--out", "payroll-05.xlsx"),
             ("payroll", "corrections"),
             ("payroll", "diff", "--month", "2026-05"),
             ("history", "0002"),
             ("adjust", "list"),
             ("report", "--out", "report.xlsx")]
    for args in steps:
        if args[:2] == ("reopen", "2026-03"):  # March's figures corrected: 0004 scored 120
            month(3, {"0004": 120})
        code, out, err = cli(*args)
        assert code == 0, (args, out, err)
        console.append(out)
    return console


def _star_data() -> set[str]:
    """The data the star months' outputs may quote: ids, names, teams, levels, files, the
    template's name, the sheet of the inputs, the user who locked."""
    import getpass

    levels = load_scheme("star")[0].level_names
    return {*(v for a, row in STAR.items() for v in (a, *row[:4]) if v), *levels,
            *(f"kpi_2026-0{m}.xlsx" for m in range(1, 5)), "att_2026-03.xlsx",
            "moves.xlsx", "moves-04.xlsx", "payroll-04.xlsx", "payroll-05.xlsx", "report.xlsx",
            "star",
            "Sheet1", getpass.getuser(), "cslevel"}


def test_the_star_outputs_hold_no_internal_keys(tmp_path: Path, cli) -> None:
    console = _star_months(tmp_path, cli)
    data = _star_data()
    books = sorted(tmp_path.glob("*.xlsx")) + sorted((tmp_path / "out").glob("*.xlsx"))
    written = {p.name for p in books}
    assert {"moves.xlsx", "payroll-04.xlsx", "payroll-05.xlsx", "results-2026-03.xlsx",
            "report.xlsx"} <= written
    sheets = {s for p in books for s in openpyxl.load_workbook(p).sheetnames}
    assert {"考核结果", "级别分布", "问题", "晋降级名单", "晋升降级申请表", "与上月对比",
            "更正明细", "校准", "各级别人力成本"} <= sheets
    bad = [line for p in books if not p.name.startswith(("kpi_", "att_"))
           for line in scan_workbook(p, data)]
    bad += console_words(console, data)
    assert bad == [], "\n".join(bad)


def test_the_assistant_flags_and_standards_hold_no_internal_keys(tmp_path: Path, cli) -> None:
    """The quarterly scheme's flags (elimination, exemption, demotion review) and what falls
    short of a standard (its metrics, by the template's names), in the results, the moves
    workbook and the console."""
    from test_assistant import LEVEL_ONE, LEVEL_TWO, WEAK, _year

    plan = {"0001": [[70, 10, 10, 0, 0, 0, 0, 0]] * 12,     # deductions over 40: elimination
            "0002": [LEVEL_TWO[:-1] + [1]] * 12,            # best member, 二级: exemption
            "0003": [LEVEL_TWO] * 6 + [WEAK] * 6,           # 二级 from 07, then demotion
                                                            # review at the year's close
            "0004": [LEVEL_ONE] * 12,                       # 一级 from 07
            "0005": [[50, 0, 0, 0, 0, 0, 0, 0]] * 12}       # bottom of the team: elimination
    _year(tmp_path, plan, {"0002": "二级"})
    files = [f"kpi_2026-{m:02d}.xlsx" for m in range(1, 13)]
    console = []
    for args in (("score", *files, "--scheme", "assistant", "--out", "out/"),
                 ("promote", "--as-of", "2026-09", "--out", "moves-09.xlsx"),
                 ("promote", "--as-of", "2026-12", "--out", "moves-12.xlsx")):
        code, out, err = cli(*args)
        assert code == 0, (args, out, err)
        console.append(out)
    scheme = load_scheme("assistant")[0]
    data = {*plan, "一组", *scheme.level_names, *files, "moves-09.xlsx", "moves-12.xlsx",
            "assistant", "cslevel"}
    september = openpyxl.load_workbook(tmp_path / "out" / "results-2026-09.xlsx")["考核结果"]
    rows = list(september.iter_rows(values_only=True))
    column = rows[0].index("待审议标记")
    flags = {row[0]: row[column] for row in rows[1:]}
    assert flags == {"0001": "淘汰对象", "0002": "免于淘汰一次", "0003": "",
                     "0004": "", "0005": "淘汰对象"}
    december = openpyxl.load_workbook(tmp_path / "out" / "results-2026-12.xlsx")["考核结果"]
    rows = list(december.iter_rows(values_only=True))
    assert {row[0]: row[column] for row in rows[1:]}["0003"] == "降级审议"
    books = sorted((tmp_path / "out").glob("*.xlsx")) + [tmp_path / "moves-09.xlsx",
                                                          tmp_path / "moves-12.xlsx"]
    bad = [line for p in books for line in scan_workbook(p, data)]
    bad += console_words(console, data)
    assert bad == [], "\n".join(bad)
    assert "⚑ 0003 : 降级审议 — " in console[2]  # judged once a year, at its close
    assert console[1].startswith("考核截至 2026-09，规则：季度定级标准；生效 2026-10")


def test_the_check_finds_the_keys_it_is_for() -> None:
    """The check itself: each example of issue 19 item 10 is caught, data is not."""
    data = {"kpi_2026-03.xlsx", "张三"}
    assert internal_words("streak_up", data) == ["streak_up"]
    assert internal_words("未达一级助理标准：follow_a 0 < 40、work 30 ≥ 20", data) == [
        "follow_a", "work"]
    assert internal_words("warning", data) == ["warning"]
    assert internal_words("级别 Severity", data) == ["Severity"]
    assert internal_words("demotion_review", data) == ["demotion_review"]
    assert internal_words("complaint_rate 0.5%", data) == ["complaint_rate"]
    assert internal_words("来源：kpi_2026-03.xlsx，张三", data) == []


def test_the_weighted_reviews_hold_no_internal_keys(tmp_path: Path, cli) -> None:
    """The weighted scheme's quarterly reviews (up, down, down with probation) and the
    dismissal review DOMAIN.md's worked example gives, through the moves and results."""
    from test_weighted import SCORES, _month

    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "当前级别"], ["X", "X", "大客户·中级"],
                                          ["Y", "Y", "大客户·中级"], ["Z", "Z", "大客户·中级"]])
    console = []
    for index in range(6):
        for args in (("score", _month(tmp_path, index).name, "--scheme", "weighted",
                      "--roster", "roster.xlsx", "--out", "out/"),
                     ("promote", "--out", f"moves-{index + 1:02d}.xlsx")):
            code, out, err = cli(*args)
            assert code == 0, (args, out, err)
            console.append(out)
    scheme = load_scheme("weighted")[0]
    files = [f"kpi_2026-{m:02d}.xlsx" for m in range(1, 7)]
    data = {*SCORES, *scheme.level_names, *files, *(f"moves-{m:02d}.xlsx" for m in range(1, 7)),
            "roster.xlsx", "weighted", "cslevel", "Sheet1"}
    moves = openpyxl.load_workbook(tmp_path / "moves-03.xlsx")["晋降级名单"]
    rules = {row[0]: row[7] for row in moves.iter_rows(min_row=2, values_only=True)}
    assert rules == {"X": "考核平均分达到晋升线", "Y": "考核平均分低于降级线",
                     "Z": "考核平均分低于降级线"}
    april = openpyxl.load_workbook(tmp_path / "out" / "results-2026-04.xlsx")["考核结果"]
    rows = list(april.iter_rows(values_only=True))
    flags = {row[0]: row[rows[0].index("待审议标记")] for row in rows[1:]}
    assert flags["Z"] == "解除合同审议"
    books = sorted((tmp_path / "out").glob("*.xlsx")) + sorted(tmp_path.glob("moves-*.xlsx"))
    bad = [line for p in books for line in scan_workbook(p, data)]
    bad += console_words(console, data)
    assert bad == [], "\n".join(bad)
    assert "⚑ Z Z: 解除合同审议 — " in "".join(console)


def test_every_rule_and_flag_has_its_label() -> None:
    """Every rule a move names and every flag a rule raises (read from cslevel/rules) has a
    label in both languages: what the moves sheet, the results and the console show."""
    from cslevel import i18n
    from cslevel.labels import RULE_KIND_LABEL

    rules = Path(__file__).resolve().parents[1] / "cslevel" / "rules"
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(rules.glob("*.py")))
    # move(who, month, level, to, "promote", "streak_up", …) and kind, name = "…", "review_up"
    moved = set(re.findall(r'"(?:promote|demote|trial_end)",\s*"([a-z_]+)"', source))
    moved.discard("demote")  # (driver.MoveKind's Literal["promote", "demote", …], not a move)
    flags = set(re.findall(r'^[A-Z_]+ = "([a-z_]+)"$', source, re.MULTILINE))
    assert {"streak_up", "review_down", "quarterly_standard", "tier_down"} <= moved
    assert {"dismissal_review", "demotion_review", "elimination", "not_graded"} <= flags
    assert moved <= set(RULE_LABEL), moved - set(RULE_LABEL)
    assert flags <= set(FLAG_LABEL), flags - set(FLAG_LABEL)
    assert set(RULE_KINDS) == set(RULE_KIND_LABEL)
    for labels in (RULE_LABEL, FLAG_LABEL, RULE_KIND_LABEL, SEVERITY_LABEL):
        chinese = dict(labels)
        i18n.set_language("en")
        english = dict(labels)
        i18n.set_language(None)
        assert all(chinese[k] != english[k] and not WORD.search(chinese[k]) for k in labels)


# --- the other rule kinds: their moves, flags and explanations ---------------------------------
def _tier(tmp_path: Path) -> tuple[list[tuple[str, ...]], set[str]]:
    header = ["工号", "当前段位", "平均处理时长", "客户满意度", "一次解决率", "知识库贡献", "带教人数",
              "数据项目"]
    for month in (1, 2, 3):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [
            header, ["0001", "白银", 290, "91%", "76%", 2, 0, 0],   # up to 黄金
            ["0002", "黄金", 200, "80%", "60%", 0, 0, 0],            # below the gold floors
            ["0003", "白银", 200, "99%", "70%", 9, 3, 2]])
    return [("score", "kpi_2026-01.xlsx", "kpi_2026-02.xlsx", "kpi_2026-03.xlsx", "--scheme",
             "tier", "--out", "out/")], {"0001", "0002", "0003"}


def _grade(tmp_path: Path) -> tuple[list[tuple[str, ...]], set[str]]:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "入职日期"], ["0001", "2026-01-05"],
                                          ["0002", "2026-01-05"], ["0003", "2020-01-05"]])
    header = ["工号", "绩效分值", "理论考试", "实操考试", "打字速度", "产品知识考核"]
    for month in range(1, 8):  # 0001 passes (转正 from 02), 0002 fails
        rows = [["0001", 90, 82, 90, 45, 80], ["0002", 90, 79.99, 90, 45, 80]] if month == 1 else [
            ["0001", 90, None, None, None, None], ["0002", 90, None, None, None, None]]
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx",
                   [header, *rows, ["0003", 95, None, None, None, None]])
    files = [f"kpi_2026-{m:02d}.xlsx" for m in range(1, 8)]
    return [("score", *files, "--roster", "roster.xlsx", "--scheme", "grade", "--out", "out/")], {
        "0001", "0002", "0003", "roster.xlsx", "2026-01-05", "2020-01-05"}


def _points(tmp_path: Path) -> tuple[list[tuple[str, ...]], set[str]]:
    write_xlsx(tmp_path / "profile.xlsx", [
        ["工号", "姓名", "学历", "工作经验", "可胜任岗位", "证书数"],
        ["0001", "甲", "本科", "3年", "售前售后", 3], ["0002", "乙", "大专", "实习", "售前", 0]])
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [
        ["工号", "姓名", "绩效总分"], ["0001", "甲", 80], ["0002", "乙", 40]])  # 0002: not graded
    return [("score", "kpi_2026-01.xlsx", "--scheme", "points", "--profile", "profile.xlsx",
             "--out", "out/")], {"0001", "0002", "甲", "乙", "profile.xlsx", "本科", "大专",
                                 "售前售后", "售前", "3年", "实习"}


@pytest.mark.parametrize(("scheme", "make"), [("tier", _tier), ("grade", _grade),
                                              ("points", _points)])
def test_the_other_rule_kinds_hold_no_internal_keys(tmp_path: Path, cli, scheme: str,
                                                    make) -> None:
    steps, data = make(tmp_path)
    console = []
    for args in [*steps, ("promote", "--out", "moves.xlsx")]:
        code, out, err = cli(*args)
        assert code == 0, (args, out, err)
        console.append(out)
    data |= {*load_scheme(scheme)[0].level_names, *(p.name for p in tmp_path.glob("*.xlsx")),
             scheme, "cslevel", "Sheet1"}
    books = sorted((tmp_path / "out").glob("*.xlsx")) + [tmp_path / "moves.xlsx"]
    bad = [line for p in books for line in scan_workbook(p, data)]
    bad += console_words(console, data)
    assert bad == [], "\n".join(bad)
    shown = {cell for p in books for sheet in openpyxl.load_workbook(p).worksheets
             for row in sheet.iter_rows(values_only=True) for cell in row}
    expected = {"tier": {"达到更高段位的各项门槛", "未达本段位门槛"}, "grade": {"转正考核未通过"},
                "points": {"积分分档", "不予定级"}}[scheme]
    assert expected <= shown, expected - shown
