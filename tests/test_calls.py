"""Call-centre exports through the shipped template templates/calls.yaml (issue 19, item 5):
a Chinese call-detail export (one row per call), a Chinese agent report and an Avaya CMS agent
report (one row per agent), each built here and scored through `cslevel score`; the figures
expected are worked out in this file from the rows written and the template's numbers. A
metric a file lacks is refused with a hint that names the template field and the file that
drop it, in Chinese and English."""

from __future__ import annotations

import json
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import write_xlsx

from cslevel.read import read_kpi
from cslevel.records import Month
from cslevel.templates import load_scheme, shipped_templates_dir

TEMPLATE = yaml.safe_load((shipped_templates_dir() / "calls.yaml").read_text(encoding="utf-8"))
# the template's scored metrics: key -> (weight, target, lower is better)
SCORED = {m["key"]: (Decimal(str(m["weight"])), Decimal(str(m["target"])),
                     m["direction"] == "lower")
          for m in TEMPLATE["score"]["metrics"]}
CAP = Decimal("1.5")

DETAIL_HEADER = ["呼叫时间", "坐席工号", "坐席", "主叫号码", "接听时间", "挂机时间", "通话时长", "排队时长",
                 "满意度", "通话状态", "挂机方"]
# durations as the systems write them: 00:01:23 text, Excel time cells, plain seconds;
# 满意度 as words or 1–5; 通话状态 已接听 / 未接听 / 呼损
DETAIL = [
    [datetime(2026, 10, 1, 9, 0, 5), "0001", "王芳", "13800000001", "09:00:25", "09:01:48",
     "00:01:23", "00:00:20", "满意", "已接听", "客户"],
    ["2026-10-02 10:11:12", "0001", "王芳", "13800000002", "10:11:52", "10:13:52",
     time(0, 2, 0), 40, "非常满意", "已接听", "坐席"],
    [datetime(2026, 10, 3, 9, 30), "0001", "王芳", "13800000003", None, None,
     "00:00:00", "00:00:35", None, "未接听", None],
    [datetime(2026, 10, 8, 14, 2), "0001", "王芳", "13800000004", "14:02:15", "14:06:15",
     "00:04:00", time(0, 0, 15), 5, "已接听", "客户"],
    [datetime(2026, 10, 9, 16, 0), "0001", "王芳", "13800000005", "16:00:30", "16:03:00",
     150, "00:00:30", "不满意", "已接听", "客户"],
    [datetime(2026, 10, 3, 9, 0), "0002", "李娜", "13900000001", "09:00:10", "09:01:45",
     95, "0:00:10", 3, "已接听", "客户"],
    [datetime(2026, 10, 4, 11, 0), "0002", "李娜", "13900000002", "11:00:25", "11:03:25",
     "00:03:00", 25, "一般", "已接听", "坐席"],
    [datetime(2026, 10, 5, 15, 0), "0002", "李娜", "13900000003", "15:00:25", "15:02:25",
     "00:02:00", 25, "未评价", "已接听", "客户"],
    [datetime(2026, 10, 6, 15, 0), "0002", "李娜", "13900000004", None, None,
     None, "00:01:10", None, "呼损", None],
    [datetime(2026, 10, 7, 10, 0), "0002", "李娜", "13900000005", "10:00:05", "10:01:05",
     time(0, 1, 0), 5, 4, "已接听", "客户"],
    # a call abandoned in the queue: no agent, nobody's
    [datetime(2026, 10, 5, 15, 0), None, None, "13700000000", None, None,
     None, "00:01:00", None, "呼损", None],
]


def _seconds(cell: object) -> Decimal:
    """The durations as written above, worked out here on their own."""
    if isinstance(cell, time):
        return Decimal(cell.hour * 3600 + cell.minute * 60 + cell.second)
    if isinstance(cell, int):
        return Decimal(cell)
    h, m, s = (int(part) for part in str(cell).split(":"))
    return Decimal(h * 3600 + m * 60 + s)


