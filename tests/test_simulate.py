"""`cslevel simulate`: the history replayed under another template. The shipped star template
with an up-threshold of 105 must give exactly what a small independent replay of the star
rule and pay (written here from DOMAIN.md and templates/star.yaml, not cslevel's own) gives,
and the history must stay byte for byte as it was (table for table on PostgreSQL)."""

from __future__ import annotations

import calendar
import json
import os
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import write_xlsx
from cs_helpers import db_snapshot, error_doc, kpi

from cslevel.templates import shipped_templates_dir

SHIPPED = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
STAR = yaml.safe_load(SHIPPED)
UP_LINE = "  up_threshold: 110 "
assert SHIPPED.count(UP_LINE) == 1
STAR_105 = SHIPPED.replace(UP_LINE, "  up_threshold: 105 ")

MONTHS = [f"2026-{m:02d}" for m in range(1, 8)]  # scored
PAY_MONTHS = [*MONTHS, "2026-08"]  # every month the history can pay (default --from/--to)
# agent: (name, team, hire date, level on the roster or None: a new hire on trial)
ROSTER = {
    "0001": ("=1+2", "@SUM(1)", date(2023, 3, 15), "二星"),
    "0002": ("乙", "一组", date(2020, 6, 1), "三星"),
    "0003": ("丙", "二组", date(2025, 9, 1), "一星"),
    "0004": ("丁", "二组", date(2026, 2, 10), None),
    "0005": ("戊", "三组", date(2015, 1, 1), "五星"),
    "0006": ("己", "三组", date(2019, 7, 20), "四星"),
}
SCORES: dict[str, list[Any]] = {  # 2026-01..07; None: not in that month's workbook
    "0001": [106, 107, 108, 112, 104, 106, 107],
    "0002": [112, 115, 111, 120, 118, 119, 90],
    "0003": [105, 105, 105, 100, None, 105, 105],
    "0004": [None, 120, 106, 107, 106, 108, 109],
    "0005": [130, 90, 105, 106, 104, 107, 108],
    "0006": [105.5, 109.99, 105, 110, 110, 110, 100],
}
ADJUSTED = ("0001", "2026-05", "118")  # an upheld appeal: the rules and the pay read 118


# --- the independent replay ------------------------------------------------------------------
def _month_add(month: str, n: int) -> str:
    y, m = map(int, month.split("-"))
    y, m = divmod(y * 12 + m - 1 + n, 12)
    return f"{y}-{m + 1:02d}"


def _scores_in_use() -> dict[str, dict[str, Decimal]]:
    out = {a: {m: Decimal(str(s)) for m, s in zip(MONTHS, row, strict=True) if s is not None}
           for a, row in SCORES.items()}
    agent, month, value = ADJUSTED
    out[agent][month] = Decimal(value)
    return out


def independent_replay(up: Decimal, down: Decimal) -> tuple[dict[str, dict[str, str]],
                                                            set[tuple[str, str, str, str]]]:
    """The star rule as DOMAIN.md states it: 3 scored months in a row ≥ `up` → one level up
    from the 4th, < `down` → one down (the up streak first); both streaks restart after a
    move; a month without a score breaks them; nothing above 五星 or below 一星; a new hire
    serves 3 trial months (the hire month and the two after it), not counted, then 一星.
    Returns the level in force by agent and month (through 2026-08) and the moves
    (agent, effective month, from, to)."""
    ladder = [lv["name"] for lv in STAR["levels"] if not lv.get("trial")]
    scores = _scores_in_use()
    levels: dict[str, dict[str, str]] = {}
    moves: set[tuple[str, str, str, str]] = set()
    for agent, (_name, _team, hired, start) in ROSTER.items():
        first = next(m for m, s in zip(MONTHS, SCORES[agent], strict=True) if s is not None)
        hire_month = f"{hired.year}-{hired.month:02d}"
        trial_until = _month_add(hire_month, 2) if start is None else None
        level = "试用" if start is None else start
        ups = downs = 0
        own = levels[agent] = {}
        for month in MONTHS[MONTHS.index(first):]:
            own[month] = level
            if trial_until is not None and month <= trial_until:
                if month == trial_until:
                    moves.add((agent, _month_add(month, 1), "试用", "一星"))
                    level = "一星"
                continue
            score = scores[agent].get(month)
            if score is None:
                ups = downs = 0
                continue
            ups = ups + 1 if score >= up else 0
            downs = downs + 1 if score < down else 0
            place = ladder.index(level)
            if ups >= 3:
                if place < len(ladder) - 1:
                    moves.add((agent, _month_add(month, 1), level, ladder[place + 1]))
                    level, ups, downs = ladder[place + 1], 0, 0
            elif downs >= 3 and place > 0:
                moves.add((agent, _month_add(month, 1), level, ladder[place - 1]))
                level, ups, downs = ladder[place - 1], 0, 0
        own["2026-08"] = level
    return levels, moves


