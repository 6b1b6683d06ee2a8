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
    assert len(committed) == 26  # 12 KPI + 12 attendance + roster + pay inputs
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
    # the 培训次数 column (003: at least 2 trainings a year): flagged at the year's close only,
    # exactly the agents of December whose figures, added up from the workbooks, are under 2
    counted: dict[str, int] = {}
    for path in sorted(EXAMPLES.glob("kpi_2026-*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        header, *lines = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
        assert header[-1] == "培训次数"
        for line in lines:
            counted[line[0]] = counted.get(line[0], 0) + line[-1]
    short = {a for a in december if counted[a] < 2}
    assert short == {"0012", "0023"} and (counted["0012"], counted["0023"]) == (1, 0)
    flagged = [f for f in promoted["flags"] if f["flag"] == "training_short"]
    assert [(f["agent_id"], f["month"]) for f in flagged] == [("0012", "2026-12"),
                                                              ("0023", "2026-12")]
    assert not [(m["month"], a["agent_id"]) for m in doc["months"][:-1] for a in m["agents"]
                if "training_short" in a["flags"]]
    assert flagged[1]["reason"].endswith("2026年培训 0 次，少于 2 次（003：每年至少 2 次）")
    kinds = {m["kind"] for m in promoted["moves"]}
    assert kinds <= {"promote", "demote", "trial_end"}
    assert leavers.isdisjoint({row["agent_id"] for row in promoted["levels"]})
    book = openpyxl.load_workbook(tmp_path / "moves.xlsx")
    assert book.sheetnames == ["晋降级名单", "晋升降级申请表"]

    payroll = cli_json("payroll", "export", "--out", tmp_path / "payroll.xlsx",
                       "--pay-inputs", EXAMPLES / "pay_2026-12.xlsx")
    assert payroll["month"] == "2027-01"
    assert len(payroll["rows"]) == len(promoted["levels"])
    levels = {row["agent_id"]: row["level"] for row in promoted["levels"]}
    assert {r["agent_id"]: r["level"] for r in payroll["rows"]} == levels
    # the pay-inputs workbook (薪酬录入表) on the payroll: overtime and a one-off line
    sheet = openpyxl.load_workbook(tmp_path / "payroll.xlsx").worksheets[0]
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    body = [dict(zip(table[0], r)) for r in table[1:-1]]
    with_overtime = [r for r in body if r["工作日加班费"] and r["节假日加班费"]]
    assert with_overtime and all(r["工作日加班费"] > 0 for r in with_overtime)
    assert any("节假日加班费 = 3 小时" in r["计算说明"] for r in with_overtime)
    one_off = {r["工号"]: (r["一次性款项"], r["计算说明"]) for r in body if r["一次性款项"]}
    assert sorted(amount for amount, _note in one_off.values()) == [-200, 500]
    assert any("一次性款项 +500.00：年度优秀员工奖" in note for _a, note in one_off.values())
    assert all(r["社保个人部分"] < 0 for r in body if r["公积金个人部分"])

    leaver = next(iter(leavers))
    history = cli_json("history", leaver)
    assert history["next_level"] is None and history["left_on"]
    assert history["months"][-1]["month"] <= history["left_on"][:7]


ROOT = EXAMPLES.parent
TEMPLATES = sorted(p.stem for p in (ROOT / "templates").glob("*.yaml"))
MOVE_TABLE = EXAMPLES / "README.md"


def _example_folder(template: str) -> Path:
    """examples/NAME/ for templates/NAME.yaml (examples/schemes.py's convention); the star
    example is examples/ itself (the README's Quick start)."""
    return EXAMPLES if template == "star" else EXAMPLES / template


def _move_table() -> dict[str, dict[str, str]]:
    """examples/README.md's table of each template's moves over the year: template → column →
    cell (a count, or – where the template's rules never demote)."""
    text = MOVE_TABLE.read_text(encoding="utf-8")
    section = text.split("\n## Moves over the year, per template\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    header = ["template", "folder", "agents", "promotions", "demotions", "trial ends",
              "december"]
    rows = [dict(zip(header, (c.strip().strip("`") for c in line.strip("|").split("|"))))
            for line in lines]
    return {row["template"]: row for row in rows}


def test_scheme_examples_are_what_their_generator_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "schemes.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written and "star" not in written
    for scheme in written:
        made = sorted(p.name for p in (tmp_path / scheme).glob("*.xlsx"))
        assert made == sorted(p.name for p in (EXAMPLES / scheme).glob("*.xlsx")), scheme
        for name in made:
            assert _sha(tmp_path / scheme / name) == _sha(EXAMPLES / scheme / name), name


def test_every_template_has_a_row_in_the_move_table() -> None:
    table = _move_table()
    assert sorted(table) == TEMPLATES, "examples/README.md: one row per templates/*.yaml"
    for template, row in table.items():
        folder = _example_folder(template).relative_to(ROOT).as_posix()
        assert row["folder"] == f"{folder}/", template


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_scores_and_promotes_its_example(tmp_path: Path, cli_json,
                                                        template: str) -> None:
    """Every shipped template's example year goes through the CLI without an error and
    moves agents: exactly the moves of examples/README.md's table."""
    folder = _example_folder(template)
    assert (folder / "roster.xlsx").is_file(), (
        f"templates/{template}.yaml has no example: add examples/{template}/ (kpi_2026-MM.xlsx, "
        "roster.xlsx; see examples/schemes.py)")
    kpi = sorted(folder.glob("kpi_2026-*.xlsx"))
    assert [p.name for p in kpi] == [f"kpi_2026-{m:02d}.xlsx" for m in range(1, 13)]
    extra: list[str] = []
    if sorted(folder.glob("att_2026-*.xlsx")):
        extra += ["--attendance", str(folder / "att_2026-*.xlsx")]
    if (folder / "profile.xlsx").is_file():
        extra += ["--profile", str(folder / "profile.xlsx")]
    doc = cli_json("score", str(folder / "kpi_2026-*.xlsx"), "--roster", folder / "roster.xlsx",
                   "--scheme", template, *extra, "--out", f"{tmp_path / 'out'}/")
    assert [m["month"] for m in doc["months"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [p for p in doc["problems"] if p["severity"] == "error"] == []
    decided = [(m["month"], a["agent_id"], a["decision"]) for m in doc["months"]
               for a in m["agents"] if a["decision"]]
    count = {kind: sum(1 for *_, k in decided if k == kind)
             for kind in ("promote", "demote", "trial_end")}

    promoted = cli_json("promote")
    assert promoted["as_of"] == "2026-12"
    assert [p for p in promoted["problems"] if p["severity"] == "error"] == []
    assert sorted((m["agent_id"], m["kind"]) for m in promoted["moves"]) == sorted(
        (agent, kind) for month, agent, kind in decided if month == "2026-12")

    row = _move_table()[template]
    assert row["agents"] == str(len({a["agent_id"] for m in doc["months"] for a in m["agents"]}))
    assert count["promote"] == int(row["promotions"]) >= 1
    if row["demotions"] == "–":  # the template's rules never demote (a person decides)
        assert count["demote"] == 0
    else:
        assert count["demote"] == int(row["demotions"]) >= 1
    assert count["trial_end"] == int(row["trial ends"])
    assert len(promoted["moves"]) == int(row["december"]) >= 1

    payroll = cli_json("payroll", "export", "--out", tmp_path / "payroll.csv")
    assert payroll["month"] == "2027-01"
    assert len(payroll["rows"]) == len(promoted["levels"])


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
    doc = cli_json("score", str(folder / "kpi_2026-*.xlsx"), "--roster",
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
        figures = _call_figures(folder / f"kpi_{month}.xlsx")
        assert len(figures) == 6
        for agent in ("0101", "0104"):
            total = sum((weight * min(Decimal("1.5"), target / figures[agent][key] if lower
                                      else figures[agent][key] / target)
                         for key, weight, target, lower in scored), Decimal(0))
            assert scores[(month, agent)] == float(
                total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)), (month, agent)
    promoted = cli_json("promote")
    assert promoted["as_of"] == "2026-12" and len(promoted["levels"]) == 6
