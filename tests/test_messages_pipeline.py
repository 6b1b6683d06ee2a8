"""The messages of the pipeline, the history database, scoring, `cslevel run` and the output
files, word for word in Chinese (the default) and in English (`language("en")`): problems and
their hints, score explanations, what a run says changed, and the progress texts."""

from __future__ import annotations

import getpass
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import write_xlsx
from cs_helpers import kpi

from cslevel.export.payroll import check_payroll_path
from cslevel.export.safe import check_writable
from cslevel.pipeline import score as run_score
from cslevel.pipeline.workspace import changes as _changes
from cslevel.records import AgentRow, CslevelError, Month, Source
from cslevel.score import score_rows
from cslevel.store import busy_timeout, database_url, open_history
from cslevel.templates import load_scheme

# each test runs once per language and compares with that language's text
LANGS = [pytest.param("zh", marks=pytest.mark.language("zh"), id="zh"),
         pytest.param("en", marks=pytest.mark.language("en"), id="en")]


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _refusal(cli, *args: str, code: int = 1) -> dict[str, Any]:
    """The first problem of a command that must fail, from its --json output."""
    got, out, err = cli(*args, "--json")
    assert got == code, out + err
    doc = json.loads(out)
    assert doc["ok"] is False
    return doc["problems"][0]


def _error(call: Any) -> tuple[str, str]:
    with pytest.raises(CslevelError) as caught:
        call()
    problem = caught.value.problems[0]
    return problem.message, problem.hint


def _scored(tmp_path: Path, cli, *months: str) -> None:
    for month in months:
        kpi(tmp_path / f"kpi_{month}.xlsx", [["0007", "甲", "一组", 112]])
        code, _, err = cli("score", f"kpi_{month}.xlsx", "--scheme", "star", "--out",
                           f"r-{month}.xlsx")
        assert code == 0, err


# --- the history database ---------------------------------------------------------------------
BUSY = {
    "zh": ("历史数据库正忙（busy）：另一个 cslevel 任务正在使用它", "请等另一个任务结束后再试。"),
    "en": ("the history database is busy (another cslevel run is using it)",
           "Wait for the other run to finish and try again."),
}


