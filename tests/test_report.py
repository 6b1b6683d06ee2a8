"""`cslevel report`: the manager's report, checked against the history's own answers.

The history: ten agents in four teams, six months of the star template (up: ≥ 110 three
months running; down: < 110 three months running; one step, in force from the 4th month).
Every figure the report gives is checked against another path: the counts and pay by level
against `cslevel payroll export` of each month, the moves against the rules worked by hand
below, the quartiles against `statistics.quantiles(method="inclusive")` (Excel's
QUARTILE.INC), the calibration flags against the rule written in the report.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cs_helpers import kpi

MONTHS = [f"2026-{m:02d}" for m in range(1, 7)]
# id: (name, team, level held before 2026-01, scores 2026-01 … 2026-06)
AGENTS: dict[str, tuple[str, str, str, list[int]]] = {
    "0001": ("甲一", "甲组", "二星", [112] * 6),  # ≥ 110 × 3: 三星 from 04
    "0002": ("甲二", "甲组", "二星", [100] * 6),  # < 110 × 3: 一星 from 04
    "0003": ("甲三", "甲组", "三星", [115, 100] * 3),  # no streak
    "0004": ("乙一", "乙组", "三星", [108] * 6),  # 二星 from 04
    "0005": ("乙二", "乙组", "二星", [111] * 6),  # 三星 from 04
    "0006": ("乙三", "乙组", "一星", [95] * 6),  # already at the floor: no move
    "0007": ("丙一", "丙组", "五星", [112] * 6),  # at the top: no move above it
    "0008": ("丙二", "丙组", "五星", [113] * 6),
    "0009": ("丁一", "丁组", "一星", [60] * 6),  # far below every other team
    "0010": ("丁二", "丁组", "一星", [62] * 6),
}
HEADER = ["工号", "姓名", "组别", "当前级别", "绩效分值"]


def build_history(folder: Path, cli) -> None:
    files = []
    for index, month in enumerate(MONTHS):
        rows = [[a, name, team, level, score[index]]
                for a, (name, team, level, score) in AGENTS.items()]
        files.append(str(kpi(folder / f"kpi_{month}.xlsx", rows, header=HEADER,
                             text_columns=(0, 1, 2, 3))))
    code, out, err = cli("score", *files, "--scheme", "star", "--out", "results/", "--json")
    assert code == 0, out + err
    code, out, err = cli("promote", "--json")
    assert code == 0, out + err


def report_json(cli, *args: str) -> dict[str, Any]:
    code, out, err = cli("report", *args, "--json")
    assert code == 0, out + err
    return json.loads(out)  # type: ignore[no-any-return]


def payroll_lines(cli, month: str) -> list[dict[str, Any]]:
    code, out, err = cli("payroll", "export", "--month", month, "--out",
                         f"payroll-{month}.xlsx", "--json")
    assert code == 0, out + err
    return json.loads(out)["rows"]  # type: ignore[no-any-return]


@pytest.fixture
def history(tmp_path: Path, cli):
    build_history(tmp_path, cli)
    return tmp_path


def test_levels_and_pay_are_the_payrolls(history: Path, cli) -> None:
    doc = check_against_the_payrolls(cli)
    # the moves worked by hand: 0001 and 0005 up, 0002 and 0004 down, from 2026-04
    assert doc["months"][0]["levels"] == {"一星": 3, "二星": 3, "三星": 2, "五星": 2}
    assert doc["months"][3]["levels"] == {"一星": 4, "二星": 1, "三星": 3, "五星": 2}


def test_on_both_backends(tmp_path: Path, cli, db_url: str,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The same report from a SQLite file and from PostgreSQL (CI runs both)."""
    monkeypatch.setenv("CSLEVEL_DB", db_url)
    build_history(tmp_path, cli)
    doc = check_against_the_payrolls(cli)
    assert [(m["promotions"], m["demotions"]) for m in doc["months"]] == [(0, 0)] * 3 + [
        (2, 2)] + [(0, 0)] * 2


