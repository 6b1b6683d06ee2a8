"""`cslevel payroll export` against BAD_INPUTS 25, 26, 27 and 34: formula text in names and
teams, 2.675 from a float and rounding at the fen, an output that cannot be written, and a
payroll of 300 agents read back cell by cell."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import write_xlsx
from cs_helpers import db_snapshot, files_in, half_up, kpi, query

from cslevel.templates import shipped_templates_dir

SHIPPED = (shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8")
PERFORMANCE = "  performance: {component: 岗位绩效工资, full_at: 100, cap: 1.2}\n"
SENIORITY = "  seniority: {name: 工龄补贴, per_year: 50.00, cap: 500.00}\n"
ONE_STAR_PAY = ("pay: {基本工资: 3000.00, 岗位绩效工资: 1000.00, 交通补贴: 150.00, 餐费补贴: 300.00, "
                "话费补贴: 100.00}\n  - name: 二星")
FLAT_COMPONENTS = ["基本工资", "岗位绩效工资", "交通补贴", "餐费补贴", "话费补贴", "主管津贴"]
# (with the pay-inputs workbook's columns of templates/star.yaml: none is given here)
INPUTS = ["工作日加班费", "休息日加班费", "节假日加班费", "其它福利", "一次性款项", "社保个人部分",
          "公积金个人部分"]
NO_INPUTS = dict.fromkeys(INPUTS, "0.00")
FULL_COMPONENTS = ["基本工资", "岗位绩效工资", "交通补贴", "餐费补贴", "话费补贴", "工龄补贴", "主管津贴",
                   *INPUTS, "考勤扣款"]


def headers(components: list[str]) -> list[str]:
    return ["月份", "工号", "姓名", "组别", "级别", *components, "应发合计", "上月应发", "变动说明",
            "计算说明"]


def star_template(tmp: Path, name: str = "star_test.yaml", *, performance: bool = False,
                  edits: tuple[tuple[str, str], ...] = ()) -> str:
    """A copy of templates/star.yaml without seniority pay and attendance deductions (and
    without performance scaling unless asked), with `edits` applied; returns its file name."""
    text = SHIPPED.split("  attendance_deduction:")[0]
    for line in (PERFORMANCE, SENIORITY):
        assert line in text
    text = text.replace(SENIORITY, "")
    if not performance:
        text = text.replace(PERFORMANCE, "")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (tmp / name).write_text(text, encoding="utf-8")
    return name


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def money_cell(cell: Any) -> Decimal:
    """A money cell of the .xlsx: numeric, formatted #,##0.00, read back to the fen."""
    assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (cell.coordinate,
                                                                           cell.value)
    assert cell.number_format == "#,##0.00", cell.coordinate
    return half_up(str(cell.value))


# --- BAD_INPUTS 25: formula text in names and teams -----------------------------------------
HYPERLINK = '=HYPERLINK("http://x","点我")'
HOSTILE = {HYPERLINK, "@SUM(1)", "+1", "-2", "=1+2"}
# agent -> (name, team, where the name and team come from, level before -> level from 04)
AGENTS_25 = {
    "0001": (HYPERLINK, "@SUM(1)", "roster", "二星", "三星"),   # promoted
    "0002": ("+1", "-2", "kpi", "二星", "一星"),                # demoted
    "0003": ("=1+2", HYPERLINK, "kpi", "三星", "四星"),          # promoted
    "0004": ("@SUM(1)", "=1+2", "roster", "三星", "三星"),       # no move, no change
}
SCORES_25 = {"0001": [112, 115, 120], "0002": [100, 100, 100], "0003": [120, 120, 120],
             "0004": [112, 100, 112]}


@pytest.fixture
def hostile_history(tmp_path: Path, cli) -> Path:
    """Three months scored; the names and teams of 0001 and 0004 come from the roster (the
    KPI workbooks say 甲/一组), those of 0002 and 0003 from the KPI workbooks (blank in the
    roster)."""
    scheme = star_template(tmp_path)
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "入职日期", "当前级别"]] + [
        [a, n if src == "roster" else None, t if src == "roster" else None, "2024-01-01", lv]
        for a, (n, t, src, lv, _) in AGENTS_25.items()], text_columns=(0, 1, 2))
    files = []
    for i in range(3):
        rows = [[a, n if src == "kpi" else "甲", t if src == "kpi" else "一组", SCORES_25[a][i]]
                for a, (n, t, src, _, _) in AGENTS_25.items()]
        files.append(kpi(tmp_path / f"kpi_2026-{i + 1:02d}.xlsx", rows))
    code, _, err = cli("score", *files, "--scheme", scheme, "--roster", "roster.xlsx",
                       "--out", "results/")
    assert code == 0, err
    return tmp_path / "history.db"


