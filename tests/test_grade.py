"""The grade scheme (G1–G6): tenure is a gate (6 / 18 / 36 months in post), performance
places the agent within the band."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_xlsx

from cslevel.records import Agent, Month, Score
from cslevel.rules import replay
from cslevel.templates import load_scheme

GRADE, _ = load_scheme("grade")


def _levels(hired: date, start: Month, scores: list[float], level: str | None = None):
    agent = Agent("1", hire_date=hired, start_level=level, first_month=start)
    by_month = {start + i: Score("1", start + i, Decimal(str(v))) for i, v in enumerate(scores)}
    states, next_level = replay(agent, by_month, GRADE, start + (len(scores) - 1))
    return [s.level for s in states] + [next_level]


def test_new_hire_is_in_trial_for_six_months_then_g1_or_g2() -> None:
    path = _levels(date(2026, 1, 15), Month(2026, 1), [90] * 8)
    # 01–06 trial (见习); 6 months in post from 07: G1 (the trial scores do not count),
    # then the 3-month average of 07.. decides: 90 ≥ 85 -> G2 from 08
    assert path == ["见习"] * 6 + ["G1", "G2", "G2"]


@pytest.mark.parametrize(("tenure_months", "average", "grade"), [
    (17, 90, "G2"), (18, 90, "G4"), (18, 84.99, "G3"), (18, 85, "G4"),
    (35, 99, "G4"), (36, 80, "G5"), (36, 85, "G6"),
])
def test_tenure_gates_and_the_upper_grade(tenure_months: int, average: float,
                                          grade: str) -> None:
    review = Month(2026, 6)
    hired = (review + 1) + (-tenure_months)  # full months in post when the next month starts
    path = _levels(date(hired.year, hired.month, 1), review + (-2), [average] * 3, "G2")
    assert path[-1] == grade


def test_grade_scheme_through_the_cli(tmp_path: Path, cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "入职日期", "当前级别"],
                                          ["0001", "2024-12-01", "G2"],
                                          ["0002", "2023-01-01", "中级二档"]])
    for month in ("04", "05", "06"):
        write_xlsx(tmp_path / f"kpi_2026-{month}.xlsx",
                   [["工号", "绩效分值"], ["0001", 88], ["0002", 70]])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "grade",
             "--out", "out/")
    promoted = cli_json("promote")
    # 0001: 19 months in post by July and an average of 88 -> G4; 0002: 42 months, 70 -> G5
    assert {lv["agent_id"]: lv["level"] for lv in promoted["levels"]} == {
        "0001": "G4", "0002": "G5"}


@pytest.mark.parametrize(("hired", "grade"), [
    ("2026-01-01", "C"), ("2025-12-01", "B"), ("2023-07-01", "B"), ("2023-06-01", "A")])
def test_cba_variant_by_tenure_alone(tmp_path: Path, cli_json, hired: str, grade: str) -> None:
    """Months in post when June starts: 2026-01 -> 5, 2025-12 -> 6, 2023-07 -> 35, 2023-06 -> 36.
    The shipped C/B/A template moves only at its yearly review; without it (the three yearly
    fields taken out) the gates move agents by tenure alone."""
    shipped = (Path(__file__).parents[1] / "templates" / "grade_cba.yaml").read_text("utf-8")
    kept = [line for line in shipped.splitlines() if not line.startswith("  yearly_")]
    assert len(kept) == len(shipped.splitlines()) - 3
    (tmp_path / "cba_monthly.yaml").write_text("\n".join(kept), "utf-8")
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "入职日期"], ["0001", hired]])
    write_xlsx(tmp_path / "kpi_2026-05.xlsx", [["工号", "绩效分值"], ["0001", 60]])
    cli_json("score", "kpi_2026-05.xlsx", "--roster", "roster.xlsx", "--scheme",
             "cba_monthly.yaml")
    assert cli_json("promote")["levels"] == [{"agent_id": "0001", "level": grade,
                                              "month": "2026-06"}]


def test_probation_exam_failed_keeps_the_trial_and_is_flagged(tmp_path: Path,
                                                               cli_json) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "入职日期"], ["0001", "2026-01-05"],
                                          ["0002", "2026-01-05"]])
    exam = {1: (["0001", 90, 82, 90, 45, 80], ["0002", 90, 79.99, 90, 45, 90])}  # theory < 80
    header = ["工号", "绩效分值", "理论考试", "实操考试", "打字速度", "产品知识考核"]
    for month in range(1, 9):
        rows = list(exam.get(month, (["0001", 90], ["0002", 90])))
        if month == 7:  # 0002 passes a second exam
            rows[1] = ["0002", 90, 85, 85, 40, 80]
        write_xlsx(tmp_path / f"kpi_2026-{month:02d}.xlsx",
                   [header] + [r + [None] * (6 - len(r)) for r in rows])
    cli_json("score", "kpi_2026-*.xlsx", "--roster", "roster.xlsx", "--scheme", "grade",
             "--out", "out/")
    first = cli_json("history", "0002")["months"]
    assert first[0]["flags"] == ["probation_exam_failed"]
    # still in trial after its 6 months; the exam passed in 07 places it from 08 (07: 90)
    assert [m["level"] for m in first] == ["见习"] * 7 + ["G2"]
    # 0001 passed in 01: 转正 (paid as G1) from 02, G1 at the 6-month gate (07)
    assert [m["level"] for m in cli_json("history", "0001")["months"]] == (
        ["见习"] + ["转正"] * 5 + ["G1", "G2"])
