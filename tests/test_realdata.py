"""The real public workbooks in ../shared/realdata/ (see its README): read into per-agent
monthly figures that match an independent computation here, and explained by
`cslevel inspect` without a traceback. Skipped cleanly where that folder is absent."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import REALDATA
from cslevel.read import read_attendance, read_kpi
from cslevel.records import Month
from cslevel.templates import load_scheme, shipped_templates_dir

# (and in English: the tests check the wording of the readers' messages)
pytestmark = [pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent"),
              pytest.mark.language("en")]

PWC = REALDATA / "pwc-call-centre" / "01 Call-Center-Dataset.xlsx"
PORTFOLIO = REALDATA / "excel-portfolio-call-centre-2023" / "Call Center Data.xlsx"
BANK = REALDATA / "anonymous-bank-1999-feb" / "data_anonymous_bank_february.txt"
ATT_MARCH = REALDATA / "cn-attendance-2017" / "考勤表_2017年3月_pseudonymised.xlsx"
ATT_MAY = REALDATA / "cn-attendance-2017" / "2017年5月_pseudonymised.xlsx"


@pytest.fixture(scope="module")
def call_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The star template plus a mean satisfaction rating among the raw-row figures."""
    data = yaml.safe_load((shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8"))
    data["aggregate"]["metrics"].append(
        {"key": "satisfaction_mean", "how": "mean",
         "column": ["Satisfaction rating", "Satisfaction Rating"]})
    path = tmp_path_factory.mktemp("tpl") / "calls.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def call_scheme(call_template: Path):
    return load_scheme(str(call_template))[0]


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / Decimal(len(values))


def _share(values: list[str], yes: str = "Y") -> Decimal:
    return Decimal(sum(1 for v in values if v == yes)) / Decimal(len(values))


def _by_agent_month(rows) -> dict[tuple[str, str], dict[str, Decimal]]:
    return {(r.agent_id, str(r.month)): r.metrics for r in rows}


def test_pwc_call_log_into_monthly_figures(call_scheme, call_template: Path) -> None:
    sheet = openpyxl.load_workbook(PWC, read_only=True).active
    groups: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    for _, agent, day, _, _, answered, resolved, speed, _, rating in rows:
        key = (agent, str(day)[:7])
        g = groups[key]
        g["calls"].append(1)
        g["answered"].append(answered)
        g["resolved"].append(resolved)
        if speed is not None:
            g["speed"].append(Decimal(str(speed)))
        if rating is not None:
            g["rating"].append(Decimal(str(rating)))
    expected = {
        key: {"answered_rate": _share(g["answered"]), "resolution_rate": _share(g["resolved"]),
              "response_time": _mean(g["speed"]), "satisfaction_mean": _mean(g["rating"]),
              "satisfaction": Decimal(sum(1 for r in g["rating"] if r >= 4)) / len(g["rating"]),
              "calls": Decimal(len(g["calls"]))}
        for key, g in groups.items()
    }
    got, problems = read_kpi(PWC, call_scheme, None)
    assert len(rows) == 5000 and len(expected) == 24  # 8 agents × 2021-01..03
    assert _by_agent_month(got) == expected
    assert {str(r.month) for r in got} == {"2021-01", "2021-02", "2021-03"}
    # the file has no complaint column, which the star score needs: named, not guessed
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == ["01 Call-Center-Dataset.xlsx › Sheet1 › row 1: the raw rows have no "
                      "column for 投诉率 (是否投诉), which the score needs — Accepted names: "
                      "是否投诉, 投诉, Complaint. Add the column, or add its name to the "
                      "template's aggregate section. To score 01 Call-Center-Dataset.xlsx "
                      "without 投诉率, set score.metrics[3].weight (now 15) to 0 in the template "
                      f"{call_template} and add those 15 points to the other metrics' weights, so "
                      "that they still add up to 100."]


def test_pwc_figures_match_pandas(call_scheme) -> None:
    """The same monthly figures, computed by pandas from the same file."""
    import pandas as pd

    frame = pd.read_excel(PWC, engine="openpyxl", dtype={"Agent": str, "Date": str})
    frame["month"] = frame["Date"].str[:7]
    grouped = frame.groupby(["Agent", "month"])
    expected = pd.DataFrame({
        "answered_rate": grouped["Answered (Y/N)"].apply(lambda s: (s == "Y").mean()),
        "resolution_rate": grouped["Resolved"].apply(lambda s: (s == "Y").mean()),
        "response_time": grouped["Speed of answer in seconds"].mean(),
        "satisfaction_mean": grouped["Satisfaction rating"].mean(),
        "calls": grouped.size(),
    })
    got, _ = read_kpi(PWC, call_scheme, None)
    assert len(got) == len(expected) == 24
    for row in got:
        want = expected.loc[(row.agent_id, str(row.month))]
        for key in ("answered_rate", "resolution_rate", "response_time", "satisfaction_mean",
                    "calls"):
            assert float(row.metrics[key]) == pytest.approx(float(want[key]), abs=1e-9), key


def test_portfolio_2023_with_title_rows_and_side_table(call_scheme) -> None:
    sheet = openpyxl.load_workbook(PORTFOLIO, read_only=True, data_only=True)["Data"]
    ratings: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for row in sheet.iter_rows(min_row=4, min_col=2, max_col=12, values_only=True):
        if row[0] is None:
            continue
        rep, day, rating = row[3], row[4], row[6]
        assert isinstance(day, datetime)
        ratings[(rep, f"{day.year:04d}-{day.month:02d}")].append(Decimal(str(rating)))
    got, problems = read_kpi(PORTFOLIO, call_scheme, None)
    figures = _by_agent_month(got)
    assert len(figures) == 60  # 5 representatives × 12 months
    assert {k: v["satisfaction_mean"] for k, v in figures.items()} == {
        k: _mean(v) for k, v in ratings.items()}
    assert {k: v["calls"] for k, v in figures.items()} == {
        k: Decimal(len(v)) for k, v in ratings.items()}
    warnings = [p.message for p in problems if p.severity == "warning"]
    assert "read the table in columns B–L only (other tables on the sheet ignored)" in warnings
    assert "used sheet 'Data' (of 3 sheets: Data, Pivot Table, DashBoard)" in warnings


def test_bank_tsv_with_yymmdd_dates_and_a_pseudo_agent(call_scheme) -> None:
    with BANK.open(encoding="ascii", newline="") as fh:
        raw = list(csv.DictReader(fh, delimiter="\t"))
    calls: dict[str, int] = defaultdict(int)
    for row in raw:
        if row["server"] != "NO_SERVER":
            calls[row["server"]] += 1
    got, problems = read_kpi(BANK, call_scheme, None)
    assert {r.agent_id: r.metrics["calls"] for r in got} == {
        a: Decimal(n) for a, n in calls.items()}
    assert {r.month for r in got} == {Month(1999, 2)}
    assert len(calls) == 24
    skipped = sum(1 for row in raw if row["server"] == "NO_SERVER")
    assert f"{skipped} rows of pseudo-agents left out (NO_SERVER, 无坐席, 系统)" in [
        p.message for p in problems]


# --- the same files through the shipped call-centre template (issue 19, item 5) -------------
CALLS = yaml.safe_load((shipped_templates_dir() / "calls.yaml").read_text(encoding="utf-8"))


def _calls_score(figures: dict[str, Decimal], weights: dict[str, Decimal]) -> float:
    """Σ weight × achievement (capped at 150 %) with the template's targets, half-up."""
    total = Decimal(0)
    for metric in CALLS["score"]["metrics"]:
        weight = weights.get(metric["key"], Decimal(0))
        if not weight:
            continue
        target, actual = Decimal(str(metric["target"])), figures[metric["key"]]
        ratio = target / actual if metric["direction"] == "lower" else actual / target
        total += weight * min(Decimal("1.5"), ratio)
    return float(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_pwc_scored_with_the_calls_template(cli_json) -> None:
    """The PwC log has every column the calls template scores: answered (Y/N), speed of
    answer, talk time as Excel time cells (blank when unanswered) and a 1–5 rating."""
    sheet = openpyxl.load_workbook(PWC, read_only=True).active
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in sheet.iter_rows(min_row=2, values_only=True):
        groups[(str(row[2])[:7], row[1])].append(row)
    weights = {m["key"]: Decimal(str(m["weight"])) for m in CALLS["score"]["metrics"]}
    expected = {}
    for key, rows in groups.items():
        answered = [r for r in rows if r[5] == "Y"]
        speed = [Decimal(str(r[7])) for r in rows if r[7] is not None]
        talk = [Decimal(t.hour * 3600 + t.minute * 60 + t.second) for t in (r[8] for r in rows)
                if t is not None and (t.hour, t.minute, t.second) != (0, 0, 0)]
        rated = [r[9] for r in rows if r[9] is not None]
        expected[key] = _calls_score({
            "answered_rate": Decimal(len(answered)) / len(rows),
            "response_time": _mean(speed),
            "satisfaction": Decimal(sum(1 for v in rated if v >= 4)) / len(rated),
            "talk_time": _mean(talk), "calls": Decimal(len(answered))}, weights)
    doc = cli_json("score", PWC, "--scheme", "calls", "--dry-run")
    got = {(m["month"], a["agent_id"]): a["score"] for m in doc["months"] for a in m["agents"]}
    assert got == expected and len(got) == 24
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []


def test_bank_log_with_the_calls_template(tmp_path: Path, cli, cli_json) -> None:
    """The bank's log has no satisfaction: refused with the field to drop; dropped as the
    hint says, its queue and service times (q_time, ser_time) score each agent."""
    code, _, err = cli("score", BANK, "--scheme", "calls")
    assert code == 1
    assert ("data_anonymous_bank_february.txt › data_anonymous_bank_february › row 1: the raw "
            "rows have no column for 满意率 (满意度), which the score needs — Accepted names: "
            "满意度, 满意度评价, 满意度评分, 客户评价, 评价结果, 评价, 评分, Satisfaction rating, "
            "Satisfaction Rating, Satisfaction. Add the column, or add its name to the "
            "template's aggregate section. To score data_anonymous_bank_february.txt without "
            "满意率, set score.metrics[2].weight (now 35) to 0 in the template calls.yaml and add "
            "those 35 points to the other metrics' weights, so that they still add up to "
            "100.") in " ".join(err.split())
    data = yaml.safe_load((shipped_templates_dir() / "calls.yaml").read_text(encoding="utf-8"))
    weights = {m["key"]: Decimal(str(m["weight"])) for m in data["score"]["metrics"]}
    weights["satisfaction"], weights["response_time"] = Decimal(0), Decimal(55)
    for metric in data["score"]["metrics"]:
        metric["weight"] = int(weights[metric["key"]])
    template = tmp_path / "bank.yaml"
    template.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with BANK.open(encoding="ascii", newline="") as fh:
        raw = [r for r in csv.DictReader(fh, delimiter="\t") if r["server"] != "NO_SERVER"]
    by_agent: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in raw:
        by_agent[row["server"]].append(row)
    expected = {}
    for agent, rows in by_agent.items():
        answered = [r for r in rows if r["outcome"] == "AGENT"]
        talk = [Decimal(r["ser_time"]) for r in rows if Decimal(r["ser_time"])]
        expected[agent] = _calls_score({
            "answered_rate": Decimal(len(answered)) / len(rows),
            "response_time": _mean([Decimal(r["q_time"]) for r in rows]),
            "talk_time": _mean(talk), "calls": Decimal(len(answered))}, weights)
    doc = cli_json("score", BANK, "--scheme", template, "--dry-run")
    assert {a["agent_id"]: a["score"] for a in doc["agents"]} == expected
    assert len(expected) == 24


def test_chinese_attendance_summary_into_per_person_totals() -> None:
    scheme, _ = load_scheme("star")
    sheet = openpyxl.load_workbook(ATT_MARCH, read_only=True)["考勤汇总"]
    expected: dict[str, dict[str, Decimal]] = {}
    for row in sheet.iter_rows(min_row=5, values_only=True):
        name = row[2]
        if not name:
            continue
        name = str(name).strip()
        for i, ch in enumerate(name):  # notes typed after the name: 3月15离职, 0301入职
            if ch.isdigit() or name[i:i + 2] in ("离职", "入职"):
                name = name[:i]
                break
        totals = {}
        for key, col in (("personal_leave_days", 3), ("sick_leave_days", 4), ("late", 9)):
            if row[col] not in (None, ""):
                totals[key] = Decimal(str(row[col]))
        expected[name] = totals
    got, problems = read_attendance(ATT_MARCH, scheme, None)
    assert {r.agent_id: r.totals for r in got} == expected
    assert {r.month for r in got} == {Month(2017, 3)}
    assert len(got) == len(expected) == 44  # 43 numbered rows and one without a number
    messages = [p.message for p in problems]
    assert "note '3月15离职' after the name 杨春辰 left out" in messages
    assert not [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize("path", [PWC, PORTFOLIO, BANK, ATT_MARCH, ATT_MAY],
                         ids=lambda p: p.name)
def test_inspect_explains_every_real_file(cli, path: Path) -> None:
    code, out, err = cli("inspect", path, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"sheet", "header_row", "columns", "months", "agents", "problems"}
    assert "agent_id" in doc["columns"].values()
    assert doc["header_row"] >= 1


def test_inspect_flags_the_stale_summary_of_may(cli) -> None:
    """The May workbook's summary sheet is a stale copy whose title still says March."""
    code, out, _ = cli("inspect", ATT_MAY, "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["sheet"] == "考勤汇总"
    assert [p["message"] for p in doc["problems"] if p["severity"] == "error"] == [
        "the file name says 2017-05 but the title above the table says 2017-03"]