def test_formula_names_are_text_on_every_xlsx_sheet(tmp_path: Path, hostile_history: Path,
                                                    cli_json) -> None:
    """BAD_INPUTS 25: names and teams that look like formulas, from the roster or the KPI
    workbook, are text cells (value unchanged) on the payroll sheet, 与上月对比 and
    晋升降级申请表; no cell of the workbook is a formula or a hyperlink; money is numeric."""
    doc = cli_json("payroll", "export", "--month", "2026-04", "--out", "payroll.xlsx")
    # the JSON document carries the names as they are (it is not a spreadsheet)
    assert {r["agent_id"]: (r["name"], r["team"], r["level"]) for r in doc["rows"]} == {
        a: (n, t, after) for a, (n, t, _, _, after) in AGENTS_25.items()}
    assert sorted((m["agent_id"], m["from"], m["to"]) for m in doc["moves"]) == [
        ("0001", "二星", "三星"), ("0002", "二星", "一星"), ("0003", "三星", "四星")]

    book = openpyxl.load_workbook(tmp_path / "payroll.xlsx")
    assert book.sheetnames == ["工资表 2026-04", "与上月对比", "晋升降级申请表"]
    for ws in book.worksheets:
        assert not ws._hyperlinks, ws.title
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in HOSTILE:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)

    def by_id(ws: Any, id_column: int) -> dict[str, list[Any]]:
        return {r[id_column].value: list(r) for r in ws.iter_rows()
                if r[id_column].value in AGENTS_25}

    # 工资表: 月份, 工号, 姓名, 组别, 级别, components..., 应发合计, 上月应发
    payroll = by_id(book["工资表 2026-04"], 1)
    assert set(payroll) == set(AGENTS_25)
    comparison = by_id(book["与上月对比"], 0)
    assert set(comparison) == {"0001", "0002", "0003"}  # 0004 is paid the same as in March
    signoff = by_id(book["晋升降级申请表"], 0)
    assert set(signoff) == {"0001", "0002", "0003"}
    for agent, (name, team, _, _, _) in AGENTS_25.items():
        found = [payroll[agent][2:4]]
        if agent in comparison:
            found += [comparison[agent][1:3], signoff[agent][1:3]]
        for name_cell, team_cell in found:
            assert (name_cell.value, name_cell.data_type) == (name, "s")
            assert (team_cell.value, team_cell.data_type) == (team, "s")
    # money stays numeric: 0001 is paid 三星 from April (5750.00), 5050.00 in March (二星)
    row = payroll["0001"]
    assert [money_cell(c) for c in row[5:13]] == [Decimal(v) for v in (
        "3600.00", "1500.00", "200.00", "300.00", "150.00", "0.00", "5750.00", "5050.00")]
    assert [money_cell(c) for c in comparison["0001"][4:7]] == [
        Decimal("5050.00"), Decimal("5750.00"), Decimal("700.00")]


def test_formula_names_are_neutralised_in_csv(tmp_path: Path, hostile_history: Path,
                                              cli) -> None:
    """BAD_INPUTS 25: in the .csv every text cell that starts with = + - @ gets a leading
    apostrophe; the money columns stay plain numbers."""
    code, _, err = cli("payroll", "export", "--month", "2026-04", "--out", "payroll.csv")
    assert code == 0, err
    rows = read_csv(tmp_path / "payroll.csv")
    assert rows[0] == headers(FLAT_COMPONENTS)
    body = {r[1]: r for r in rows[1:-1]}
    assert set(body) == set(AGENTS_25)
    for agent, (name, team, _, _, level) in AGENTS_25.items():
        assert body[agent][2:5] == ["'" + name, "'" + team, level]
    for row in rows[1:]:
        for text in row:
            assert not text.startswith(("=", "+", "@", "\t", "\r")), text
            if text.startswith("-"):  # only a negative amount may start with a minus
                Decimal(text)
    assert body["0001"][5:13] == ["3600.00", "1500.00", "200.00", "300.00", "150.00", "0.00",
                                  "5750.00", "5050.00"]
    assert body["0002"][5:13] == ["3000.00", "1000.00", "150.00", "300.00", "100.00", "0.00",
                                  "4550.00", "5050.00"]


