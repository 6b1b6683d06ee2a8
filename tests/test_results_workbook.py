"""The results workbook of `cslevel score --out`, read back with openpyxl."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import write_xlsx
from cs_helpers import half_up, kpi
from cslevel.templates import shipped_templates_dir

TEMPLATE = yaml.safe_load((shipped_templates_dir() / "star.yaml").read_text(encoding="utf-8"))
COLOURS = {lv["name"]: "FF" + lv["color"].lstrip("#").upper() for lv in TEMPLATE["levels"]}
LEVELS = [lv["name"] for lv in TEMPLATE["levels"]]
READY_HEADERS = ["工号", "姓名", "组别", "绩效分值(%)", "本月级别", "连续达标月数", "连续未达标月数",
                 "决定", "原因", "评分说明"]
METRIC_HEADERS = ["工号", "姓名", "组别", "平均响应时长", "解决率", "客户满意度", "投诉率"]

INJECT_NAME = '=HYPERLINK("http://x","点我")'
INJECT_TEAM = "@SUM(1)"


def _roster(tmp: Path) -> Path:
    return write_xlsx(tmp / "roster.xlsx", [
        ["工号", "姓名", "组别", "入职日期", "当前级别"],
        ["0007", "甲", "一组", "2024-01-05", "二星"],
        ["0008", "乙", "一组", "2024-02-01", "二星"],
        ["0009", INJECT_NAME, INJECT_TEAM, "2023-07-01", "三星"],
        ["0010", "丁", "二组", "2026-01-10", None],
    ], text_columns=(0, 1, 2))


SCORES = {  # three months: 0007 up, 0008 down, 0009 nothing, 0010 trial ends
    "0007": [112, 110, 125],
    "0008": [100, 105, 109.9],
    "0009": [115, 100, 120],
    "0010": [120, 120, 120],
}
NAMES = {"0007": "甲", "0008": "乙", "0009": INJECT_NAME, "0010": "丁"}
TEAMS = {"0007": "一组", "0008": "一组", "0009": INJECT_TEAM, "0010": "二组"}


def _three_months(tmp: Path, cli) -> Path:
    roster = _roster(tmp)
    for i in range(3):
        rows = [[a, NAMES[a], TEAMS[a], s[i]] for a, s in SCORES.items()]
        kpi(tmp / f"kpi_2026-{i + 1:02d}.xlsx", rows)
        code, _, err = cli("score", tmp / f"kpi_2026-{i + 1:02d}.xlsx", "--scheme", "star",
                           "--roster", roster, "--out", tmp / f"results-{i + 1}.xlsx")
        assert code == 0, err
    return tmp / "results-3.xlsx"


@pytest.fixture
def march(tmp_path: Path, cli) -> Path:
    return _three_months(tmp_path, cli)


def test_sheets_and_header(march: Path) -> None:
    book = openpyxl.load_workbook(march)
    assert book.sheetnames == ["考核结果", "级别分布"]  # no problems: no 问题 sheet
    ws = book["考核结果"]
    assert [c.value for c in ws[1]] == READY_HEADERS
    assert ws.max_row == 1 + len(SCORES)


def test_one_row_per_agent(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(SCORES)
    promote = ("晋升 → 三星（2026-04起）",
               "连续3个月绩效≥110%（2026-01 112、2026-02 110、2026-03 125），2026-04起晋升为三星")
    demote = ("降级 → 一星（2026-04起）",
              "连续3个月绩效<110%（2026-01 100、2026-02 105、2026-03 109.9），2026-04起降为一星")
    trial = ("试用期满 → 一星（2026-04起）",
             "试用期3个月满（至2026-03），2026-04起为一星")
    def read(score: str) -> str:
        return f"绩效分值 {score}%（表中直接给出）"

    assert rows["0007"] == ("0007", "甲", "一组", 125, "二星", 3, 0, *promote, read("125.00"))
    assert rows["0008"] == ("0008", "乙", "一组", 109.9, "二星", 0, 3, *demote, read("109.90"))
    assert rows["0009"] == ("0009", INJECT_NAME, INJECT_TEAM, 120, "三星", 1, 0, "—", "",
                            read("120.00"))
    assert rows["0010"] == ("0010", "丁", "二组", 120, "试用", 0, 0, *trial, read("120.00"))


def test_rows_sorted_by_team_then_id(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    ids = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert ids == sorted(SCORES, key=lambda a: (TEAMS[a], a))


def test_ids_and_text_are_text_cells(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    for row in ws.iter_rows(min_row=2):
        for cell in row[:3]:
            assert cell.data_type == "s", cell.coordinate
        assert row[3].data_type == "n"  # the score is a number
        assert row[4].data_type == "s"


def test_formula_injection_written_as_text(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "0009")
    assert (row[1].value, row[1].data_type) == (INJECT_NAME, "s")
    assert (row[2].value, row[2].data_type) == (INJECT_TEAM, "s")
    with zipfile.ZipFile(march) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name
                assert "<f " not in archive.read(name).decode("utf-8"), name


def test_frozen_panes_and_filter(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:J{1 + len(SCORES)}"


def test_level_cells_have_template_colour(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    for row in ws.iter_rows(min_row=2):
        level = row[4]
        assert level.fill.fill_type == "solid"
        assert level.fill.fgColor.rgb == COLOURS[level.value], level.value
    summary = openpyxl.load_workbook(march)["级别分布"]
    for index, name in enumerate(LEVELS, start=2):
        cell = summary.cell(row=index, column=1)
        assert cell.value == name
        assert cell.fill.fgColor.rgb == COLOURS[name]


def test_decision_cells_carry_the_reason_as_comment(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    commented = {}
    for row in ws.iter_rows(min_row=2):
        decision, reason = row[7], row[8]
        if decision.value == "—":
            assert decision.comment is None
        else:
            assert decision.comment is not None
            assert decision.comment.text == reason.value
            commented[row[0].value] = decision.fill.fgColor.rgb
    assert commented == {"0007": "FFC6EFCE", "0008": "FFFFC7CE", "0010": "FFC6EFCE"}


def test_every_row_explains_its_score(march: Path) -> None:
    ws = openpyxl.load_workbook(march)["考核结果"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "0008")
    assert row[9].value == "绩效分值 109.90%（表中直接给出）"
    assert row[3].comment is None  # a column, not 10,000 comments: readable and fast


def test_summary_counts_and_chart(march: Path) -> None:
    book = openpyxl.load_workbook(march)
    ws = book["级别分布"]
    assert [c.value for c in ws[1]] == ["级别", "人数", "本月晋升", "本月降级", "试用期满"]
    table = {r[0]: r[1:5] for r in ws.iter_rows(min_row=2, max_row=1 + len(LEVELS),
                                                values_only=True)}
    assert table == {"试用": (1, 0, 0, 1), "一星": (0, 0, 0, 0), "二星": (2, 1, 1, 0),
                     "三星": (1, 0, 0, 0), "四星": (0, 0, 0, 0), "五星": (0, 0, 0, 0)}
    total = [c.value for c in ws[2 + len(LEVELS)]][:2]
    assert total == ["合计", len(SCORES)]
    texts = [ws.cell(row=r, column=1).value for r in range(4 + len(LEVELS), 7 + len(LEVELS))]
    assert texts == ["月份：2026-03", f"方案：star {TEMPLATE['title']}", "来源：kpi_2026-03.xlsx"]
    assert len(ws._charts) == 1
    with zipfile.ZipFile(march) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert "级别分布" in chart and "<c:barChart>" in chart
    assert re.search(r"\$B\$2:\$B\$7", chart), chart[:400]


def test_problems_sheet_when_there_are_problems(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100],
                                        ["合计", None, None, 212]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--out", "r.xlsx")
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["考核结果", "级别分布", "问题"]
    rows = [tuple(c or "" for c in r) for r in book["问题"].iter_rows(values_only=True)]
    assert rows == [("严重程度", "位置", "问题", "处理办法"),
                    ("警告", "kpi_2026-10.xlsx › Sheet1 › row 4",
                     "跳过了合计/备注行（'合计'）", "")]
    assert book["考核结果"].max_row == 3  # the totals row is not an agent


def test_leading_zeros_kept(tmp_path: Path, cli) -> None:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0007", "甲", "一组", 112], ["007", "乙", "一组", 100],
                                        ["7", "丙", "一组", 90]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--out", "r.xlsx")
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["考核结果"]
    ids = [(c.value, c.data_type) for c in ws["A"][1:]]
    assert ids == [("0007", "s"), ("007", "s"), ("7", "s")]


# --- the computed score -----------------------------------------------------------------
def _metric(key: str) -> dict:
    return next(m for m in TEMPLATE["score"]["metrics"] if m["key"] == key)


def expected_score(response_s: str, resolution: str, satisfaction: str, complaint: str) -> Decimal:
    """Σ weight × achievement by hand from the template (fractions: exact), half-up."""
    cap = Fraction(str(TEMPLATE["score"]["cap"])) / 100
    total = Fraction(0)
    for key, actual in (("response_time", response_s), ("resolution_rate", resolution),
                        ("satisfaction", satisfaction), ("complaint_rate", complaint)):
        metric = _metric(key)
        actual_f, target = Fraction(actual), Fraction(str(metric["target"]))
        ratio = actual_f / target if metric["direction"] == "higher" else target / actual_f
        total += Fraction(str(metric["weight"])) * min(ratio, cap)
    return half_up(Decimal(total.numerator) / Decimal(total.denominator))


# agent: (seconds cell, resolution, satisfaction, complaint) as fractions
METRIC_ROWS = {
    # 12 s against a 30 s target (lower is better) is 250% → capped at 150%; so is 0.5% vs 1%
    "0001": ("12", "0.95", "0.88", "0.005"),
    "0002": ("40", "0.81", "0.85", "0.02"),
    "0003": ("30", "0.9", "0.935", "0.01"),
}
def _points(value: str) -> str:
    return format((Decimal(value) * 100).normalize(), "f")


FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
FORMS = {
    "percent-sign": lambda v: f"{_points(v)}%",
    "fraction": lambda v: float(v),
    "full-width": lambda v: f"{_points(v)}%".translate(FULL_WIDTH),
}
SECONDS = {"0001": 12, "0002": "0:00:40", "0003": "30"}


def test_expected_scores_by_hand() -> None:
    # 0001: 20×1.5 + 30×0.95/0.9 + 35×0.88/0.85 + 15×1.5 = 120.40196… → 120.40
    assert expected_score(*METRIC_ROWS["0001"]) == Decimal("120.40")
    # 0002: 20×30/40 + 30×0.9 + 35×1 + 15×0.5 = 84.5
    assert expected_score(*METRIC_ROWS["0002"]) == Decimal("84.50")
    assert expected_score(*METRIC_ROWS["0003"]) == Decimal("103.50")
    assert FORMS["percent-sign"]("0.95") == "95%"
    assert FORMS["percent-sign"]("0.005") == "0.5%"
    assert FORMS["full-width"]("0.95") == "９５％"
    assert FORMS["full-width"]("0.935") == "９３．５％"


@pytest.mark.parametrize("form", list(FORMS))
def test_computed_score(tmp_path: Path, cli, cli_json, form: str) -> None:
    fmt = FORMS[form]
    rows = [[a, f"员工{a}", "一组", SECONDS[a], *(fmt(v) for v in vals[1:])]
            for a, vals in METRIC_ROWS.items()]
    kpi(tmp_path / f"kpi_{form}_2026-10.xlsx", rows, header=METRIC_HEADERS)
    doc = cli_json("score", f"kpi_{form}_2026-10.xlsx", "--scheme", "star", "--out", "r.xlsx")
    expected = {a: expected_score(*v) for a, v in METRIC_ROWS.items()}
    assert {a["agent_id"]: Decimal(str(a["score"])) for a in doc["agents"]} == expected
    assert doc["problems"] == []

    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["考核结果"]
    assert [c.value for c in ws[1]] == [*METRIC_HEADERS, *READY_HEADERS[3:]]
    assert ws.auto_filter.ref == "A1:N4"
    got = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    for agent, (seconds, *fractions) in METRIC_ROWS.items():
        row = got[agent]
        assert row[3] == float(seconds)
        assert list(row[4:7]) == [float(v) for v in fractions], (form, agent)
        assert Decimal(str(row[7])) == expected[agent]
    explanation = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "0001")[13]
    assert explanation.value == (
        "Σ 达成率×权重 = 120.40%: 平均响应时长 150.0%×20%; 解决率 105.6%×30%; "
        "客户满意度 103.5%×35%; 投诉率 150.0%×15%")


def test_the_workbook_goes_to_a_writer_as_plain_cells(tmp_path: Path) -> None:
    """What a worker process is handed to write a month's results (`ResultsBook`) holds
    plain values only (cheap to pickle), with the scores' explanations and metrics read
    back from the history; written, it is the workbook `score` wrote."""
    import pickle

    from cslevel import pipeline
    from cslevel.export.results import results_book, write_results_book
    from cslevel.records import Month
    from cslevel.store import open_history

    path = kpi(tmp_path / "kpi_2026-01.xlsx", [["0007", "甲", "一组", 98, 1.0, 0.95, 0.004],
                                              ["0008", "乙", "一组", 20, 0.8, 0.9, 0.01]],
               header=METRIC_HEADERS)
    db = str(tmp_path / "h.db")
    result = pipeline.score([path], "star", db=db, out=tmp_path / "written.xlsx")
    with open_history(db, write=False) as history:
        explained = history.explanations(Month(2026, 1))
    month = result.months[0]
    book = results_book(result.scheme, month, result.problems, explained)
    plain = (str, float, int, type(None))
    assert all(isinstance(cell, plain) for row in book.rows for cell in row)
    assert pickle.loads(pickle.dumps(book)) == book
    assert book.headers[:7] == METRIC_HEADERS
    row = book.rows[0]
    assert row[:3] == ("0007", "甲", "一组")
    assert row[3:7] == (98.0, 1.0, 0.95, 0.004)  # the metrics as stored, as floats
    assert row[-1] is None  # no move in a first month
    assert row[-2] == explained["0007"][0] != ""
    write_results_book(tmp_path / "again.xlsx", book)
    written = openpyxl.load_workbook(tmp_path / "written.xlsx")["考核结果"]
    again = openpyxl.load_workbook(tmp_path / "again.xlsx")["考核结果"]
    assert ([list(r) for r in written.iter_rows(values_only=True)]
            == [list(r) for r in again.iter_rows(values_only=True)])