def _fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def independent_pay(levels: dict[str, dict[str, str]], month: str,
                    template: dict[str, Any] = STAR) -> dict[str, Decimal]:
    """templates/star.yaml's pay: each component of the level at the fen; 岗位绩效工资 × the
    month before's score / 100 (at most × 1.2; the full amount without a counted score);
    工龄补贴 50 a full year of service on the month's last day, at most 500; a trial month
    only the components of `pay.trial_components` (basic pay); no supervisor here and no
    attendance stored, so nothing else. Everyone hired by then is paid."""
    pay = template["pay"]
    table = {lv["name"]: lv["pay"] for lv in template["levels"]}
    scores = _scores_in_use()
    before = _month_add(month, -1)
    y, m = map(int, month.split("-"))
    last_day = date(y, m, calendar.monthrange(y, m)[1])
    out = {}
    for agent, (_name, _team, hired, _start) in ROSTER.items():
        level = levels[agent].get(month)
        if level is None:
            continue
        total = Decimal(0)
        trial = level == "试用" and pay.get("trial_components") is not None
        for component in pay["components"]:
            if trial and component not in pay["trial_components"]:
                continue  # a trial month pays its basic pay only (pay.trial_components)
            amount = Decimal(str(table[level][component]))
            score = scores[agent].get(before)
            counted = score is not None and levels[agent].get(before, "试用") != "试用"
            if component == pay["performance"]["component"] and counted:
                amount = amount * min(max(score / 100, Decimal(0)), Decimal("1.2"))
            total += _fen(amount)
        years = last_day.year - hired.year - ((last_day.month, last_day.day)
                                              < (hired.month, hired.day))
        if not trial:
            total += _fen(min(Decimal(50) * years, Decimal(500)))
        out[agent] = total
    return out


def expected_document(template: dict[str, Any] = STAR) -> dict[str, Any]:
    """What simulate must give for the star template with an up-threshold of 105 (and the
    levels' pay of `template`)."""
    now, moves_now = independent_replay(Decimal(110), Decimal(110))
    new, moves_new = independent_replay(Decimal(105), Decimal(110))
    months = []
    for month in PAY_MONTHS:
        pay_now, pay_new = independent_pay(now, month), independent_pay(new, month, template)
        cost_now, cost_new = sum(pay_now.values()), sum(pay_new.values())
        months.append({
            "month": month, "cost_now": str(cost_now), "cost_new": str(cost_new),
            "difference": str(cost_new - cost_now),
            "changed": [{"agent_id": a, "level_now": now[a].get(month),
                         "level_new": new[a].get(month)} for a in ROSTER
                        if now[a].get(month) != new[a].get(month)],
            "gained": sorted(m for m in moves_new - moves_now if m[1] == month),
            "lost": sorted(m for m in moves_now - moves_new if m[1] == month)})
    return {"months": months, "total_difference": str(sum(
        (Decimal(m["difference"]) for m in months), Decimal("0.00")))}


def _shown(doc: dict[str, Any]) -> dict[str, Any]:
    """What of simulate's document the independent replay gives."""
    months = []
    for m in doc["months"]:
        moves = {change: sorted((x["agent_id"], x["effective"], x["from"], x["to"])
                                for x in m["moves"] if x["change"] == change)
                 for change in ("gained", "lost")}
        months.append({"month": m["month"], "cost_now": m["cost_now"], "cost_new": m["cost_new"],
                       "difference": m["difference"],
                       "changed": [{k: c[k] for k in ("agent_id", "level_now", "level_new")}
                                   for c in m["changed"]], **moves})
    return {"months": months, "total_difference": doc["total_difference"]}