def test_payroll_diff_keeps_formula_names_and_writes_nothing(tmp_path: Path,
                                                             hostile_history: Path,
                                                             cli_json) -> None:
    """BAD_INPUTS 25: `payroll diff --json` gives the names and teams as they are, and writes
    no file and nothing to the database."""
    before_db, before_files = db_snapshot(hostile_history), files_in(tmp_path)
    doc = cli_json("payroll", "diff", "--month", "2026-04")
    assert [(c["agent_id"], c["name"], c["team"], c["level"]) for c in doc["changes"]] == [
        (a, AGENTS_25[a][0], AGENTS_25[a][1], AGENTS_25[a][4])
        for a in sorted(("0001", "0002", "0003"), key=lambda a: (AGENTS_25[a][1], a))]
    assert db_snapshot(hostile_history) == before_db
    assert files_in(tmp_path) == before_files


def test_payroll_diff_console_prints_names_verbatim(tmp_path: Path, cli, cli_json) -> None:
    """BAD_INPUTS 25 (console): text from the workbooks is data in every output, the
    terminal table of `payroll diff` included; markup-like names are shown as typed."""
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "当前级别"],
                                          ["0001", "[red]张三", "一组", "二星"],
                                          ["0002", "李四", "[/x]组", "二星"]],
               text_columns=(0, 1, 2))
    files = [kpi(tmp_path / f"kpi_2026-{m:02d}.xlsx", [["0001", "[red]张三", "一组", 100],
                                                       ["0002", "李四", "[/x]组", 120]])
             for m in (1, 2, 3)]
    code, out, err = cli("score", *files, "--scheme", star_template(tmp_path), "--roster",
                         "roster.xlsx", "--out", "results/")
    assert code == 0, err
    assert "[/x]组" in out  # 0002 is promoted: the moves table shows the team
    for args in (("payroll", "diff", "--month", "2026-04"), ("history", "0001"),
                 ("history", "0002"), ("promote",)):
        code, out, err = cli(*args)
        assert code == 0, err
        assert ("[red]张三" in out) or ("[/x]组" in out), args
    code, out, _ = cli("payroll", "diff", "--month", "2026-04")
    assert "[red]张三" in out
    assert "[/x]组" in out


# --- BAD_INPUTS 26: 2.675 from a float, half-up at the fen -----------------------------------
def _one_star_history(tmp: Path, cli, scheme: str, scores: list[Any],
                      roster_extra: dict[str, list[Any]] | None = None) -> Path:
    """Two 一星 agents (0001, 0002) scored in 2026-01..03 with `scores` (floats as cells)."""
    extra = roster_extra or {}
    extra_header = list(extra.get("header", []))
    write_xlsx(tmp / "roster.xlsx", [["工号", "姓名", "组别", "入职日期", "当前级别", *extra_header],
                                     *[[a, f"客服{a}", "一组", "2024-01-01", "一星", *extra.get(a, [])]
                                       for a in ("0001", "0002")]],
               text_columns=(0, 1, 2))
    files = [kpi(tmp / f"kpi_2026-{m:02d}.xlsx",
                 [[a, f"客服{a}", "一组", scores[m - 1]] for a in ("0001", "0002")])
             for m in (1, 2, 3)]
    code, _, err = cli("score", *files, "--scheme", scheme, "--roster", "roster.xlsx",
                       "--out", "results/")
    assert code == 0, err
    return tmp / "history.db"


def _three_ways(tmp: Path, cli, month: str = "2026-03") -> tuple[dict[str, Any],
                                                                   list[list[Any]],
                                                                   list[list[str]]]:
    """The month's payroll as JSON, as .xlsx rows (cells) and as .csv rows."""
    code, out, err = cli("payroll", "export", "--month", month, "--out", "p.xlsx", "--json")
    assert code == 0, err
    doc = json.loads(out)
    code, _, err = cli("payroll", "export", "--month", month, "--out", "p.csv")
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp / "p.xlsx")[f"工资表 {month}"]
    return doc, [list(r) for r in ws.iter_rows()], read_csv(tmp / "p.csv")


def _check_sums(doc: dict[str, Any], xlsx_rows: list[list[Any]], csv_rows: list[list[str]],
                components: list[str]) -> None:
    """Every row's total is the sum of its components; the totals row is the sum of the rows,
    to the fen, in all three outputs."""
    n = len(components)
    sums = [Decimal("0.00")] * (n + 1)
    for row in doc["rows"]:
        amounts = [Decimal(row["components"][c]) for c in components] + [Decimal(row["total"])]
        assert amounts[-1] == sum(amounts[:-1], Decimal("0.00"))
        sums = [s + a for s, a in zip(sums, amounts)]
    assert [Decimal(doc["components_total"][c]) for c in components] + [
        Decimal(doc["total"])] == sums
    for rows, read in ((xlsx_rows, money_cell), (csv_rows, lambda text: Decimal(text))):
        body, totals = rows[1:-1], rows[-1]
        assert len(body) == len(doc["rows"])
        column_sums = [Decimal("0.00")] * (n + 1)
        for row in body:
            amounts = [read(c) for c in row[5:6 + n]]
            assert amounts[-1] == sum(amounts[:-1], Decimal("0.00"))
            column_sums = [s + a for s, a in zip(column_sums, amounts)]
        assert [read(c) for c in totals[5:6 + n]] == column_sums == sums


