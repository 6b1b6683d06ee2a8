"""Retro pay (补发/扣回), issue 18 part 4: locking a month records the payroll it is paid from
as paid; a reopened month scored again while later months stay locked makes corrections
(due minus paid, per agent and paid month), which the next payroll carries as one component
per agent with a sheet 更正明细; locking the month that payroll is paid from settles them.
A paid month's payroll is never written again. On SQLite and PostgreSQL.

The expected amounts are worked out here, from the star template's pay table (read with
load_scheme) and the levels written down by hand below from the streak rule: not with
cslevel's payroll."""

from __future__ import annotations

import hashlib
import json
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import write_xlsx
from cs_helpers import files_in, kpi

from cslevel.templates import load_scheme

D = Decimal
FEN = D("0.01")
STAR, _STAR_TEXT = load_scheme("star")
PAID_MONTHS = [f"2026-{m:02d}" for m in range(2, 10)]  # paid by locking 2026-01 … 2026-08
AGENTS = {"0001": ("甲", "一组"), "0002": ("乙", "一组"), "0003": ("丙", "二组"),
          "0004": ("丁", "二组")}

# scores of 2026-01 … 2026-12 (the star scheme: ≥ 110 three months in a row → one star up
# from the fourth; nobody has a roster level, so everybody starts at 一星)
SCORES = {
    "0001": ["120"] * 12,
    "0002": ["120"] * 4 + ["100"] + ["120"] * 7,
    "0003": ["100"] * 4 + ["105.55"] + ["100"] * 7,
    "0004": ["100"] * 12,
}
# the KPI fix of 2026-05
FIXED_05 = {"0001": "100", "0002": "120", "0003": "93.37", "0004": "100"}

# the level in force in each pay month 2026-02 … 2026-11, by hand from the rule
#   0001 before: 01–03 → 二星 from 04; 04–06 → 三星 from 07; 07–09 → 四星 from 10
#        after:  01–03 → 二星 from 04; 05 breaks; 06–08 → 三星 from 09; 09–11 → 四星 from 12
#   0002 before: 01–03 → 二星 from 04; 05 breaks; 06–08 → 三星 from 09; 09–11 → 四星 from 12
#        after:  01–03 → 二星 from 04; 04–06 → 三星 from 07; 07–09 → 四星 from 10
#   0003, 0004: never ≥ 110, and 一星 is the floor: 一星 throughout
PAY_MONTHS = [f"2026-{m:02d}" for m in range(2, 12)]
_ONE, _TWO, _THREE, _FOUR = "一星", "二星", "三星", "四星"
LEVELS_BEFORE = {
    "0001": [_ONE, _ONE, _TWO, _TWO, _TWO, _THREE, _THREE, _THREE, _FOUR, _FOUR],
    "0002": [_ONE, _ONE, _TWO, _TWO, _TWO, _TWO, _TWO, _THREE, _THREE, _THREE],
    "0003": [_ONE] * 10,
    "0004": [_ONE] * 10,
}
LEVELS_AFTER = {
    "0001": [_ONE, _ONE, _TWO, _TWO, _TWO, _TWO, _TWO, _THREE, _THREE, _THREE],
    "0002": [_ONE, _ONE, _TWO, _TWO, _TWO, _THREE, _THREE, _THREE, _FOUR, _FOUR],
    "0003": [_ONE] * 10,
    "0004": [_ONE] * 10,
}


