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


def test_worst_of_the_same_level_flagged_once_a_year_on_the_years_data(
        tmp_path: Path, cli_json) -> None:
    def at(score: float) -> list[float]:
        return [score, *LEVEL_TWO[1:]]

    plan = {
        "0001": [at(82)] * 12, "0002": [at(80)] * 12,
        "0003": [at(78)] * 3 + [at(90)] * 9,       # lowest of the 二级 in Q1 only: year 87
        "0004": [at(95)] * 12,                      # the only 一级: nobody to compare with
        "0005": [WEAK] * 12, "0006": [[40, 0, 0, 0, 0, 0, 0, 0]] * 12,  # 三级: not graded
    }
    _year(tmp_path, plan, {"0001": "二级", "0002": "二级", "0003": "二级", "0004": "一级"})
    cli_json("score", "kpi_2026-*.xlsx", "--scheme", "assistant", "--out", "out/")
    for as_of in ("2026-03", "2026-06", "2026-09"):  # judged at the year's last quarter only
        flags = cli_json("promote", "--as-of", as_of)["flags"]
        assert [f for f in flags if f["flag"] == "demotion_review"] == []
    december = {(f["agent_id"], f["flag"])
                for f in cli_json("promote", "--as-of", "2026-12")["flags"]}
    # 0002 the worst of the three 二级 on the year (82, 80, 87); 0004, the only 一级, by its
    # standard: its year has no A-case follow-ups or reports
    assert {a for a, flag in december if flag == "demotion_review"} == {"0002", "0004"}
    month = cli_json("history", "0002")["months"][11]
    assert "demotion_review" in month["flags"]
    assert "全年平均 80 为同级（二级助理，3人）最低，提请降级审议" in month["reason"]
    assert "全年平均" not in cli_json("history", "0004")["months"][11]["reason"]
    assert ("全年数据（4个季度，各项按季度平均）已不符合一级助理标准：A类案件跟进数 15 < 40、"
            "A类案例报告采纳数 0 < 10，提请降级审议") in cli_json(
        "history", "0004")["months"][11]["reason"]


def test_worst_of_level_not_flagged_when_all_equal() -> None:
    from decimal import Decimal

    from cslevel.records import Agent, Month, Score
    from cslevel.rules import replay_agents
    from cslevel.templates import load_scheme

    scheme, _ = load_scheme("assistant")  # (quarter by quarter: one quarter is enough here)
    scheme = scheme.model_copy(update={"promotion": scheme.promotion.model_copy(
        update={"year_review": "quarters"})})
    jan = Month(2026, 1)
    agents = {a: Agent(a, start_level="二级助理", first_month=jan) for a in ("1", "2")}
    scores = {a: {jan + i: Score(a, jan + i, Decimal(80), {}) for i in range(3)} for a in agents}
    derived, _kept = replay_agents(agents, scores, scheme, jan + 2)
    assert all("demotion_review" not in states[2].flags for _, states, _ in derived.values())
    scores["2"][jan + 2] = Score("2", jan + 2, Decimal("79.97"), {})
    derived, _kept = replay_agents(agents, scores, scheme, jan + 2)
    assert "demotion_review" in derived["2"][1][2].flags
    assert "demotion_review" not in derived["1"][1][2].flags


# --- the yearly judgements (year_review: year): once a year, on the year's data ---------------
def _one_year(monthly: list[list[float]], level: str = "一级助理", start: int = 2026,
              years: int = 1):
    from decimal import Decimal

    from cslevel.records import Agent, Month, Score
    from cslevel.rules import replay
    from cslevel.templates import load_scheme

    scheme, _ = load_scheme("assistant")
    keys = ["appearance", "work", "follow_a", "follow_b", "reports_a", "reports_b",
            "best_member"]
    jan = Month(start, 1)
    scores = {jan + i: Score("1", jan + i, Decimal(str(row[0])),
                             {k: Decimal(str(v)) for k, v in zip(keys, row[1:])})
              for i, row in enumerate(monthly)}
    states, _ = replay(Agent("1", start_level=level, first_month=jan), scores, scheme,
                       jan + (12 * years - 1))
    return states


