"""The console texts of the commands (cslevel/cli/, cslevel/export/console.py and
console_admin.py) in Chinese, the default, and in English: error headers, problem-list
titles, summary lines, table titles and column headers. Each test runs once per language;
the texts of other modules (problem messages, rule reasons, payroll change reasons) are not
pinned here."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx
from cs_helpers import kpi
from rich.console import Console

from cslevel.export.console import _short
from cslevel.export.console_admin import print_run, print_runs
from cslevel.outcomes import RunResult
from cslevel.records import Month, Problem

LANGS = [pytest.param("zh", id="zh"),
         pytest.param("en", id="en", marks=pytest.mark.language("en"))]

ROSTER = [["工号", "姓名", "组别", "入职日期", "离职日期", "当前级别"],
          ["0001", "甲", "一组", "2024-01-01", None, "二星"],
          ["0002", "乙", "一组", "2024-01-01", None, "二星"],
          ["0003", "丙", "二组", "2026-01-10", None, None]]
SCORES = {"0001": [112, 115, 120],  # 二星 → 三星 from 2026-04
          "0002": [100, 100, 100],  # 二星 → 一星 from 2026-04
          "0003": [120, 120, 120]}  # trial 2026-01..03, 一星 from 2026-04
NAMES = {"0001": "甲", "0002": "乙", "0003": "丙"}


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def _headers(text: str, title: str) -> list[str]:
    """The column headers of the table titled `title` (a header cell folded over several
    lines is joined back with spaces)."""
    lines = _lines(text)
    start = lines.index(title)
    columns: list[list[str]] = []
    for line in lines[start + 2:]:
        if not line.startswith("┃"):
            break
        for i, cell in enumerate(line.strip("┃").split("┃")):
            if i == len(columns):
                columns.append([])
            if cell.strip():
                columns[i].append(cell.strip())
    return [" ".join(parts) for parts in columns]


def _history(tmp: Path, cli) -> str:
    """Three months scored (a promotion, a demotion, a trial ending): the console output."""
    write_xlsx(tmp / "roster.xlsx", ROSTER, text_columns=(0, 1, 2))
    files = [kpi(tmp / f"kpi_2026-{i + 1:02d}.xlsx",
                 [[a, NAMES[a], "一组", s[i]] for a, s in SCORES.items()]) for i in range(3)]
    (tmp / "out").mkdir()
    code, out, err = cli("score", *files, "--scheme", "star", "--roster", "roster.xlsx",
                         "--out", "out/")
    assert code == 0, err
    return out


# --- errors ---------------------------------------------------------------------------------
ERROR = {
    "zh": {"written": "错误：1 个问题，未写入任何内容。", "not_written": "错误：1 个问题。",
           "title": "问题（1）："},
    "en": {"written": "Error: 1 problem(s); nothing was written.",
           "not_written": "Error: 1 problem(s).", "title": "Problems (1):"},
}


@pytest.mark.parametrize("lang", LANGS)
def test_error_header_and_problem_list_title(cli, lang: str) -> None:
    code, out, err = cli("score", "missing.xlsx", "--scheme", "star")
    assert (code, out) == (1, "")
    lines = _lines(err)
    assert lines[:2] == [ERROR[lang]["written"], ERROR[lang]["title"]]
    assert lines[2].startswith("✗ missing.xlsx: ")


@pytest.mark.parametrize("lang", LANGS)
def test_error_header_of_a_command_that_writes_nothing(cli, lang: str) -> None:
    code, _, err = cli("inspect", "missing.xlsx")
    assert code == 1
    assert _lines(err)[:2] == [ERROR[lang]["not_written"], ERROR[lang]["title"]]


NEW_TEMPLATE = {
    "zh": ("✓ our.yaml（复制自 star）；编辑后运行 cslevel templates validate our.yaml",
           "✗ our.yaml 已存在 — 请换一个名字，或删除旧文件。"),
    "en": ("✓ our.yaml (from star); edit it, then cslevel templates validate our.yaml",
           "✗ our.yaml already exists — Choose another name or delete the old file."),
}


@pytest.mark.parametrize("lang", LANGS)
def test_templates_new_and_a_name_taken(tmp_path: Path, cli, lang: str) -> None:
    code, out, err = cli("templates", "new", "our", "--dir", ".")
    assert code == 0, err
    assert _lines(out) == [NEW_TEMPLATE[lang][0]]
    code, _, err = cli("templates", "new", "our", "--dir", ".")
    assert code == 1
    assert _lines(err) == [ERROR[lang]["written"], ERROR[lang]["title"], NEW_TEMPLATE[lang][1]]


@pytest.mark.parametrize("lang", LANGS)
def test_templates_validate(cli, lang: str) -> None:
    from cslevel.templates import shipped_templates_dir

    path = shipped_templates_dir() / "weighted.yaml"
    code, out, _ = cli("templates", "validate", path)
    assert code == 0
    want = {"zh": f"✓ {path}：方案 weighted，17 个级别，规则 考核期平均分",
            "en": f"✓ {path}: scheme weighted, 17 levels, rule review on the window's average"}[lang]
    assert " ".join(out.split()) == want


@pytest.mark.parametrize("lang", LANGS)
def test_init_says_what_was_made_and_what_next(tmp_path: Path, cli, lang: str) -> None:
    code, out, err = cli("init", "ws")
    assert code == 0, err
    want = {
        "zh": ["已创建：ws/cslevel.toml", "已创建：ws/input", "已创建：ws/output",
               "下一步：编辑 ws/cslevel.toml，把当月工作簿放进 ws/input，然后运行：cslevel run"],
        "en": ["Created: ws/cslevel.toml", "Created: ws/input", "Created: ws/output",
               ("Next: edit ws/cslevel.toml, put the month's workbooks in ws/input, then run: "
                "cslevel run")],
    }[lang]
    assert _lines(out.replace("\\", "/")) == want
    code, _, err = cli("init", "ws2", "--language", "fr")
    assert code == 2
    assert {"zh": "请用 zh 或 en", "en": "use zh or en"}[lang] in err


# --- score, promote, payroll, history, lock ---------------------------------------------------
SCORE = {
    "zh": {"dist": "级别分布 — star",
           "dist_head": ["月份", "试用", "一星", "二星", "三星", "四星", "五星", "人数", "晋升↑",
                         "降级↓", "试用期满"],
           "dry_run": "--dry-run：未写入任何内容。",
           "decisions": "2026-03 月末决定（用 `cslevel promote` 确认）",
           "decisions_head": ["工号", "姓名", "组别", "决定", "依据"],
           "results": "结果表：out/results-2026-03.xlsx"},
    "en": {"dist": "Level distribution — star",
           "dist_head": ["Month", "试用", "一星", "二星", "三星", "四星", "五星", "Agents",
                         "Promotions ↑", "Demotions ↓", "End of trial"],
           "dry_run": "--dry-run: nothing was written.",
           "decisions": "Decisions at the close of 2026-03 (confirm with `cslevel promote`)",
           "decisions_head": ["Agent ID", "Name", "Team", "Decision", "Grounds"],
           "results": "Results workbook: out/results-2026-03.xlsx"},
}


@pytest.mark.parametrize("lang", LANGS)
def test_score_dry_run(tmp_path: Path, cli, lang: str) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    code, out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--dry-run")
    assert code == 0, err
    want = SCORE[lang]
    assert _lines(out)[0] == want["dist"]
    assert _headers(out, want["dist"]) == want["dist_head"]
    assert _lines(out)[-1] == want["dry_run"]


PROMOTE = {
    "zh": {"as_of": "考核截至 2026-03，连续 3 个月规则；生效 2026-04",
           "moves": "晋降级名单",
           "moves_head": ["工号", "姓名", "决定", "原级别", "新级别", "生效月份", "触发月份",
                          "原因"],
           "first": "│ 0001 │ 甲   │ 晋升     │ 二星   │ 三星   │ 2026-04  │ "
                    "2026-01、2026-02、2026-03 │",
           "levels": "2026-04 级别分布：一星 2  三星 1",
           "workbook": "晋降级名单：moves.xlsx"},
    "en": {"as_of": "As of 2026-03, 3-month rule; effective 2026-04",
           "moves": "Moves",
           "moves_head": ["Agent ID", "Name", "Decision", "From level", "To level",
                          "Effective month", "Trigger months", "Reason"],
           "first": "│ 0001     │ 甲   │ Promotion    │ 二星       │ 三星     │ 2026-04         │ "
                    "2026-01, 2026-02, 2026-03 │",
           "levels": "Levels in 2026-04: 一星 2  三星 1",
           "workbook": "Sign-off workbook: moves.xlsx"},
}
# the totals (templates/star.yaml): 2026-01 pays 二星 3300 + 1200 + 550 + 100 (2 years) twice
# and the trial agent 0003 its basic pay only (2,500.00 of the trial level's 2,850.00; it is
# in trial in 2026-01..03): 12,800.00; 2026-03 二星 with 1200 × 115% and × 100% (5330 + 5150)
# and 2500: 12,980.00; 2026-04 三星 3600 + 1500 × 120% + 650 + 100, 一星 3000 + 1000 + 550 + 100
# and 一星 after trial 4550: 15,350.00
PAYROLL = {
    "zh": {"title": "工资表 2026-04", "head": ["级别", "人数", "应发合计"],
           "total": "│ 合计 │    3 │ 15,350.00 │", "file": "工资表：p.xlsx",
           "diff": "2026-04 与 2026-03 工资对比",
           "diff_head": ["工号", "姓名", "组别", "级别", "上月应发", "本月应发", "差额", "原因"],
           "unchanged": "未变：0 人；合计 12,980.00 → 15,350.00",
           "unchanged_01": "未变：3 人；合计 0.00 → 12,800.00",
           "no_previous": "2025-12 无工资记录可比"},
    "en": {"title": "Payroll 2026-04", "head": ["Level", "Agents", "Total pay"],
           "total": "│ Total │      3 │ 15,350.00 │", "file": "Payroll file: p.xlsx",
           "diff": "Payroll changes: 2026-04 against 2026-03",
           "diff_head": ["Agent ID", "Name", "Team", "Level", "Last month's pay",
                         "This month's pay", "Difference", "Reason"],
           "unchanged": "Unchanged: 0 agents; total 12,980.00 → 15,350.00",
           "unchanged_01": "Unchanged: 3 agents; total 0.00 → 12,800.00",
           "no_previous": "no payroll for 2025-12 to compare with"},
}
HISTORY = {
    "zh": {"head": ["月份", "绩效分值(%)", "本月级别", "连续达标月数", "连续未达标月数", "决定",
                    "说明"],
           "next": "2026-04 起级别：三星"},
    "en": {"head": ["Month", "Performance (%)", "Level this month", "Months on target in a row",
                    "Months below target in a row", "Decision", "Note"],
           "next": "Level from 2026-04: 三星"},
}
LOCK = {
    "zh": ((r"2026-03 已锁定（\S+，\S+）。重新开放：cslevel reopen 2026-03 --reason \"…\"\n"
           r"2026-04 的工资已记为已发放：\d+行，合计 [\d,]+\.\d\d。"),
           r"2026-03 已锁定（\d{4}-\d\d-\d\d，\S+）",
           r"2026-03 已重新开放（\S+，\S+）：考勤更正 \[x\]"),
    "en": ((r"2026-03 locked \(\S+, \S+\)\. Reopen with: cslevel reopen 2026-03 --reason \"…\"\n"
           r"The payroll of 2026-04 is recorded as paid: \d+ lines, total [\d,]+\.\d\d\."),
           r"2026-03 already locked \(\d{4}-\d\d-\d\d, \S+\)",
           r"2026-03 reopened \(\S+, \S+\): 考勤更正 \[x\]"),
}
RUNS = {"zh": ("运行记录", ["#", "时间（UTC）", "用户", "版本", "命令", "月份", "说明"]),
        "en": ("Runs", ["#", "When (UTC)", "User", "Version", "Command", "Month", "Details"])}


@pytest.mark.parametrize("lang", LANGS)
def test_the_month_on_the_console(tmp_path: Path, cli, lang: str) -> None:
    out = _history(tmp_path, cli)
    want = SCORE[lang]
    assert _headers(out, want["dist"]) == want["dist_head"]
    assert _headers(out, want["decisions"]) == want["decisions_head"]
    assert _lines(out)[-1] == want["results"]

    code, out, err = cli("promote", "--out", "moves.xlsx")
    assert code == 0, err
    want = PROMOTE[lang]
    lines = _lines(out)
    assert lines[0] == want["as_of"]
    assert _headers(out, want["moves"]) == want["moves_head"]
    assert any(line.startswith(want["first"]) for line in lines), out
    assert lines[-2:] == [want["levels"], want["workbook"]]

    want = PAYROLL[lang]
    code, out, err = cli("payroll", "export", "--month", "2026-01", "--out", "p01.xlsx")
    assert code == 0, err
    code, out, err = cli("payroll", "diff", "--month", "2026-01")
    assert code == 0, err
    assert _lines(out)[0].startswith(want["no_previous"])
    assert _lines(out)[-1] == want["unchanged_01"]
    code, out, err = cli("payroll", "export", "--month", "2026-04", "--out", "p.xlsx")
    assert code == 0, err
    lines = _lines(out)
    assert lines[0] == want["title"]
    assert _headers(out, want["title"]) == want["head"]
    assert want["total"] in lines
    assert lines[-1] == want["file"]
    assert ERROR[lang]["title"] in lines  # the warning of no attendance stored
    code, out, err = cli("payroll", "diff", "--month", "2026-04")
    assert code == 0, err
    assert _headers(out, want["diff"]) == want["diff_head"]
    assert want["unchanged"] in _lines(out)

    code, out, err = cli("history", "0001")
    assert code == 0, err
    assert _headers(out, "0001 甲 一组") == HISTORY[lang]["head"]
    assert _lines(out)[-1] == HISTORY[lang]["next"]

    locked, already, reopened = LOCK[lang]
    code, out, err = cli("lock", "2026-03")
    assert code == 0, err
    assert re.fullmatch(locked, out.strip()), out
    code, out, err = cli("lock", "2026-03")
    assert re.fullmatch(already, out.strip()), out
    code, out, err = cli("reopen", "2026-03", "--reason", "考勤更正 [x]")
    assert code == 0, err
    assert re.fullmatch(reopened, out.strip()), out

    code, out, err = cli("runs", "--limit", "2")
    assert code == 0, err
    title, head = RUNS[lang]
    assert _lines(out)[0] == title
    assert _headers(out, title) == head


@pytest.mark.parametrize("lang", LANGS)
def test_inspect(tmp_path: Path, cli, lang: str) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112, "x"]],
        header=["工号", "姓名", "组别", "绩效分值", "备注"])
    code, out, err = cli("inspect", "kpi_2026-10.xlsx")
    assert code == 0, err
    want = {
        "zh": (("kpi_2026-10.xlsx：绩效表（ready）；工作表 'Sheet1'，表头在第 1 行；"
                "月份 2026-10；1 人"), "列", ["列", "表头", "字段"],
               "│ E  │ 备注     │ （未使用）  │", "前几行"),
        "en": (("kpi_2026-10.xlsx: KPI (ready); sheet 'Sheet1', header row 1; "
                "months 2026-10; 1 agent"), "Columns", ["Column", "Header", "Field"],
               "│ E      │ 备注     │ (not used)  │", "First rows as read"),
    }[lang]
    lines = _lines(out)
    assert lines[0] == want[0]
    assert _headers(out, want[1]) == want[2]
    assert want[3] in lines
    assert _headers(out, want[4]) == ["工号", "姓名", "组别", "绩效分值"]  # the columns used


# --- cslevel run / runs, through the console functions ----------------------------------------
def _printed(show, *args) -> list[str]:
    buffer = io.StringIO()
    show(Console(file=buffer, width=120), *args)
    return _lines(buffer.getvalue())


RUN = {
    "zh": {"done": "2026-10 完成", "unchanged": "2026-10 无变化",
           "dry_run": "2026-10 试运行（未写入任何内容）",
           "summary": "  评分：37 人；晋降级：4；2026-11 工资：36 人，合计 123,456.70",
           "no_total": "  评分：37 人；晋降级：0；2026-11 工资：0 人，合计 —",
           "problems": "问题（1）：", "no_runs": "还没有运行记录"},
    "en": {"done": "2026-10 Done", "unchanged": "2026-10 Unchanged",
           "dry_run": "2026-10 Dry run (nothing written)",
           "summary": "  Scored: 37; moves: 4; payroll 2026-11: 36 paid, total 123,456.70",
           "no_total": "  Scored: 37; moves: 0; payroll 2026-11: 0 paid, total —",
           "problems": "Problems (1):", "no_runs": "No runs recorded yet."},
}


@pytest.mark.parametrize("lang", LANGS)
def test_print_run(lang: str) -> None:
    want = RUN[lang]
    result = RunResult(Month(2026, 10), Month(2026, 11), "done", "k", [], "h",
                       outputs=[(Path("out/results-2026-10.xlsx"), "0" * 64)],
                       changes=["a change"], moves=4, paid=36,
                       payroll_total=Decimal("123456.70"), agents=37,
                       problems=[Problem("a warning", severity="warning")])
    assert _printed(print_run, result) == [
        want["done"], "  · a change", want["summary"], "  → out/results-2026-10.xlsx",
        want["problems"], "! a warning"]
    result.status, result.problems, result.outputs = "unchanged", [], []
    assert _printed(print_run, result) == [want["unchanged"], "  · a change"]
    result.status, result.moves, result.paid, result.payroll_total = "dry_run", 0, 0, None
    assert _printed(print_run, result) == [want["dry_run"], "  · a change", want["no_total"]]
    empty = _printed(print_runs, [])
    assert (empty[0], empty[-1]) == (RUNS[lang][0], want["no_runs"])


@pytest.mark.parametrize("lang", LANGS)
def test_runs_changes_in_one_cell(lang: str) -> None:
    record = {"id": 3, "started_at": "2026-11-02T08:00:00+00:00", "user": "clerk",
              "version": "0.1.0", "command": "run",
              "details": {"month": "2026-10", "changes": ["first", "second"]}}
    text = "\n".join(_printed(print_runs, [record]))
    assert {"zh": "first；second", "en": "first; second"}[lang] in text


# --- reasons in narrow tables -----------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_short_reason(lang: str) -> None:
    old = "连续3个月绩效≥110%，2026-04起晋升为三星 / 3 months in a row at or above 110%"
    assert _short(old) == {"zh": "连续3个月绩效≥110%，2026-04起晋升为三星",
                           "en": "3 months in a row at or above 110%"}[lang]
    for single in ("连续3个月绩效≥110%，2026-04起晋升为三星",  # one language: as it is
                   "3 months in a row at or above 110%",
                   "score 112 / 110 on target",  # an English reason with a slash
                   "绩效 112 / 110"):  # a Chinese one: no English after the slash
        assert _short(single) == single
