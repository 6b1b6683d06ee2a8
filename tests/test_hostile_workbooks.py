"""Hostile workbooks found by trying to break cslevel (BAD_INPUTS 35, 36, 48, 49).

35: a sheet whose cells lie absurdly far apart is refused before the fast reader builds its
dense range (which asked for 512 GB and aborted the process); 36: a file damaged only in a
part the fast reader skips is refused or read, never a library's traceback; 48: text longer
than a cell holds is refused naming the cell; 49: values that come from another workbook
(external links, DDE) are read with a warning naming the cells.

A reader that might abort or run out of memory on its input runs in a forked child
(tests/isolated.py): a regression shows as a failed test, not as a dead test run."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from bad_helpers import kpi_rows, write_parts, xlsx_parts
from cs_helpers import files_in
from hostile_helpers import KPI, problems_of, run_measured, with_sheet_xml, write_ods
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from isolated import run_in_child

from cslevel.read import read_kpi, sheetxml
from cslevel.read.formats import links, xmlstream
from cslevel.read.workbook import read_sheets
from cslevel.records import Month, column_letter
from cslevel.templates import load_scheme

STAR, _TEXT = load_scheme("star")
DATA = "A1:D4"  # the three agents' table: header and three rows


def far_message(cells: str, size: str, data: str = DATA) -> str:
    what = "a value" if "," not in cells else "values"
    return (f"{what} in {cells}, far outside the sheet's data ({data}): reading the sheet "
            f"would take {size} of memory")


def far_hint(cells: str) -> str:
    one = "," not in cells
    return (f"Delete the stray {'value' if one else 'values'} in {cells} (or the empty rows and "
            f"columns between {'it' if one else 'them'} and the data), save the workbook and "
            "run again.")


def sheets_read(path: Path) -> list[tuple[str, int]]:
    """(name, rows) of each sheet read (run in a child)."""
    return [(s.name, len(s.rows)) for s in read_sheets(path)]


def agents_read(path: Path) -> dict[str, float]:
    rows, problems = read_kpi(path, STAR, Month(2026, 10))
    assert not [p for p in problems if p.severity == "error"], problems
    return {r.agent_id: float(r.ready_score) for r in rows}


THREE = {"0001": 112.0, "0002": 95.5, "0003": 120.0}


# --- 35: absurd sheet extents -----------------------------------------------------------------
@pytest.mark.parametrize(("cell", "size"), [("XFD1048576", "640.0 GB"), ("ZZ200000", "5.2 GB")])
def test_bad_inputs_35_one_far_value_is_refused_in_normal_memory(tmp_path: Path, cell: str,
                                                                 size: str) -> None:
    """The two files of BAD_INPUTS 35, given to `cslevel score` as a process of its own: exit
    code 1, one problem naming file › sheet › the far cell, the data's real range and what to
    do; no database, no output; the process stays small and quick (it aborted asking for 512
    GB, or took 5 GB and 15 s)."""
    row = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    with_sheet_xml(tmp_path / KPI, f'<row r="{row}"><c r="{cell}"><v>1</v></c></row>')
    before = files_in(tmp_path)
    code, out, err, peak_mb, seconds = run_measured(tmp_path, "score", KPI, "--scheme", "star",
                                                    "--json")
    assert code == 1, err
    assert problems_of(out) == [{
        "severity": "error", "message": far_message(cell, size), "hint": far_hint(cell),
        "file": KPI, "sheet": "Sheet1", "cell": cell,
        "text": f"{KPI} › Sheet1 › {cell}: {far_message(cell, size)} — {far_hint(cell)}"}]
    assert files_in(tmp_path) == before
    assert peak_mb < 250, peak_mb
    assert seconds < 30, seconds
    code, out, err, _peak, _s = run_measured(tmp_path, "score", KPI, "--scheme", "star")
    assert code == 1
    assert (f"{KPI} › Sheet1 › {cell}: {far_message(cell, size)} — {far_hint(cell)}"
            in " ".join(err.split()))
    assert files_in(tmp_path) == before


@pytest.mark.language("en")
@pytest.mark.parametrize(("extra", "cell"), [
    ('<row r="200000"><c r="zz200000"><v>1</v></c></row>', "ZZ200000"),
    ('<x:row xmlns:x="urn:x" r="200000"><x:c r="ZZ200000"><x:v>1</x:v></x:c></x:row>',
     "ZZ200000"),
    ('<row r="5"><c r="A5" r="ZZ200000"><v>1</v></c></row>', "ZZ200000"),
    ('<row r="5"><c s="0" r="ZZ200000"><v>1</v></c></row>', "ZZ200000"),
    ('<row r="5"><c r="A5" s="0"r="ZZ200000"><v>1</v></c></row>', "ZZ200000"),
    ('<row r="5"><c r="A5" x=">" r="ZZ200000"><v>1</v></c></row>', "ZZ200000"),
    ("<row r='200000'><c r='ZZ200000'><v>1</v></c></row>", "ZZ200000"),
    ('<row r="200000"><c r="ZY200000" s="1"/><c><v>1</v></c></row>', "ZZ200000"),
    ('<row r="199999"/><row><c r="ZZ200000" t="inlineStr"><is><t></t></is></c></row>',
     "ZZ200000"),
    ('<row r="200000"><c r="ZZ200000" t="e"><v>#N/A</v></c></row>', "ZZ200000"),
    ('<row r="200000"><c r="ZZ200000" t="str"><v></v></c></row>', "ZZ200000"),
    ('<row r="5">\n  <c r="A5"\n     r="ZZ200000"><v>1</v></c></row>', "ZZ200000"),
], ids=["lower-case", "namespace-prefix", "second-r-wins", "r-not-first", "r-glued",
        "quoted-gt", "single-quotes", "no-r-after-far-cell", "empty-inline-string",
        "error-value", "empty-string-value", "new-lines"])
def test_bad_inputs_35_far_value_written_any_way_is_refused(tmp_path: Path, extra: str,
                                                            cell: str) -> None:
    """However the far cell is written (every form that the fast reader places at ZZ200000
    and keeps a value for, checked by hand against it), it is refused the same way."""
    path = with_sheet_xml(tmp_path / KPI, extra)
    outcome = run_in_child(sheets_read, path)
    assert outcome.kind == "refused", outcome
    assert outcome.value == [
        f"{KPI} › Sheet1 › {cell}: {far_message(cell, '5.2 GB')} — {far_hint(cell)}"]
    assert outcome.peak_mb < 100, outcome


@pytest.mark.parametrize("extra", [
    '<row r="1048576"><c r="XFD1048576" s="1"/></row>',
    '<row r="200000"><c r="ZZ200000"></c></row>',
    '<row r="200000"><c r="ZZ200000" s="3"><f>SUM(A1:A3)</f></c></row>',
    '<row r="200000"><c r="ZZ200000"><v/></c></row>',
    '<!-- <row r="200000"><c r="ZZ200000"><v>1</v></c></row> -->',
    '<row r="1048576" s="2" customFormat="1"/>',
], ids=["formatted", "empty", "formula-only", "empty-number", "comment", "formatted-row"])
def test_bad_inputs_35_far_cells_without_a_value_are_read(tmp_path: Path, extra: str) -> None:
    """Far cells the fast reader keeps no value for (formatted, empty, a formula without a
    saved value, commented out) cost nothing: the sheet is read (BAD_INPUTS 12)."""
    path = with_sheet_xml(tmp_path / KPI, extra)
    outcome = run_in_child(agents_read, path)
    assert outcome.kind == "ok", outcome
    assert outcome.value == THREE


@pytest.mark.language("en")
def test_bad_inputs_35_several_far_values_name_the_first_three(tmp_path: Path) -> None:
    extra = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>2</v></c></row>'
                    for r in (300000, 400000, 500000, 600000))
    outcome = run_in_child(sheets_read, with_sheet_xml(tmp_path / KPI, extra))
    assert outcome.kind == "refused", outcome
    cells = "XFD600000, A600000, XFD500000 and 5 more"
    text = f"{KPI} › Sheet1 › XFD600000: {far_message(cells, '366.2 GB')} — {far_hint(cells)}"
    assert outcome.value == [text]


def test_bad_inputs_35_refused_in_chinese(tmp_path: Path) -> None:
    path = with_sheet_xml(tmp_path / KPI, '<row r="200000"><c r="ZZ200000"><v>1</v></c></row>')
    outcome = run_in_child(sheets_read, path)
    assert outcome.value == [(
        f"{KPI} › Sheet1 › ZZ200000: ZZ200000 中有值，远在工作表数据（{DATA}）之外：读取该工作表"
        "需要 5.2 GB 内存 — 请删除 ZZ200000 中多余的值（或它们与数据之间的空行、空列），保存工作簿后"
        "重新运行。")]


def test_bad_inputs_35_a_large_sheet_is_read_and_its_data_range_counts(tmp_path: Path) -> None:
    """A real table of 3,000 rows × 30 columns with its stored dimension wrong (A1:A1, as WPS
    writes it) is read whole; the budget grows with the sheet's XML."""
    rows = [[f"{i:04d}", f"坐席{i}", "一组", 100 + i % 7, *range(26)] for i in range(1, 3001)]
    header = ["工号", "姓名", "组别", "绩效分值", *[f"指标{j}" for j in range(26)]]
    parts = xlsx_parts([header, *rows], dimension="A1:A1")
    path = write_parts(tmp_path / KPI, parts)
    outcome = run_in_child(agents_read, path)
    assert outcome.kind == "ok", outcome
    assert len(outcome.value) == 3000