# --- the history ------------------------------------------------------------------------------
def _scored(tmp: Path, cli, db: str) -> None:
    write_xlsx(tmp / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "当前级别"],
        *[[a, n, t, h.isoformat(), lv] for a, (n, t, h, lv) in ROSTER.items()],
    ], text_columns=(0, 1, 2))
    files = []
    for i, month in enumerate(MONTHS):
        rows = [[a, ROSTER[a][0], ROSTER[a][1], s[i]] for a, s in SCORES.items()
                if s[i] is not None]
        files.append(kpi(tmp / f"kpi_{month}.xlsx", rows))
    code, out, err = cli("score", *files, "--scheme", "star", "--roster", "roster.xlsx",
                         "--db", db, "--out", "results/")
    assert code == 0, out + err
    agent, month, value = ADJUSTED
    code, out, err = cli("adjust", "score", agent, "--month", month, "--to", value,
                         "--reason", "申诉成立 appeal upheld", "--db", db)
    assert code == 0, out + err
    (tmp / "star-105.yaml").write_text(STAR_105, encoding="utf-8")


def _simulate_json(cli, db: str, *args: str) -> dict[str, Any]:
    code, out, err = cli("simulate", "--scheme", "star-105.yaml", "--db", db, "--json", *args)
    assert code == 0, out + err
    return json.loads(out)


def test_what_if_105_matches_an_independent_replay(tmp_path: Path, cli) -> None:
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    before = db_snapshot(Path(db))
    doc = _simulate_json(cli, db)
    expected = expected_document()
    assert _shown(doc) == expected
    # the replay does make a difference here, both ways (a check of the test itself)
    assert Decimal(doc["total_difference"]) != 0
    assert any(m["lost"] for m in expected["months"])
    assert any(m["gained"] for m in expected["months"])
    assert doc["from"] == "2026-01" and doc["to"] == "2026-08"
    assert doc["scheme"] == "star-105.yaml" and doc["scheme_now"] == "star"
    code, out, err = cli("simulate", "--scheme", "star-105.yaml", "--db", db, "--out",
                         "whatif.xlsx")
    assert code == 0, out + err
    assert "whatif.xlsx" in out
    assert db_snapshot(Path(db)) == before  # the file's bytes and every table's rows

    book = openpyxl.load_workbook(tmp_path / "whatif.xlsx")
    assert book.sheetnames == ["汇总", "级别不同的客服", "增减的晋降级"]
    summary = [row for row in book["汇总"].iter_rows(min_row=7, values_only=True)]
    assert [r[0] for r in summary] == [*PAY_MONTHS, "合计"]
    for row, month in zip(summary, expected["months"], strict=False):
        assert [Decimal(str(x)).quantize(Decimal("0.01")) for x in row[1:4]] == [
            Decimal(month["cost_now"]), Decimal(month["cost_new"]), Decimal(month["difference"])]
        assert row[4:] == (len(month["changed"]), len(month["gained"]), len(month["lost"]))
    assert Decimal(str(summary[-1][3])).quantize(Decimal("0.01")) == Decimal(
        expected["total_difference"])
    changed = list(book["级别不同的客服"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[4], r[5]) for r in changed] == [
        (m["month"], c["agent_id"], c["level_now"], c["level_new"])
        for m in expected["months"] for c in m["changed"]]
    moves = list(book["增减的晋降级"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[1], r[2], r[6], r[7]) for r in moves) == sorted(
        (m["month"], label, *move[:1], *move[2:])
        for m in expected["months"] for label, key in (("增加", "gained"), ("减少", "lost"))
        for move in m[key])
    # a name or team that looks like a formula is text (BAD_INPUTS 25)
    first = next(book["级别不同的客服"].iter_rows(min_row=2, max_row=2))
    assert [(c.value, c.data_type) for c in first[1:4]] == [
        ("0001", "s"), ("=1+2", "s"), ("@SUM(1)", "s")]


