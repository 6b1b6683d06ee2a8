"""Issue 18's scenario, end to end through `cslevel run` in a workspace: twelve months run,
2026-01 … 2026-08 paid and locked (each after its run wrote the payroll it is paid from);
a KPI fix in 2026-05 (reopened with a reason, run again) rewrites every unlocked later
output that changes, and lists them; the locked months' files stay as they were paid;
`payroll corrections` equals the computation of tests/test_retro_pay.py (the star
template's pay table and the levels written down by hand there, not cslevel's payroll);
the next payroll carries the corrections and its totals add up; once the month it is paid
from is locked, nothing is pending — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import write_xlsx
from cs_helpers import kpi
from test_retro_pay import AFTER, AGENTS, BEFORE, FIXED_05, PAID_MONTHS, SCORES, expected_rows

D = Decimal
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ws" / "cslevel.db")
    return str(request.getfixturevalue("pg_url"))


def _ok(cli, *args: str) -> dict[str, Any]:
    code, out, err = cli(*args, "--json")
    assert code == 0, out + err
    return json.loads(out)  # type: ignore[no-any-return]


def _month_kpi(ws: Path, month: str, scores: dict[str, str]) -> None:
    path = ws / "input" / f"kpi_{month}.xlsx"
    path.unlink(missing_ok=True)
    kpi(path, [[a, *AGENTS[a], D(s)] for a, s in scores.items()])


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.language("en")
def test_twelve_months_a_kpi_fix_in_a_paid_month_and_the_pay_that_follows(
        tmp_path: Path, cli, database: str) -> None:
    code, _out, err = cli("init", "ws", "--language", "en")
    assert code == 0, err
    ws = tmp_path / "ws"
    settings = ws / "cslevel.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'url = "cslevel.db"', f'url = "{database}"'), encoding="utf-8")
    write_xlsx(ws / "input" / "roster.xlsx", [["工号", "姓名", "组别"],
                                               *([a, *AGENTS[a]] for a in AGENTS)],
               text_columns=(0, 1, 2))
    for i, month in enumerate(MONTHS):
        _month_kpi(ws, month, {a: s[i] for a, s in SCORES.items()})
    config = ("--config", str(settings))

    # twelve months run; 01 … 08 locked after the run that wrote the payroll they are paid in
    for i, month in enumerate(MONTHS):
        doc = _ok(cli, "run", "--month", month, *config)
        assert doc["status"] == "done" and doc["rewritten"] == []
        if i < 8:
            pay_month = MONTHS[i + 1]
            assert doc["payroll_total"] == str(sum(p for _l, p in BEFORE[pay_month].values()))
            locked = _ok(cli, "lock", month, "--db", database)
            assert locked["paid"]["month"] == pay_month
    before = _digests(ws / "output")

    # the KPI fix of 2026-05: reopened with a reason, run again
    _ok(cli, "reopen", "2026-05", "--reason", "绩效数据更正 KPI export fixed", "--db", database)
    _month_kpi(ws, "2026-05", FIXED_05)
    doc = _ok(cli, "run", "--month", "2026-05", *config)
    assert doc["status"] == "done"
    # its own payroll (2026-06) was paid: not written again, said so
    assert any("2026-06" in p["message"] and "paid" in p["message"] for p in doc["problems"])
    # every unlocked later month whose files change is written again, and listed
    rewritten = sorted(Path(p).name for p in doc["rewritten"])
    after = _digests(ws / "output")
    changed = sorted(n for n in after if after[n] != before[n])
    assert rewritten == [n for n in changed if n not in (
        "results-2026-05.xlsx", "moves-2026-05.xlsx")]  # (May's own, not "later")
    assert "results-2026-09.xlsx" in rewritten and "payroll-2026-10.xlsx" in rewritten
    # the locked months' files stay as they were paid
    for month in ("2026-06", "2026-07", "2026-08"):
        assert after[f"results-{month}.xlsx"] == before[f"results-{month}.xlsx"]
    for pay_month in PAID_MONTHS:
        assert after[f"payroll-{pay_month}.xlsx"] == before[f"payroll-{pay_month}.xlsx"]

    # what the paid months owe, as worked out by hand
    want = expected_rows(BEFORE, AFTER, PAID_MONTHS)
    got = _ok(cli, "payroll", "corrections", "--db", database)
    assert got["rows"] == want
    assert got["total"] == "-121.80"
    assert _ok(cli, "status", *config)["corrections"] == {"rows": want, "total": "-121.80"}

    # the next payroll (2026-10, written again by the run) carries them; its totals add up
    carried = {a: sum((D(r["difference"]) for r in want if r["agent_id"] == a), D("0.00"))
               for a in AGENTS}
    book = openpyxl.load_workbook(ws / "output" / "payroll-2026-10.xlsx")
    assert book.sheetnames == ["Payroll 2026-10", "Change from last month", "Corrections",
                               "Sign-off list"]
    sheet = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    column = sheet[0].index("Back pay / recovery")
    total = sheet[0].index("Total pay")
    lines = {r[1]: r for r in sheet[1:-1]}
    assert {a: D(str(r[column] or 0)) for a, r in lines.items()} == carried
    assert D(str(sheet[-1][column])) == D("-121.80")
    assert D(str(sheet[-1][total])) == sum(D(str(r[total])) for r in lines.values())
    assert D(str(sheet[-1][total])) == (
        sum(p for _l, p in AFTER["2026-10"].values()) + D("-121.80"))
    for r in lines.values():
        first = sheet[0].index("Level") + 1
        assert D(str(r[total])) == sum(D(str(v or 0)) for v in r[first:total])

    # locking 2026-09 pays that payroll: the corrections are settled, nothing is pending
    settled = _ok(cli, "lock", "2026-09", "--db", database)
    assert settled["paid"]["month"] == "2026-10"
    assert _ok(cli, "payroll", "corrections", "--db", database) == {
        "rows": [], "total": "0.00", "problems": []}
    status = _ok(cli, "status", *config)
    assert status["corrections"] == {"rows": [], "total": "0.00"}
    # the later payrolls written with those corrections no longer hold: named, then made again
    # (06–08: their files were kept as paid when 05 changed; they stay so, marked locked)
    assert [(s["month"], s["locked"]) for s in status["stale"]] == [
        ("2026-06", True), ("2026-07", True), ("2026-08", True), ("2026-10", False),
        ("2026-11", False), ("2026-12", False)]
    assert all(s["why"].startswith("lock on ") for s in status["stale"] if not s["locked"])
    again = _ok(cli, "run", "--month", "2026-10", *config)
    assert again["status"] == "done"
    assert sorted(Path(p).name for p in again["rewritten"]) == [
        "payroll-2026-12.xlsx", "payroll-2027-01.xlsx"]
    book = openpyxl.load_workbook(ws / "output" / "payroll-2026-11.xlsx")
    assert "Back pay / recovery" not in [c.value for c in book.worksheets[0][1]]
    assert "Corrections" not in book.sheetnames
    assert [s["month"] for s in _ok(cli, "status", *config)["stale"]] == [
        "2026-06", "2026-07", "2026-08"]