def check_against_the_payrolls(cli) -> dict[str, Any]:
    """The report's counts and pay by level, month by month, are those of
    `cslevel payroll export --month M`; returns the report's JSON."""
    doc = report_json(cli, "--out", "report.html")
    assert (doc["from"], doc["to"], doc["team"]) == ("2026-01", "2026-06", None)
    assert doc["levels"] == ["一星", "二星", "三星", "五星"]  # nobody at 四星 or in trial
    assert doc["top_levels"] == ["五星"]
    assert [m["month"] for m in doc["months"]] == MONTHS
    for entry in doc["months"]:
        lines = payroll_lines(cli, entry["month"])
        counts = Counter(line["level"] for line in lines)
        pay: dict[str, Decimal] = defaultdict(Decimal)
        for line in lines:
            pay[line["level"]] += Decimal(line["total"])
        assert entry["headcount"] == len(lines) == 10
        assert entry["levels"] == {lv: counts.get(lv, 0) for lv in doc["levels"]}
        assert {lv: Decimal(v) for lv, v in entry["pay"].items()} == {
            lv: pay.get(lv, Decimal("0.00")) for lv in doc["levels"]}
        assert Decimal(entry["pay_total"]) == sum(pay.values())
    return doc


def test_moves_rates_and_movers(history: Path, cli) -> None:
    doc = report_json(cli, "--out", "report.html")
    moves = [(m["month"], m["promotions"], m["demotions"], m["promotion_rate"],
              m["demotion_rate"]) for m in doc["months"]]
    assert moves == [(m, 0, 0, "0.0000", "0.0000") for m in MONTHS[:3]] + [
        ("2026-04", 2, 2, "0.2000", "0.2000"),
        ("2026-05", 0, 0, "0.0000", "0.0000"), ("2026-06", 0, 0, "0.0000", "0.0000")]
    assert doc["movers"] == [
        {"agent_id": "0001", "name": "甲一", "team": "甲组", "promotions": 1, "demotions": 0,
         "from": "二星", "to": "三星"},
        {"agent_id": "0005", "name": "乙二", "team": "乙组", "promotions": 1, "demotions": 0,
         "from": "二星", "to": "三星"},
        {"agent_id": "0002", "name": "甲二", "team": "甲组", "promotions": 0, "demotions": 1,
         "from": "二星", "to": "一星"},
        {"agent_id": "0004", "name": "乙一", "team": "乙组", "promotions": 0, "demotions": 1,
         "from": "三星", "to": "二星"},
    ]


def _quartiles(values: list[int]) -> tuple[Decimal, Decimal, Decimal]:
    q1, median, q3 = statistics.quantiles([Decimal(v) for v in values], n=4,
                                          method="inclusive")
    return q1, median, q3


def test_calibration_quartiles_and_flags(history: Path, cli) -> None:
    doc = report_json(cli, "--out", "report.html")
    calibration = doc["calibration"]
    everyone = [s for _n, _t, _l, scores in AGENTS.values() for s in scores]
    q1, median, q3 = _quartiles(everyone)
    centre = calibration["centre"]
    assert (Decimal(centre["q1"]), Decimal(centre["median"]), Decimal(centre["q3"])) == (
        q1, median, q3)
    assert (centre["min"], centre["max"], centre["scores"], centre["agents"]) == (
        "60.00", "115.00", 60, 10)
    by_team: dict[str, list[int]] = defaultdict(list)
    for _name, team, _level, scores in AGENTS.values():
        by_team[team] += scores
    medians = {team: _quartiles(v)[1] for team, v in by_team.items()}
    limit = Decimal("1.5") * (q3 - q1)
    teams = {t["team"]: t for t in calibration["teams"]}
    assert list(teams) == sorted(by_team)
    for team, values in by_team.items():
        got = teams[team]
        assert (Decimal(got["q1"]), Decimal(got["median"]), Decimal(got["q3"])) == \
            _quartiles(values)
        others = statistics.median([m for t, m in medians.items() if t != team])
        assert got["far"] is (abs(medians[team] - others) > limit), team
    # 丁组 (60, 62) lies far below the others; 丙组 has every agent at 五星 in 2026-06
    assert [(t, v["far"], v["all_top"]) for t, v in teams.items()] == [
        ("丁组", True, False), ("丙组", False, True), ("乙组", False, False),
        ("甲组", False, False)]
    assert (teams["丙组"]["at_top"], teams["丙组"]["paid"]) == (2, 2)
    assert calibration["rule"] == (
        "标记规则：某班组的分数中位数与其他各班组中位数的中位数相差超过全中心四分位距"
        "（Q3 − Q1）的 1.5 倍，或该班组在 2026-06 工资表上的所有人都处于最高级（五星），即被标记。")