def test_2675_in_the_pay_table_pays_268(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 26: 话费补贴 2.675 in the template (YAML reads it as a float, which is
    2.67499999… in binary) pays 2.68 in JSON, .xlsx and .csv, and the total adds up."""
    scheme = star_template(tmp_path, edits=((ONE_STAR_PAY, ONE_STAR_PAY.replace(
        "话费补贴: 100.00", "话费补贴: 2.675")),))
    _one_star_history(tmp_path, cli, scheme, [100, 100, 100])
    doc, xlsx_rows, csv_rows = _three_ways(tmp_path, cli)
    for row in doc["rows"]:
        assert row["components"]["话费补贴"] == "2.68"
        assert row["total"] == "4452.68"  # 3000 + 1000 + 150 + 300 + 2.68
    assert doc["components_total"]["话费补贴"] == "5.36"
    assert doc["total"] == "8905.36"
    phone = 5 + FLAT_COMPONENTS.index("话费补贴")
    for row in xlsx_rows[1:-1]:
        assert money_cell(row[phone]) == Decimal("2.68")
        assert row[phone].value == pytest.approx(2.68, abs=1e-9)
        assert money_cell(row[11]) == Decimal("4452.68")
    assert money_cell(xlsx_rows[-1][phone]) == Decimal("5.36")
    for row in csv_rows[1:-1]:
        assert (row[phone], row[11]) == ("2.68", "4452.68")
    assert csv_rows[-1][11] == "8905.36"
    _check_sums(doc, xlsx_rows, csv_rows, FLAT_COMPONENTS)


def test_2675_from_a_float_cell_supervisor_amount(tmp_path: Path, cli, cli_json) -> None:
    """BAD_INPUTS 26: the roster's 主管津贴档 given as the float cell 2.675 (the amount of the
    template's 一档) pays 2.68, not 2.67."""
    scheme = star_template(tmp_path, edits=(("一档: 500.00", "一档: 2.675"),))
    _one_star_history(tmp_path, cli, scheme, [100, 100, 100],
                      {"header": ["主管津贴档"], "0001": [2.675], "0002": [None]})
    doc = cli_json("payroll", "export", "--month", "2026-03", "--out", "p.csv")
    rows = {r["agent_id"]: r for r in doc["rows"]}
    assert rows["0001"]["components"]["主管津贴"] == "2.68"
    assert rows["0001"]["total"] == "4552.68"  # 一星 4550.00 + 2.68
    assert rows["0002"]["components"]["主管津贴"] == "0.00"
    assert doc["total"] == "9102.68"


@pytest.mark.parametrize(("amount", "february", "before", "difference"), [
    ("5.35", 50, "3555.35", "-2.67"),    # 5.35 × 50/100 = 2.675 (float: 2.67499…)
    ("5.00", 53.5, "3555.00", "-2.32"),  # 5.00 × 53.5/100 = 2.675, 53.5 from a float cell
])
def test_2675_reached_by_scaling(tmp_path: Path, cli, cli_json, amount: str, february: Any,
                                 before: str, difference: str) -> None:
    """BAD_INPUTS 26: performance pay scaled by the month before's score to 2.675 pays 2.68
    in every output, and `payroll diff` shows the same amounts."""
    scheme = star_template(tmp_path, performance=True, edits=((ONE_STAR_PAY, ONE_STAR_PAY.replace(
        "岗位绩效工资: 1000.00", f"岗位绩效工资: {amount}")),))
    _one_star_history(tmp_path, cli, scheme, [100, february, 100])
    doc, xlsx_rows, csv_rows = _three_ways(tmp_path, cli)  # March pays by February's score
    perf = 5 + FLAT_COMPONENTS.index("岗位绩效工资")
    for row in doc["rows"]:
        assert row["components"]["岗位绩效工资"] == "2.68"
        assert row["total"] == "3552.68"  # 3000 + 2.68 + 150 + 300 + 100
        assert row["previous_total"] == before
    for row in xlsx_rows[1:-1]:
        assert money_cell(row[perf]) == Decimal("2.68")
    for row in csv_rows[1:-1]:
        assert (row[perf], row[11]) == ("2.68", "3552.68")
    assert (doc["components_total"]["岗位绩效工资"], doc["total"]) == ("5.36", "7105.36")
    _check_sums(doc, xlsx_rows, csv_rows, FLAT_COMPONENTS)
    diff = cli_json("payroll", "diff", "--month", "2026-03")
    assert [(c["agent_id"], c["total_before"], c["total"], c["difference"],
             c["components"]["岗位绩效工资"]) for c in diff["changes"]] == [
        (a, before, "3552.68", difference, "2.68") for a in ("0001", "0002")]
    assert (diff["total_before"], diff["total"]) == (str(2 * Decimal(before)), "7105.36")


def test_each_component_rounded_before_the_sum(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 26: three components of x.005 round to x.01 each, so the total is
    4150.03, not the rounded sum 4150.02 (4150.015); the totals row is the sum of the
    rounded rows (8300.06), in JSON, .xlsx and .csv."""
    new = ONE_STAR_PAY
    for old_text, new_text in (("岗位绩效工资: 1000.00", "岗位绩效工资: 600.00"),  # (as it was)
                               ("交通补贴: 150.00", "交通补贴: 150.005"),
                               ("餐费补贴: 300.00", "餐费补贴: 300.005"),
                               ("话费补贴: 100.00", "话费补贴: 100.005")):
        new = new.replace(old_text, new_text)
    scheme = star_template(tmp_path, edits=((ONE_STAR_PAY, new),))
    _one_star_history(tmp_path, cli, scheme, [100, 100, 100])
    doc, xlsx_rows, csv_rows = _three_ways(tmp_path, cli)
    for row in doc["rows"]:
        assert row["components"] == {"基本工资": "3000.00", "岗位绩效工资": "600.00",
                                     "交通补贴": "150.01", "餐费补贴": "300.01", "话费补贴": "100.01",
                                     "主管津贴": "0.00"}
        assert row["total"] == "4150.03"
    assert doc["components_total"] == {"基本工资": "6000.00", "岗位绩效工资": "1200.00",
                                       "交通补贴": "300.02", "餐费补贴": "600.02", "话费补贴": "200.02",
                                       "主管津贴": "0.00"}
    assert doc["total"] == "8300.06"
    for row in xlsx_rows[1:-1]:
        assert [money_cell(c) for c in row[5:12]] == [Decimal(v) for v in (
            "3000.00", "600.00", "150.01", "300.01", "100.01", "0.00", "4150.03")]
    assert [money_cell(c) for c in xlsx_rows[-1][5:12]] == [Decimal(v) for v in (
        "6000.00", "1200.00", "300.02", "600.02", "200.02", "0.00", "8300.06")]
    for row in csv_rows[1:-1]:
        assert row[5:12] == ["3000.00", "600.00", "150.01", "300.01", "100.01", "0.00",
                             "4150.03"]
    assert csv_rows[-1][5:12] == ["6000.00", "1200.00", "300.02", "600.02", "200.02", "0.00",
                                  "8300.06"]
    _check_sums(doc, xlsx_rows, csv_rows, FLAT_COMPONENTS)


# --- BAD_INPUTS 27: the output file cannot be written ----------------------------------------
HINT = "Close the file if it is open in Excel/WPS, or choose another --out path"


@pytest.fixture
def paid(tmp_path: Path, cli) -> Path:
    """A scored history and, in old/, last run's payroll files (the ones not to touch)."""
    _one_star_history(tmp_path, cli, star_template(tmp_path), [100, 100, 100])
    (tmp_path / "old").mkdir()
    for suffix in ("xlsx", "csv"):
        code, _, err = cli("payroll", "export", "--month", "2026-02", "--out",
                           f"old/payroll.{suffix}")
        assert code == 0, err
    return tmp_path / "history.db"


def _refused(tmp: Path, db: Path, cli, target: str, why: str, message: str | None = None,
             hint: str = HINT) -> None:
    """Export March to `target`: exit 1, the path and why in the message, and the database,
    every file (old payroll bytes included) as before; no temporary file left behind."""
    before_db = db_snapshot(db)
    before_files = {p: (tmp / p).read_bytes() for p in files_in(tmp) if p != "history.db"}
    code, out, err = cli("payroll", "export", "--month", "2026-03", "--out", target)
    assert code == 1, out + err
    assert out == ""
    message = message or f"cannot write the output file ({why})"
    assert f"{target}: {message}" in " ".join(err.split())
    assert hint in " ".join(err.split())
    assert "nothing was written" in err
    assert db_snapshot(db) == before_db
    assert {p: (tmp / p).read_bytes() for p in files_in(tmp) if p != "history.db"} == before_files


@pytest.mark.language("en")
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_target_is_a_folder(tmp_path: Path, paid: Path, cli, suffix: str) -> None:
    """BAD_INPUTS 27: --out names an existing folder."""
    (tmp_path / f"dir.{suffix}").mkdir()
    (tmp_path / f"dir.{suffix}" / "keep.txt").write_text("keep", encoding="utf-8")
    _refused(tmp_path, paid, cli, f"dir.{suffix}", "it is a folder")
    assert (tmp_path / f"dir.{suffix}").is_dir()


@pytest.mark.language("en")
@pytest.mark.parametrize("target", ["nowhere/payroll.xlsx", "no/such/payroll.csv"])
def test_target_folder_missing(tmp_path: Path, paid: Path, cli, target: str) -> None:
    """BAD_INPUTS 27: the folder of --out does not exist; it is not created."""
    folder = str(Path(target).parent)
    _refused(tmp_path, paid, cli, target, f"the folder {folder} does not exist")
    assert not (tmp_path / target.split("/")[0]).exists()


@pytest.mark.language("en")
@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_read_only_folder(tmp_path: Path, paid: Path, cli, suffix: str) -> None:
    """BAD_INPUTS 27: the folder holding last month's payroll is read-only."""
    (tmp_path / "old").chmod(0o555)
    try:
        _refused(tmp_path, paid, cli, f"old/payroll.{suffix}", "Permission denied")
    finally:
        (tmp_path / "old").chmod(0o755)


@pytest.mark.language("en")
@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_old_file(tmp_path: Path, paid: Path, cli) -> None:
    """BAD_INPUTS 27: the old payroll cannot be opened for writing (a read-only file; on
    Windows the same check catches a workbook open in Excel)."""
    (tmp_path / "old" / "payroll.xlsx").chmod(0o444)
    _refused(tmp_path, paid, cli, "old/payroll.xlsx", "Permission denied")


@pytest.mark.language("en")
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_folder_refuses_new_files(tmp_path: Path, paid: Path, cli,
                                  monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """BAD_INPUTS 27: a read-only folder, as root can see it too: creating the temporary
    file next to the target fails with EACCES."""
    from cslevel.export import safe

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(safe.tempfile, "mkstemp", refuse)
    _refused(tmp_path, paid, cli, f"old/payroll.{suffix}", "Permission denied")


@pytest.mark.language("en")
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_old_file_open_in_another_program(tmp_path: Path, paid: Path, cli,
                                          monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """BAD_INPUTS 27: Excel on Windows holds the old payroll open, so it cannot be opened for
    writing (WinError 32): refused before the history commits; the old file stays, the
    staged file is removed."""
    target = tmp_path / "old" / f"payroll.{suffix}"
    real_open = Path.open

    def held(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "r+b" and self.resolve() == target.resolve():
            raise PermissionError(errno.EACCES, "The process cannot access the file because "
                                                "it is being used by another process")
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", held)
    _refused(tmp_path, paid, cli, f"old/payroll.{suffix}",
             "The process cannot access the file because it is being used by another process")


@pytest.mark.language("en")
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_bad_inputs_42_rename_refused_after_the_commit(
        tmp_path: Path, paid: Path, cli, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """BAD_INPUTS 42/27: the old payroll is taken by another program only after the history
    committed (between the last check and the rename): the run is saved and says so, the
    old file stays, and the next command puts the new file in place."""
    target = tmp_path / "old" / f"payroll.{suffix}"
    real_replace = os.replace
    old_bytes = target.read_bytes()

    def busy(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if Path(dst).resolve() == target.resolve():
            raise PermissionError(errno.EACCES, "The process cannot access the file because "
                                                "it is being used by another process")
        real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", busy)
    code, out, err = cli("payroll", "export", "--month", "2026-03", "--out",
                         f"old/payroll.{suffix}")
    assert code == 1, out + err
    text = " ".join(err.split())
    assert ("Error: 1 problem(s); the history was saved, but not every file is in place "
            "yet.") in text
    assert (f"old/payroll.{suffix}: the run was saved in the history, but old/payroll.{suffix} "
            "could not be put in place yet (The process cannot access the file because it is "
            "being used by another process) — Close the file if it is open in Excel/WPS; the "
            "next cslevel command (e.g. cslevel runs) puts it in place.") in text
    assert target.read_bytes() == old_bytes
    pending = query(paid, "select target from output_files")
    assert pending == [(f"old/payroll.{suffix}",)]
    monkeypatch.setattr(os, "replace", real_replace)
    code, out, err = cli("runs", "--json")  # any later command finishes the set
    assert code == 0, err
    assert target.read_bytes() != old_bytes
    assert query(paid, "select target from output_files") == []
    assert json.loads(out)["runs"][0]["command"] == "recover"


@pytest.mark.language("en")
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_disk_full_half_way(tmp_path: Path, paid: Path, cli, monkeypatch: pytest.MonkeyPatch,
                            suffix: str) -> None:
    """BAD_INPUTS 27: writing stops half way (disk full): no half-written file anywhere, the
    old payroll and the database as before."""
    import cslevel.export.payroll as payroll_file

    def half_written(path: Path, result: Any) -> None:
        path.write_bytes(b"PK\x03\x04 half a payroll")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(payroll_file, f"_write_{suffix}", half_written)
    _refused(tmp_path, paid, cli, f"old/payroll.{suffix}", "No space left on device",
             message="cannot write the output file: the disk is full",
             hint="Free some space on the disk that holds old (and the temporary folder), "
                  "then run again. Nothing was changed.")


# --- BAD_INPUTS 34: every cell written is there when read back -------------------------------
LEVELS_34 = ["一星", "二星", "三星", "四星", "五星"]
ATTENDANCE_HEADER = ["工号", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数", "事假天数",
                     "病假天数"]
N_AGENTS = 300


def _agent_34(i: int) -> dict[str, Any]:
    """Agent i of 300: a level, a hire date (every 25th still in trial), a supervisor tier
    for every 20th, a January score and January attendance, all varied by i."""
    trial = i % 25 == 0
    return {
        "id": f"{i:04d}", "name": f"客服{i}", "team": f"{(i - 1) // 4 + 1:02d}组",
        "level": None if trial else LEVELS_34[i % 5],
        "hire": "2025-12-01" if trial else f"{2015 + i % 11}-{i % 12 + 1:02d}-15",
        "tier": ["一档", "二档", "三档"][i % 3] if i % 20 == 0 else None,
        "score": 80 + (i % 50) + (i % 7) / 4,
        "attendance": [22, 22 - i % 3, i % 4, i % 2, i % 3 == 0, i % 5 == 0, i % 6 == 0],
    }


def test_300_agents_every_cell_read_back(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 34: a payroll of 300 agents with every component of the shipped star
    template (performance scaling, seniority, supervisor tiers, attendance deductions): the
    .xlsx and the .csv read back hold one row per agent with every cell present and equal to
    the JSON document, and the totals row is the sum of the rows to the fen."""
    agents = [_agent_34(i) for i in range(1, N_AGENTS + 1)]
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "姓名", "组别", "入职日期", "当前级别", "主管津贴档"]] + [
        [a["id"], a["name"], a["team"], a["hire"], a["level"], a["tier"]] for a in agents],
        text_columns=(0, 1, 2))
    kpi(tmp_path / "kpi_2026-01.xlsx", [[a["id"], a["name"], a["team"], a["score"]]
                                        for a in agents])
    write_xlsx(tmp_path / "att_2026-01.xlsx", [ATTENDANCE_HEADER] + [
        [a["id"], *[int(v) for v in a["attendance"]]] for a in agents])
    code, _, err = cli("score", "kpi_2026-01.xlsx", "--scheme", "star", "--roster", "roster.xlsx",
                       "--attendance", "att_2026-01.xlsx", "--out", "results/")
    assert code == 0, err
    code, out, err = cli("payroll", "export", "--month", "2026-02", "--out", "p.xlsx", "--json")
    assert code == 0, err
    doc = json.loads(out)
    code, _, err = cli("payroll", "export", "--month", "2026-02", "--out", "p.csv")
    assert code == 0, err

    rows = {r["agent_id"]: r for r in doc["rows"]}
    assert sorted(rows) == [a["id"] for a in agents]
    # two lines worked out by hand, so the JSON the files are compared with is right too
    # 0015: 一星; January 80 + 15 + 1/4 = 95.25 → 1000 × 0.9525 = 952.50; hired 2019-04-15 →
    # 6 full years → 300; 1 day absent + 1 day personal leave at 3000 / 21.75 a day, and
    # late 3 times + early once at 20: 275.862… + 80 = 355.86
    assert rows["0015"]["level"] == "一星"
    assert rows["0015"]["components"] == {
        "基本工资": "3000.00", "岗位绩效工资": "952.50", "交通补贴": "150.00", "餐费补贴": "300.00",
        "话费补贴": "100.00", "工龄补贴": "300.00", "主管津贴": "0.00", **NO_INPUTS,
        "考勤扣款": "-355.86"}
    assert rows["0015"]["total"] == "4446.64"  # 3000 + 952.50 + 550 + 300 − 355.86
    # 0100: in trial (hired 2025-12-01): basic pay only (004), so neither the trial level's
    # allowances nor its tier 二档 1000 (100 % 3 == 1); late 0, early 0, not absent, 1 day
    # personal leave (100 % 5 == 0): 2500 / 21.75 = 114.94
    assert rows["0100"]["level"] == "试用"
    assert rows["0100"]["components"] == {
        "基本工资": "2500.00", "岗位绩效工资": "0.00", "交通补贴": "0.00", "餐费补贴": "0.00",
        "话费补贴": "0.00", "工龄补贴": "0.00", "主管津贴": "0.00", **NO_INPUTS,
        "考勤扣款": "-114.94"}
    assert rows["0100"]["total"] == "2385.06"
    components = list(rows["0001"]["components"])
    assert components == FULL_COMPONENTS
    # (the workbook's columns: no pay-inputs workbook this month, so none of its items)
    components = [c for c in components if c not in INPUTS]
    n = len(components)

    def expected_cells(agent: str) -> list[Any]:
        row = rows[agent]
        return ["2026-02", agent, row["name"], row["team"], row["level"],
                *[Decimal(row["components"][c]) for c in components], Decimal(row["total"]),
                Decimal(row["previous_total"]), row["change"] or None, row["note"] or None]

    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    ws = book["工资表 2026-02"]
    assert (ws.max_row, ws.max_column) == (N_AGENTS + 2, len(headers(components)))
    table = [list(r) for r in ws.iter_rows()]
    assert [c.value for c in table[0]] == headers(components)
    body, totals = table[1:-1], table[-1]
    assert len(body) == N_AGENTS
    assert [r[1].value for r in body] == [r["agent_id"] for r in doc["rows"]]
    sums = [Decimal("0.00")] * (n + 1)
    for row in body:
        for cell in row[:5]:
            assert cell.data_type == "s" and cell.value, cell.coordinate
        amounts = [money_cell(c) for c in row[5:7 + n]]  # components, total, last month
        got = [c.value for c in row[:5]] + amounts + [row[7 + n].value, row[8 + n].value]
        assert got == expected_cells(row[1].value), row[1].value
        assert amounts[n] == sum(amounts[:n], Decimal("0.00"))
        sums = [s + a for s, a in zip(sums, amounts[:n + 1])]
    assert [c.value or "" for c in totals[:5]] == ["2026-02", "合计", "", "", f"{N_AGENTS}人"]
    assert [money_cell(c) for c in totals[5:6 + n]] == sums
    assert [Decimal(doc["components_total"][c]) for c in components] + [
        Decimal(doc["total"])] == sums

    # 与上月对比: one row per agent whose pay changed, every amount there
    changed = {a: r for a, r in rows.items() if r["change"]}
    assert len(changed) > N_AGENTS // 2
    compare = [list(r) for r in book["与上月对比"].iter_rows(min_row=2)]
    assert len(compare) == len(changed)
    for row in compare:
        want = changed[row[0].value]
        assert [c.value for c in row[1:4]] == [want["name"], want["team"], want["level"]]
        assert [money_cell(c) for c in row[4:7]] == [
            Decimal(want["previous_total"]), Decimal(want["total"]),
            Decimal(want["total"]) - Decimal(want["previous_total"])]
        assert row[7].value == want["change"]

    csv_rows = read_csv(tmp_path / "p.csv")
    assert csv_rows[0] == headers(components)
    assert len(csv_rows) == N_AGENTS + 2
    column_sums = [Decimal("0.00")] * (n + 1)
    for row in csv_rows[1:-1]:
        assert len(row) == len(headers(components))
        want = expected_cells(row[1])
        assert row[:5] == want[:5]
        amounts = [Decimal(text) for text in row[5:7 + n]]
        assert all(len(text.split(".")[1]) == 2 for text in row[5:7 + n])
        assert amounts == want[5:7 + n]
        assert row[7 + n:] == [want[7 + n] or "", want[8 + n] or ""]
        column_sums = [s + a for s, a in zip(column_sums, amounts[:n + 1])]
    assert csv_rows[-1][:5] == ["2026-02", "合计", "", "", f"{N_AGENTS}人"]
    assert [Decimal(t) for t in csv_rows[-1][5:6 + n]] == column_sums == sums