def half_up(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def pay(level: str, score: str) -> Decimal:
    """One month's pay at `level` with the figures month's `score`, from the template's table:
    every component as listed, 岗位绩效工资 × score/100 (at most ×1.2); no hire date (工龄补贴
    0), no supervisor tier, no attendance stored (nothing deducted)."""
    table = STAR.level(level).pay
    performance = STAR.pay.performance
    assert performance is not None
    total = D(0)
    for name in STAR.pay.components:
        amount = D(table[name])
        if name == performance.component:
            amount *= min(D(score) / performance.full_at, performance.cap)
        total += half_up(amount)
    return total


def lines(levels: dict[str, list[str]], scores: dict[str, list[str]]) -> dict[str, dict[str,
                                                                                      tuple]]:
    """Pay month -> agent -> (level, pay) under `levels`; pay month P uses P−1's score."""
    out: dict[str, dict[str, tuple]] = {}
    for i, month in enumerate(PAY_MONTHS):
        figures = int(month[5:]) - 2  # index of the month before in the scores
        out[month] = {a: (levels[a][i], pay(levels[a][i], scores[a][figures])) for a in AGENTS}
    return out


def expected_rows(paid: dict[str, dict[str, tuple]], due: dict[str, dict[str, tuple]],
                  months: list[str]) -> list[dict[str, Any]]:
    """The corrections, as `payroll corrections --json` lists them (team, agent, month)."""
    rows = []
    for agent in sorted(AGENTS, key=lambda a: (AGENTS[a][1], a)):
        for month in months:
            (paid_level, paid_pay), (due_level, due_pay) = paid[month][agent], due[month][agent]
            if (paid_level, paid_pay) != (due_level, due_pay):
                rows.append({"agent_id": agent, "month": month, "paid_level": paid_level,
                             "due_level": due_level, "paid": str(paid_pay), "due": str(due_pay),
                             "difference": str(due_pay - paid_pay)})
    return rows


FIXED = {a: [*s[:4], FIXED_05[a], *s[5:]] for a, s in SCORES.items()}
BEFORE = lines(LEVELS_BEFORE, SCORES)
AFTER = lines(LEVELS_AFTER, FIXED)


def _kpi(tmp: Path, name: str, month_scores: dict[str, str]) -> str:
    kpi(tmp / name, [[a, *AGENTS[a], D(s)] for a, s in month_scores.items()])
    return name


def _ok(cli, *args: str) -> dict[str, Any]:
    code, out, err = cli(*args, "--json")
    assert code == 0, out + err
    return json.loads(out)  # type: ignore[no-any-return]


def _sheet(path: Path, index: int) -> list[list[Any]]:
    book = openpyxl.load_workbook(path)
    return [list(r) for r in book[book.sheetnames[index]].iter_rows(values_only=True)]


def _paid_and_locked(tmp: Path, cli, db: str) -> None:
    """Twelve months scored and confirmed; 2026-01 … 2026-08 locked, each after the payroll
    it is paid from (2026-02 … 2026-09) was exported."""
    files = [_kpi(tmp, f"kpi_2026-{m:02d}.xlsx", {a: s[m - 1] for a, s in SCORES.items()})
             for m in range(1, 13)]
    _ok(cli, "score", *files, "--scheme", "star", "--out", "results/", "--db", db)
    _ok(cli, "promote", "--db", db)
    for month in range(1, 9):
        pay_month = f"2026-{month + 1:02d}"
        doc = _ok(cli, "payroll", "export", "--month", pay_month, "--out",
                  f"payroll-{pay_month}.xlsx", "--db", db)
        assert doc["corrections"] == []
        locked = _ok(cli, "lock", f"2026-{month:02d}", "--db", db)
        assert locked["paid"] == {
            "month": pay_month, "lines": 4, "total": doc["total"], "settled": []}
        assert doc["total"] == str(sum(pay for _level, pay in BEFORE[pay_month].values()))


def _fix_05(tmp: Path, cli, db: str) -> dict[str, Any]:
    """The KPI fix of 2026-05: reopened with a reason, scored again."""
    _ok(cli, "reopen", "2026-05", "--reason", "绩效数据更正 KPI export fixed", "--db", db)
    _kpi(tmp, "kpi_2026-05_fixed.xlsx", FIXED_05)
    return _ok(cli, "score", "kpi_2026-05_fixed.xlsx", "--month", "2026-05", "--out",
               "fixed/", "--db", db)


@pytest.mark.language("en")
def test_a_kpi_fix_in_a_paid_month_is_carried_by_the_next_payroll(
        tmp_path: Path, cli, db_url: str) -> None:
    """The scenario of issue 18, part 4: months 01–08 paid and locked; a KPI fix in 05;
    `payroll corrections` = the computation here; the next payroll carries it and adds up;
    once it is locked, nothing is pending."""
    _paid_and_locked(tmp_path, cli, db_url)
    doc = _fix_05(tmp_path, cli, db_url)
    assert doc["month"] == "2026-05"
    assert any(p["message"] == "the payrolls of 2026-06, 2026-07, 2026-08, 2026-09 were "
               "paid: what they owe now is carried by the next payroll (Back pay / recovery)"
               for p in doc["problems"])
    # 06–08 stay locked: re-scoring one of them is refused
    code, _out, err = cli("score", "kpi_2026-06.xlsx", "--db", db_url)
    assert code == 3 and "2026-06 is locked" in err

    want = expected_rows(BEFORE, AFTER, PAID_MONTHS)
    assert [(r["agent_id"], r["month"], r["difference"]) for r in want] == [
        ("0001", "2026-06", "-240.00"), ("0001", "2026-07", "-760.00"),
        ("0001", "2026-08", "-760.00"), ("0002", "2026-06", "240.00"),
        ("0002", "2026-07", "760.00"), ("0002", "2026-08", "760.00"),
        ("0003", "2026-06", "-121.80")]  # (the computation above, written out)
    got = _ok(cli, "payroll", "corrections", "--db", db_url)
    assert got["rows"] == want
    assert got["total"] == str(sum((D(r["difference"]) for r in want), D("0.00"))) == "-121.80"
    # `cslevel status` says the same
    status = _ok(cli, "status", "--db", db_url)
    assert status["corrections"] == {"rows": want, "total": "-121.80"}

    # the next payroll: 2026-10, after the newest paid one
    carried = {a: sum((D(r["difference"]) for r in want if r["agent_id"] == a), D("0.00"))
               for a in AGENTS}
    doc = _ok(cli, "payroll", "export", "--month", "2026-10", "--out", "payroll-2026-10.xlsx",
              "--db", db_url)
    assert doc["corrections"] == want
    component = "Back pay / recovery"
    rows = {r["agent_id"]: r for r in doc["rows"]}
    for agent, (level, own) in AFTER["2026-10"].items():
        row = rows[agent]
        assert row["level"] == level
        assert D(row["components"].get(component, "0.00")) == carried[agent]
        assert D(row["total"]) == own + carried[agent]
        assert D(row["total"]) == sum(D(v) for v in row["components"].values())
    assert D(rows["0001"]["components"][component]) < 0  # overpaid: 扣回
    assert D(rows["0002"]["components"][component]) > 0  # underpaid: 补发
    assert component not in rows["0004"]["components"]
    totals = {k: D(v) for k, v in doc["components_total"].items()}
    assert totals[component] == sum(carried.values()) == D("-121.80")
    assert all(totals[c] == sum(D(r["components"].get(c, "0")) for r in doc["rows"])
               for c in totals)
    assert D(doc["total"]) == sum(totals.values()) == sum(D(r["total"]) for r in doc["rows"])
    assert D(doc["total"]) == sum(own for _l, own in AFTER["2026-10"].values()) + D("-121.80")

    # the workbook: the component column, its totals row, the sheet 更正明细
    book = openpyxl.load_workbook(tmp_path / "payroll-2026-10.xlsx")
    assert book.sheetnames == ["Payroll 2026-10", "Change from last month", "Corrections",
                               "Sign-off list"]
    payroll = _sheet(tmp_path / "payroll-2026-10.xlsx", 0)
    col = payroll[0].index(component)
    assert payroll[0][col + 1] == "Total pay"
    by_id = {r[1]: r for r in payroll[1:-1]}
    assert {a: D(str(r[col])) for a, r in by_id.items()} == carried
    assert D(str(payroll[-1][col])) == D("-121.80")
    assert D(str(payroll[-1][col + 1])) == D(doc["total"])
    sheet = _sheet(tmp_path / "payroll-2026-10.xlsx", 2)
    assert sheet[0] == ["Agent ID", "Name", "Team", "Paid month", "Level paid", "Level due",
                        "Paid", "Due", "Difference"]
    assert [[r[0], r[1], r[2], r[3], r[4], r[5], *(D(str(v)) for v in r[6:])]
            for r in sheet[1:-1]] == [
        [w["agent_id"], *AGENTS[w["agent_id"]], w["month"], w["paid_level"], w["due_level"],
         D(w["paid"]), D(w["due"]), D(w["difference"])] for w in want]
    assert sheet[-1][0] == "Total"
    assert [D(str(v)) for v in sheet[-1][6:]] == [
        sum((D(w[k]) for w in want), D(0)) for k in ("paid", "due", "difference")]

    # locking 2026-09 pays 2026-10 with its corrections: settled, nothing pending
    locked = _ok(cli, "lock", "2026-09", "--db", db_url)
    assert locked["paid"]["month"] == "2026-10"
    assert locked["paid"]["total"] == doc["total"]
    assert [(s["agent_id"], s["month"], s["difference"]) for s in locked["paid"]["settled"]] == [
        (w["agent_id"], w["month"], w["difference"]) for w in want]
    assert _ok(cli, "payroll", "corrections", "--db", db_url) == {
        "rows": [], "total": "0.00", "problems": []}
    doc = _ok(cli, "payroll", "export", "--month", "2026-11", "--out", "payroll-2026-11.xlsx",
              "--db", db_url)
    assert doc["corrections"] == []
    assert component not in doc["components_total"]
    assert all(component not in r["components"] for r in doc["rows"])
    assert "Corrections" not in openpyxl.load_workbook(
        tmp_path / "payroll-2026-11.xlsx").sheetnames
    assert D(doc["total"]) == sum(own for _l, own in AFTER["2026-11"].values())


@pytest.mark.language("en")
def test_a_second_fix_owes_only_the_new_difference(tmp_path: Path, cli, db_url: str) -> None:
    """After the corrections were settled, 2026-05 fixed back to what it was: each paid month
    owes only what changed since (against what was paid, corrections included); 2026-10,
    paid since, owes too."""
    _paid_and_locked(tmp_path, cli, db_url)
    _fix_05(tmp_path, cli, db_url)
    _ok(cli, "payroll", "export", "--month", "2026-10", "--out", "p10.xlsx", "--db", db_url)
    _ok(cli, "lock", "2026-09", "--db", db_url)
    # 2026-05 is not locked (it was reopened): scored again at once
    _ok(cli, "score", "kpi_2026-05.xlsx", "--out", "again/", "--db", db_url)
    months = [*PAID_MONTHS, "2026-10"]
    want = expected_rows(AFTER, BEFORE, months)
    assert [(r["agent_id"], r["month"], r["difference"]) for r in want] == [
        ("0001", "2026-06", "240.00"), ("0001", "2026-07", "760.00"),
        ("0001", "2026-08", "760.00"), ("0001", "2026-10", "760.00"),
        ("0002", "2026-06", "-240.00"), ("0002", "2026-07", "-760.00"),
        ("0002", "2026-08", "-760.00"), ("0002", "2026-10", "-760.00"),
        ("0003", "2026-06", "121.80")]
    got = _ok(cli, "payroll", "corrections", "--db", db_url)
    assert got["rows"] == want
    assert got["total"] == "121.80"


@pytest.mark.language("en")
def test_a_paid_months_payroll_is_not_written_again(tmp_path: Path, cli, db_url: str) -> None:
    _paid_and_locked(tmp_path, cli, db_url)
    _fix_05(tmp_path, cli, db_url)
    before = files_in(tmp_path)
    digest = hashlib.sha256((tmp_path / "payroll-2026-07.xlsx").read_bytes()).hexdigest()
    for args in (["--month", "2026-07", "--out", "payroll-2026-07.xlsx"],
                 ["--month", "2026-07", "--out", "again.csv"]):
        code, out, err = cli("payroll", "export", *args, "--db", db_url)
        assert code == 3, out + err
        assert "the payroll of 2026-07 was paid (2026-06 locked on " in err
        assert ("it is not written again; its corrections go into the next payroll" in
                " ".join(err.split()))
        assert "nothing was written" in err
    assert files_in(tmp_path) == before
    assert hashlib.sha256((tmp_path / "payroll-2026-07.xlsx").read_bytes()).hexdigest() == digest
    # a month between paid ones that was never paid, and `payroll diff`, still work
    assert _ok(cli, "payroll", "diff", "--month", "2026-07", "--db", db_url)["month"] == "2026-07"


@pytest.mark.language("en")
def test_an_agent_paid_and_no_longer_due(tmp_path: Path, cli, db_url: str) -> None:
    """0002's leave in January was recorded late: January scored again with the roster that
    says so; February and March were paid to 0002 and are due to nobody (扣回 of all of it);
    April's payroll gives 0002 a line of its corrections only."""
    files = [_kpi(tmp_path, f"kpi_2026-{m:02d}.xlsx", {"0001": "100", "0002": "100"})
             for m in (1, 2, 3)]
    _ok(cli, "score", *files, "--scheme", "star", "--out", "results/", "--db", db_url)
    for month in ("2026-01", "2026-02"):
        _ok(cli, "lock", month, "--db", db_url)
    _ok(cli, "reopen", "2026-01", "--reason", "离职登记晚了 leave recorded late", "--db", db_url)
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "离职日期"],
                                          ["0001", "甲", "一组", None],
                                          ["0002", "乙", "一组", "2026-01-20"]],
               text_columns=(0, 1, 2))
    _ok(cli, "score", "kpi_2026-01.xlsx", "--roster", "roster.xlsx", "--out", "again/",
        "--db", db_url)
    paid = str(pay("一星", "100"))
    got = _ok(cli, "payroll", "corrections", "--db", db_url)
    assert got["rows"] == [
        {"agent_id": "0002", "month": month, "paid_level": "一星", "due_level": None,
         "paid": paid, "due": "0.00", "difference": f"-{paid}"}
        for month in ("2026-02", "2026-03")]
    doc = _ok(cli, "payroll", "export", "--month", "2026-04", "--out", "p04.csv", "--db",
              db_url)
    line = next(r for r in doc["rows"] if r["agent_id"] == "0002")
    assert line["level"] == ""
    assert line["total"] == str(-2 * D(paid))
    assert line["components"]["Back pay / recovery"] == line["total"]
    assert all(D(v) == 0 for k, v in line["components"].items()
               if k != "Back pay / recovery")
    csv_rows = (tmp_path / "p04.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "Back pay / recovery" in csv_rows[0]
    assert any(r.startswith("2026-04,0002,乙,一组,,") for r in csv_rows)
    code, out, err = cli("payroll", "export", "--month", "2026-04", "--out", "p04.xlsx",
                         "--db", db_url)
    assert code == 0, err
    assert "Corrections only" in out
    payroll = _sheet(tmp_path / "p04.xlsx", 0)
    row = next(r for r in payroll if r[1] == "0002")
    assert row[4] in (None, "")
    assert D(str(row[payroll[0].index("Total pay")])) == -2 * D(paid)
    assert [r[3] for r in _sheet(tmp_path / "p04.xlsx", 2)[1:-1]] == ["2026-02", "2026-03"]
    assert [r[5] for r in _sheet(tmp_path / "p04.xlsx", 2)[1:-1]] == ["—", "—"]


@pytest.mark.language("en")
def test_a_run_of_a_month_whose_payroll_was_paid_skips_that_file(tmp_path: Path, cli) -> None:
    """`cslevel run` of a reopened month: scored again, its results and moves written; its
    payroll (of a paid month) is not written again, with a warning."""
    code, _out, err = cli("init", "ws", "--language", "en")
    assert code == 0, err
    ws = tmp_path / "ws"
    examples = Path(__file__).resolve().parents[1] / "examples"
    for name in ("kpi_2026-01.xlsx", "att_2026-01.xlsx", "roster.xlsx"):
        shutil.copy(examples / name, ws / "input")
    config = str(ws / "cslevel.toml")
    first = _ok(cli, "run", "--month", "2026-01", "--config", config)
    payroll = ws / "output" / "payroll-2026-02.xlsx"
    digest = hashlib.sha256(payroll.read_bytes()).hexdigest()
    assert {Path(o["file"]).name for o in first["outputs"]} >= {payroll.name}
    db = str(ws / "cslevel.db")
    _ok(cli, "lock", "2026-01", "--db", db)
    _ok(cli, "reopen", "2026-01", "--reason", "KPI fixed", "--db", db)
    book = openpyxl.load_workbook(ws / "input" / "kpi_2026-01.xlsx")
    book.active["G4"] = 0.5  # 0001's 客户满意度
    book.save(ws / "input" / "kpi_2026-01.xlsx")
    doc = _ok(cli, "run", "--month", "2026-01", "--config", config)
    assert doc["status"] == "done"
    assert payroll.name not in {Path(o["file"]).name for o in doc["outputs"]}
    assert hashlib.sha256(payroll.read_bytes()).hexdigest() == digest
    assert any(p["severity"] == "warning" and p["message"].startswith(
        "the payroll of 2026-02 was paid (2026-01 locked on ") for p in doc["problems"])


@pytest.mark.language("en")
def test_with_pay_figures_same_a_lock_pays_its_own_month(tmp_path: Path, cli) -> None:
    """pay.figures: same: the payroll of M uses M's own figures, so locking M records the
    payroll of M itself; a fix of M (reopened) is owed by M's paid payroll."""
    text = (Path(__file__).resolve().parents[1] / "templates" / "star.yaml").read_text(
        encoding="utf-8")
    assert "  figures: previous" in text
    (tmp_path / "same.yaml").write_text(
        text.replace("scheme: star", "scheme: same", 1).replace(
            "  figures: previous", "  figures: same", 1), encoding="utf-8")
    files = [_kpi(tmp_path, f"kpi_2026-{m:02d}.xlsx", {"0001": "110"}) for m in (1, 2)]
    _ok(cli, "score", *files, "--scheme", "same.yaml", "--out", "results/")
    locked = _ok(cli, "lock", "2026-01")
    assert (locked["pay_month"], locked["paid"]["total"]) == ("2026-01", str(pay("一星", "110")))
    code, _out, err = cli("payroll", "export", "--month", "2026-01", "--out", "p.xlsx")
    assert code == 3 and "the payroll of 2026-01 was paid (2026-01 locked on " in err
    _ok(cli, "reopen", "2026-01", "--reason", "fix")
    _kpi(tmp_path, "kpi_2026-01.xlsx", {"0001": "100"})
    _ok(cli, "score", "kpi_2026-01.xlsx", "--out", "again/")
    difference = pay("一星", "100") - pay("一星", "110")
    assert _ok(cli, "payroll", "corrections")["rows"] == [
        {"agent_id": "0001", "month": "2026-01", "paid_level": "一星", "due_level": "一星",
         "paid": str(pay("一星", "110")), "due": str(pay("一星", "100")),
         "difference": str(difference)}]
    doc = _ok(cli, "payroll", "export", "--month", "2026-02", "--out", "p02.xlsx")
    assert doc["rows"][0]["components"]["Back pay / recovery"] == str(difference) == "-100.00"
