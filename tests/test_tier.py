"""The tier scheme (段位): several metrics at once, each with a floor, so gaming one metric
earns nothing; 3 months in a row above the next tier's bar move one tier up."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from conftest import write_xlsx
from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme

TIER, _ = load_scheme("tier")
JAN = Month(2026, 1)
GOLD = {"aht": 290, "csat": "0.91", "fcr": "0.76", "kb": 2, "coaching": 0, "projects": 0}


def _run(months: list[dict[str, object] | None], start: str = "白银"):
    agent = Agent("1", start_level=start, first_month=JAN)
    scores = {JAN + i: Score("1", JAN + i, Decimal(100),
                             {k: Decimal(str(v)) for k, v in m.items()})
              for i, m in enumerate(months) if m is not None}
    return replay(agent, scores, TIER, JAN + (len(months) - 1))


def test_three_months_above_the_gold_bar_move_silver_up() -> None:
    states, next_level = _run([GOLD, GOLD, GOLD])
    assert next_level == "黄金"
    assert states[2].decision is not None and states[2].decision.rule == "tier_up"


def test_gaming_one_metric_earns_nothing() -> None:
    gamed = dict(GOLD, csat="0.99", fcr="0.70")  # a perfect CSAT cannot make up for the FCR
    states, next_level = _run([gamed, gamed, gamed])
    assert next_level == "白银"
    assert states[0].note == "未达黄金：一次解决率 0.7 < 0.75"


def test_at_the_floor_counts_and_a_gap_breaks_the_count() -> None:
    edge = dict(GOLD, aht=300, csat="0.90", fcr="0.75")  # exactly on every bar
    assert _run([edge, edge, edge])[1] == "黄金"
    assert _run([edge, edge, None, edge, edge])[1] == "白银"


def test_three_months_under_the_silver_bar_move_down() -> None:
    weak = dict(GOLD, aht=400)
    states, next_level = _run([weak, weak, weak])
    assert next_level == "青铜"
    assert states[0].note.startswith("未达白银：平均处理时长 400 > 360")


def test_tier_scheme_through_the_cli(tmp_path: Path, cli_json) -> None:
    header = ["工号", "当前段位", "平均处理时长", "客户满意度", "一次解决率", "知识库贡献", "带教人数",
              "数据项目"]
    for month in (1, 2, 3):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [
            header, ["0001", "白银", 290, "91%", "76%", 2, 0, 0],
            ["0002", "白银", 200, "99%", "70%", 9, 3, 2]])
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "tier", "--out", "out/")
    levels = {lv["agent_id"]: lv["level"] for lv in cli_json("promote")["levels"]}
    assert levels == {"0001": "黄金", "0002": "白银"}