def test_other_pay_amounts_too(tmp_path: Path, cli) -> None:
    """The same rule with 一星 paid 100 more and 二星 50 less: every agent is paid anew."""
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    one = "pay: {基本工资: 3000.00, 岗位绩效工资: 1000.00"
    two = "pay: {基本工资: 3300.00, 岗位绩效工资: 1200.00"
    assert STAR_105.count(one) == STAR_105.count(two) == 1
    text = STAR_105.replace(one, "pay: {基本工资: 3100.00, 岗位绩效工资: 1000.00").replace(
        two, "pay: {基本工资: 3250.00, 岗位绩效工资: 1200.00")
    (tmp_path / "star-105.yaml").write_text(text, encoding="utf-8")
    before = db_snapshot(Path(db))
    doc = _simulate_json(cli, db)
    expected = expected_document(yaml.safe_load(text))
    assert _shown(doc) == expected
    assert expected != expected_document()  # (the amounts do change the costs)
    assert db_snapshot(Path(db)) == before


def test_cost_now_is_what_payroll_export_pays(tmp_path: Path, cli) -> None:
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    doc = _simulate_json(cli, db)
    for month in doc["months"]:
        code, out, err = cli("payroll", "export", "--month", month["month"], "--out",
                             f"payroll-{month['month']}.xlsx", "--db", db, "--json")
        assert code == 0, out + err
        assert json.loads(out)["total"] == month["cost_now"]


def test_the_same_template_changes_nothing(tmp_path: Path, cli) -> None:
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    code, out, err = cli("simulate", "--scheme", "star", "--db", db, "--json", "--from",
                         "2026-03", "--to", "2026-05")
    assert code == 0, out + err
    doc = json.loads(out)
    assert [m["month"] for m in doc["months"]] == ["2026-03", "2026-04", "2026-05"]
    assert all(m["changed"] == [] and m["moves"] == [] and m["difference"] == "0.00"
               and m["cost_now"] == m["cost_new"] for m in doc["months"])
    assert doc["total_difference"] == "0.00"


def test_postgres_history_unchanged(tmp_path: Path, cli, pg_url: str) -> None:
    from pg_helpers import tables

    _scored(tmp_path, cli, pg_url)
    before = tables(pg_url)
    doc = _simulate_json(cli, pg_url)
    assert _shown(doc) == expected_document()
    code, out, err = cli("simulate", "--scheme", "star-105.yaml", "--db", pg_url, "--out",
                         "whatif.xlsx")
    assert code == 0, out + err
    assert tables(pg_url) == before


# --- ladders ---------------------------------------------------------------------------------
def test_levels_matched_by_name_or_alias(tmp_path: Path, cli) -> None:
    """A template that renames 五星 to 金牌 and keeps 五星 among its aliases: the history's
    五星 is its 金牌."""
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    renamed = STAR_105.replace("  - name: 五星\n", "  - name: 金牌\n").replace(
        "aliases: [高级客服员, 5星", "aliases: [五星, 高级客服员, 5星")
    assert "name: 金牌" in renamed and "aliases: [五星, 高级客服员" in renamed
    (tmp_path / "gold.yaml").write_text(renamed, encoding="utf-8")
    code, out, err = cli("simulate", "--scheme", "gold.yaml", "--db", db, "--json")
    assert code == 0, out + err
    doc = json.loads(out)
    assert doc["levels_renamed"] == {"五星": "金牌"}
    expected = expected_document()
    gold = {"五星": "金牌"}
    assert [m["cost_new"] for m in doc["months"]] == [m["cost_new"] for m in expected["months"]]
    assert [[(c["agent_id"], c["level_now"], c["level_new"]) for c in m["changed"]]
            for m in doc["months"]] == [
        [(c["agent_id"], c["level_now"], gold.get(c["level_new"], c["level_new"]))
         for c in m["changed"]] for m in expected["months"]]