def _with(figures: list[float], **changes: float) -> list[float]:
    at = {"score": 0, "appearance": 1, "follow_a": 3}
    row = list(figures)
    for key, value in changes.items():
        row[at[key]] = value
    return row


YEAR_NOTE = ("the year's data (4 quarters, sums per quarter) no longer meet the 一级助理 "
             "standard: {short}: demotion review")


@pytest.mark.language("en")
@pytest.mark.parametrize(("monthly", "short"), [
    ([LEVEL_ONE] * 12, None),
    ([_with(LEVEL_ONE, score=85)] * 12, None),                         # 85 inclusive
    ([_with(LEVEL_ONE, score=85)] * 11 + [_with(LEVEL_ONE, score=84.88)],
     "average 84.99 < 85"),
    # met in Q1 only (84 in Q2–Q4), but the year's average is 86.75: no review
    ([_with(LEVEL_ONE, score=95)] * 3 + [_with(LEVEL_ONE, score=84)] * 9, None),
    # appearance deductions: 79 in the year = 19.75 a quarter < 20; 80 = 20 a quarter
    ([_with(LEVEL_ONE, appearance=7)] * 11 + [_with(LEVEL_ONE, appearance=2)], None),
    ([_with(LEVEL_ONE, appearance=7)] * 11 + [_with(LEVEL_ONE, appearance=3)],
     "仪表扣分 20 ≥ 20"),
    # A-case follow-ups: 160 in the year = 40 a quarter; 159 = 39.75
    ([_with(LEVEL_ONE, follow_a=14)] * 4 + [_with(LEVEL_ONE, follow_a=13)] * 8, None),
    ([_with(LEVEL_ONE, follow_a=14)] * 3 + [_with(LEVEL_ONE, follow_a=13)] * 9,
     "A类案件跟进数 39.75 < 40"),
])
def test_standard_no_longer_met_on_the_years_data(monthly: list[list[float]],
                                                  short: str | None) -> None:
    states = _one_year(monthly)
    reviewed = [s.month.month for s in states if "demotion_review" in s.flags]
    assert reviewed == ([] if short is None else [12])
    if short is not None:
        assert YEAR_NOTE.format(short=short) in states[11].note.split("; ")


@pytest.mark.language("en")
def test_the_yearly_judgement_reads_only_that_years_data() -> None:
    weak = _with(LEVEL_ONE, score=70)
    states = _one_year([weak] * 12 + [LEVEL_ONE] * 12, start=2025, years=2)
    assert [(s.month.year, s.month.month) for s in states
            if "demotion_review" in s.flags] == [(2025, 12)]
    assert YEAR_NOTE.format(short="average 70 < 85") in states[11].note.split("; ")


def test_the_quarters_way_is_kept_for_a_template_that_asks_for_it() -> None:
    """year_review: quarters (the former reading): the standard met in only one quarter of
    the year is a review even though the year's average meets it."""
    from decimal import Decimal

    from cslevel.records import Agent, Month, Score
    from cslevel.rules import replay
    from cslevel.templates import load_scheme

    scheme, _ = load_scheme("assistant")
    scheme = scheme.model_copy(update={"promotion": scheme.promotion.model_copy(
        update={"year_review": "quarters"})})
    keys = ["appearance", "work", "follow_a", "follow_b", "reports_a", "reports_b"]
    jan = Month(2026, 1)
    scores = {jan + i: Score("1", jan + i, Decimal(95 if i < 3 else 84),
                             {k: Decimal(v) for k, v in zip(keys, LEVEL_ONE[1:])})
              for i in range(12)}
    states, _ = replay(Agent("1", start_level="一级助理", first_month=jan), scores, scheme,
                       jan + 11)
    assert [s.month.month for s in states if "demotion_review" in s.flags] == [12]