def _detail_figures(agent: str) -> dict[str, Decimal]:
    rows = [dict(zip(DETAIL_HEADER, r)) for r in DETAIL if r[1] == agent]
    answered = [r for r in rows if r["通话状态"] == "已接听"]
    queue = [_seconds(r["排队时长"]) for r in rows]
    talk = [_seconds(r["通话时长"]) for r in rows if r["通话时长"] is not None]
    talk = [t for t in talk if t != 0]  # an unanswered call's 00:00:00
    rated = [r["满意度"] for r in rows if r["满意度"] not in (None, "未评价")]
    satisfied = [v for v in rated if v in ("满意", "非常满意") or (isinstance(v, int) and v >= 4)]
    hangups = [r["挂机方"] for r in rows if r["挂机方"] is not None]
    return {
        "answered_rate": Decimal(len(answered)) / len(rows),
        "response_time": sum(queue, Decimal(0)) / len(queue),
        "satisfaction": Decimal(len(satisfied)) / len(rated),
        "talk_time": sum(talk, Decimal(0)) / len(talk),
        "calls": Decimal(len(answered)),
        "agent_hangup": Decimal(hangups.count("坐席")) / len(hangups),
    }


def _score(figures: dict[str, Decimal], weights: dict[str, Decimal]) -> float:
    total = Decimal(0)
    for key, weight in weights.items():
        _w, target, lower = SCORED[key]
        achievement = target / figures[key] if lower else figures[key] / target
        total += weight * min(CAP, achievement)
    return float(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


DEFAULT_WEIGHTS = {k: w for k, (w, _t, _l) in SCORED.items() if w > 0}
# what the hint for an agent report says to do: satisfaction, queue time and answered rate
# dropped, their 70 points given to talk time and answered calls (35 each)
REPORT_WEIGHTS = {"talk_time": Decimal(50), "calls": Decimal(50)}


def _book(path: Path, title: list[list[Any]], header: list[str], rows: list[list[Any]],
          sheet: str) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for line in [*title, header, *rows]:
        ws.append(line)
    book.save(path)
    return path


def _agents(doc: dict[str, Any]) -> dict[str, tuple[str, float]]:
    return {a["agent_id"]: (a["name"], a["score"]) for m in doc["months"] for a in m["agents"]}


def _report_template(tmp_path: Path) -> Path:
    """The shipped template changed as the hint says, for reports without those metrics."""
    data = yaml.safe_load((shipped_templates_dir() / "calls.yaml").read_text(encoding="utf-8"))
    for metric in data["score"]["metrics"]:
        if metric["key"] in ("answered_rate", "response_time", "satisfaction"):
            metric["weight"] = 0
        elif metric["key"] in REPORT_WEIGHTS:
            metric["weight"] = int(REPORT_WEIGHTS[metric["key"]])
    data["scheme"] = "our-calls"
    path = tmp_path / "our-calls.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_chinese_call_detail_scored_per_agent(tmp_path: Path, cli_json) -> None:
    _book(tmp_path / "通话明细.xlsx", [], DETAIL_HEADER, DETAIL, "通话明细")
    doc = cli_json("score", "通话明细.xlsx", "--scheme", "calls", "--out", "out/")
    assert [m["month"] for m in doc["months"]] == ["2026-10"]  # from 呼叫时间
    assert _agents(doc) == {
        "0001": ("王芳", _score(_detail_figures("0001"), DEFAULT_WEIGHTS)),
        "0002": ("李娜", _score(_detail_figures("0002"), DEFAULT_WEIGHTS)),
    }
    # 0001: 4 of 5 answered; queue (20+40+35+15+30)/5 = 28 s; 3 of 4 rated satisfied (满意,
    # 非常满意, 5; not 不满意); talk (83+120+240+150)/4 = 148.25 s (the 00:00:00 left out)
    assert _detail_figures("0001") == {
        "answered_rate": Decimal("0.8"), "response_time": Decimal(28),
        "satisfaction": Decimal("0.75"), "talk_time": Decimal("148.25"), "calls": Decimal(4),
        "agent_hangup": Decimal("0.25")}
    errors = [p for p in doc["problems"] if p["severity"] == "error"]
    assert errors == []
    assert (tmp_path / "out" / "results-2026-10.xlsx").is_file()


def test_chinese_call_detail_figures_exact(tmp_path: Path) -> None:
    path = _book(tmp_path / "calls.xlsx", [], DETAIL_HEADER, DETAIL, "通话明细")
    scheme, _ = load_scheme("calls")
    rows, problems = read_kpi(path, scheme, None)
    assert [p for p in problems if p.severity == "error"] == []
    got = {r.agent_id: r.metrics for r in rows}
    assert got == {a: _detail_figures(a) for a in ("0001", "0002")}
    assert {r.month for r in rows} == {Month(2026, 10)}


REPORT_HEADER = ["坐席工号", "坐席", "呼入接听量", "平均通话时长", "平均事后处理时间", "置忙时长", "工作率"]
REPORT = [
    ["0001", "王芳", 640, "00:02:30", time(0, 0, 25), "01:10:00", "85.5%"],
    ["0002", "李娜", 512, 150, "0:00:40", 3000, 0.78],
    ["0003", "张伟", 700, time(0, 3, 20), 30, time(0, 50, 0), "90%"],
]


def _report_figures(row: list[Any]) -> dict[str, Decimal]:
    occupancy = row[6]
    return {
        "calls": Decimal(row[2]), "talk_time": _seconds(row[3]),
        "after_call": _seconds(row[4]), "busy_time": _seconds(row[5]),
        "occupancy": (Decimal(occupancy.rstrip("%")) / 100 if isinstance(occupancy, str)
                      else Decimal(str(occupancy))),
    }


def test_chinese_agent_report_scored_after_reweighting(tmp_path: Path, cli_json) -> None:
    path = _book(tmp_path / "坐席报表_2026-10.xlsx",
                 [["坐席工作量统计报表（2026-10-01 至 2026-10-31）"], []],
                 REPORT_HEADER, REPORT, "坐席报表")
    template = _report_template(tmp_path)
    doc = cli_json("score", path.name, "--scheme", template, "--dry-run")
    assert [m["month"] for m in doc["months"]] == ["2026-10"]
    assert _agents(doc) == {
        row[0]: (row[1], _score(_report_figures(row), REPORT_WEIGHTS)) for row in REPORT}
    # 0003: 180/200 × 50 + 700/600 × 50 = 45 + 58.33
    assert _agents(doc)["0003"] == ("张伟", 103.33)
    assert doc["problems"] == []
    scheme, _ = load_scheme(str(template))
    rows, _ = read_kpi(path, scheme, Month(2026, 10))
    assert {r.agent_id: r.metrics for r in rows} == {
        row[0]: _report_figures(row) for row in REPORT}


CMS_HEADER = ["Agent", "ACD CALLS", "AVG TALK TIME", "TOTAL AFTER CALL", "AVG ACW TIME"]
CMS = [
    ["Wang Fang", 640, "2:30", "5:20:00", 30],
    ["LiNa", 512, 150, 12000, "0:40"],
    ["Zhang Wei", 590, "0:03:05", time(4, 55, 0), time(0, 0, 30)],
]


def _cms_figures(row: list[Any]) -> dict[str, Decimal]:
    talk = row[2]
    if isinstance(talk, str) and talk.count(":") == 1:  # m:ss
        minutes, seconds = talk.split(":")
        talk = f"0:{minutes}:{seconds}"
    acw = row[4]
    if isinstance(acw, str):
        acw = f"0:{acw}"
    return {"calls": Decimal(row[1]), "talk_time": _seconds(talk),
            "after_call_total": _seconds(row[3]), "after_call": _seconds(acw)}


def test_avaya_cms_agent_report_scored_after_reweighting(tmp_path: Path, cli_json) -> None:
    path = _book(tmp_path / "cms_2026-10.xlsx",
                 [["Agent Group Summary"], ["Date: 10/01/26 - 10/31/26"], []],
                 CMS_HEADER, CMS, "Agent Report")
    template = _report_template(tmp_path)
    # the agent column holds names, not ids: the roster gives each name its 工号 (names never
    # become ids in the history)
    ids = {"Wang Fang": "1001", "LiNa": "1002", "Zhang Wei": "1003"}
    _book(tmp_path / "roster.xlsx", [], ["工号", "姓名", "入职日期"],
          [[i, n, "2024-01-02"] for n, i in ids.items()], "花名册")
    doc = cli_json("score", path.name, "--scheme", template, "--roster", "roster.xlsx",
                   "--dry-run")
    assert _agents(doc) == {
        ids[row[0]]: (row[0], _score(_cms_figures(row), REPORT_WEIGHTS)) for row in CMS}
    assert doc["problems"] == []
    scheme, _ = load_scheme(str(template))
    rows, _ = read_kpi(path, scheme, Month(2026, 10))
    assert {r.agent_id: r.metrics for r in rows} == {
        row[0].replace(" ", ""): _cms_figures(row) for row in CMS}


# --- the hint for a metric the file lacks, word for word -------------------------------------
HINTS = {
    "zh": (
        "绩效表中没有接起率、平均排队时长、满意率列，而评分需要这些列",
        ("找到的列：Agent、ACD CALLS、AVG TALK TIME、TOTAL AFTER CALL、AVG ACW TIME。请补上缺少的列，"
        "或按模板修改列名。如 cms_2026-10.xlsx 不考核接起率、平均排队时长、满意率：请在模板 calls.yaml 中把 "
        "score.metrics[0].weight（现为 15）、score.metrics[1].weight（现为 20）、"
        "score.metrics[2].weight（现为 35）改为 0，并把这 70 分加到其他指标的权重上，使权重之和仍为 100。")),
    "en": (
        "the KPI workbook has no column for 接起率, 平均排队时长, 满意率, which the score needs",
        ("Columns found: Agent, ACD CALLS, AVG TALK TIME, TOTAL AFTER CALL, AVG ACW TIME. Add "
        "the missing columns or rename them as the template says. To score cms_2026-10.xlsx "
        "without 接起率, 平均排队时长, 满意率, set score.metrics[0].weight (now 15), "
        "score.metrics[1].weight (now 20), score.metrics[2].weight (now 35) to 0 in the "
        "template calls.yaml and add those 70 points to the other metrics' weights, so that "
        "they still add up to 100.")),
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_agent_report_lacking_metrics_names_the_fields_to_drop(
        tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", language)
    _book(tmp_path / "cms_2026-10.xlsx", [["Agent Group Summary"]], CMS_HEADER, CMS, "Agent")
    code, out, err = cli("score", "cms_2026-10.xlsx", "--scheme", "calls")
    assert code == 1 and out == ""
    message, hint = HINTS[language]
    assert f"cms_2026-10.xlsx › Agent › row 2: {message} — {hint}" in err
    assert not (tmp_path / "history.db").exists()


RAW_HINTS = {
    "zh": (
        "原始记录中没有满意率列（满意度），而评分需要这一列",
        ("可用的列名：满意度、满意度评价、满意度评分、客户评价、评价结果、评价、评分、Satisfaction rating、"
        "Satisfaction Rating、Satisfaction。请添加该列，或把列名加入模板的 aggregate 部分。"
        "如 通话明细.xlsx 不考核满意率：请在模板 calls.yaml 中把 score.metrics[2].weight（现为 35）"
        "改为 0，并把这 35 分加到其他指标的权重上，使权重之和仍为 100。")),
    "en": (
        "the raw rows have no column for 满意率 (满意度), which the score needs",
        ("Accepted names: 满意度, 满意度评价, 满意度评分, 客户评价, 评价结果, 评价, 评分, "
        "Satisfaction rating, Satisfaction Rating, Satisfaction. Add the column, or add its "
        "name to the template's aggregate section. To score 通话明细.xlsx without 满意率, set "
        "score.metrics[2].weight (now 35) to 0 in the template calls.yaml and add those 35 "
        "points to the other metrics' weights, so that they still add up to 100.")),
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_call_detail_without_satisfaction_names_the_field_to_drop(
        tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    monkeypatch.setenv("CSLEVEL_LANG", language)
    gone = DETAIL_HEADER.index("满意度")
    _book(tmp_path / "通话明细.xlsx", [], DETAIL_HEADER[:gone] + DETAIL_HEADER[gone + 1:],
          [r[:gone] + r[gone + 1:] for r in DETAIL], "明细")
    code, out, err = cli("score", "通话明细.xlsx", "--scheme", "calls")
    assert code == 1 and out == ""
    message, hint = RAW_HINTS[language]
    assert f"通话明细.xlsx › 明细 › row 1: {message} — {hint}" in err


def test_hint_names_the_template_file_given(tmp_path: Path, cli) -> None:
    """A copied template is named by the path given to --scheme."""
    _book(tmp_path / "cms_2026-10.xlsx", [], CMS_HEADER, CMS, "Agent")
    (tmp_path / "mine").mkdir()
    copy = tmp_path / "mine" / "our-calls.yaml"
    copy.write_text((shipped_templates_dir() / "calls.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    code, _, err = cli("score", "cms_2026-10.xlsx", "--scheme", "mine/our-calls.yaml")
    assert code == 1
    assert "请在模板 mine/our-calls.yaml 中把 score.metrics[0].weight（现为 15）" in err


@pytest.mark.language("en")
def test_count_of_a_column_needs_its_values(tmp_path: Path, cli) -> None:
    data = yaml.safe_load((shipped_templates_dir() / "calls.yaml").read_text(encoding="utf-8"))
    calls = next(m for m in data["aggregate"]["metrics"] if m["key"] == "calls")
    del calls["values"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, _, err = cli("templates", "validate", path)
    assert code == 1
    index = data["aggregate"]["metrics"].index(calls)
    assert (f"aggregate.metrics[{index}]: Value error, calls: 'count' of a column needs "
            "values (e.g. [已接听])") in err


def test_a_reference_figure_missing_is_named_not_keyed(tmp_path: Path, cli) -> None:
    """Under star, a call log without 是否接通 warns of the reference figure by its name
    (aggregate's `name`: 接通率), never its key."""
    write_xlsx(tmp_path / "calls_2026-03.xlsx", [
        ["坐席", "日期", "应答时长", "是否解决", "满意度评分", "是否投诉"],
        ["甲", "2026-03-02", 12, "Y", 5, "N"], ["甲", "2026-03-03", 20, "N", 3, "N"]])
    code, out, err = cli("inspect", "calls_2026-03.xlsx", "--scheme", "star")
    assert code == 0, out + err  # (a warning: the figure is for reference only)
    assert "原始记录中没有接通率列（是否接通）" in out + err
    assert "answered_rate" not in out + err


DAILY_HEAD = ["日期", "工号", "姓名", "呼入接听量", "平均通话时长", "满意率", "接起率", "平均排队时长"]


@pytest.mark.parametrize(("language", "message", "hint"), [
    ("zh", ("这是日报：工号 1001 在 2026-03 有 3 行（每天一行），指标已按天算好；cslevel 需要每人一行"
           "的月度数据，或每通电话的原始记录"),
     "请从系统导出当月的月报（月度汇总：每人一行），或导出算出这些指标的通话记录，改用那个文件。"),
    ("en", ("this is a daily report: agent 1001 has 3 rows in 2026-03, one per day, with the "
           "figures already worked out; cslevel takes one row per agent for the month, or the "
           "raw log of every call"),
     ("Export the month's report from the system (月报 / 月度汇总: one row per agent), or the "
     "call records (通话记录) the figures are made from, and give that file instead.")),
])
def test_a_daily_agent_report_is_refused_for_what_it_is(tmp_path: Path, cli, language: str,
                                                         message: str, hint: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The month's figures per agent and day (a date, every metric column, several rows per
    agent in a month, none of a call log's columns): not a month's report, and a day's
    averages do not add up to the month's — refused saying so, nothing written."""
    monkeypatch.setenv("CSLEVEL_LANG", language)
    write_xlsx(tmp_path / "daily_2026-03.xlsx", [DAILY_HEAD, *[
        [f"2026-03-{d:02d}", a, n, 100 + d, 180, 0.9, 0.95, 20]
        for d in (1, 2, 3) for a, n in (("1001", "甲"), ("1002", "乙"))]])
    code, out, _err = cli("score", "daily_2026-03.xlsx", "--scheme", "calls", "--json")
    assert code == 1
    problem = json.loads(out)["problems"][0]
    assert (problem["message"], problem["hint"], problem["sheet"], problem["cell"]) == (
        message, hint, "Sheet1", "row 1")
    assert not (tmp_path / "history.db").exists()


def test_one_row_per_agent_and_month_is_not_taken_for_a_daily_report(tmp_path: Path,
                                                                     cli) -> None:
    """Months side by side (one row per agent each month, a date on the month's first day):
    not a daily report; read as the template's raw rows, as before."""
    write_xlsx(tmp_path / "months.xlsx", [DAILY_HEAD, *[
        [f"2026-{m:02d}-01", a, n, 100, 180, 0.9, 0.95, 20]
        for m in (1, 2) for a, n in (("1001", "甲"), ("1002", "乙"))]])
    code, out, _err = cli("score", "months.xlsx", "--scheme", "calls", "--json")
    assert code == 1
    messages = [p["message"] for p in json.loads(out)["problems"]]
    assert not any("日报" in m for m in messages)
    assert "原始记录中没有接起率列（通话状态），而评分需要这一列" in messages