@pytest.mark.parametrize(("language", "message"), [
    ("zh", "模板的级别与历史数据库的不一致：gold.yaml 中没有名为 四星、五星 的级别"),
    ("en", ("the template's levels do not match the history's: no level named 四星, 五星 in "
           "gold.yaml")),
])
def test_unmatched_levels_are_refused(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch,
                                      language: str, message: str) -> None:
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    before = db_snapshot(Path(db))
    # 五星 left out, 四星 renamed (its title and aliases too): neither has a match
    lines = STAR_105.splitlines(keepends=True)
    top = lines.index("  - name: 五星\n")
    del lines[top:top + 5]
    text = "".join(lines).replace("  - name: 四星\n    title: 四星客服员\n    aliases: [4星, ★★★★, 四星级]",
                                  "  - name: 银牌\n    title: 银牌客服员\n    aliases: [银牌级]")
    assert "五星" not in text.split("entry_level")[0] and "四星" not in text.split("entry_level")[0]
    (tmp_path / "gold.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CSLEVEL_LANG", language)
    code, out, _err = cli("simulate", "--scheme", "gold.yaml", "--db", db, "--json",
                         "--out", "whatif.xlsx")
    assert code == 1
    problems = error_doc(out)["problems"]
    assert [p["message"] for p in problems] == [message]
    assert problems[0]["file"] == "gold.yaml"
    assert "aliases: [四星]" in problems[0]["hint"]
    assert not (tmp_path / "whatif.xlsx").exists()
    assert db_snapshot(Path(db)) == before


# --- options and exit codes ------------------------------------------------------------------
@pytest.mark.language("en")
@pytest.mark.parametrize(("args", "exit_code", "message"), [
    (["--from", "2026-05", "--to", "2026-03"], 2, "--from 2026-05 is after --to 2026-03"),
    (["--to", "2026-09"], 1, ("2026-01 to 2026-09 is outside the months the history can pay "
                             "(2026-01 to 2026-08)")),
    (["--from", "2025-12"], 1, ("2025-12 to 2026-08 is outside the months the history can pay "
                               "(2026-01 to 2026-08)")),
    (["--out", "whatif.csv"], 2, "the what-if workbook must be an .xlsx file, not whatif.csv"),
])
def test_bad_options(tmp_path: Path, cli, args: list[str], exit_code: int,
                     message: str) -> None:
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    code, out, _err = cli("simulate", "--scheme", "star-105.yaml", "--db", db, "--json", *args)
    assert code == exit_code
    assert [p["message"] for p in error_doc(out)["problems"]] == [message]


@pytest.mark.language("en")
def test_out_may_not_be_the_history(tmp_path: Path, cli) -> None:
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    before = db_snapshot(Path(db))
    (tmp_path / "copy.xlsx").symlink_to(tmp_path / "history.db")
    code, out, _err = cli("simulate", "--scheme", "star-105.yaml", "--db", db, "--json",
                          "--out", "copy.xlsx")
    assert code == 2
    assert error_doc(out)["problems"][0]["message"].startswith("the output copy.xlsx is ")
    assert db_snapshot(Path(db)) == before


@pytest.mark.language("en")
def test_no_history(tmp_path: Path, cli) -> None:
    (tmp_path / "star-105.yaml").write_text(STAR_105, encoding="utf-8")
    code, out, _err = cli("simulate", "--scheme", "star-105.yaml", "--json")
    assert code == 1
    assert [p["message"] for p in error_doc(out)["problems"]] == [
        f"no history database at {tmp_path / 'history.db'}"]
    assert not (tmp_path / "history.db").exists()


# --- what a person reads ---------------------------------------------------------------------
def test_the_workbook_prints_and_holds_no_internal_keys(tmp_path: Path, cli) -> None:
    from test_no_internal_keys import console_words, scan_workbook

    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    code, out, err = cli("simulate", "--scheme", "star-105.yaml", "--db", db, "--out",
                         "whatif.xlsx")
    assert code == 0, out + err
    data = {*ROSTER, *(v for row in ROSTER.values() for v in (row[0], row[1], row[3]) if v),
            "试用", "star", "star-105.yaml", "whatif.xlsx", "cslevel"}
    assert console_words([out], data) == []
    assert scan_workbook(tmp_path / "whatif.xlsx", data) == []
    book = openpyxl.load_workbook(tmp_path / "whatif.xlsx")
    for sheet, header in zip(book.worksheets, ("6:6", "1:1", "1:1"), strict=True):
        setup = sheet.page_setup
        assert (str(setup.paperSize), sheet.sheet_properties.pageSetUpPr.fitToPage,
                sheet.print_title_rows.replace("$", "")) == ("9", True, header), sheet.title
        assert sheet.oddFooter.left.text == f"{sheet.title} · 2026-08"
        assert sheet.oddFooter.right.text == "第 &P 页，共 &N 页"
    summary = book["汇总"]
    assert [summary.cell(6, c).value for c in range(1, 8)] == [
        "月份", "现行工资总额", "模拟工资总额", "差额", "级别不同人数", "增加的晋降级", "减少的晋降级"]
    assert summary.cell(7, 2).number_format == "#,##0.00"
    assert [summary.cell(r, 1).value for r in range(1, 6)] == [
        "现行模板", "模拟模板", "月份范围", "评定窗口（现行 / 模拟）", "按名称对应的级别"]
    assert [summary.cell(r, 2).value for r in range(1, 6)] == [
        "star", "star-105.yaml", "2026-01 至 2026-08", "3 / 3", "—"]


