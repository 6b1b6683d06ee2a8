"""The short cuts taken for a month at scale give what the plain way gives: the stored
scores read without their metrics where the scheme's rule never reads them, a state found
by its position in an agent's months, each level's day pay worked out once per scheme, the
decisions rewritten only where they changed."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslevel import payroll
from cslevel.payroll import PayInputs, pay_line
from cslevel.pipeline.derive import state_at as _state_at
from cslevel.pipeline.derive import stored_scores
from cslevel.records import NO_METRICS, Agent, Decision, Month, MonthState, Score
from cslevel.rules import METRICS
from cslevel.store import open_history
from cslevel.templates import load_scheme


def test_rules_that_read_metrics_are_the_five_that_do() -> None:
    # (score_bands: the hard items' points a band's minimums need)
    assert METRICS == {"quarterly_standard", "rank_streak", "score_bands", "tenure_grade",
                       "tier_floors"}


def test_scores_without_metrics_for_a_rule_that_never_reads_them(tmp_path: Path) -> None:
    with open_history(str(tmp_path / "h.db")) as history:
        history.add_scores(Month(2026, 9), [
            Score("0001", Month(2026, 9), Decimal("103.50"), {"fcr": Decimal("0.91")}),
            Score("0002", Month(2026, 9), Decimal("88.00"))])
        star = load_scheme("star")[0]
        assert star.promotion.rule not in METRICS and star.pay.team_lead is None
        scores = stored_scores(history, star)
        assert scores["0001"][Month(2026, 9)].value == Decimal("103.50")
        assert scores["0001"][Month(2026, 9)].metrics is NO_METRICS
        assert dict(history.scores()["0001"][Month(2026, 9)].metrics) == {
            "fcr": Decimal("0.91")}
        tier = load_scheme("tier")[0]  # in the same command: read again, with them
        assert tier.promotion.rule in METRICS
        with_metrics = stored_scores(history, tier)
        assert dict(with_metrics["0001"][Month(2026, 9)].metrics) == {"fcr": Decimal("0.91")}
        assert with_metrics["0002"][Month(2026, 9)].metrics is NO_METRICS
        assert stored_scores(history, star) is with_metrics  # with metrics: good for both
        assert stored_scores(history, tier) is with_metrics


def _state(month: Month) -> MonthState:
    return MonthState("0001", month, "一星", None, False, 0, 0, False)


def test_a_state_is_found_by_its_month() -> None:
    months = [Month(2026, 1) + i for i in range(5)]
    states = [_state(m) for m in months]
    assert [_state_at(states, m) for m in months] == states
    assert _state_at(states, Month(2025, 12)) is None
    assert _state_at(states, Month(2026, 6)) is None
    assert _state_at([], Month(2026, 1)) is None
    gaps = [states[0], states[2], states[4]]  # not one per month: searched
    assert _state_at(gaps, Month(2026, 3)) is states[2]
    assert _state_at(gaps, Month(2026, 5)) is states[4]
    assert _state_at(gaps, Month(2026, 2)) is None


def test_day_pay_follows_the_schemes_own_pay_table() -> None:
    star = load_scheme("star")[0]
    agent = Agent("0001", "张三", "一组", hire_date=None)
    absent = {"absent_days": Decimal(1)}
    line = pay_line(PayInputs(agent, Month(2026, 10), star.levels[1].name, Month(2026, 9),
                              Decimal(100), absent), star)
    base = star.levels[1].pay["基本工资"]
    expected = payroll.money(base / Decimal("21.75"))
    assert line.components["考勤扣款"] == -expected
    # another pay table for the same levels (a copy of the scheme): its own day pay
    doubled = star.model_copy(update={"levels": [
        lv.model_copy(update={"pay": {k: v * 2 for k, v in lv.pay.items()}})
        for lv in star.levels]})
    line2 = pay_line(PayInputs(agent, Month(2026, 10), doubled.levels[1].name,
                               Month(2026, 9), Decimal(100), absent), doubled)
    assert line2.components["考勤扣款"] == -payroll.money(base * 2 / Decimal("21.75"))
    again = pay_line(PayInputs(agent, Month(2026, 10), star.levels[1].name, Month(2026, 9),
                               Decimal(100), absent), star)
    assert again == line


def _decision(agent: str, decided: Month, to_level: str) -> Decision:
    return Decision(agent, decided, decided + 1, "一星", to_level, "promote", "streak_up",
                    f"{agent} promoted", (decided - 2, decided - 1, decided))


def test_promote_touches_only_the_decisions_that_changed(tmp_path: Path, monkeypatch) -> None:
    from cslevel.store import history as history_module

    db = str(tmp_path / "h.db")
    a = _decision("0001", Month(2026, 3), "二星")
    b = _decision("0002", Month(2026, 3), "二星")
    c = _decision("0003", Month(2026, 4), "二星")
    monkeypatch.setattr(history_module, "now", lambda: "first")
    with open_history(db) as history:
        history.replace_decisions(Month(2026, 3), [a, b, c])  # c: after `through`
    monkeypatch.setattr(history_module, "now", lambda: "second")
    d = _decision("0004", Month(2026, 4), "二星")
    with open_history(db) as history:
        history.replace_decisions(Month(2026, 4), [a, c, d])  # b no longer found
        assert history.decisions() == [a, c, d]
        assert history.setting("promoted_through") == "2026-04"
    with closing(sqlite3.connect(db)) as con:
        rows = con.execute("SELECT id, agent_id, decided_month, trigger_months, recorded_at "
                           "FROM decisions ORDER BY id").fetchall()
    assert rows == [(1, "0001", "2026-03", '["2026-01", "2026-02", "2026-03"]', "first"),
                    (3, "0003", "2026-04", '["2026-02", "2026-03", "2026-04"]', "second"),
                    (4, "0004", "2026-04", '["2026-02", "2026-03", "2026-04"]', "second")]
    with open_history(db) as history:
        history.replace_decisions(Month(2026, 4), [])
        assert history.decisions() == []


def test_trigger_months_are_stored_as_json() -> None:
    from cslevel.store import _month_list

    for months in [(), (Month(2026, 1),), (Month(2025, 12), Month(2026, 1), Month(2026, 2))]:
        assert _month_list(months) == json.dumps([str(m) for m in months])


def test_a_month_only_compared_with_is_paid_the_same_without_its_notes() -> None:
    """The payroll's month before (for the comparison) is worked out without the notes:
    every amount as with them, for every kind of line."""
    from datetime import date

    for name in ("star", "weighted", "points", "tier", "grade"):
        scheme = load_scheme(name)[0]
        if scheme.pay.attendance_deduction is None and scheme.pay.performance is None:
            continue
        levels = [lv.name for lv in scheme.levels if lv.pay]
        agents = [Agent("0001", "张三", "一组", hire_date=date(2020, 3, 9)),
                  Agent("0002", "李四", "一组", hire_date=None),
                  Agent("0003", "王五", "二组", hire_date=date(2026, 10, 12)),  # joins
                  Agent("0004", "赵六", "二组", hire_date=date(2019, 1, 1),
                        leave_date=date(2026, 10, 20), supervisor_tier="A")]  # leaves
        scores = [None, Decimal(0), Decimal(35), Decimal("99.5"), Decimal(100),
                  Decimal(250)]
        attendance = [None, {}, {"absent_days": Decimal(2), "late_times": Decimal(3)},
                      {"sick_days": Decimal("0.5"), "personal_days": Decimal(30)}]
        compared = 0
        for agent in agents:
            for level in levels:
                for score in scores:
                    for att in attendance:
                        inputs = PayInputs(agent, Month(2026, 10), level, Month(2026, 9),
                                           score, att)
                        full, quick = pay_line(inputs, scheme), pay_line(inputs, scheme,
                                                                         explain=False)
                        assert quick.note == ""
                        assert (quick.components, quick.total, quick.level) == (
                            full.components, full.total, full.level)
                        compared += 1
        assert compared == len(agents) * len(levels) * len(scores) * len(attendance)


def test_the_payroll_reads_scores_back_to_the_latest_scored_month(tmp_path: Path, cli,
                                                                  cli_json) -> None:
    """Months without scores before the pay month, on a history with checkpoints: the month
    before the pay month is paid to the agents of the latest scored month."""
    from cs_helpers import kpi

    rows = [[f"{i:04d}", f"坐席{i}", "一组", 100] for i in range(1, 4)]
    db = tmp_path / "h.db"

    def score(month: str) -> None:
        code, _out, err = cli("score", kpi(tmp_path / f"kpi_{month}.xlsx", rows), "--scheme",
                              "star", "--db", db)
        assert code == 0, err

    for month in ("2026-01", "2026-02", "2026-03"):
        score(month)
    code, _out, err = cli("promote", "--db", db)  # checkpoints at the close of February
    assert code == 0, err
    score("2026-06")  # April and May: no scores
    with open_history(str(db), write=False) as history:
        assert history.checkpoints()[0] == Month(2026, 2)
    doc = cli_json("payroll", "diff", "--month", "2026-06", "--db", db)
    # paid in May too (the agents of March, the latest scored month before June), the same
    # amounts: nobody's first pay
    assert (doc["compared"], doc["changes"], doc["unchanged"]) == (True, [], 3)
    assert doc["total_before"] == doc["total"] == "13650.00"  # 3 × 一星 (3000 + 1000 + 550)


def _star_with_posts(tmp_path: Path) -> Path:
    """The star template with a second post whose weights are written differently (20.0
    for 20): the explanation shows a weight as written, so each post keeps its own parts."""
    from cslevel.templates import shipped_templates_dir

    text = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
    posts = ("  by_role:\n    - roles: [组长]\n      weights: {response_time: 20.0, "
             "resolution_rate: 30, satisfaction: 35.00, complaint_rate: 15}\n")
    text = text.replace("  metrics:\n", posts + "  metrics:\n", 1)
    path = tmp_path / "star_posts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_scoring_a_workbook_at_once_is_scoring_each_row(tmp_path: Path, data) -> None:
    """`score_rows` works out each post's weights and each value's part once per workbook;
    every score, its digits and its explanation are what `score_row` gives row by row,
    with values that are equal as numbers but written differently (0.9 and 0.90), zeros,
    values past the cap and ready scores mixed in."""
    from cslevel.records import AgentRow, Source
    from cslevel.score import explanation_texts, score_row, score_rows

    scheme = load_scheme(str(_star_with_posts(tmp_path)))[0]
    value = st.sampled_from(["0", "0.0", "0.9", "0.90", "0.900", "1", "1.00", "13.7",
                             "13.70", "45", "0.0013", "0.004", "0.95", "2.5", "150"]).map(Decimal)
    keys = [m.key for m in scheme.score.metrics]
    rows = [AgentRow(f"{i:04d}", Month(2026, 9), Source("kpi.xlsx", "S", i + 2),
                     role=data.draw(st.sampled_from(["", "组长", "客服"])),
                     ready_score=data.draw(st.none() | st.sampled_from(
                         [Decimal("101.5"), Decimal("99.995")])),
                     metrics={k: data.draw(value) for k in keys})
            for i in range(data.draw(st.integers(1, 25)))]
    texts = explanation_texts(scheme)
    expected = [score_row(row, scheme, texts=texts) for row in rows]
    got, problems = score_rows(rows, scheme)
    assert problems == []
    assert [(str(s.value), s.explanation, s.metrics, s) for s in got] == [
        (str(s.value), s.explanation, s.metrics, s) for s in expected]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.decimals(allow_nan=True) | st.integers()
                       | st.text(max_size=5), max_size=6))
def test_figures_are_stored_as_the_json_encoder_writes_them(figures) -> None:
    from cslevel.store.codec import figures_json

    assert figures_json(figures) == json.dumps({k: str(v) for k, v in figures.items()})