def test_one_team_and_a_span(history: Path, cli) -> None:
    doc = report_json(cli, "--team", "甲组", "--from", "2026-03", "--to", "2026-05",
                      "--out", "jia.html")
    assert [m["month"] for m in doc["months"]] == ["2026-03", "2026-04", "2026-05"]
    assert [m["headcount"] for m in doc["months"]] == [3, 3, 3]
    assert doc["months"][1]["levels"] == {"一星": 1, "二星": 0, "三星": 2}
    assert [(m["promotions"], m["demotions"]) for m in doc["months"]] == [(0, 0), (1, 1),
                                                                          (0, 0)]
    assert [m["agent_id"] for m in doc["movers"]] == ["0001", "0002"]
    teams = doc["calibration"]["teams"]
    assert [t["team"] for t in teams] == ["甲组"]
    assert teams[0]["scores"] == 9  # three agents, three months
    lines = [ln for ln in payroll_lines(cli, "2026-04") if ln["team"] == "甲组"]
    assert Decimal(doc["months"][1]["pay_total"]) == sum(Decimal(ln["total"]) for ln in lines)


def test_console_summary_names_the_file_and_the_flagged_teams(history: Path, cli) -> None:
    code, out, err = cli("report", "--out", "report.html")
    assert code == 0, out + err
    assert out.splitlines()[:4] == [
        "报告 2026-01 至 2026-06（全中心）：report.html",
        "需要校准的班组（2）：",
        "  丁组: 中位数远离其他班组",
        "  丙组: 全员最高级",
    ]
    assert (history / "report.html").is_file()


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--from", "2025-12"], 1,
     "--from 2025-12 不在已评分的月份内（2026-01 至 2026-06） — 请给出 2026-01 至 2026-06 之间的月份。"),
    (["--to", "2026-07"], 1,
     "--to 2026-07 不在已评分的月份内（2026-01 至 2026-06） — 请给出 2026-01 至 2026-06 之间的月份。"),
    (["--from", "2026-05", "--to", "2026-02"], 1,
     "--from 2026-05 晚于 --to 2026-02 — 请用 --from 给出较早的月份。"),
    (["--team", "戊组"], 1, "历史记录中没有班组 '戊组' — 历史记录中的班组：丁组, 丙组, 乙组, 甲组"),
    (["--out", "report.pdf"], 2,
     "无法把报告写成 .pdf — 请用 --out report.html 或 --out report.xlsx。"),
])
def test_refusals_write_nothing(history: Path, cli, args: list[str], code: int,
                                message: str) -> None:
    before = {p.name for p in history.iterdir()}
    got, out, err = cli("report", *args, "--json")
    assert got == code, out + err
    doc = json.loads(out)
    assert doc["ok"] is False
    assert [p["text"] for p in doc["problems"]] == [message]
    assert {p.name for p in history.iterdir()} == before


