"""examples/: the committed workbooks are exactly what the generator writes, and the whole
month pipeline runs over them as the README's Quick start does."""

from __future__ import annotations

import hashlib
import subprocess
import sys
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


SCHEMES = ["weighted", "points", "tier", "grade", "grade_dc", "assistant", "ladder"]


def test_scheme_examples_are_what_their_generator_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "schemes.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for scheme in SCHEMES:
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