def test_busy(tmp_path: Path, cli, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another run holds the history: exit code 3; the Chinese text says busy too, for the
    scripts that watch a scheduled run."""
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "0.2")
    db = tmp_path / "history.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CslevelError) as caught, open_history(str(db)):
            pass
        kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
        problem = _refusal(cli, "score", "kpi_2026-10.xlsx", "--scheme", "star", code=3)
    finally:
        holder.rollback()
        holder.close()
    assert caught.value.exit_code == 3
    got = caught.value.problems[0]
    assert (got.message, got.hint) == BUSY[lang]
    assert (problem["message"], problem["hint"]) == BUSY[lang]
    assert "busy" in problem["text"]


def test_bad_busy_timeout(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "soon")
    assert _error(busy_timeout) == {
        "zh": ("CSLEVEL_BUSY_TIMEOUT 必须是秒数，不能是 'soon'", "删除该设置即按默认等待 30 秒。"),
        "en": ("CSLEVEL_BUSY_TIMEOUT must be a number of seconds, not 'soon'",
               "Unset it to wait 30 seconds."),
    }[lang]


def test_database_folder_missing(tmp_path: Path, lang: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _error(lambda: database_url("nodir/x.db")) == {
        "zh": ("数据库所在的文件夹不存在：nodir", "请创建该文件夹，或用 --db 指定其他路径。"),
        "en": ("the folder for the database does not exist: nodir",
               "Create the folder or give another --db path."),
    }[lang]


def test_no_history_database(tmp_path: Path, cli, lang: str) -> None:
    problem = _refusal(cli, "history", "0001")
    db = tmp_path / "history.db"
    assert (problem["message"], problem["hint"]) == {
        "zh": (f"{db} 处没有历史数据库",
               "请先运行 `cslevel score`，或用 --db / CSLEVEL_DB 指向该数据库。"),
        "en": (f"no history database at {db}",
               "Run `cslevel score` first, or point --db / CSLEVEL_DB at the database."),
    }[lang]


def test_unknown_agent_in_the_history(tmp_path: Path, cli, lang: str) -> None:
    _scored(tmp_path, cli, "2026-10")
    problem = _refusal(cli, "history", "7")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("历史数据库中没有工号 '7'",
               "请检查工号（工号是文本：0007 不等于 7）。已有的工号包括：0007"),
        "en": ("no agent '7' in the history",
               "Check the id (ids are text: 0007 is not 7). Known ids include: 0007"),
    }[lang]


# --- scoring ----------------------------------------------------------------------------------
def test_scheme_of_another_history(tmp_path: Path, cli, lang: str) -> None:
    _scored(tmp_path, cli, "2026-10")
    problem = _refusal(cli, "score", "kpi_2026-10.xlsx", "--scheme", "weighted")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("此历史数据库按 star 方案考核，不是 weighted",
               "请用 --db 把其他方案的历史保存在单独的数据库中。"),
        "en": ("this history database grades with the star scheme, not weighted",
               "Use --db to keep another scheme's history in its own database."),
    }[lang]


def test_no_scheme_given(tmp_path: Path, cli, lang: str) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    problem = _refusal(cli, "score", "kpi_2026-10.xlsx")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("未指定方案，历史数据库中也还没有保存方案",
               "请给出 --scheme star（或其他模板名称或路径）。"),
        "en": ("no scheme given and the history database holds none yet",
               "Give --scheme star (or another template name or path)."),
    }[lang]


def test_several_months_into_one_file(tmp_path: Path, cli, lang: str) -> None:
    for month in ("2026-09", "2026-10"):
        kpi(tmp_path / f"kpi_{month}.xlsx", [["0001", "甲", "一组", 112]])
    problem = _refusal(cli, "score", "kpi_2026-09.xlsx", "kpi_2026-10.xlsx", "--scheme", "star",
                       "--out", "one.xlsx")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("评分了 2 个月，但 --out 只指定了一个文件",
               "请给 --out 一个文件夹（以 / 结尾会自动创建），或一次只为一个月评分。"),
        "en": ("2 months were scored but --out names one file",
               ("Give --out a folder (end it with / to create it), or score one month at a "
               "time.")),
    }[lang]


def test_agents_missing_from_one_of_the_two_workbooks(tmp_path: Path, cli_json,
                                                      lang: str) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    kpi(tmp_path / "att_2026-10.xlsx", [["0001", "甲", 22, 0], ["0003", "丙", 22, 1]],
        header=["工号", "姓名", "实际出勤天数", "迟到次数"])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--attendance", "att_2026-10.xlsx",
                   "--scheme", "star", "--dry-run")
    assert [p["message"] for p in doc["problems"] if p["severity"] == "warning"] == {
        "zh": ["工号 0003 在考勤表中，但不在 2026-10 的绩效表中",
               "工号 0002 在绩效表中，但不在 2026-10 的考勤表中"],
        "en": ["agent 0003 is in the attendance workbook but not in the KPI workbook of 2026-10",
               "agent 0002 is in the KPI workbook but not in the attendance workbook of 2026-10"],
    }[lang]


def test_progress_texts(tmp_path: Path, lang: str) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名"], ["0001", "甲"]])
    seen: list[str] = []
    run_score([tmp_path / "kpi_2026-10.xlsx"], "star", roster_file=tmp_path / "roster.xlsx",
              db=str(tmp_path / "history.db"), out=tmp_path / "r.xlsx", progress=seen.append)
    assert seen == {
        "zh": ["读取花名册 roster.xlsx", "读取绩效表 kpi_2026-10.xlsx", "评分", "写入 r.xlsx"],
        "en": ["roster roster.xlsx", "KPI kpi_2026-10.xlsx", "scoring", "writing r.xlsx"],
    }[lang]


def _row(agent: str, **kwargs: Any) -> AgentRow:
    return AgentRow(agent, Month(2026, 10), Source("kpi_2026-10.xlsx"), **kwargs)


def test_score_explanations(lang: str) -> None:
    star, _ = load_scheme("star")
    metrics = {"response_time": Decimal(20), "resolution_rate": Decimal("0.95"),
               "satisfaction": Decimal("0.88"), "complaint_rate": Decimal("0.005")}
    scores, problems = score_rows([_row("0001", ready_score=Decimal(112)),
                                   _row("0002", metrics=metrics)], star)
    assert problems == []
    assert [s.explanation for s in scores] == {
        "zh": ["绩效分值 112.00%（表中直接给出）",
               ("Σ 达成率×权重 = 120.40%: 平均响应时长 150.0%×20%; 解决率 105.6%×30%; "
               "客户满意度 103.5%×35%; 投诉率 150.0%×15%")],
        "en": ["Score 112.00% (read from the workbook)",
               ("Σ achievement×weight = 120.40%: 平均响应时长 150.0%×20%; 解决率 105.6%×30%; "
               "客户满意度 103.5%×35%; 投诉率 150.0%×15%")],
    }[lang]


def test_points_explanation_and_missing_profile_line(lang: str) -> None:
    points, _ = load_scheme("points")
    hard = {"education": Decimal(3), "experience": Decimal(4)}
    scores, problems = score_rows(
        [_row("0001", ready_score=Decimal(60)), _row("0002", ready_score=Decimal(80))],
        points, {"0001": (hard, Source("profile.xlsx"))})
    assert [s.explanation for s in scores] == {  # the shipped template scales by 25/20
        "zh": ["积分 53.75 = 硬性项目 7（学历 3、工作经验 4）× 1.25 + 0.75 × 绩效 60"],
        "en": ["Points 53.75 = hard items 7 (学历 3, 工作经验 4) × 1.25 + 0.75 × performance 60"],
    }[lang]
    unscaled = points.model_copy(update={
        "profile": points.profile.model_copy(update={"scale": Decimal(1)})})
    scores, _problems = score_rows([_row("0001", ready_score=Decimal(60))], unscaled,
                                   {"0001": (hard, Source("profile.xlsx"))})
    assert [s.explanation for s in scores] == {
        "zh": ["积分 52.00 = 硬性项目 7（学历 3、工作经验 4）+ 0.75 × 绩效 60"],
        "en": ["Points 52.00 = hard items 7 (学历 3, 工作经验 4) + 0.75 × performance 60"],
    }[lang]
    assert [(p.message, p.hint) for p in problems] == {
        "zh": [("工号 0002 在个人档案表中没有记录",
                "请在个人档案表中添加该员工（学历、工作经验、可胜任岗位、证书）。")],
        "en": [("agent 0002 has no line in the profile workbook",
                "Add the agent to the profile workbook (学历, 工作经验, 可胜任岗位, 证书).")],
    }[lang]


# --- promote, payroll, locks ----------------------------------------------------------------
def test_as_of_outside_the_scored_months(tmp_path: Path, cli, lang: str) -> None:
    _scored(tmp_path, cli, "2026-09")
    problem = _refusal(cli, "promote", "--as-of", "2026-12")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("--as-of 2026-12 不在已评分的月份范围内（2026-09 至 2026-09）",
               "请先为该月评分，或给出此范围内的月份。"),
        "en": ("--as-of 2026-12 is outside the scored months (2026-09 to 2026-09)",
               "Score that month first, or give a month in that range."),
    }[lang]


def test_payroll_of_a_month_not_scored_yet(tmp_path: Path, cli, lang: str) -> None:
    _scored(tmp_path, cli, "2026-09")
    problem = _refusal(cli, "payroll", "export", "--month", "2026-11", "--out", "p.xlsx")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("2026-10 还没有分数：尚不能确定 2026-11 适用的级别",
               "请先为 2026-10 评分（最近已评分的月份是 2026-09）。"),
        "en": ("no scores for 2026-10: the level in force in 2026-11 is not known yet",
               "Score 2026-10 first (the latest scored month is 2026-09)."),
    }[lang]


UNCONFIRMED_ZH = ("2026-10 月末的晋降级还没有用 `cslevel promote` 确认；"
                  "工资所用的级别已假定这些晋降级生效")
UNCONFIRMED_EN = ("the decisions at the close of 2026-10 have not been confirmed with "
                  "`cslevel promote`; the levels paid assume them")
NO_ATTENDANCE_EN = ("no attendance stored for 2026-10: nobody has an attendance deduction in "
                    "2026-11")


def test_payroll_warnings(tmp_path: Path, cli, cli_json, lang: str) -> None:
    """Decisions not confirmed with promote, and no attendance scored for the month."""
    _scored(tmp_path, cli, "2026-09", "2026-10")
    doc = cli_json("payroll", "export", "--month", "2026-11", "--out", "p.csv")
    assert [(p["message"], p["hint"]) for p in doc["problems"]] == {
        "zh": [(UNCONFIRMED_ZH, ""),
               ("没有保存 2026-10 的考勤：2026-11 无人扣除考勤",
                "请用 --attendance 重新为 2026-10 评分，以扣除缺勤。")],
        "en": [(UNCONFIRMED_EN, ""),
               (NO_ATTENDANCE_EN, "Score 2026-10 again with --attendance to deduct absences.")],
    }[lang]


def test_locked_months(tmp_path: Path, cli, cli_json, lang: str) -> None:
    _scored(tmp_path, cli, "2026-09", "2026-10")
    locked = cli_json("lock", "2026-10")
    day, user = locked["at"][:10], getpass.getuser()
    problem = _refusal(cli, "score", "kpi_2026-10.xlsx", code=3)
    assert problem["message"] == {
        "zh": f"2026-10 已锁定（{user} 于 {day} 发放工资后锁定）",
        "en": f"2026-10 is locked (locked after payroll on {day} by {user})",
    }[lang]
    assert problem["hint"] == {
        "zh": '如需修改，请先说明原因重新开放：cslevel reopen 2026-10 --reason "…"',
        "en": 'To change it, reopen it with a reason first: cslevel reopen 2026-10 --reason "…"',
    }[lang]
    # locking 2026-10 paid the payroll of 2026-11: it is never written again
    problem = _refusal(cli, "payroll", "export", "--month", "2026-11", code=3)
    assert (problem["message"], problem["hint"]) == {
        "zh": ((f"2026-11 的工资已发放（{user} 于 {day} 锁定 2026-10）：不再重新生成；其更正计入"
               "下一期工资"), "查看已发月份待补发/扣回的金额：cslevel payroll corrections"),
        "en": ((f"the payroll of 2026-11 was paid (2026-10 locked on {day} by {user}): it is not "
               "written again; its corrections go into the next payroll"),
               "See what paid months owe now with: cslevel payroll corrections"),
    }[lang]
    # a month before the locked one is scored again (retro pay): the paid month owes what
    # changed, and the warning says so
    kpi(tmp_path / "kpi_2026-09.xlsx", [["0007", "甲", "一组", 90]])
    code, out, err = cli("score", "kpi_2026-09.xlsx", "--out", "again.xlsx", "--json")
    assert code == 0, err
    assert [(p["message"], p["hint"]) for p in json.loads(out)["problems"]] == {
        "zh": [("2026-11 的工资已发放：与应发的差额计入下一期工资（补发/扣回）",
                "查看：cslevel payroll corrections")],
        "en": [(("the payroll of 2026-11 was paid: what it owes now is carried by the next "
                "payroll (Back pay / recovery)"), "See it with: cslevel payroll corrections")],
    }[lang]
    problem = _refusal(cli, "reopen", "2026-09", "--reason", "x")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("2026-09 未锁定（已锁定的月份：2026-10）", "无需重新开放。"),
        "en": ("2026-09 is not locked (locked months: 2026-10)", "Nothing to reopen."),
    }[lang]
    problem = _refusal(cli, "reopen", "2026-10", "--reason", " ")
    assert (problem["message"], problem["hint"]) == {
        "zh": ("重新开放已锁定的月份需要说明原因", '请说明原因，例如 --reason "考勤表更正"'),
        "en": ("a reason is needed to reopen a locked month",
               'Say why, e.g. --reason "corrected attendance"'),
    }[lang]
    problem = _refusal(cli, "lock", "2026-11")
    assert problem["message"] == {"zh": "2026-11 没有可锁定的分数",
                                  "en": "2026-11 has no scores to lock"}[lang]
    assert problem["hint"] == {
        "zh": "请锁定一个已评分的月份（2026-09 至 2026-10），即导出的工资表所用分数的月份。",
        "en": "Lock a scored month (2026-09 to 2026-10): the month whose scores the exported "
              "payroll used.",
    }[lang]


# --- output files -----------------------------------------------------------------------------
WRITE_HINT = {
    "zh": "如果该文件正在 Excel/WPS 中打开，请先关闭；"
          "或用 --out 另选一个有写入权限的文件夹中的路径。",
    "en": "Close the file if it is open in Excel/WPS, or choose another --out path in a folder "
          "you can write to.",
}


def test_output_file_cannot_be_written(tmp_path: Path, lang: str) -> None:
    missing = tmp_path / "missing"
    assert _error(lambda: check_writable(missing / "r.xlsx")) == ({
        "zh": f"无法写入输出文件（文件夹 {missing} 不存在）",
        "en": f"cannot write the output file (the folder {missing} does not exist)",
    }[lang], WRITE_HINT[lang])
    (tmp_path / "dir.xlsx").mkdir()
    assert _error(lambda: check_writable(tmp_path / "dir.xlsx"))[0] == {
        "zh": "无法写入输出文件（这是一个文件夹）",
        "en": "cannot write the output file (it is a folder)",
    }[lang]


def test_payroll_file_type(lang: str) -> None:
    hint = {"zh": "请用 --out payroll.xlsx 或 --out payroll.csv。",
            "en": "Use --out payroll.xlsx or --out payroll.csv."}[lang]
    assert _error(lambda: check_payroll_path(Path("payroll.txt"))) == ({
        "zh": "不支持的工资表格式：.txt", "en": "cannot write payroll as .txt"}[lang], hint)
    assert _error(lambda: check_payroll_path(Path("payroll")))[0] == {
        "zh": "不支持的工资表格式：没有扩展名的文件",
        "en": "cannot write payroll as a file without suffix"}[lang]


# --- cslevel init and cslevel run ---------------------------------------------------------------
def test_init_never_overwrites(tmp_path: Path, cli, lang: str) -> None:
    assert cli("init", "ws")[0] == 0
    problem = _refusal(cli, "init", "ws")
    target = Path("ws") / "cslevel.toml"
    assert (problem["message"], problem["hint"]) == {
        "zh": (f"{target} 已存在", "请直接编辑它，或为新工作区另选一个文件夹。"),
        "en": (f"{target} already exists",
               "Edit it, or choose another folder for a new workspace."),
    }[lang]


def test_what_a_run_says_changed(lang: str) -> None:
    month = Month(2026, 2)
    first = _changes(month, {}, {"0001": Decimal("112.00")}, [month])
    many = _changes(month, {}, {"0001": Decimal(1), "0002": Decimal(2)}, [month])
    before = {"0001": Decimal("112.00"), "0002": Decimal("100.00")}
    after = {"0001": Decimal("98.50"), "0003": Decimal("120.00")}
    changed = _changes(month, before, after, [month, month + 1, month + 2])
    again = _changes(month, before, dict(before), [month, month + 1])
    later = _changes(month, before, {"0001": Decimal(1), "0002": Decimal(2)}, [month, month + 1])
    assert (first, many, changed, again, later) == {
        "zh": (["2026-02 首次评分：1 人"], ["2026-02 首次评分：2 人"],
               ["0001 分数 112.00 → 98.50", "新增 1 人：0003", "移除 1 人：0002",
                "2026-03–2026-04 的晋降级已按新分数重新推导"],
               ["2026-02 重新评分，分数未变"],
               ["0001 分数 112.00 → 1", "0002 分数 100.00 → 2",
                "2026-03 的晋降级已按新分数重新推导"]),
        "en": (["2026-02 scored for the first time: 1 agent"],
               ["2026-02 scored for the first time: 2 agents"],
               ["0001 score changed: 112.00 → 98.50", "1 agent added: 0003",
                "1 agent removed: 0002",
                "decisions of the later months from 2026-03 through 2026-04 were derived again"],
               ["2026-02 scored again: no score changed"],
               ["0001 score changed: 112.00 → 1", "0002 score changed: 100.00 → 2",
                "decisions of the later months through 2026-03 were derived again"]),
    }[lang]
    crowd = _changes(month, {f"{i:04d}": Decimal(1) for i in range(53)},
                     {f"{i:04d}": Decimal(2) for i in range(53)}, [month])
    assert crowd[-1] == {"zh": "……另有 3 人分数变化", "en": "and 3 more"}[lang]


def test_run_without_the_month_s_workbook(tmp_path: Path, cli, lang: str) -> None:
    """`cslevel run` speaks the workspace's language (the settings' `language`)."""
    assert cli("init", "ws", "--language", lang)[0] == 0
    problem = _refusal(cli, "run", "--month", "2026-05", "--config", "ws/cslevel.toml")
    folder = tmp_path / "ws" / "input"
    names = "kpi_2026-05*.xlsx, 绩效_2026-05*.xlsx, kpi_202605*.xlsx"
    assert problem["message"] == {"zh": f"{folder} 中没有 2026-05 的绩效表",
                                  "en": f"no KPI workbook for 2026-05 in {folder}"}[lang]
    assert problem["hint"] == {
        "zh": f"请把该月导出的表放到那里，文件名形如 {names}（命名规则见 cslevel.toml 中的 "
              "input.kpi），或在文件名中写明月份和“绩效”（如 2026年5月绩效.xlsx），或用 --month "
              "指定其他月份。",
        "en": f"Put the month's export there, named like {names} (the patterns are input.kpi "
              "in cslevel.toml) or with the month and 绩效 in its name (2026年5月绩效.xlsx), or "
              "give another --month.",
    }[lang]