def test_without_a_history(tmp_path: Path, cli) -> None:
    code, out, _err = cli("report", "--json")
    assert code == 1
    expected = (f"{tmp_path / 'history.db'} 处没有历史数据库 — 请先运行 `cslevel score`，"
                "或用 --db / CSLEVEL_DB 指向该数据库。")
    assert [p["text"] for p in json.loads(out)["problems"]] == [expected]
    assert not (tmp_path / "report.html").exists()


def test_html_is_self_contained(history: Path, cli) -> None:
    report_json(cli, "--out", "report.html")
    text = (history / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    for fetch in ("http://", "https://", "src=", "<script", "<link", "@import", "url("):
        assert fetch not in text, fetch
    assert text.count('class="chart"') == 4 + 4  # levels, moves, pay, calibration; 4 teams
    assert '<html lang="zh-CN">' in text


@pytest.mark.language("en")
def test_html_in_english(history: Path, cli) -> None:
    report_json(cli, "--out", "report.html")
    text = (history / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in text
    assert "<h2>Pay cost by level</h2>" in text
    assert "A team is flagged when its median score lies more than 1.5 ×" in text


# --- the workbook --------------------------------------------------------------------------
def _rows(sheet: Any) -> list[list[Any]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_workbook_tables_and_charts(history: Path, cli) -> None:
    doc = report_json(cli, "--out", "report.xlsx")
    book = openpyxl.load_workbook(history / "report.xlsx")
    assert book.sheetnames == ["说明", "级别分布", "各班组级别", "晋升与降级", "各级别人力成本",
                               "变动最多的员工", "校准"]
    levels = doc["levels"]
    n = len(MONTHS)

    # the tables are each month's payroll (cslevel payroll export), by level
    expected_counts, expected_pay = [], []
    for month in MONTHS:
        lines = payroll_lines(cli, month)
        counts = Counter(line["level"] for line in lines)
        pay: dict[str, Decimal] = defaultdict(Decimal)
        for line in lines:
            pay[line["level"]] += Decimal(line["total"])
        expected_counts.append([month, *[counts.get(lv, 0) for lv in levels], len(lines)])
        expected_pay.append([month, *[float(pay.get(lv, 0)) for lv in levels],
                             float(sum(pay.values()))])
    rows = _rows(book["级别分布"])
    assert rows[0] == ["月份", *levels, "合计"]
    assert rows[1:n + 1] == expected_counts
    assert _rows(book["各级别人力成本"])[1:n + 1] == expected_pay
    assert book["各级别人力成本"]["B2"].number_format == "#,##0.00"
    rows = _rows(book["晋升与降级"])
    assert rows[0] == ["月份", "计薪人数", "晋升", "降级", "晋升率", "降级率"]
    assert rows[4] == ["2026-04", 10, 2, 2, 0.2, 0.2]
    rows = _rows(book["校准"])
    assert rows[0][:6] == ["组别", "人数", "分数个数", "最低", "下四分位 Q1", "中位数"]
    assert [r[0] for r in rows[1:6]] == ["全中心", "丁组", "丙组", "乙组", "甲组"]
    assert rows[2][10] == "中位数远离其他班组" and rows[3][10] == "全员最高级"
    team_rows = _rows(book["各班组级别"])
    assert len(team_rows) == 1 + n * 4
    assert team_rows[1] == ["2026-01", "丁组", 2, 0, 0, 0, 2]

    def refs(sheet: str) -> list[tuple[str, str, str]]:
        charts = book[sheet]._charts
        assert len(charts) == 1, sheet
        return [(s.tx.strRef.f, s.cat.strRef.f if s.cat.strRef else s.cat.numRef.f,
                 s.val.numRef.f) for s in charts[0].series]

    last = n + 1
    columns = "BCDEFG"
    assert refs("级别分布") == [
        (f"级别分布!${c}$1", f"级别分布!$A$2:$A${last}", f"级别分布!${c}$2:${c}${last}")
        for c in columns[:len(levels)]]
    assert refs("各级别人力成本") == [
        (f"各级别人力成本!${c}$1", f"各级别人力成本!$A$2:$A${last}",
         f"各级别人力成本!${c}$2:${c}${last}") for c in columns[:len(levels)]]
    assert refs("晋升与降级") == [
        (f"晋升与降级!${c}$1", f"晋升与降级!$A$2:$A${last}", f"晋升与降级!${c}$2:${c}${last}")
        for c in "EF"]
    assert refs("校准") == [
        (f"校准!${c}$1", "校准!$A$2:$A$6", f"校准!${c}$2:${c}$6") for c in "EFG"]
    assert book["级别分布"]._charts[0].grouping == "stacked"


def test_team_names_stay_text_in_the_workbook(tmp_path: Path, cli) -> None:
    """A team named like a formula is written as text, never as a formula."""
    rows = [["0001", "甲一", "=1+1", "二星", 112], ["0002", "甲二", "@SUM(A1)", "一星", 100]]
    files = [str(kpi(tmp_path / f"kpi_{m}.xlsx", rows, header=HEADER,
                     text_columns=(0, 1, 2, 3))) for m in MONTHS[:2]]
    code, out, err = cli("score", *files, "--scheme", "star", "--out", "results/")
    assert code == 0, out + err
    code, out, err = cli("report", "--out", "r.xlsx")
    assert code == 0, out + err
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    cells = [c for row in book["各班组级别"].iter_rows() for c in row if c.column == 2][1:]
    assert {(c.value, c.data_type) for c in cells} == {("=1+1", "s"), ("@SUM(A1)", "s")}


def test_team_names_stay_text_in_the_page(tmp_path: Path, cli) -> None:
    """A team or a name holding markup is shown as text, never as markup."""
    rows = [["0001", "<b>甲</b>", "<script>alert(1)</script>", "二星", 112],
            ["0002", "乙&丙", "\"一组\" onload=x", "一星", 100]]
    files = [str(kpi(tmp_path / f"kpi_{m}.xlsx", rows, header=HEADER,
                     text_columns=(0, 1, 2, 3))) for m in MONTHS[:4]]
    code, out, err = cli("score", *files, "--scheme", "star", "--out", "results/")
    assert code == 0, out + err
    code, out, err = cli("report", "--out", "r.html")
    assert code == 0, out + err
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in text and "<b>" not in text and '" onload' not in text
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in text
    assert "<td>&quot;一组&quot; onload=x</td>" in text


def test_same_history_same_bytes(history: Path, cli) -> None:
    """The report holds no clock: made twice, both files are the same, byte for byte."""
    for run in range(2):
        for suffix in ("html", "xlsx"):
            code, out, err = cli("report", "--out", f"r{run}.{suffix}")
            assert code == 0, out + err
    for suffix in ("html", "xlsx"):
        assert (history / f"r0.{suffix}").read_bytes() == (history / f"r1.{suffix}").read_bytes()


def _square_and_pid(n: int) -> tuple[int, int]:
    import os

    return n * n, os.getpid()


@pytest.mark.parametrize("workers", ["1", "0"])
def test_shared_map_gives_what_the_run_would(monkeypatch: pytest.MonkeyPatch,
                                             workers: str) -> None:
    """The months shared with a forked worker come back in order, the same as computed in
    the run; with CSLEVEL_WORKERS=0 the run computes them all."""
    import os

    from cslevel.parallel import shared_map

    monkeypatch.setenv("CSLEVEL_WORKERS", workers)
    got = shared_map(_square_and_pid, list(range(7)))
    assert [value for value, _pid in got] == [n * n for n in range(7)]
    pids = {pid for _value, pid in got}
    # the run takes the last item and every other one before it
    assert {n for n, (_v, pid) in enumerate(got) if pid == os.getpid()} == (
        {0, 2, 4, 6} if workers == "1" else set(range(7)))
    assert len(pids) == (2 if workers == "1" else 1)