@pytest.mark.language("en")
def test_bad_inputs_35_ods_repeated_values_are_refused(tmp_path: Path) -> None:
    """An OpenDocument sheet whose last row repeats a value cell across 16,000 columns and
    a million rows (a few hundred bytes) is refused as an .xlsx would be; an ordinary ODS
    file, with LibreOffice's trailing repeated empty rows and cells, is read."""
    rows = kpi_rows()
    empty_tail = ('<table:table-row table:number-rows-repeated="1048570">'
                  '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    ok = write_ods(tmp_path / "kpi_2026-10.ods", rows, empty_tail)
    assert run_in_child(agents_read, ok).value == THREE
    far = ('<table:table-row table:number-rows-repeated="1048000">'
           '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
           'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    bad = write_ods(tmp_path / "kpi_2026-11.ods", rows, far)
    outcome = run_in_child(sheets_read, bad)
    assert outcome.kind == "refused", outcome
    [text] = outcome.value
    assert text.startswith("kpi_2026-11.ods › Sheet1 › WQJ1048004: a value in WQJ1048004, far "
                           "outside the sheet's data (A1:D4): reading the sheet would take "), text


# --- 35: the fast pass against the precise pass, the precise pass against the reader ---------
_LETTERS = st.integers(1, 30).map(lambda c: column_letter(c - 1))


@st.composite
def _cell(draw: Any, far: bool) -> str:
    rows = st.integers(1, 2_000_000) if far else st.integers(1, 40)
    ref = draw(_LETTERS) + str(draw(rows))
    if far and draw(st.booleans()):
        ref = draw(st.sampled_from(["XFD", "ZZ", "AAB", "A"])) + str(draw(rows))
    form = draw(st.sampled_from(range(10)))
    return [
        f'<c r="{ref}"><v>1</v></c>', f'<c r="{ref}" s="1"/>', "<c><v>2</v></c>",
        f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>', f'<c r="{ref}"><f>1</f></c>',
        f'<c s="1" r="{ref}"><v>3</v></c>', f'<c r="A1" r="{ref}"><v>4</v></c>',
        f'<x:c r="{ref}"><x:v>5</x:v></x:c>', f'<c r="{ref.lower()}" t="s"><v>0</v></c>',
        f'<c r="{ref}"></c>',
    ][form]


@st.composite
def _sheet(draw: Any, far: bool = False) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        cells = "".join(draw(st.lists(_cell(far), max_size=5)))
        number = draw(st.integers(1, 2_000_000 if far else 40))
        rows.append(draw(st.sampled_from([f'<row r="{number}">{cells}</row>',
                                          f"<row>{cells}</row>", f'<row r="{number}"/>'])))
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:x="urn:x"><sheetData>'
            f'{"".join(rows)}</sheetData></worksheet>')


def _stream(data: str) -> Any:
    import io

    return io.BytesIO(data.encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sheet())
def test_bad_inputs_35_precise_pass_agrees_with_the_fast_reader(sheet: str) -> None:
    """The oracle of the precise pass: on small sheets written every way, the box of the
    cells it says hold a value is the fast reader's own range."""
    import io

    import python_calamine

    parts = xlsx_parts(kpi_rows())
    parts["xl/worksheets/sheet1.xml"] = sheet
    del parts["xl/sharedStrings.xml"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
        data = book.get_sheet_by_name("Sheet1")
    except python_calamine.CalamineError:
        return  # the reader refuses the sheet: nothing is allocated
    cells = sheetxml.value_cells(_stream(sheet))
    if data.start is None:
        assert cells == []
        return
    assert (data.start, data.end) == (
        (min(r for r, _ in cells), min(c for _, c in cells)),
        (max(r for r, _ in cells), max(c for _, c in cells)))


@settings(max_examples=400, deadline=None)
@given(_sheet(far=True), st.integers(1, 5_000_000), st.sampled_from([None, 7, 64, 4096]))
def test_bad_inputs_35_fast_pass_never_misses_a_far_value(sheet: str, budget: int,
                                                         chunk: int | None) -> None:
    """The oracle of the fast pass: whenever it finds nothing suspect, every cell the precise
    pass says holds a value lies inside its candidate box (read whole or in tiny chunks)."""
    saved = xmlstream.CHUNK
    xmlstream.CHUNK = chunk or saved
    try:
        scan = sheetxml.fast_scan(_stream(sheet), "sheet", budget)
    finally:
        xmlstream.CHUNK = saved
    if not scan.suspect:
        rows, cols = scan.box
        assert rows * cols <= budget
        assert all(r < rows and c < cols for r, c in sheetxml.value_cells(_stream(sheet)))


def test_bad_inputs_35_fast_pass_passes_ordinary_sheets(tmp_path: Path) -> None:
    """What writers produce (openpyxl, xlsxwriter, the bad_helpers builder) goes through the
    fast pass alone, tags cut anywhere by the chunks."""
    import io

    import xlsxwriter
    from conftest import write_xlsx

    rows = [[f"{i:04d}", f"坐席{i}", "一组", 100.5 + i, "2026-10-01"] for i in range(1, 400)]
    openpyxl_file = write_xlsx(tmp_path / "a.xlsx", [["工号", "姓名", "组别", "绩效分值", "日期"],
                                                     *rows])
    book = xlsxwriter.Workbook(str(tmp_path / "b.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    sheet.set_row(5000, None, book.add_format({"bold": True}))
    book.close()
    builder = write_parts(tmp_path / "c.xlsx", xlsx_parts(kpi_rows()))
    for path in (openpyxl_file, tmp_path / "b.xlsx", builder):
        with zipfile.ZipFile(path) as archive:
            data = archive.read("xl/worksheets/sheet1.xml")
        for chunk in (5, 17, 1 << 20):
            xmlstream.CHUNK, saved = chunk, xmlstream.CHUNK
            try:
                scan = sheetxml.fast_scan(io.BytesIO(data), "sheet1", 1_000_000)
            finally:
                xmlstream.CHUNK = saved
            assert not scan.suspect, (path.name, chunk)


def test_bad_inputs_35_references_read_as_the_fast_reader_reads_them() -> None:
    assert sheetxml.calamine_ref(b"A1") == (0, 0)
    assert sheetxml.calamine_ref(b"xfd1048576") == (1048575, 16383)
    assert sheetxml.calamine_ref(b"A4294967297") == (0, 0)  # u32 arithmetic wraps
    assert sheetxml.calamine_ref(b"A0") is None
    assert sheetxml.calamine_ref(b"$A$1") is None
    assert sheetxml.calamine_ref(b"1A") is None
    assert sheetxml.calamine_row(b"B7") == 6


def test_bad_inputs_35_candidate_boxes() -> None:
    assert sheetxml.candidate_box((100001, 8), 23_000_000) == (999999, 23)  # one letter
    assert sheetxml.candidate_box((100001, 30), 23_000_000) == (399999, 52)
    assert sheetxml.candidate_box(None, 5_000_000) == (999999, 5)
    assert sheetxml.candidate_box((10001, 20), 8_000_000) == (99999, 26)
    assert sheetxml.candidate_box((3000, 600), 5_000_000) == (7999, 624)
    assert sheetxml.candidate_box((1_000_000, 16384), 5_000_000) is None
    for rows, cols in [(399999, 52), (89999, 52), (7999, 624), (9, 26), (1999999, 702),
                       (999999, 23), (99999, 26), (9999999, 1)]:
        pattern = sheetxml.fast_pattern(rows, cols)
        inside = f'<c r="{column_letter(cols - 1)}{rows}"><v>1</v></c>'.encode()
        below = f'<c r="{column_letter(cols - 1)}{rows + 1}"><v>1</v></c>'.encode()
        right = f'<c r="{column_letter(cols)}{rows}"><v>1</v></c>'.encode()
        assert not pattern.search(inside)
        assert pattern.search(below) and pattern.search(right)
        assert not re.search(pattern, right.replace(b"><v>1</v></c>", b' s="2"/>'))


# --- 36: damage in a part the fast reader skips -----------------------------------------------
BLANK = [["0001", "张三", "一组", 112], ["0002", "李四", "一组", None], ["0003", "王五", "二组", 120]]
DAMAGED_BLANK = ("the cell looks blank, but the workbook is damaged and cslevel cannot check "
                 "whether it holds a formula or an error value ({error})")
RESAVE = "Open the workbook in Excel/WPS, save it again, and run again."


def _blank_kpi(path: Path, change: Any) -> Path:
    """The KPI workbook with 李四's score blank (so the blank is looked into with openpyxl),
    with parts replaced (or dropped: None) as change(parts) says."""
    from conftest import write_xlsx

    write_xlsx(path, kpi_rows(BLANK), text_columns=(0, 1, 2))
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    for name, data in (change(parts) if callable(change) else change).items():
        if data is None:
            parts.pop(name)
        else:
            parts[name] = data
    return write_parts(path, parts)


def _styles(old: bytes, new: bytes) -> Any:
    return lambda parts: {"xl/styles.xml": parts["xl/styles.xml"].replace(old, new, 1)}


def _core_date(parts: dict[str, bytes]) -> dict[str, bytes]:
    return {"docProps/core.xml": re.sub(rb"(<dcterms:created[^>]*>)[^<]*", rb"\1not a date",
                                        parts["docProps/core.xml"])}


@pytest.mark.language("en")
@pytest.mark.parametrize(("change", "error"), [
    (lambda _p: {"docProps/core.xml": b'<?xml version="1.0"?><cp:coreProperties xmlns:cp="x'},
     "ParseError: unclosed token: line 1, column 21"),
    (_core_date, f"ValueError: Unable to read workbook: could not read properties from {KPI}."),
    (_styles(b'numFmtId="0"', b'numFmtId="abc"'), "TypeError: expected <class 'int'>"),
    (_styles(b'fontId="0"', b'fontId="99"'), "IndexError: list index out of range"),
    (lambda _p: {"[Content_Types].xml": b'<?xml version="1.0"?><Types><Default'},
     "ParseError: unclosed token: line 1, column 28"),
], ids=["core-properties", "core-properties-date", "styles-number-format", "styles-font",
        "content-types"])
def test_bad_inputs_36_damage_only_openpyxl_reads_gives_errors_naming_the_cell(
        tmp_path: Path, cli, change: Any, error: str) -> None:
    """The fast reader reads the values; openpyxl, asked what is behind the blank cell,
    fails on the damaged part (one the fast reader does not read). The blank is not taken
    on trust: an error naming the cell, the file and the damage, and nothing written."""
    _blank_kpi(tmp_path / KPI, change)
    before = files_in(tmp_path)
    code, out, err = cli("score", KPI, "--scheme", "star", "--json")
    assert code == 1, err
    message = DAMAGED_BLANK.format(error=error)
    assert problems_of(out) == [{
        "severity": "error", "message": message, "hint": RESAVE, "file": KPI,
        "sheet": "Sheet1", "cell": "D3", "text": f"{KPI} › Sheet1 › D3: {message} — {RESAVE}"}]
    assert files_in(tmp_path) == before


@pytest.mark.language("en")
@pytest.mark.parametrize("part", ["xl/styles.xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"])
def test_bad_inputs_36_damage_the_fast_reader_reads_refuses_the_file(tmp_path: Path, cli,
                                                                    part: str) -> None:
    """Styles and relationships are read by the fast reader too: there the damage is a
    refusal of the file, naming it."""
    _blank_kpi(tmp_path / KPI, {part: b'<?xml version="1.0"?><x'})
    before = files_in(tmp_path)
    code, out, _err = cli("score", KPI, "--scheme", "star", "--json")
    assert code == 1
    [problem] = problems_of(out)
    assert (problem["file"], problem["sheet"], problem["cell"]) == (KPI, None, None)
    assert problem["message"] == ("the workbook cannot be read (syntax error: tag not closed: "
                                  "`>` not found before end of input)"), problem
    assert problem["hint"] == ("Open it in Excel/WPS and save it again as .xlsx, or export it "
                               "again.")
    assert files_in(tmp_path) == before


@pytest.mark.language("en")
def test_bad_inputs_36_corrupt_compressed_theme_refused_naming_the_file(tmp_path: Path,
                                                                       cli) -> None:
    path = _blank_kpi(tmp_path / KPI, {})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/theme/theme1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 40:start + info.compress_size] = b"\x07" * (info.compress_size - 40)
    path.write_bytes(bytes(data))
    code, out, _err = cli("score", KPI, "--scheme", "star", "--json")
    assert code == 1
    assert problems_of(out) == [{
        "severity": "error", "message": "the workbook is damaged (not a complete .xlsx file)",
        "hint": "Open it in Excel/WPS and save it again as .xlsx, or export it again.",
        "file": KPI, "sheet": None, "cell": None,
        "text": f"{KPI}: the workbook is damaged (not a complete .xlsx file) — Open it in "
                "Excel/WPS and save it again as .xlsx, or export it again."}]


@pytest.mark.parametrize("change", [
    {}, {"xl/theme/theme1.xml": b'<?xml version="1.0"?><a:theme xmlns:a="x"><a:themeEle'},
    {"xl/theme/theme1.xml": None}, {"docProps/app.xml": b"<?xml version='1.0'?><Prop"}],
    ids=["intact", "theme", "theme-missing", "app-properties"])
def test_bad_inputs_36_the_blank_is_still_explained_when_openpyxl_can_read(
        tmp_path: Path, cli, change: dict[str, Any]) -> None:
    """The control, and damage that neither reader reads (openpyxl keeps the theme as
    bytes): the ordinary blank problem (T for the damage: nothing of it is used)."""
    _blank_kpi(tmp_path / KPI, change)
    code, out, _err = cli("score", KPI, "--scheme", "star", "--json")
    assert code == 1
    assert [p["cell"] for p in problems_of(out)] == ["D3"]
    assert "damaged" not in problems_of(out)[0]["message"]


@pytest.mark.language("en")
@pytest.mark.parametrize(("raise_", "message"), [
    (TypeError("unexpected"), "the workbook cannot be read (TypeError: unexpected)"),
    (KeyError("x"), "the workbook cannot be read (KeyError: 'x')"),
    (zipfile.BadZipFile("bad"), "the workbook cannot be read (BadZipFile: bad)"),
], ids=["TypeError", "KeyError", "BadZipFile"])
def test_bad_inputs_36_any_library_exception_is_a_refusal_of_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raise_: Exception,
        message: str) -> None:
    """Whatever the fast reader raises (its own errors are named; anything else too),
    read_sheets refuses the file: a CslevelError naming it, never the exception."""
    from cslevel.records import CslevelError

    path = write_parts(tmp_path / KPI, xlsx_parts(kpi_rows()))
    import python_calamine

    def fail(*_args: object, **_kw: object) -> None:
        raise raise_

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", fail)
    with pytest.raises(CslevelError) as caught:
        read_sheets(path)
    resave = "Open it in Excel/WPS and save it again as .xlsx, or export it again."
    assert [str(p) for p in caught.value.problems] == [f"{KPI}: {message} — {resave}"]


@pytest.mark.language("en")
def test_bad_inputs_36_a_rust_panic_is_a_refusal(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """pyo3 turns a Rust panic into PanicException, which derives from BaseException."""
    from cslevel.records import CslevelError

    class PanicException(BaseException):
        pass

    path = write_parts(tmp_path / KPI, xlsx_parts(kpi_rows()))
    import python_calamine

    def panic(*_args: object, **_kw: object) -> None:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", panic)
    with pytest.raises(CslevelError) as caught:
        read_sheets(path)
    assert caught.value.problems[0].message == ("the workbook cannot be read (PanicException: "
                                                "index out of bounds)")


@pytest.mark.language("en")
def test_bad_inputs_36_web_page_that_stops_the_html_parser(tmp_path: Path, cli) -> None:
    """A marked section that Python's HTML parser does not know raises AssertionError
    inside it: a refusal naming the file."""
    page = ("<html><body><![if gte mso 9]><table><tr><td>工号</td><td>绩效分值</td></tr>"
            "<tr><td>0001</td><td>100</td></tr></table></body></html>")
    (tmp_path / "kpi_2026-10.xls").write_text(page, encoding="utf-8")
    code, out, _err = cli("score", "kpi_2026-10.xls", "--scheme", "star", "--json")
    assert code in (0, 1)
    if code == 1:
        [problem] = problems_of(out)
        assert problem["file"] == "kpi_2026-10.xls"
        assert problem["message"].startswith("the workbook cannot be read (AssertionError"), \
            problem


# --- 48: text longer than a cell holds ----------------------------------------------------------
LONG_HINT = "Shorten the text (or export the data again), save, and run again."


def _long(n: int) -> str:
    return ("客服" * n)[:n]


@pytest.mark.language("en")
@pytest.mark.parametrize(("row", "cell", "length"), [
    (["0002", _long(40_000), "一组", 95.5], "B3", "40,000"),
    (["0002", "李四", _long(32_768), 95.5], "C3", "32,768"),
    ([_long(33_000), "李四", "一组", 95.5], "A3", "33,000"),
], ids=["name", "team", "id"])
def test_bad_inputs_48_overlong_text_in_a_used_cell_is_refused(tmp_path: Path, cli,
                                                              row: list[Any], cell: str,
                                                              length: str) -> None:
    """A script-made workbook can hold more text in a cell than Excel can (32,767): refused
    naming the cell, not cut later in the results workbook."""
    rows = [["0001", "张三", "一组", 112], row, ["0003", "王五", "二组", 120]]
    write_parts(tmp_path / KPI, xlsx_parts(kpi_rows(rows)))
    before = files_in(tmp_path)
    code, out, err = cli("score", KPI, "--scheme", "star", "--json")
    assert code == 1, err
    message = f"the cell holds {length} characters of text, more than a cell can hold (32,767)"
    assert [p for p in problems_of(out) if p["message"].startswith("the cell holds")] == [{
        "severity": "error", "message": message, "hint": LONG_HINT, "file": KPI,
        "sheet": "Sheet1", "cell": cell, "text": f"{KPI} › Sheet1 › {cell}: {message} — "
                                                 f"{LONG_HINT}"}]
    assert files_in(tmp_path) == before


def test_bad_inputs_48_overlong_text_in_a_csv_file(tmp_path: Path, cli) -> None:
    name = _long(50_000)
    (tmp_path / "kpi_2026-10.csv").write_text(
        f"工号,姓名,组别,绩效分值\n0001,张三,一组,112\n0002,{name},一组,95.5\n", encoding="utf-8")
    code, out, _err = cli("score", "kpi_2026-10.csv", "--scheme", "star", "--json")
    assert code == 1
    assert [(p["sheet"], p["cell"], p["message"]) for p in problems_of(out)] == [
        ("kpi_2026-10", "B3", "单元格中的文字有 50,000 个字符，超过单元格能容纳的上限（32,767）")]


def test_bad_inputs_48_text_up_to_the_limit_and_unused_columns_are_read(tmp_path: Path,
                                                                       cli_json) -> None:
    """32,767 characters fit; a long note in a column cslevel does not use is no problem."""
    header = ["工号", "姓名", "组别", "绩效分值", "备注"]
    rows = [["0001", _long(32_767), "一组", 112, _long(60_000)],
            ["0002", "李四", "一组", 95.5, None]]
    write_parts(tmp_path / KPI, xlsx_parts([header, *rows]))
    doc = cli_json("score", KPI, "--scheme", "star", "--dry-run")
    assert {a["agent_id"]: len(a["name"]) for a in doc["agents"]} == {"0001": 32_767, "0002": 2}


@pytest.mark.language("en")
def test_bad_inputs_48_roster_and_attendance_too(tmp_path: Path) -> None:
    from cslevel.read import read_attendance, read_roster

    roster = [["工号", "姓名", "组别", "入职日期"], ["0001", "张三", _long(40_000), "2024-01-01"]]
    write_parts(tmp_path / "roster.xlsx", xlsx_parts(roster))
    _rows, problems = read_roster(tmp_path / "roster.xlsx", STAR)
    assert [(p.source.cell, p.message) for p in problems if p.severity == "error"] == [
        ("C2", "the cell holds 40,000 characters of text, more than a cell can hold (32,767)")]
    attendance = [["工号", "姓名", "迟到次数"], [_long(40_001), "张三", 1]]
    write_parts(tmp_path / "att_2026-10.xlsx", xlsx_parts(attendance))
    _rows, problems = read_attendance(tmp_path / "att_2026-10.xlsx", STAR, Month(2026, 10))
    assert [(p.source.cell, p.message) for p in problems if p.severity == "error"][:1] == [
        ("A2", "the cell holds 40,001 characters of text, more than a cell can hold (32,767)")]


# --- 49: values from other workbooks (external links, DDE) -------------------------------------
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _linked_kpi(path: Path, formulas: dict[str, str], link_part: str,
                link_rels: str | None) -> Path:
    """The three-agent KPI workbook whose score cells named in `formulas` hold a formula
    (with its saved value), and one external link part."""
    parts = xlsx_parts(kpi_rows())
    sheet = str(parts["xl/worksheets/sheet1.xml"])
    for ref, formula in formulas.items():
        sheet = re.sub(rf'<c r="{ref}"><v>([^<]*)</v></c>',
                       rf'<c r="{ref}"><f>{formula}</f><v>\1</v></c>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet
    parts["xl/workbook.xml"] = str(parts["xl/workbook.xml"]).replace(
        "</sheets>", '</sheets><externalReferences><externalReference r:id="rId3"/>'
                     "</externalReferences>")
    parts["xl/_rels/workbook.xml.rels"] = str(parts["xl/_rels/workbook.xml.rels"]).replace(
        "</Relationships>", f'<Relationship Id="rId3" Type="{_REL}/externalLink" '
                            'Target="externalLinks/externalLink1.xml"/></Relationships>')
    parts["xl/externalLinks/externalLink1.xml"] = link_part
    if link_rels is not None:
        parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = link_rels
    return write_parts(path, parts)


_BOOK_LINK = ('<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.'
              'openxmlformats.org/spreadsheetml/2006/main"><externalBook r:id="rId1" '
              f'xmlns:r="{_REL}"/></externalLink>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
              f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
              f'Type="{_REL}/externalLinkPath" Target="file:///C:/HR/%E7%BB%A9%E6%95%88%E6%BA%90'
              '.xlsx" TargetMode="External"/></Relationships>')
_DDE_LINK = ('<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main"><ddeLink ddeService="Excel" '
             'ddeTopic="C:\\HR\\kpi.xls"><ddeItems><ddeItem name="R2C4"/></ddeItems>'
             "</ddeLink></externalLink>")


@pytest.mark.language("en")
def test_bad_inputs_49_values_from_an_external_link_are_read_with_a_warning(
        tmp_path: Path, cli_json) -> None:
    _linked_kpi(tmp_path / KPI, {"D3": "[1]Sheet1!B2", "D4": "[1]Sheet1!B3*1"},
                _BOOK_LINK, _BOOK_RELS)
    doc = cli_json("score", KPI, "--scheme", "star", "--dry-run")
    assert {a["agent_id"]: a["score"] for a in doc["agents"]} == THREE
    message = ("the values of D3, D4 come from another workbook (绩效源.xlsx) and may be out "
               "of date")
    hint = ("Open this workbook together with 绩效源.xlsx and update the links (Data › Edit "
            "Links › Update Values), or copy those cells and paste them as values; save, and "
            "run again.")
    assert [p for p in doc["problems"] if "another workbook" in p["message"]] == [{
        "severity": "warning", "message": message, "hint": hint, "file": KPI,
        "sheet": "Sheet1", "cell": "D3", "text": f"{KPI} › Sheet1 › D3: {message} — {hint}"}]


def test_bad_inputs_49_dde_and_shared_formulas(tmp_path: Path) -> None:
    """A DDE link, and cells sharing the linked formula (t="shared"), are named too."""
    path = _linked_kpi(tmp_path / KPI, {
        "D2": '[1]!R2C4" t="shared" ref="D2:D4" si="0', "D3": '" t="shared" si="0',
        "D4": '" t="shared" si="0'}, _DDE_LINK, None)
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<f>[1]!R2C4" t="shared" ref="D2:D4" si="0</f>',
                          '<f t="shared" ref="D2:D4" si="0">[1]!R2C4</f>')
    sheet = sheet.replace('<f>" t="shared" si="0</f>', '<f t="shared" si="0"/>')
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    write_parts(path, parts)
    [sheet_read] = read_sheets(path)
    assert [str(p) for p in sheet_read.problems] == [(
        f"{KPI} › Sheet1 › D2: D2、D3、D4 的值取自另一个工作簿（DDE Excel|C:\\HR\\kpi.xls），可能不是最新的 — "
        "请将本工作簿与 DDE Excel|C:\\HR\\kpi.xls 一同打开并更新链接（数据 › 编辑链接 › 更新值），或复制这些单元格"
        "并粘贴为数值；保存后重新运行。")]


def test_bad_inputs_49_scanned_only_when_the_package_has_external_links(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan costs nothing for the usual workbook: without xl/externalLinks/ it is not
    made (a formula that merely looks like a link is then not looked at)."""
    def never(*_args: object) -> None:
        raise AssertionError("scanned")

    monkeypatch.setattr(links, "external_cells", never)
    parts = xlsx_parts(kpi_rows())
    parts["xl/worksheets/sheet1.xml"] = str(parts["xl/worksheets/sheet1.xml"]).replace(
        '<c r="D3"><v>95.5</v></c>', '<c r="D3"><f>[1]Sheet1!B2</f><v>95.5</v></c>')
    path = write_parts(tmp_path / KPI, parts)
    [sheet] = read_sheets(path)
    assert sheet.problems == ()


# --- 35: Excel binary workbooks ------------------------------------------------------------------
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _xlsb_with(path: Path, cells: list[tuple[int, int]]) -> Path:
    """tests/fixtures/kpi_3_agents.xlsb (header and two agents, written by pyxlsbwriter) with
    a number cell added at each (row, col), before the end of the sheet's data."""
    import struct

    with zipfile.ZipFile(FIXTURES / "kpi_3_agents.xlsb") as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.bin"]
    end = sheet.find(bytes.fromhex("920100"))  # BrtEndSheetData
    added = b"".join(b"\x00\x19" + struct.pack("<I", row) + b"\x00" * 21  # BrtRowHdr
                     + b"\x05\x10" + struct.pack("<I", col) + b"\x00" * 4  # BrtCellReal
                     + struct.pack("<d", 1.0) for row, col in cells)
    parts["xl/worksheets/sheet1.bin"] = sheet[:end] + added + sheet[end:]
    return write_parts(path, parts)


@pytest.mark.language("en")
@pytest.mark.parametrize(("row", "col", "cell", "size"), [
    (199_999, 701, "ZZ200000", "5.2 GB"), (1_048_575, 16_383, "XFD1048576", "640.0 GB")])
def test_bad_inputs_35_xlsb_far_value_is_refused(tmp_path: Path, row: int, col: int, cell: str,
                                                 size: str) -> None:
    """The binary format blows up the same way (checked: the fast reader aborts)."""
    outcome = run_in_child(sheets_read, _xlsb_with(tmp_path / "kpi_2026-10.xlsb", [(row, col)]))
    assert outcome.kind == "refused", outcome
    text = f"kpi_2026-10.xlsb › Sheet1 › {cell}: {far_message(cell, size, 'A1:D3')}"
    assert outcome.value == [f"{text} — {far_hint(cell)}"]


def test_bad_inputs_35_xlsb_cells_read_as_the_fast_reader_reads_them(tmp_path: Path) -> None:
    """The oracle of the .xlsb record reading: its box is the fast reader's range."""
    import python_calamine

    for added in ([], [(10, 5)], [(0, 30), (40, 2)], [(7, 0)]):
        path = _xlsb_with(tmp_path / "k.xlsb", added)
        with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.bin") as fh:
            cells = sheetxml.xlsb_value_cells(fh)
        data = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        assert (data.start, data.end) == (
            (min(r for r, _ in cells), min(c for _, c in cells)),
            (max(r for r, _ in cells), max(c for _, c in cells))), added
    assert [(s.name, len(s.rows)) for s in read_sheets(_xlsb_with(tmp_path / "k.xlsb", []))] == [
        ("Sheet1", 3)]


# --- 35/51: no input makes a scan slow ---------------------------------------------------------
def _scan_all(data: bytes) -> tuple[bool, object, object, int]:
    import io

    def guarded(fn: Any) -> object:
        try:
            return fn(io.BytesIO(data))
        except sheetxml.BrokenTag:
            return "broken"

    return (sheetxml.fast_scan(io.BytesIO(data), "s", 5_000_000).suspect,
            guarded(sheetxml.value_cells), guarded(sheetxml.ods_value_cells),
            len(sheetxml.external_cells(io.BytesIO(data))))


@pytest.mark.parametrize("body", [
    b"<c " * 300_000 + b">", b"<row " * 300_000 + b">", b'<c r="A1">' * 300_000,
    b"<c r='" * 300_000 + b">", b"<!--" * 300_000, b'<c r="A1" ' + b'r="B2" ' * 200_000 + b">",
    b'<c r="' + b"A" * 1_000_000 + b'1">', b'<c r="A' + b"9" * 1_000_000 + b'">',
    b'<c r="A1" x="' + b"a" * 1_000_000 + b'">', b"<c r=\"A1\"><f>" * 200_000,
    b'<table:table-cell table:number-columns-repeated="' + b"9" * 10_000 + b'"/>',
], ids=["c-starts", "row-starts", "unclosed-cells", "open-quotes", "open-comments",
        "many-r", "long-letters", "long-digits", "long-value", "open-formulas", "long-repeat"])
def test_bad_inputs_35_scans_take_linear_time(body: bytes) -> None:
    """Inputs built to make a regular expression backtrack, rescan or convert huge numbers
    (what the fuzzer found in the zip checks' attribute reading) are read in about a
    second by every scan: none is quadratic."""
    data = b'<worksheet><sheetData><row r="1">' + body + b"</row></sheetData></worksheet>"
    outcome = run_in_child(_scan_all, data, timeout=20)
    assert outcome.kind == "ok", outcome
    assert outcome.seconds < 10, outcome


# --- 35: old .xls workbooks ---------------------------------------------------------------------
def _xls_with(path: Path, row: int, col: int) -> Path:
    """tests/fixtures/kpi_xlwt.xls (工号, 姓名, 绩效分值 and two agents, plus 12345.678 in F6,
    written by xlwt: not a dependency) with that number's cell moved to (row, col) in place:
    the NUMBER record's row and column fields."""
    import struct

    data = bytearray((FIXTURES / "kpi_xlwt.xls").read_bytes())
    record = data.find(struct.pack("<d", 12345.678)) - 10
    assert data[record:record + 4] == b"\x03\x02\x0e\x00"  # NUMBER, 14 bytes
    struct.pack_into("<HH", data, record + 4, row, col)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.language("en")
@pytest.mark.parametrize(("row", "col", "cell", "size"), [
    (65535, 65535, "CRXP65536", "160.0 GB"), (60000, 300, "KO60001", "688.9 MB")])
def test_bad_inputs_35_xls_far_value_is_refused(tmp_path: Path, row: int, col: int, cell: str,
                                                size: str) -> None:
    """BIFF8 rows and columns are 16-bit, yet 65,536 × 65,536 cells abort the fast reader
    (checked) and 60,001 × 301 take 700 MB for a 6 KB file: refused the same way."""
    outcome = run_in_child(sheets_read, _xls_with(tmp_path / "kpi_2026-10.xls", row, col))
    assert outcome.kind == "refused", outcome
    text = f"kpi_2026-10.xls › Sheet1 › {cell}: {far_message(cell, size, 'A1:C3')}"
    assert outcome.value == [f"{text} — {far_hint(cell)}"]


def test_bad_inputs_35_xls_cells_read_as_the_fast_reader_reads_them(tmp_path: Path) -> None:
    """The oracle of the .xls record reading: its box is the fast reader's range; the file
    itself is read."""
    import python_calamine

    for row, col in [(5, 5), (0, 40), (300, 1), (2, 2)]:
        path = _xls_with(tmp_path / "k.xls", row, col)
        [(name, cells, _reserved)] = sheetxml.xls_value_cells(path.read_bytes())
        data = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        assert (name, data.start, data.end) == ("Sheet1", (
            min(r for r, _ in cells), min(c for _, c in cells)),
            (max(r for r, _ in cells), max(c for _, c in cells))), (row, col)
    assert [(s.name, len(s.rows)) for s in read_sheets(_xls_with(tmp_path / "k.xls", 5, 5))] == [
        ("Sheet1", 6)]


@pytest.mark.language("en")
def test_bad_inputs_36_xls_stored_size_is_checked(tmp_path: Path) -> None:
    """The fast reader reserves room for the rows × columns of a sheet's DIMENSIONS record,
    in u32 arithmetic: a first row after the last asked for a terabyte (the fuzzer)."""
    import struct

    data = bytearray((FIXTURES / "kpi_xlwt.xls").read_bytes())
    record = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes
    struct.pack_into("<I", data, record + 4, 47872)  # the first row, after the last (6)
    path = tmp_path / "kpi_2026-10.xls"
    path.write_bytes(bytes(data))
    outcome = run_in_child(sheets_read, path)
    resave = "Open it in Excel/WPS and save it again as .xlsx, or export it again."
    damaged = "the workbook is damaged (the stored size of Sheet1 is 34,359,355,456 cells)"
    assert outcome.value == [f"kpi_2026-10.xls: {damaged} — {resave}"], outcome


@pytest.mark.language("en")
@pytest.mark.parametrize(("offset", "value", "error"), [
    (0x2C, 0x7FFFFFFF, "sector counts"),  # the FAT's sector count
    (0x30, 0x00FFFFFF, "chain"),  # the directory's first sector, far beyond the file
], ids=["fat-count", "directory-start"])
def test_bad_inputs_36_xls_compound_file_damage_is_a_refusal(tmp_path: Path, offset: int,
                                                             value: int, error: str) -> None:
    """The fast reader sizes its buffers from the compound file's counts and follows its
    chains as they are: one changed byte took all the memory (found by the fuzzer). They
    are checked first: a refusal naming the file."""
    import struct

    data = bytearray((FIXTURES / "kpi_xlwt.xls").read_bytes())
    struct.pack_into("<I", data, offset, value)
    path = tmp_path / "kpi_2026-10.xls"
    path.write_bytes(bytes(data))
    outcome = run_in_child(sheets_read, path)
    resave = "Open it in Excel/WPS and save it again as .xlsx, or export it again."
    assert outcome.value == [
        f"kpi_2026-10.xls: the workbook is damaged (compound file: {error}) — {resave}"], outcome


def _merged(path: Path, *refs: str) -> Path:
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    return with_sheet_xml(path, replace=(
        "</sheetData>", f'</sheetData><mergeCells count="{len(refs)}">{merges}</mergeCells>'))


def test_bad_inputs_35_a_merged_range_over_the_whole_grid_is_read(tmp_path: Path) -> None:
    """A merged range A1:XFD1048576 is looked at only where the sheet has cells (it was
    walked cell by cell: 17 billion steps)."""
    outcome = run_in_child(sheets_read, _merged(tmp_path / KPI, "E1:XFD1048576"), timeout=20)
    assert outcome.kind == "ok" and outcome.seconds < 10, outcome


@pytest.mark.language("en")
def test_bad_inputs_35_overlapping_merged_ranges_are_refused(tmp_path: Path, cli) -> None:
    """Excel never saves merged ranges that overlap; ranges covering more cells than the
    sheet holds are refused, naming the largest."""
    _merged(tmp_path / KPI, "A1:XFD1048576", "B2:C3")
    code, out, _err = cli("score", KPI, "--scheme", "star", "--json")
    assert code == 1
    message = "the sheet's merged cells overlap (e.g. A1:XFD1048576)"
    hint = "Open it in Excel/WPS, unmerge those cells, save it, and run again."
    assert problems_of(out) == [{
        "severity": "error", "message": message, "hint": hint, "file": KPI, "sheet": "Sheet1",
        "cell": None, "text": f"{KPI} › Sheet1: {message} — {hint}"}]


def test_bad_inputs_36_a_panic_of_the_fast_reader_is_a_refusal_without_its_report(
        tmp_path: Path) -> None:
    """A damaged .xlsb whose workbook part names a sheet its relationships do not hold makes
    the fast reader panic (Rust): the file is refused in plain words, and the panic's own
    report (with a backtrace when RUST_BACKTRACE is set) never reaches the clerk's screen or
    the scheduler's log."""
    path = tmp_path / "kpi_2026-10.xlsb"
    with zipfile.ZipFile(FIXTURES / "kpi_3_agents.xlsb") as archive, \
            zipfile.ZipFile(path, "w") as out:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "xl/_rels/workbook.bin.rels":
                data = data.replace(b'Id="rId1"', b'Id="rXd1"')
            out.writestr(info.filename, data)
    code, out, err, _peak, _seconds = run_measured(tmp_path, "score", path.name, "--scheme",
                                                   "star", "--json")
    assert code == 1
    assert problems_of(out) == [{
        "severity": "error",
        "message": "the workbook cannot be read (PanicException: no entry found for key)",
        "hint": "Open it in Excel/WPS and save it again as .xlsx, or export it again.",
        "file": path.name, "sheet": None, "cell": None,
        "text": f"{path.name}: the workbook cannot be read (PanicException: no entry found for "
                "key) — Open it in Excel/WPS and save it again as .xlsx, or export it again."}]
    assert "panicked" not in err and "backtrace" not in err
    assert err.startswith("Error: 1 problem(s); nothing was written.")
