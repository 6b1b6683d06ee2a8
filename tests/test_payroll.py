"""`cslevel payroll export`: the level in force in the month, the template's pay table, totals
to the fen, CSV safety, trial pay, leavers, and an unwritable target."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import write_xlsx
from cs_helpers import db_snapshot, files_in, half_up, kpi
from cslevel.templates import shipped_templates_dir

SHIPPED = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
# the star template with flat pay (no performance scaling, seniority or attendance
# deductions: tests/test_payroll_month.py covers those), so every amount is the table's
FLAT = {"performance": "  performance: {component: 岗位绩效工资, full_at: 100, cap: 1.2}\n",
        "seniority": "  seniority: {name: 工龄补贴, per_year: 50.00, cap: 500.00}\n"}
TEMPLATE_TEXT = SHIPPED.split("  attendance_deduction:")[0]
for line in FLAT.values():
    assert line in TEMPLATE_TEXT
    TEMPLATE_TEXT = TEMPLATE_TEXT.replace(line, "")
TEMPLATE = yaml.safe_load(TEMPLATE_TEXT)
ALLOWANCE = TEMPLATE["pay"]["supervisor_allowance"]["name"]  # nobody here is a supervisor
COMPONENTS = [*TEMPLATE["pay"]["components"], ALLOWANCE]
TRIAL_PAID = TEMPLATE["pay"]["trial_components"]  # a trial month pays these only
assert TRIAL_PAID == ["基本工资"]
PAY = {lv["name"]: {c: half_up(str(lv["pay"].get(c, 0)) if not lv.get("trial")
                               or c in TRIAL_PAID else 0) for c in COMPONENTS}
       for lv in TEMPLATE["levels"]}
HEADERS = ["月份", "工号", "姓名", "组别", "级别", *COMPONENTS, "应发合计", "上月应发", "变动说明",
           "计算说明"]

NAMES = {"0001": "甲", "0002": "=1+2", "0003": "丙", "0004": "丁", "0005": "戊", "0006": "-张"}
TEAMS = {"0001": "一组", "0002": "@SUM(1)", "0003": "二组", "0004": "二组", "0005": "二组",
         "0006": "+三组"}
SCORES = {  # months 2026-01..03; None = not in that month's workbook
    "0001": [112, 115, 120],   # 二星 → 三星 from 04
    "0002": [100, 100, 100],   # 二星 → 一星 from 04
    "0003": [120, 120, 120],   # hired 2026-01-10: trial 01–03, 一星 from 04
    "0004": [100, 100, None],  # 三星, left 2026-03-15: paid in 03, not in 04
    "0005": [100, None, None],  # 三星, left 2026-02-10: not paid in 03
    "0006": [120, 100, 120],   # 四星 stays
}
LEVEL_IN = {
    "2026-01": {"0001": "二星", "0002": "二星", "0003": "试用", "0004": "三星", "0005": "三星",
                "0006": "四星"},
    "2026-03": {"0001": "二星", "0002": "二星", "0003": "试用", "0004": "三星", "0006": "四星"},
    "2026-04": {"0001": "三星", "0002": "一星", "0003": "一星", "0006": "四星"},
}


def _history(tmp: Path, cli, scheme: str = "star_flat.yaml") -> Path:
    if scheme == "star_flat.yaml":
        (tmp / scheme).write_text(TEMPLATE_TEXT, encoding="utf-8")
    write_xlsx(tmp / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "离职日期", "当前级别"],
        ["0001", NAMES["0001"], TEAMS["0001"], "2024-01-01", None, "二星"],
        ["0002", NAMES["0002"], TEAMS["0002"], "2024-01-01", None, "二星"],
        ["0003", NAMES["0003"], TEAMS["0003"], "2026-01-10", None, None],
        ["0004", NAMES["0004"], TEAMS["0004"], "2023-01-01", "2026-03-15", "三星"],
        ["0005", NAMES["0005"], TEAMS["0005"], "2023-01-01", "2026-02-10", "三星"],
        ["0006", NAMES["0006"], TEAMS["0006"], "2022-01-01", None, "四星"],
    ], text_columns=(0, 1, 2))
    files = []
    for i in range(3):
        rows = [[a, NAMES[a], TEAMS[a], s[i]] for a, s in SCORES.items() if s[i] is not None]
        files.append(kpi(tmp / f"kpi_2026-{i + 1:02d}.xlsx", rows))
    (tmp / "results").mkdir()
    code, _, err = cli("score", *files, "--scheme", scheme, "--roster", "roster.xlsx",
                       "--out", "results")
    assert code == 0, err
    return tmp / "history.db"


@pytest.fixture
def history(tmp_path: Path, cli) -> Path:
    return _history(tmp_path, cli)


def _expected_rows(month: str, pay: dict = PAY) -> dict[str, dict]:
    out = {}
    for agent, level in LEVEL_IN[month].items():
        components = pay[level]
        out[agent] = {"agent_id": agent, "name": NAMES[agent], "team": TEAMS[agent],
                      "level": level, "components": {c: str(v) for c, v in components.items()},
                      "total": str(sum(components.values(), Decimal("0.00")))}
    return out


@pytest.mark.parametrize("month", ["2026-01", "2026-03", "2026-04"])
def test_payroll_json_rows(history: Path, cli_json, month: str) -> None:
    doc = cli_json("payroll", "export", "--month", month, "--out", f"payroll-{month}.xlsx")
    assert doc["month"] == month
    assert doc["scheme"] == "star"
    rows = {r["agent_id"]: {k: r[k] for k in ("agent_id", "name", "team", "level", "components",
                                              "total")} for r in doc["rows"]}
    assert rows == _expected_rows(month)
    assert [r["agent_id"] for r in doc["rows"]] == sorted(
        rows, key=lambda a: (TEAMS[a], a))
    assert doc["outputs"] == [f"payroll-{month}.xlsx"]


def test_level_in_force_follows_decisions_of_previous_month(history: Path, cli_json) -> None:
    levels = {m: {r["agent_id"]: r["level"] for r in cli_json(
        "payroll", "export", "--month", m, "--out", f"p-{m}.csv")["rows"]}
        for m in ("2026-03", "2026-04")}
    # decided at the close of 2026-03, paid from 2026-04
    assert (levels["2026-03"]["0001"], levels["2026-04"]["0001"]) == ("二星", "三星")
    assert (levels["2026-03"]["0002"], levels["2026-04"]["0002"]) == ("二星", "一星")


def test_money_strings_and_totals(history: Path, cli_json) -> None:
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.xlsx")
    by_id = {r["agent_id"]: r for r in doc["rows"]}
    assert by_id["0001"]["total"] == "5750.00"  # 3600 + 1500 + 200 + 300 + 150
    assert by_id["0001"]["components"] == {"基本工资": "3600.00", "岗位绩效工资": "1500.00",
                                           "交通补贴": "200.00", "餐费补贴": "300.00",
                                           "话费补贴": "150.00", "主管津贴": "0.00"}
    assert by_id["0002"]["total"] == "4550.00"  # 3000 + 1000 + 150 + 300 + 100
    assert by_id["0006"]["total"] == "6450.00"  # 4000 + 1800 + 200 + 300 + 150
    for row in doc["rows"]:
        assert Decimal(row["total"]) == sum(Decimal(v) for v in row["components"].values())
        for text in [row["total"], *row["components"].values()]:
            assert isinstance(text, str) and len(text.split(".")[1]) == 2, text
    for component in COMPONENTS:
        assert doc["components_total"][component] == str(
            sum((Decimal(r["components"][component]) for r in doc["rows"]), Decimal("0.00")))
    assert doc["total"] == str(sum((Decimal(r["total"]) for r in doc["rows"]), Decimal("0.00")))
    assert doc["total"] == "21300.00"  # 5750 + 4550 × 2 + 6450


def test_trial_agent_paid_trial_pay(history: Path, cli_json) -> None:
    doc = cli_json("payroll", "export", "--month", "2026-03", "--out", "p.csv")
    trial = next(r for r in doc["rows"] if r["agent_id"] == "0003")
    assert trial["level"] == "试用"
    # the trial level lists 交通补贴 100, 餐费补贴 200, 话费补贴 50: basic pay only (004)
    assert trial["components"] == {"基本工资": "2500.00", "岗位绩效工资": "0.00", "交通补贴": "0.00",
                                   "餐费补贴": "0.00", "话费补贴": "0.00", "主管津贴": "0.00"}
    assert trial["total"] == "2500.00"


def test_leavers(history: Path, cli_json) -> None:
    ids = {m: {r["agent_id"] for r in cli_json("payroll", "export", "--month", m,
                                                "--out", f"p-{m}.csv")["rows"]}
           for m in ("2026-02", "2026-03", "2026-04")}
    assert "0005" in ids["2026-02"]      # leaves in 02: paid in its leaving month
    assert "0005" not in ids["2026-03"]  # left before 03
    assert "0004" in ids["2026-03"]
    assert "0004" not in ids["2026-04"]


@pytest.mark.language("en")
def test_unconfirmed_decisions_warning_then_promote(history: Path, cli_json) -> None:
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.csv")
    assert [p["message"] for p in doc["problems"]] == [
        "the decisions at the close of 2026-03 have not been confirmed with `cslevel promote`; "
        "the levels paid assume them"]
    cli_json("promote")
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "p.csv")
    assert doc["problems"] == []
    assert {r["agent_id"]: r["level"] for r in doc["rows"]} == LEVEL_IN["2026-04"]


def test_payroll_xlsx(tmp_path: Path, history: Path, cli) -> None:
    code, _, err = cli("payroll", "export", "--month", "2026-04", "--out", "payroll.xlsx")
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "payroll.xlsx")
    assert book.sheetnames == ["工资表 2026-04", "与上月对比", "晋升降级申请表"]
    ws = book["工资表 2026-04"]
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[0]] == HEADERS
    expected = _expected_rows("2026-04")
    body, total_row = rows[1:-1], rows[-1]
    assert len(body) == len(expected)
    sums = {c: Decimal("0.00") for c in [*COMPONENTS, "应发合计"]}
    for row in body:
        values = [c.value for c in row]
        want = expected[values[1]]
        assert values[:5] == ["2026-04", want["agent_id"], want["name"], want["team"],
                              want["level"]]
        for cell in row[:5]:
            assert cell.data_type == "s"  # ids, names and teams are text, never formulas
        for index, component in enumerate([*COMPONENTS, "应发合计"], start=5):
            cell = row[index]
            assert cell.data_type == "n" and cell.number_format == "#,##0.00"
            amount = half_up(str(cell.value))
            want_amount = want["total"] if component == "应发合计" else want["components"][component]
            assert amount == Decimal(want_amount), (values[1], component)
            sums[component] += amount
    assert [c.value for c in total_row[:5]] == ["2026-04", "合计", None, None, "4人"]
    for index, component in enumerate([*COMPONENTS, "应发合计"], start=5):
        assert half_up(str(total_row[index].value)) == sums[component], component
    assert sums["应发合计"] == Decimal("21300.00")
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:O{1 + len(body)}"  # 月份 … 应发合计, 上月应发, 变动说明, 计算说明


def test_payroll_xlsx_formula_text(tmp_path: Path, history: Path, cli) -> None:
    code, _, _ = cli("payroll", "export", "--month", "2026-04", "--out", "payroll.xlsx")
    assert code == 0
    ws = openpyxl.load_workbook(tmp_path / "payroll.xlsx").active
    row = next(r for r in ws.iter_rows() if r[1].value == "0002")
    assert (row[2].value, row[2].data_type) == ("=1+2", "s")
    assert (row[3].value, row[3].data_type) == ("@SUM(1)", "s")


def test_payroll_csv(tmp_path: Path, history: Path, cli) -> None:
    code, _, err = cli("payroll", "export", "--month", "2026-04", "--out", "payroll.csv")
    assert code == 0, err
    raw = (tmp_path / "payroll.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows[0] == HEADERS
    expected = _expected_rows("2026-04")
    body = {r[1]: r for r in rows[1:-1]}
    assert set(body) == set(expected)
    for agent, want in expected.items():
        assert body[agent] == ["2026-04", agent, want["name"] if agent not in ("0002", "0006")
                               else "'" + want["name"],
                               want["team"] if agent not in ("0002", "0006") else "'" + want["team"],
                               want["level"], *want["components"].values(), want["total"],
                               *body[agent][-3:]]
    assert body["0002"][2:4] == ["'=1+2", "'@SUM(1)"]
    assert body["0006"][2:4] == ["'-张", "'+三组"]
    totals = rows[-1]
    assert totals[:5] == ["2026-04", "合计", "", "", "4人"]
    for index in range(5, len(HEADERS) - 3):
        assert Decimal(totals[index]) == sum(Decimal(r[index]) for r in body.values())
    assert totals[-4:] == ["21300.00", "", "", ""]


def test_default_output_path(tmp_path: Path, history: Path, cli) -> None:
    code, out, err = cli("payroll", "export")
    assert code == 0, err
    assert (tmp_path / "payroll-2026-04.xlsx").exists()
    assert "工资表：payroll-2026-04.xlsx" in out


def test_half_up_at_the_fen_from_template(tmp_path: Path, cli) -> None:
    """Amounts in the template are exact decimals: 100.005 pays 100.01 (a float would give
    100.00), and the total is the sum of the rounded components."""
    one_star = "话费补贴: 100.00}\n  - name: 二星"
    assert one_star in TEMPLATE_TEXT
    (tmp_path / "star_fen.yaml").write_text(
        TEMPLATE_TEXT.replace(one_star, "话费补贴: 100.005}\n  - name: 二星"), encoding="utf-8")
    _history(tmp_path, cli, scheme="star_fen.yaml")
    code, out, err = cli("payroll", "export", "--month", "2026-04", "--out", "p.csv", "--json")
    assert code == 0, err
    import json

    doc = json.loads(out)
    row = next(r for r in doc["rows"] if r["agent_id"] == "0002")
    assert row["level"] == "一星"
    assert row["components"]["话费补贴"] == "100.01"
    assert row["total"] == "4550.01"
    assert doc["total"] == "21300.02"  # two agents at 一星


@pytest.mark.language("en")
def test_missing_folder_writes_nothing(tmp_path: Path, history: Path, cli) -> None:
    before_db = db_snapshot(history)
    before_files = files_in(tmp_path)
    code, out, err = cli("payroll", "export", "--month", "2026-04", "--out", "nowhere/payroll.csv")
    assert code == 1
    assert out == ""
    assert ("nowhere/payroll.csv: cannot write the output file (the folder nowhere does not "
            "exist)") in err
    assert "Close the file if it is open in Excel/WPS, or choose another --out path" in err
    assert db_snapshot(history) == before_db
    assert files_in(tmp_path) == before_files


@pytest.mark.language("en")
def test_missing_folder_json(tmp_path: Path, history: Path, cli) -> None:
    import json

    before_db = db_snapshot(history)
    code, out, _ = cli("payroll", "export", "--month", "2026-04", "--out", "nowhere/p.xlsx",
                       "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False
    assert [(p["file"], p["message"]) for p in doc["problems"]] == [
        ("nowhere/p.xlsx", "cannot write the output file (the folder nowhere does not exist)")]
    assert db_snapshot(history) == before_db
