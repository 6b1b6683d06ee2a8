"""Outputs a person prints (issue 19, items 8 and 9): every sheet of the results, moves and
payroll workbooks is set up for paper — A4 (LibreOffice picks Letter otherwise), landscape
where wide and portrait where narrow, one page wide, its header row repeated on every page, a
footer naming the sheet and the month with page x of y — its long texts wrapped at widths
that keep the printed font readable, the level chart within one upright page, and figures in
the forms a person reads (rates as percentages, counts whole, money with fen); all read back
from the written files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from cs_helpers import kpi

NAMES = {"0001": "甲", "0002": "乙"}


def _outputs(tmp_path: Path, cli_json) -> list[Path]:
    files = [str(kpi(tmp_path / f"kpi_2026-0{m}.xlsx",
                     [["0001", "甲", "一组", 115], ["0002", "乙", "一组", 100]]))
             for m in (1, 2, 3)]
    cli_json("score", *files, "--scheme", "star", "--out", "out/")
    cli_json("promote", "--out", "moves.xlsx")
    cli_json("payroll", "export", "--month", "2026-04", "--out", "payroll.xlsx")
    return [tmp_path / "out" / "results-2026-03.xlsx", tmp_path / "moves.xlsx",
            tmp_path / "payroll.xlsx"]


NARROW = {"级别分布", "更正明细"}  # the sheets that fit an upright page


def _setup(sheet) -> tuple:
    setup = sheet.page_setup
    return (str(setup.paperSize), setup.orientation,
            1 if setup.fitToWidth is None else setup.fitToWidth,  # (1 is the file's default)
            1 if setup.fitToHeight is None else setup.fitToHeight,
            sheet.sheet_properties.pageSetUpPr.fitToPage,
            sheet.print_title_rows.replace("$", ""))


def test_every_sheet_prints_on_a4_one_page_wide_with_its_header(tmp_path: Path,
                                                                cli_json) -> None:
    results, moves, payroll = _outputs(tmp_path, cli_json)
    seen = {}
    for path, month in ((results, "2026-03"), (moves, "2026-03"), (payroll, "2026-04")):
        for sheet in openpyxl.load_workbook(path).worksheets:
            header = "3:3" if sheet.title == "晋升降级申请表" else "1:1"
            orientation = "portrait" if sheet.title in NARROW else "landscape"
            pages_tall = 1 if sheet.title == "级别分布" else 0  # (the chart's sheet: one page)
            assert _setup(sheet) == ("9", orientation, 1, pages_tall, True, header), (
                path, sheet.title)
            footer = sheet.oddFooter
            assert footer.left.text == f"{sheet.title} · {month}"
            assert footer.right.text == "第 &P 页，共 &N 页"
            seen[(path.name, sheet.title)] = True
    assert ("payroll.xlsx", "晋升降级申请表") in seen and ("moves.xlsx", "晋升降级申请表") in seen
    assert len({name for name, _title in seen}) == 3


@pytest.mark.language("en")
def test_the_footer_speaks_the_language_in_force(tmp_path: Path, cli_json) -> None:
    _results, moves, _payroll = _outputs(tmp_path, cli_json)
    sheet = openpyxl.load_workbook(moves).worksheets[0]
    assert sheet.oddFooter.left.text == "Moves · 2026-03"
    assert sheet.oddFooter.right.text == "page &P of &N"


# --- the printed size: column widths read back, as Excel draws them ----------------------------
PAGE_PIXELS = {"portrait": 660, "landscape": 988}  # A4 inside 0.7-inch margins, 96 per inch
FONT = 11  # points: the workbooks' font at 100 %


def _stored_widths(sheet) -> list[float]:
    """Each column's width as stored (Excel's: the padding included), column A first; the
    file keeps a run of equal columns as one range."""
    widths = {}
    for dim in sheet.column_dimensions.values():
        for col in range(dim.min, dim.max + 1):
            widths[col] = dim.width
    assert sorted(widths) == list(range(1, len(widths) + 1)), sheet.title
    return [widths[c] for c in sorted(widths)]


def _printed_font(sheet) -> float:
    """The font size on paper when the sheet is fitted to one page wide: 11 pt scaled by the
    page's width over the columns' (7 pixels a character of stored width)."""
    pixels = sum(round(width * 7) for width in _stored_widths(sheet))
    pages = sheet.page_setup.fitToWidth or 1  # (two pages wide for the widest payroll)
    return FONT * min(1.0, pages * PAGE_PIXELS[sheet.page_setup.orientation] / pixels)


def _widths(sheet) -> list[float]:
    """The widths as cslevel set them (Excel stores 5 pixels of padding more)."""
    return [round(width - 5 / 7, 1) for width in _stored_widths(sheet)]


def test_every_sheet_prints_at_a_readable_size(tmp_path: Path, cli_json) -> None:
    """Fitted one page wide, no sheet prints below 8 pt (estimated the same way, the payroll
    printed at 5.5 pt with its explanation 60 characters wide and unwrapped, the results at
    6.4 pt, the sign-off list at 6.7 pt)."""
    sizes = {}
    for path in _outputs(tmp_path, cli_json):
        for sheet in openpyxl.load_workbook(path).worksheets:
            sizes[path.name, sheet.title] = round(_printed_font(sheet), 1)
    assert min(sizes.values()) >= 8, sizes
    assert sizes["payroll.xlsx", "工资表 2026-04"] == 8.5  # 10 amounts, 2 explanations
    assert sizes["results-2026-03.xlsx", "考核结果"] == 11.0


def test_long_texts_wrap_at_set_widths(tmp_path: Path, cli_json) -> None:
    results, moves, payroll = _outputs(tmp_path, cli_json)
    pay = openpyxl.load_workbook(payroll)["工资表 2026-04"]
    head = [c.value for c in pay[1]]
    assert head[-2:] == ["变动说明", "计算说明"]
    assert _widths(pay) == [8, 8, 8, 8, 8, *[9] * (len(head) - 7), 12, 28]
    for row in pay.iter_rows(min_row=2, max_row=3):
        assert [c.alignment.wrap_text for c in row[-2:]] == [True, True]
        assert row[-1].value  # (an explanation there to wrap)
    assert pay.cell(2, 1).alignment.wrap_text is not True  # short cells stay plain
    res = openpyxl.load_workbook(results)["考核结果"]
    head = [c.value for c in res[1]]
    assert head[-3:] == ["决定", "原因", "评分说明"]
    assert _widths(res)[-3:] == [16, 26, 30]
    assert [c.alignment.wrap_text for c in res[2][-3:]] == [True, True, True]
    sign = openpyxl.load_workbook(moves)["晋升降级申请表"]
    assert sign.cell(3, 8).value == "依据" and sign.cell(4, 8).alignment.wrap_text
    assert _widths(sign)[7] == 36


def test_the_chart_fits_one_upright_page_under_its_table(tmp_path: Path, cli_json) -> None:
    import re
    import zipfile

    results = _outputs(tmp_path, cli_json)[0]
    summary = openpyxl.load_workbook(results)["级别分布"]
    assert summary.page_setup.orientation == "portrait"
    assert _setup(summary)[2:5] == (1, 1, True)  # one page wide, one page tall
    with zipfile.ZipFile(results) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode("utf-8")
    corners = [tuple(int(n) for n in corner) for corner in re.findall(
        r"<xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff>"
        r"<xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff>", drawing)]
    assert len(corners) == 2
    (col, col_off, row, row_off), (to_col, to_col_off, to_row, to_row_off) = corners
    # column A, under the head, 6 levels, the total, a blank row, 3 notes and a blank row
    assert (col, col_off, row, row_off) == (0, 0, 13, 0)
    emu = 9525  # a pixel
    columns = [round(w * 7) for w in _stored_widths(summary)] + [64] * 8  # (default: 64)
    width = sum(columns[:to_col]) + to_col_off // emu
    height = (to_row - row) * 20 + to_row_off // emu  # (rows of 20 pixels)
    assert (width, height) == (640, 360)
    assert width <= PAGE_PIXELS["portrait"]


def test_figures_in_the_forms_a_person_reads(tmp_path: Path, cli_json) -> None:
    """Rates as percentages (0.93 → 93.00%), whole numbers as counts, money as #,##0.00."""
    header = ["工号", "姓名", "组别", "平均响应时长", "解决率", "客户满意度", "投诉率"]
    kpi(tmp_path / "kpi_2026-01.xlsx", [["0001", "甲", "一组", 28, 0.93, 0.9, 0.004],
                                        ["0002", "乙", "一组", 35, 0.88, 0.86, 0.012]],
        header=header)
    cli_json("score", "kpi_2026-01.xlsx", "--scheme", "star", "--out", "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["考核结果"]
    assert [c.value for c in sheet[1]][3:8] == [*header[3:], "绩效分值(%)"]
    row = sheet[2]
    assert [(c.value, c.number_format) for c in row[3:8]] == [
        (28, "0"), (0.93, "0.00%"), (0.9, "0.00%"), (0.004, "0.00%"),
        (row[7].value, "0.00")]
    cli_json("payroll", "export", "--month", "2026-02", "--out", "payroll.xlsx")
    pay = openpyxl.load_workbook(tmp_path / "payroll.xlsx")["工资表 2026-02"]
    money = [c for c in pay[2][5:] if isinstance(c.value, float | int)]
    assert money and {c.number_format for c in money} == {"#,##0.00"}


def test_counts_are_whole_numbers(tmp_path: Path, cli_json) -> None:
    """The assistant scheme's case counts (A类案件跟进数) show without decimals; its score
    with two."""
    from conftest import write_xlsx

    header = ["工号", "组别", "绩效得分", "仪表扣分", "日常工作及案件处理扣分", "A类案件跟进数",
              "B类案件跟进数", "A类案例报告采纳数", "B类案例报告采纳数", "最佳队员"]
    write_xlsx(tmp_path / "kpi_2026-01.xlsx", [header, ["0001", "一组", 80.5, 2, 2, 14, 15, 4, 4, 0]])
    cli_json("score", "kpi_2026-01.xlsx", "--scheme", "assistant", "--out", "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["考核结果"]
    cells = {head.value: cell for head, cell in zip(sheet[1], sheet[2], strict=True)}
    assert (cells["A类案件跟进数"].value, cells["A类案件跟进数"].number_format) == (14, "0")
    assert cells["仪表扣分"].number_format == "0"


def _payroll_sheet(tmp_path: Path, components: int):
    """A one-line payroll workbook with `components` component columns, read back."""
    from cslevel.export.payroll import PayrollBook, write_payroll_book
    from cslevel.records import Month

    amounts = [100.0] * (components + 2)
    book = PayrollBook("t", Month(2026, 4), "工资表 2026-04", ["h"] * (components + 9),
                       components,
                       [("2026-04", "0001", "甲", "一组", "二星", *amounts, "变动", "说明")],
                       ["2026-04", "合计", "", "", "1人"], amounts[:-1], ["h"] * 8, [], "",
                       [], {})
    path = tmp_path / f"p{components}.xlsx"
    write_payroll_book(path, book)
    return openpyxl.load_workbook(path)["工资表 2026-04"]


def test_the_widest_shipped_payroll_prints_at_8_pt(tmp_path: Path) -> None:
    """Without a pay-inputs workbook, the star template's payroll carrying corrections (its 8
    components and 补发/扣回, the total and last month's: 11 amount columns) prints one page
    wide at 8.1 pt. With every item of the pay-inputs workbook used (7 more columns) one page
    would print at 6.2 pt: it prints two pages wide, 月份, 工号 and 姓名 on each."""
    from cslevel.templates import load_scheme, shipped_template_names

    schemes = [load_scheme(name)[0] for name in shipped_template_names()]
    without = max(len([c for c in s.pay.all_components
                       if s.pay.inputs is None or c not in s.pay.inputs.names]) + 1
                  for s in schemes)
    assert without == 9
    sheet = _payroll_sheet(tmp_path, without)
    assert sheet.page_setup.orientation == "landscape"
    assert _setup(sheet)[2] == 1
    assert round(_printed_font(sheet), 1) == 8.1
    widest = max(len(s.pay.all_components) + 1 for s in schemes)
    assert widest == 16
    sheet = _payroll_sheet(tmp_path, widest)
    assert (sheet.page_setup.orientation, _setup(sheet)[2]) == ("landscape", 2)
    assert sheet.print_title_cols == "$A:$C"
    assert round(_printed_font(sheet), 1) == 11.0  # (two pages: room to spare)