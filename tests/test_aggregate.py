"""Raw rows -> monthly figures (issue 3, item 4): one row per call, several rows per agent;
the template's aggregate section makes each month's metrics; the month comes from the date
column and a file spanning several months yields one set of scores per month."""

from __future__ import annotations

from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from cslevel.read import read_kpi
from cslevel.records import Month
from cslevel.templates import load_scheme, shipped_templates_dir

HEADER = ["坐席", "通话日期", "应答时长", "是否解决", "满意度评分", "是否投诉", "通话时长"]
CALLS = [
    # agent, day, answer time, resolved, rating, complaint, talk time
    ["张三", date(2026, 9, 30), "0:00:20", "是", 5, "否", time(0, 3, 0)],
    ["张三", date(2026, 10, 1), "0:00:20", "是", 5, "否", time(0, 2, 0)],
    ["张三", "2026/10/2", 40, "否", None, "否", "1分30秒"],
    ["张三", "2026年10月3日", "30", "是", 4, "否", 60],
    ["李四", date(2026, 10, 1), "1分", "否", 2, "是", "0:05:00"],
    ["李四", date(2026, 10, 9), 20, "是", 3, "否", "0:01:00"],
    [None, date(2026, 10, 9), 0, None, None, None, None],  # an abandoned call: nobody's
]


def _calls(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "通话明细"
    ws.append(HEADER)
    for row in CALLS:
        ws.append(row)
    book.save(path)
    return path


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_call_log_scored_per_month_from_the_date_column(tmp_path: Path, cli_json) -> None:
    _calls(tmp_path / "calls.xlsx")
    doc = cli_json("score", "calls.xlsx", "--scheme", "star", "--out", "out/")
    assert [m["month"] for m in doc["months"]] == ["2026-09", "2026-10"]
    scores = {(m["month"], a["agent_id"]): a["score"] for m in doc["months"]
              for a in m["agents"]}
    # 张三 10月: answer mean (20+40+30)/3 = 30 s -> 30/30 = 1; resolved 2/3 -> (2/3)/.9;
    # satisfied (rating ≥ 4) 2 of 2 rated -> 1/.85; complaints 0 -> capped 1.5
    z = (20 * Decimal(1) + 30 * (Decimal(2) / 3) / Decimal("0.9") + 35 / Decimal("0.85")
         + 15 * Decimal("1.5"))
    # 李四 10月: answer mean (60+20)/2 = 40 s -> 30/40; resolved 1/2; satisfied 0 of 2;
    # complaints 1/2 -> .01/.5
    li = (20 * Decimal(30) / 40 + 30 * Decimal("0.5") / Decimal("0.9") + 0
          + 15 * Decimal("0.01") / Decimal("0.5"))
    # 张三 9月: one call, 20 s -> capped 1.5; resolved 1 -> 1/.9; satisfied 1 -> 1/.85
    z9 = (20 * Decimal("1.5") + 30 / Decimal("0.9") + 35 / Decimal("0.85") + 15 * Decimal("1.5"))
    assert scores == {("2026-10", "张三"): float(_q(z)), ("2026-10", "李四"): float(_q(li)),
                      ("2026-09", "张三"): float(_q(z9))}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "results-2026-09.xlsx", "results-2026-10.xlsx"]


@pytest.mark.language("en")
def test_month_option_keeps_that_month_only(tmp_path: Path, cli_json) -> None:
    _calls(tmp_path / "calls.xlsx")
    doc = cli_json("score", "calls.xlsx", "--scheme", "star", "--month", "2026-10", "--dry-run")
    assert [m["month"] for m in doc["months"]] == ["2026-10"]
    assert "rows of other months left out because --month 2026-10 was given: 2026-09" in [
        p["message"] for p in doc["problems"]]


def test_mean_sum_count_share_and_durations(tmp_path: Path) -> None:
    data = yaml.safe_load((shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8"))
    data["aggregate"]["metrics"] += [
        {"key": "talk_total", "how": "sum", "unit": "seconds", "column": ["通话时长"]},
        {"key": "talk_mean", "how": "mean", "unit": "seconds", "column": ["通话时长"]},
        {"key": "rating_mean", "how": "mean", "column": ["满意度评分"]},
    ]
    template = tmp_path / "calls.yaml"
    template.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    scheme, _ = load_scheme(str(template))
    rows, problems = read_kpi(_calls(tmp_path / "calls.xlsx"), scheme, None)
    assert [e for e in problems if e.severity == "error"] == []
    got = {(r.agent_id, r.month): r.metrics for r in rows}
    assert got[("张三", Month(2026, 10))] == {
        "response_time": Decimal(30), "resolution_rate": Decimal(2) / 3,
        "satisfaction": Decimal(1), "complaint_rate": Decimal(0),
        "calls": Decimal(3), "talk_total": Decimal(120 + 90 + 60),
        "talk_mean": Decimal(90), "rating_mean": Decimal("4.5")}
    assert got[("李四", Month(2026, 10))]["talk_total"] == Decimal(360)
    assert got[("李四", Month(2026, 10))]["response_time"] == Decimal(40)
    assert got[("张三", Month(2026, 9))]["calls"] == Decimal(1)
    assert len(got) == 3  # the abandoned call without an agent is nobody's


@pytest.mark.language("en")
def test_bad_date_in_a_call_row_is_named(tmp_path: Path, cli) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.append(["张三", "2026-10-01", 20, "是", 5, "否", 60])
    ws.append(["张三", "2026-02-30", 20, "是", 5, "否", 60])
    book.save(tmp_path / "calls.xlsx")
    code, _, err = cli("score", "calls.xlsx", "--scheme", "star")
    assert code == 1
    assert "calls.xlsx › Sheet › B3: date: '2026-02-30' is not a real date" in err