def test_the_team_average_leaves_the_lead_out() -> None:
    from decimal import Decimal

    from cslevel.records import Agent, Month, Score
    from cslevel.rules import with_team_ranks

    mar = Month(2026, 3)
    agents = {"1": Agent("1", team="一组", team_lead=True), "2": Agent("2", team="一组"),
              "3": Agent("3", team="一组"), "4": Agent("4", team="二组", team_lead=True)}
    values = {"1": 100, "2": 80, "3": 80, "4": 90}
    scores = {a: {mar: Score(a, mar, Decimal(v))} for a, v in values.items()}
    with_lead = with_team_ranks(scores, agents, [3, 6, 9, 12], 1)
    without = with_team_ranks(scores, agents, [3, 6, 9, 12], 1, leads_out=True)
    assert with_lead["1"][mar].team_average.quantize(Decimal("0.01")) == Decimal("86.67")
    assert without["1"][mar].team_average == Decimal(80)
    assert without["4"][mar].team_average is None  # a lead alone: no team to average
    assert [without[a][mar].team_rank for a in "123"] == [1, 2, 2]  # the places are as before


@pytest.mark.language("en")
def test_lead_pay_and_removal_by_the_team_without_the_lead(tmp_path: Path, cli_json) -> None:
    header = ["工号", "组别", "当前级别", "领班", "绩效得分", "流程改进建议数"]
    rows = {  # with the lead / without
        "0001": ["一组", "二级", "是", 100, 1],   # (100+80+80)/3 = 86.67 → 300 / 80 → 200
        "0002": ["一组", "三级", "否", 80, 0],
        "0003": ["一组", "三级", "否", 80, 0],
        "0004": ["二组", "二级", "是", 100, 1],   # (100+74+76)/3 = 83.33 → 200 / 75 → 100
        "0005": ["二组", "三级", "否", 74, 0],
        "0006": ["二组", "三级", "否", 76, 0],
        "0007": ["三组", "二级", "是", 100, 1],   # (100+70+72)/3 = 80.67 → 200 / 71 → none
        "0008": ["三组", "三级", "否", 70, 0],
        "0009": ["三组", "三级", "否", 72, 0],
    }
    for month in range(1, 10):
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx", [header] + [
            [a, *r] for a, r in rows.items()])
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "组别", "当前级别", "领班"]] + [
        [a, *r[:3]] for a, r in rows.items()])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "assistant",
             "--out", "out/")
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.csv")
    lines = {r["agent_id"]: r for r in doc["rows"] if r["agent_id"] in ("0001", "0004", "0007")}
    assert {a: r["components"]["管理津贴"] for a, r in lines.items()} == {
        "0001": "200.00", "0004": "100.00", "0007": "0.00"}
    flags = {as_of: {(f["agent_id"], f["flag"]) for f in cli_json(
        "promote", "--as-of", as_of)["flags"] if f["flag"] == "lead_removal"}
        for as_of in ("2026-06", "2026-09")}
    assert flags == {"2026-06": set(), "2026-09": {("0007", "lead_removal")}}
    reason = cli_json("history", "0007")["months"][8]["reason"]
    assert "the team's average below 75 3 quarters in a row: unqualified" in reason


def test_the_example_shows_the_lead_and_the_yearly_reviews(tmp_path: Path, cli_json) -> None:
    """examples/assistant (examples/schemes.py): 0111 leads 二组; its management pay goes by
    the team's Q4 average without it (79.23 → 100.00; with it 81.13 → 200.00), and the
    demotion reviews come only at the close of 2026-12."""
    folder = Path(__file__).resolve().parent.parent / "examples" / "assistant"
    doc = cli_json("score", str(folder / "kpi_2026-*.xlsx"), "--roster", folder / "roster.xlsx",
                   "--scheme", "assistant", "--out", f"{tmp_path / 'out'}/")
    reviews = sorted((m["month"], a["agent_id"]) for m in doc["months"] for a in m["agents"]
                     if "demotion_review" in a["flags"])
    assert reviews == [("2026-12", "0111"), ("2026-12", "0112")]
    pay = cli_json("payroll", "export", "--out", tmp_path / "payroll.csv")
    lead, = [r for r in pay["rows"] if r["agent_id"] == "0111"]
    assert lead["components"]["管理津贴"] == "100.00"
    assert lead["note"] == "团队2026-10–2026-12平均 79.23，管理津贴 100.00"
