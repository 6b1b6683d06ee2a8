"""examples/: the committed workbooks are exactly what the generator writes, and the whole
month pipeline runs over them as the README's Quick start does."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generator_reproduces_the_committed_examples(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    made = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    committed = sorted(p.name for p in EXAMPLES.glob("*.xlsx"))
    assert made == committed
    assert len(committed) == 25  # 12 KPI + 12 attendance + roster
    for name in made:
        assert _sha(tmp_path / name) == _sha(EXAMPLES / name), name


def test_example_pipeline_end_to_end(tmp_path: Path, cli_json) -> None:
    out = tmp_path / "out"
    doc = cli_json("score", str(EXAMPLES / "kpi_2026-*.xlsx"),
                   "--attendance", str(EXAMPLES / "att_2026-*.xlsx"),
                   "--roster", EXAMPLES / "roster.xlsx", "--scheme", "star", "--out", f"{out}/")
    assert [m["month"] for m in doc["months"]] == [f"2026-{i:02d}" for i in range(1, 13)]
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []
    assert len(list(out.glob("results-2026-*.xlsx"))) == 12
    # ids keep their leading zeros; new hires are in trial in their hire month
    ids = {a["agent_id"] for a in doc["agents"]}
    assert "0001" in ids and all(len(i) == 4 for i in ids)
    roster = openpyxl.load_workbook(EXAMPLES / "roster.xlsx").active
    header = [c.value for c in roster[3]]  # title row, blank row, then the header
    rows = [dict(zip(header, r)) for r in roster.iter_rows(min_row=4, values_only=True)]
    trial_ids = {r["工号"] for r in rows if r["当前级别"] == "试用"}
    leavers = {r["工号"] for r in rows if r["离职日期"]}
    assert len(leavers) == 1 and trial_ids
    december = {a["agent_id"]: a for a in doc["agents"]}
    assert leavers.isdisjoint(december)

    promoted = cli_json("promote", "--out", tmp_path / "moves.xlsx")
    assert promoted["as_of"] == "2026-12"
    kinds = {m["kind"] for m in promoted["moves"]}
    assert kinds <= {"promote", "demote", "trial_end"}
    assert leavers.isdisjoint({row["agent_id"] for row in promoted["levels"]})
    book = openpyxl.load_workbook(tmp_path / "moves.xlsx")
    assert book.sheetnames == ["晋降级名单", "晋升降级申请表"]

    payroll = cli_json("payroll", "export", "--out", tmp_path / "payroll.xlsx")
    assert payroll["month"] == "2027-01"
    assert len(payroll["rows"]) == len(promoted["levels"])
    levels = {row["agent_id"]: row["level"] for row in promoted["levels"]}
    assert {r["agent_id"]: r["level"] for r in payroll["rows"]} == levels

    leaver = next(iter(leavers))
    history = cli_json("history", leaver)
    assert history["next_level"] is None and history["left_on"]
    assert history["months"][-1]["month"] <= history["left_on"][:7]


SCHEMES = ["weighted", "points", "tier", "grade", "grade_dc", "assistant"]


def test_scheme_examples_are_what_their_generator_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "schemes.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for scheme in [*SCHEMES, "calls"]:
        made = sorted(p.name for p in (tmp_path / scheme).glob("*.xlsx"))
        assert made == sorted(p.name for p in (EXAMPLES / scheme).glob("*.xlsx")), scheme
        for name in made:
            assert _sha(tmp_path / scheme / name) == _sha(EXAMPLES / scheme / name), name


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_scores_and_promotes_its_examples(tmp_path: Path, cli_json,
                                                       scheme: str) -> None:
    folder = EXAMPLES / scheme
    extra = ["--profile", str(folder / "profile.xlsx")] if scheme == "points" else []
    doc = cli_json("score", str(folder / "kpi_2026-*.xlsx"), "--roster", folder / "roster.xlsx",
                   "--scheme", scheme, *extra, "--out", f"{tmp_path / 'out'}/")
    assert len(doc["months"]) == 12
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []
    promoted = cli_json("promote")
    assert promoted["as_of"] == "2026-12" and len(promoted["levels"]) == 12
    payroll = cli_json("payroll", "export", "--out", tmp_path / "payroll.csv")
    assert len(payroll["rows"]) == 12


def _hms(text: str) -> Decimal:
    h, m, s = (int(part) for part in text.split(":"))
    return Decimal(h * 3600 + m * 60 + s)


def _call_figures(path: Path) -> dict[str, dict[str, Decimal]]:
    """Each agent's figures, worked out here from the generated call rows (title, blank row,
    header, then one row per call)."""
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    header = list(rows[0])
    calls: dict[str, list[dict[str, object]]] = {}
    for row in rows[1:]:
        call = dict(zip(header, row))
        if call["坐席工号"]:
            calls.setdefault(str(call["坐席工号"]), []).append(call)
    out = {}
    for agent, mine in calls.items():
        answered = [c for c in mine if c["通话状态"] == "已接听"]
        queue = [_hms(str(c["排队时长"])) for c in mine]
        talk = [t for t in (_hms(str(c["通话时长"])) for c in mine) if t]
        rated = [c["满意度"] for c in mine if c["满意度"] not in (None, "", "未评价")]
        out[agent] = {
            "answered_rate": Decimal(len(answered)) / len(mine),
            "response_time": sum(queue, Decimal(0)) / len(queue),
            "satisfaction": Decimal(sum(1 for v in rated if v in ("满意", "非常满意")))
            / len(rated),
            "talk_time": sum(talk, Decimal(0)) / len(talk),
            "calls": Decimal(len(answered)),
        }
    return out


def test_calls_example_scores_through_the_cli(tmp_path: Path, cli_json) -> None:
    """examples/calls/: a year of raw call-detail exports, scored with --scheme calls; two
    agents' scores checked against the template's weights and targets applied here."""
    import yaml

    folder = EXAMPLES / "calls"
    doc = cli_json("score", str(folder / "calls_2026-*.xlsx"), "--roster",
                   folder / "roster.xlsx", "--scheme", "calls", "--out", f"{tmp_path / 'out'}/")
    assert [m["month"] for m in doc["months"]] == [f"2026-{i:02d}" for i in range(1, 13)]
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []
    template = yaml.safe_load((EXAMPLES.parent / "templates" / "calls.yaml").read_text(
        encoding="utf-8"))
    scored = [(m["key"], Decimal(str(m["weight"])), Decimal(str(m["target"])),
               m["direction"] == "lower") for m in template["score"]["metrics"] if m["weight"]]
    scores = {(m["month"], a["agent_id"]): a["score"] for m in doc["months"]
              for a in m["agents"]}
    for month in ("2026-03", "2026-12"):
        figures = _call_figures(folder / f"calls_{month}.xlsx")
        assert len(figures) == 6
        for agent in ("0101", "0104"):
            total = sum((weight * min(Decimal("1.5"), target / figures[agent][key] if lower
                                      else figures[agent][key] / target)
                         for key, weight, target, lower in scored), Decimal(0))
            assert scores[(month, agent)] == float(
                total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)), (month, agent)
    promoted = cli_json("promote")
    assert promoted["as_of"] == "2026-12" and len(promoted["levels"]) == 6