def test_help_has_an_example(cli) -> None:
    code, out, _err = cli("simulate", "--help")
    assert code == 0
    assert ("cslevel simulate --scheme star-105.yaml --from 2026-01 --to 2026-12 --out "
            "whatif.xlsx") in " ".join(out.split())


@pytest.mark.language("en")
def test_an_output_folder_that_does_not_exist(tmp_path: Path, cli) -> None:
    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    code, out, _err = cli("simulate", "--scheme", "star-105.yaml", "--db", db, "--json",
                          "--out", "nofolder/whatif.xlsx")
    assert code == 1
    assert [p["text"] for p in error_doc(out)["problems"]] == [
        ("nofolder/whatif.xlsx: cannot write the output file (the folder nofolder does not "
        "exist) — Close the file if it is open in Excel/WPS, or choose another --out path in "
        "a folder you can write to.")]
    assert not (tmp_path / "nofolder").exists()


@pytest.mark.parametrize("count", ["1", "2"])
def test_teams_shared_out_with_workers_give_the_same_answer(tmp_path: Path, cli,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            count: str) -> None:
    """The teams replayed and paid in forked workers, the parts put together: the same
    document, to the order of its lists, as one process working through every agent."""
    from cslevel.pipeline.whatif import _groups, _team_groups
    from cslevel.records import Agent

    db = str(tmp_path / "history.db")
    _scored(tmp_path, cli, db)
    monkeypatch.setenv("CSLEVEL_WORKERS", "0")
    alone = _simulate_json(cli, db)
    monkeypatch.setenv("CSLEVEL_WORKERS", count)
    from cslevel.pipeline import whatif

    part = whatif._simulate_part
    pids = tmp_path / "pids.txt"

    def noted(*args: Any) -> Any:  # (which process worked out each part)
        with pids.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return part(*args)

    monkeypatch.setattr(whatif, "_simulate_part", noted)
    shared = _simulate_json(cli, db)
    assert shared == alone
    assert len(set(pids.read_text().split())) == int(count) + 1  # (the parts were shared out)
    assert alone["total_difference"] == expected_document()["total_difference"]
    # whole teams, the groups of about the same size, every agent once
    agents = {a: Agent(a, name, team) for a, (name, team, _hired, _level) in ROSTER.items()}
    groups = _team_groups(agents, int(count) + 1)
    assert sorted(a for g in groups for a in g) == sorted(ROSTER)
    assert len(groups) == int(count) + 1
    for group in groups:
        teams = {agents[a].team for a in group}
        assert all(agents[a].team not in teams for g in groups if g is not group for a in g)
    assert [sorted(g) for g in _team_groups(agents, 1)] == [sorted(ROSTER)]
    assert _groups(agents, int(count) + 1, by_team=True) == groups
    # without pay that reads the team (star), runs of ids
    assert _groups(agents, 2, by_team=False) == [["0001", "0002", "0003"],
                                                 ["0004", "0005", "0006"]]
    assert _groups(agents, 3, by_team=False) == [["0001", "0002"], ["0003", "0004"],
                                                 ["0005", "0006"]]


def test_a_large_document_is_printed_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """--json: indented up to JSON_INDENTED_UP_TO characters; a larger document (a what-if
    over years of 10,000 agents) on one line, the same document either way."""
    from cslevel.cli import report

    document = {"months": [{"month": f"2026-{m:02d}", "名": "甲"} for m in range(1, 13)]}
    small = report.json_text(document)
    assert small.startswith('{\n  "months": [\n') and "甲" in small
    monkeypatch.setattr(report, "JSON_INDENTED_UP_TO", 100)
    large = report.json_text(document)
    assert "\n" not in large and json.loads(large) == json.loads(small) == document
