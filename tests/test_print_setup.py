"""Outputs a person prints (issue 19, item 9, first part): every sheet of the results, moves
and payroll workbooks is set up for paper — A4 (LibreOffice picks Letter otherwise),
landscape, one page wide, its header row repeated on every page, a footer naming the sheet
and the month with the page number — read back from the written files."""

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


def _setup(sheet) -> tuple:
    setup = sheet.page_setup
    return (str(setup.paperSize), setup.orientation,
            1 if setup.fitToWidth is None else setup.fitToWidth,  # (1 is the file's default)
            setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage,
            sheet.print_title_rows.replace("$", ""))


def test_every_sheet_prints_on_a4_one_page_wide_with_its_header(tmp_path: Path,
                                                                cli_json) -> None:
    results, moves, payroll = _outputs(tmp_path, cli_json)
    seen = {}
    for path, month in ((results, "2026-03"), (moves, "2026-03"), (payroll, "2026-04")):
        for sheet in openpyxl.load_workbook(path).worksheets:
            header = "3:3" if sheet.title == "晋升降级申请表" else "1:1"
            assert _setup(sheet) == ("9", "landscape", 1, 0, True, header), (path, sheet.title)
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
