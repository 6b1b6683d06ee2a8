"""The assistant scheme (客服助理, quarterly): standards granted after 2 quarters in a row or
5 in all; elimination, exemption and demotion-review flags for a person to decide."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_xlsx

HEADER = ["工号", "组别", "当前级别", "绩效得分", "仪表扣分", "日常工作及案件处理扣分",
          "A类案件跟进数", "B类案件跟进数", "A类案例报告采纳数", "B类案例报告采纳数", "最佳队员"]
LEVEL_TWO = [80, 2, 2, 5, 14, 0, 4, 0]      # avg 80, deductions 6+6, B 42, B reports 12
LEVEL_ONE = [90, 2, 2, 14, 14, 4, 4, 0]     # also A 42 and A reports 12
WEAK = [60, 5, 5, 0, 0, 0, 0, 0]


def _year(tmp_path: Path, plan: dict[str, list[list[float]]], levels: dict[str, str]) -> None:
    """plan: agent -> one row of figures per month (12 months)."""
    for index in range(12):
        rows: list[list[object]] = [HEADER]
        for agent, months in plan.items():
            rows.append([agent, "一组", levels.get(agent, "三级"), *months[index]])
        write_xlsx(tmp_path / f"kpi_2026-{index + 1:02d}.xlsx", rows)


def _levels_by_quarter(cli_json, agent: str) -> list[str]:
    months = cli_json("history", agent)["months"]
    return [months[i]["level"] for i in (0, 3, 6, 9)] + [cli_json("history", agent)["next_level"]]


def test_standards_granted_after_two_quarters_in_a_row(tmp_path: Path, cli_json) -> None:
    plan = {
        "0001": [LEVEL_TWO] * 6 + [WEAK] * 6,       # 二级 from 07
        "0002": [LEVEL_ONE] * 6 + [LEVEL_ONE] * 6,  # 一级 from 07
        "0003": [LEVEL_TWO] * 3 + [WEAK] * 3 + [LEVEL_TWO] * 3 + [WEAK] * 3,  # never in a row
        "0004": [WEAK] * 12, "0005": [WEAK] * 12,
    }
    _year(tmp_path, plan, {})
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "assistant", "--out", "out/")
    cli_json("promote")
    assert _levels_by_quarter(cli_json, "0001") == ["三级助理", "三级助理", "二级助理", "二级助理",
                                                   "二级助理"]
    assert _levels_by_quarter(cli_json, "0002") == ["三级助理", "三级助理", "一级助理", "一级助理",
                                                   "一级助理"]
    assert _levels_by_quarter(cli_json, "0003")[-1] == "三级助理"
    # 0001 met its 二级 standard in Q2 only after the move: a demotion review in December
    december = cli_json("history", "0001")["months"][11]
    assert "demotion_review" in december["flags"]


def test_elimination_and_exemption_flags(tmp_path: Path, cli_json) -> None:
    heavy = [70, 10, 10, 0, 0, 0, 0, 0]           # 60 deductions a quarter (> 40)
    best = LEVEL_TWO[:-1] + [1]
    plan = {
        "0001": [heavy] * 12,                       # quarterly deductions over 40
        "0002": [best] * 12,                        # best member every quarter, 二级
        "0003": [[95, 0, 0, 0, 0, 0, 0, 0]] * 12,
        "0004": [[96, 0, 0, 0, 0, 0, 0, 0]] * 12,
        "0005": [[50, 0, 0, 0, 0, 0, 0, 0]] * 12,   # bottom 3 of 5 every quarter, 三级
    }
    _year(tmp_path, plan, {"0002": "二级"})
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "assistant", "--out", "out/")
    flags = {}
    for as_of in ("2026-03", "2026-06", "2026-09", "2026-12"):
        for flag in cli_json("promote", "--as-of", as_of)["flags"]:
            flags.setdefault(flag["agent_id"], []).append((as_of, flag["flag"]))
    assert flags["0001"] == [(m, "elimination") for m in ("2026-03", "2026-06", "2026-09",
                                                           "2026-12")]
    assert ("2026-09", "exemption") in flags["0002"]
    assert ("2026-09", "elimination") in flags["0005"]  # third quarter at the bottom
    reason = cli_json("history", "0001")["months"][2]["reason"]
    assert "季度扣分 60 > 40" in reason


def _quarter(figures: list[float]):
    """One agent (三级, team of one) through two quarters with the same monthly figures."""
    from decimal import Decimal

    from cslevel.records import Agent, Month, Score
    from cslevel.rules import replay
    from cslevel.templates import load_scheme

    scheme, _ = load_scheme("assistant")
    keys = ["appearance", "work", "follow_a", "follow_b", "reports_a", "reports_b",
            "best_member"]
    jan = Month(2026, 1)
    scores = {jan + i: Score("1", jan + i, Decimal(str(figures[0])),
                             {k: Decimal(str(v)) for k, v in zip(keys, figures[1:])})
              for i in range(6)}
    return replay(Agent("1", start_level="三级助理", first_month=jan), scores, scheme, jan + 5)


@pytest.mark.parametrize(("average", "level"), [
    (85, "一级助理"), (84.99, "二级助理"), (75, "二级助理"), (74.99, "三级助理")])
def test_standard_boundaries_inclusive(average: float, level: str) -> None:
    _, next_level = _quarter([average, *LEVEL_ONE[1:]])
    assert next_level == level


@pytest.mark.parametrize(("appearance", "level"), [(6, "一级助理"), (7, "三级助理")])
def test_deductions_must_stay_under_20(appearance: int, level: str) -> None:
    # 3 months × 6 = 18 < 20 meets the standard; 3 × 7 = 21 does not
    _, next_level = _quarter([90, appearance, *LEVEL_ONE[2:]])
    assert next_level == level


def test_worst_of_the_same_level_flagged_for_demotion_review(tmp_path: Path, cli_json) -> None:
    def at(score: float) -> list[float]:
        return [score, *LEVEL_TWO[1:]]

    plan = {
        "0001": [at(82)] * 12, "0002": [at(80)] * 12,
        "0003": [at(78)] * 3 + [at(90)] * 9,       # lowest of the 二级 in Q1 only
        "0004": [at(95)] * 12,                      # the only 一级: nobody to compare with
        "0005": [WEAK] * 12, "0006": [[40, 0, 0, 0, 0, 0, 0, 0]] * 12,  # 三级: not graded
    }
    _year(tmp_path, plan, {"0001": "二级", "0002": "二级", "0003": "二级", "0004": "一级"})
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "assistant", "--out", "out/")
    march = {(f["agent_id"], f["flag"]) for f in cli_json("promote", "--as-of", "2026-03")["flags"]}
    assert ("0003", "demotion_review") in march
    assert not {a for a, flag in march if flag == "demotion_review"} - {"0003"}
    june = {(f["agent_id"], f["flag"]) for f in cli_json("promote", "--as-of", "2026-06")["flags"]}
    assert ("0002", "demotion_review") in june  # 0003 now scores 90: 0002 is the lowest
    assert ("0003", "demotion_review") not in june
    month = cli_json("history", "0003")["months"][2]
    assert "demotion_review" in month["flags"]
    assert "季度平均 78 为同级（二级助理，3人）最低，提请降级审议" in month["reason"]


def test_worst_of_level_not_flagged_when_all_equal() -> None:
    from decimal import Decimal

    from cslevel.records import Agent, Month, Score
    from cslevel.rules import replay_agents
    from cslevel.templates import load_scheme

    scheme, _ = load_scheme("assistant")
    jan = Month(2026, 1)
    agents = {a: Agent(a, start_level="二级助理", first_month=jan) for a in ("1", "2")}
    scores = {a: {jan + i: Score(a, jan + i, Decimal(80), {}) for i in range(3)} for a in agents}
    derived, _kept = replay_agents(agents, scores, scheme, jan + 2)
    assert all("demotion_review" not in states[2].flags for _, states, _ in derived.values())
    scores["2"][jan + 2] = Score("2", jan + 2, Decimal("79.97"), {})
    derived, _kept = replay_agents(agents, scores, scheme, jan + 2)
    assert "demotion_review" in derived["2"][1][2].flags
    assert "demotion_review" not in derived["1"][1][2].flags
