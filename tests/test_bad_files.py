"""Hostile, broken and oddly-made files (BAD_INPUTS 1-6, 10, 23): each is built in tmp_path
and given to `cslevel score`. E: exit code 1, one problem naming the file and saying what to
do, and nothing written (no database, no results workbook). T: read correctly, and the
tolerated oddity recorded on the sheet as a warning for the run's problems list."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bad_helpers import (
    EXTERNAL_ENTITY,
    KPI_HEADER,
    billion_laughs,
    kpi_rows,
    maxrss_mb,
    minimal_ole,
    patch_central_sizes,
    patch_declared_entry_count,
    set_dimension,
    workbook_xml,
    write_parts,
    xlsx_parts,
)
from conftest import write_xlsx
from cs_helpers import files_in
from cslevel.read.formats import containers, fast
from cslevel.read.workbook import Sheet, explain_blanks, read_sheets
from cslevel.records import CslevelError, Source

# every test here is about how a bad file is refused or read: the messages in English
pytestmark = pytest.mark.language("en")

DB = "history.db"
DAMAGED = "Open it in Excel/WPS and save it again as .xlsx, or export it again."
EXPORT_AGAIN = "Do not use this file: export the data again from the source system."
ENCRYPTED_HINT = ("Open it in Excel/WPS, remove the password (File › Info › Protect Workbook › "
                  "Encrypt with Password, clear it), save it without a password, and run again.")
WHICH_FILE = "Give the .xlsx, .xls or .csv file exported from the system."

# The KPI rows every readable file below holds, and what `score` must make of them.
EXPECTED = {"0001": ("张三", 112.0), "0002": ("李四", 95.5), "0003": ("王五", 120.0)}


def refused(cli, folder: Path, name: str, message: str, hint: str, *extra: str) -> None:
    """E: exit 1, exactly one problem naming the file (no sheet, no cell: the file as a whole
    is refused), said on stderr and in --json, and nothing written."""
    before = files_in(folder)
    args = ["score", name, "--scheme", "star", *extra]
    code, out, err = cli(*args)
    assert code == 1, err
    assert out == ""
    assert "Error: 1 problem(s); nothing was written." in err
    assert f"{name}: {message} — {hint}" in " ".join(err.split()), err
    code, out, _ = cli(*args, "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["problems"] == [{
        "severity": "error", "message": message, "hint": hint, "file": name, "sheet": None,
        "cell": None, "text": f"{name}: {message} — {hint}"}]
    assert files_in(folder) == before
    assert not (folder / DB).exists()


def scored(cli_json, name: str, *extra: str) -> dict[str, Any]:
    """T: the run succeeds; returns the JSON document."""
    return cli_json("score", name, "--scheme", "star", *extra)


def agents(doc: dict[str, Any]) -> dict[str, tuple[str, float]]:
    return {a["agent_id"]: (a["name"], a["score"]) for a in doc["agents"]}


def warnings_of(sheets: list[Sheet]) -> list[str]:
    return [p.message for s in sheets for p in s.problems if p.severity == "warning"]


# --- 1: XML entity expansion and external entities -----------------------------------------
def _lol_strings(tmp: Path) -> Path:
    return write_parts(tmp / "kpi_2026-10.xlsx", xlsx_parts(
        kpi_rows(), strings_prolog=billion_laughs(), string_override={0: "工号&lol9;"}))


def _lol_sheet(tmp: Path) -> Path:
    rows = kpi_rows()
    parts = xlsx_parts(rows, sheet_prolog=billion_laughs())
    parts["xl/worksheets/sheet1.xml"] = str(parts["xl/worksheets/sheet1.xml"]).replace(
        "<v>112</v>", "<v>&lol9;</v>")
    return write_parts(tmp / "kpi_2026-10.xlsx", parts)


def _external_entity(tmp: Path) -> Path:
    return write_parts(tmp / "kpi_2026-10.xlsx", xlsx_parts(
        kpi_rows(), strings_prolog=EXTERNAL_ENTITY, string_override={1: "&xxe;"}))


def _doctype_in_workbook_part(tmp: Path) -> Path:
    parts = xlsx_parts(kpi_rows())
    parts["xl/workbook.xml"] = str(parts["xl/workbook.xml"]).replace(
        "\n<workbook", '\n<!DOCTYPE workbook SYSTEM "http://example.invalid/x.dtd"><workbook', 1)
    return write_parts(tmp / "kpi_2026-10.xlsx", parts)


def _doctype_after_comments(tmp: Path) -> Path:
    """The DOCTYPE hidden after comments and processing instructions, split across reads."""
    padding = "<!-- padding -->\n" * 400 + "<?pi x?>"
    return write_parts(tmp / "kpi_2026-10.xlsx", xlsx_parts(
        kpi_rows(), sheet_prolog=padding + billion_laughs()))


def _doctype_in_utf16_part(tmp: Path) -> Path:
    parts = xlsx_parts(kpi_rows(), strings_prolog=billion_laughs(),
                       string_override={0: "工号&lol9;"})
    text = str(parts["xl/sharedStrings.xml"]).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parts["xl/sharedStrings.xml"] = b"\xff\xfe" + text.encode("utf-16-le")
    return write_parts(tmp / "kpi_2026-10.xlsx", parts)


@pytest.mark.parametrize(("build", "part", "what"), [
    (_lol_strings, "xl/sharedStrings.xml", "a document type declaration"),
    (_lol_sheet, "xl/worksheets/sheet1.xml", "a document type declaration"),
    (_external_entity, "xl/sharedStrings.xml", "a document type declaration"),
    (_doctype_in_workbook_part, "xl/workbook.xml", "a document type declaration"),
    (_doctype_after_comments, "xl/worksheets/sheet1.xml", "a document type declaration"),
    (_doctype_in_utf16_part, "xl/sharedStrings.xml", "a document type declaration"),
], ids=["billion-laughs-in-sharedStrings", "billion-laughs-in-sheet", "external-entity",
        "doctype-in-workbook.xml", "doctype-after-comments", "utf-16-part"])
def test_bad_inputs_1_xml_entities_are_refused_with_low_memory(tmp_path: Path, cli, build,
                                                               part: str, what: str) -> None:
    """BAD_INPUTS 1: a DOCTYPE (entity expansion, external entity) in any XML part → E
    before any XML is parsed; memory stays low (the expanded text would be gigabytes)."""
    build(tmp_path)
    before = maxrss_mb()
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            f"the workbook contains XML that Excel never writes ({what} in {part}); it may be "
            "a harmful file", EXPORT_AGAIN)
    assert maxrss_mb() - before < 100


def test_bad_inputs_1_overlong_xml_preamble_is_refused(tmp_path: Path, cli,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """BAD_INPUTS 1: the check reads each part only up to its root element; a preamble
    longer than any Excel writes is refused rather than read without end."""
    monkeypatch.setattr(containers, "MAX_XML_PROLOG", 4096)
    write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(
        kpi_rows(), strings_prolog="<!-- padding -->\n" * 1000))
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            "the workbook contains XML that Excel never writes (an overlong preamble in "
            "xl/sharedStrings.xml); it may be a harmful file", EXPORT_AGAIN)


def test_bad_inputs_1_undeclared_entity_is_not_expanded(tmp_path: Path, cli_json, cli) -> None:
    """BAD_INPUTS 1: without a DOCTYPE an entity reference cannot be defined; the reader
    (calamine) refuses it instead of guessing, and the run stops with the file named."""
    write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(
        kpi_rows(), string_override={1: "&xxe;"}))
    code, out, _ = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--json")
    assert code == 1
    [problem] = json.loads(out)["problems"]
    assert problem["file"] == "kpi_2026-10.xlsx"
    assert problem["message"].startswith("the workbook cannot be read (")
    assert "xxe" in problem["message"]
    assert problem["hint"] == DAMAGED
    assert not (tmp_path / DB).exists()


def test_bad_inputs_1_openpyxl_parses_with_defusedxml() -> None:
    """BAD_INPUTS 1: openpyxl (used to explain blank cells) guards against entities only
    when defusedxml is installed and not switched off; it is a dependency, so it is on."""
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.fromstring.__module__.startswith("defusedxml")
    assert functions.iterparse.__module__.startswith("defusedxml")
    assert fast._openpyxl_is_defused()


def test_bad_inputs_1_explain_blanks_refuses_without_defusedxml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BAD_INPUTS 1: if openpyxl ever ran without defusedxml, cslevel refuses to use it."""
    import xml.etree.ElementTree as plain

    from openpyxl.xml import functions

    path = write_xlsx(tmp_path / "kpi.xlsx", kpi_rows([["0001", "张三", "一组", None]]))
    monkeypatch.setattr(functions, "iterparse", plain.iterparse)
    with pytest.raises(CslevelError) as caught:
        explain_blanks(path, None, [Source("kpi.xlsx", "Sheet1", 2, 3)])
    [problem] = caught.value.problems
    assert problem.message == "cslevel's XML safety guard (defusedxml) is not active"
    assert problem.hint == ("Reinstall cslevel with its dependencies (pip install defusedxml) "
                            "and unset OPENPYXL_DEFUSEDXML, then run again.")


# --- 2: zip bombs ----------------------------------------------------------------------------
def test_bad_inputs_2_declared_unpacked_size_is_checked_first(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 2: a small file whose directory declares gigabytes → E before parsing."""
    path = write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(kpi_rows()))
    patch_central_sizes(path, "xl/worksheets/sheet1.xml", 0xFFFF_0000)
    assert path.stat().st_size < 5000
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            "the workbook would unpack to 4.0 GB, far more than any real workbook (zip bomb?)",
            EXPORT_AGAIN)


def test_bad_inputs_2_unpacked_size_limit(tmp_path: Path, cli,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """BAD_INPUTS 2: the limit applies to the sum of all parts."""
    monkeypatch.setattr(containers, "MAX_UNZIPPED_BYTES", 2048)
    path = write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(kpi_rows()))
    with zipfile.ZipFile(path) as archive:
        total = sum(i.file_size for i in archive.infolist())
    assert 2048 < total < 1024**2
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            f"the workbook would unpack to {-(-total // 1024)} KB, far more than any real "
            "workbook (zip bomb?)", EXPORT_AGAIN)


def test_bad_inputs_2_declared_entry_count_is_checked_before_indexing(tmp_path: Path,
                                                                      cli) -> None:
    """BAD_INPUTS 2: an archive declaring 65,000 entries is refused from its end record,
    before the zip reader builds an index of them."""
    path = write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(kpi_rows()))
    patch_declared_entry_count(path, 65_000)
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            "the workbook holds 65,000 parts, far more than any real workbook (zip bomb?)",
            EXPORT_AGAIN)


def test_bad_inputs_2_entry_count_limit(tmp_path: Path, cli,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(containers, "MAX_ZIP_ENTRIES", 5)
    write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(kpi_rows()))
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            "the workbook holds 6 parts, far more than any real workbook (zip bomb?)",
            EXPORT_AGAIN)


def test_bad_inputs_2_no_compression_ratio_rule(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 2: parts that compress 1000:1 (real styles.xml files do) are fine."""
    parts = xlsx_parts(kpi_rows())
    parts["docProps/app.xml"] = ('<?xml version="1.0"?><Properties>' + " " * 20_000_000
                                 + "</Properties>")
    path = write_parts(tmp_path / "kpi_2026-10.xlsx", parts)
    assert path.stat().st_size < 100_000
    assert agents(scored(cli_json, "kpi_2026-10.xlsx")) == EXPECTED


# --- 3: damaged files and files that are not workbooks ----------------------------------------
def test_bad_inputs_3_truncated_zip(tmp_path: Path, cli) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", kpi_rows()).read_bytes()
    (tmp_path / "kpi_2026-10.xlsx").write_bytes(good[: len(good) // 2])
    (tmp_path / "good.xlsx").unlink()
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            "the workbook is damaged (not a complete .xlsx file)", DAMAGED)


def test_bad_inputs_3_corrupt_compressed_part(tmp_path: Path, cli) -> None:
    """The directory is intact but a part's compressed bytes are garbage."""
    path = write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(kpi_rows()))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            "the workbook is damaged (not a complete .xlsx file)", DAMAGED)


def test_bad_inputs_3_missing_content_types(tmp_path: Path, cli) -> None:
    parts = xlsx_parts(kpi_rows())
    del parts["[Content_Types].xml"]
    write_parts(tmp_path / "kpi_2026-10.xlsx", parts)
    refused(cli, tmp_path, "kpi_2026-10.xlsx",
            "the workbook is damaged (its part [Content_Types].xml is missing)", DAMAGED)


def test_bad_inputs_3_zip_that_is_not_a_workbook(tmp_path: Path, cli) -> None:
    write_parts(tmp_path / "kpi_2026-10.xlsx", {"kpi.csv": "工号,姓名\n0001,张三\n"})
    refused(cli, tmp_path, "kpi_2026-10.xlsx", "this is a zip file but not an Excel workbook",
            "Give the .xlsx exported from the system (unpack the zip first if the workbook is "
            "inside it).")


def test_bad_inputs_3_csv_text_renamed_xlsx_is_read_as_text(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 3, decided: a .txt/.csv renamed .xlsx holding a comma- or tab-separated
    table is read as text (the content decides, as for web pages saved as .xls), with a
    warning that the name is wrong."""
    (tmp_path / "kpi_2026-10.xlsx").write_text(
        "工号,姓名,组别,绩效分值\n0001,张三,一组,112\n0002,李四,一组,95.5\n0003,王五,二组,120\n",
        encoding="utf-8")
    assert agents(scored(cli_json, "kpi_2026-10.xlsx")) == EXPECTED
    assert warnings_of(read_sheets(tmp_path / "kpi_2026-10.xlsx")) == [
        "the file is named .xlsx but is really a text table (CSV/TSV); read as such"]


def test_bad_inputs_3_random_binary_renamed_xlsx(tmp_path: Path, cli) -> None:
    (tmp_path / "kpi_2026-10.xlsx").write_bytes(bytes(range(256)) * 16)
    refused(cli, tmp_path, "kpi_2026-10.xlsx", "the file is neither a workbook nor readable text",
            "Give the .xlsx, .xls or .csv file exported from the system; a CSV file must be "
            "saved as UTF-8 or GBK.")


def test_bad_inputs_3_control_characters_are_not_a_table(tmp_path: Path, cli) -> None:
    (tmp_path / "kpi_2026-10.xlsx").write_bytes(b"\x01\x02\x03\x04\x05\x06abc\x07\x08" * 50)
    refused(cli, tmp_path, "kpi_2026-10.xlsx", "the file is neither a workbook nor readable text",
            WHICH_FILE)


@pytest.mark.parametrize(("head", "what"), [
    (b"%PDF-1.7\n", "a PDF document"), (b"\x89PNG\r\n\x1a\n", "a picture (PNG)"),
    (b"Rar!\x1a\x07\x00", "a RAR archive")])
def test_bad_inputs_3_other_formats_are_named(tmp_path: Path, cli, head: bytes,
                                              what: str) -> None:
    (tmp_path / "kpi_2026-10.xlsx").write_bytes(head + b"\x00" * 100)
    refused(cli, tmp_path, "kpi_2026-10.xlsx", f"this is {what}, not a workbook", WHICH_FILE)


def test_bad_inputs_3_empty_file(tmp_path: Path, cli) -> None:
    (tmp_path / "kpi_2026-10.xlsx").write_bytes(b"")
    refused(cli, tmp_path, "kpi_2026-10.xlsx", "the file is empty", "Export the workbook again.")


# --- 4: password-protected workbooks ---------------------------------------------------------
def test_bad_inputs_4_encrypted_xlsx(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 4: a real password-protected .xlsx (an OLE file holding EncryptedPackage,
    made as Excel makes it) → E "encrypted: save it without a password"."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", kpi_rows())
    with plain.open("rb") as src, (tmp_path / "kpi_2026-10.xlsx").open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    plain.unlink()
    refused(cli, tmp_path, "kpi_2026-10.xlsx", "the workbook is encrypted (password-protected)",
            ENCRYPTED_HINT)


def test_bad_inputs_4_encrypted_package_found_in_any_ole_file(tmp_path: Path, cli) -> None:
    """BAD_INPUTS 4: the check looks for the EncryptedPackage entry in the compound file's
    directory, whatever the file is called."""
    (tmp_path / "kpi_2026-10.xls").write_bytes(minimal_ole(["EncryptionInfo",
                                                            "EncryptedPackage"]))
    refused(cli, tmp_path, "kpi_2026-10.xls", "the workbook is encrypted (password-protected)",
            ENCRYPTED_HINT)


def test_bad_inputs_4_zip_level_password(tmp_path: Path, cli) -> None:
    """A zip whose parts are encrypted (some systems 'protect' exports so)."""
    path = write_parts(tmp_path / "kpi_2026-10.xlsx", xlsx_parts(kpi_rows()))
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(signature)
        while pos >= 0:
            data[pos + flag_at] |= 0x1
            pos = data.find(signature, pos + 4)
    path.write_bytes(bytes(data))
    refused(cli, tmp_path, "kpi_2026-10.xlsx", "the workbook is encrypted (password-protected)",
            ENCRYPTED_HINT)


# --- 5: .xls files that are web pages, TSV or Excel 2003 XML ----------------------------------
HTML_KPI = """<html xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<style>td {{ mso-number-format:"\\@"; }} .x {{ color: red }}</style></head>
<body>
<table border="1">
 <tr><td colspan="4">2026年10月客服绩效考核表</td></tr>
 <tr><th>工号</th><th>姓名</th><th>组别</th><th>绩效分值</th></tr>
 <tr><td>0001</td><td>张三</td><td rowspan="2">一组</td><td>112</td></tr>
 <tr><td>0002</td><td>李四</td><td x:num="95.5">95.5</td></tr>
 <tr><td>0003</td><td>王&nbsp;五</td><td>二组</td><td>120</td></tr>
</table>
</body></html>
"""


def test_bad_inputs_5_html_saved_as_xls_is_read(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 5: a web page (a <table> export) named .xls → T: its table is read."""
    (tmp_path / "kpi_2026-10.xls").write_text(HTML_KPI.format(charset="utf-8"),
                                              encoding="utf-8")
    doc = scored(cli_json, "kpi_2026-10.xls")
    assert agents(doc) == {"0001": ("张三", 112.0), "0002": ("李四", 95.5),
                           "0003": ("王 五", 120.0)}
    [sheet] = read_sheets(tmp_path / "kpi_2026-10.xls")
    assert (sheet.name, sheet.first_row, sheet.first_col) == ("kpi_2026-10", 1, 0)
    assert sheet.rows[0] == ["2026年10月客服绩效考核表", None, None, None]
    assert sheet.rows[2] == ["0001", "张三", "一组", "112"]
    assert sheet.rows[3] == ["0002", "李四", None, "95.5"]  # under the rowspan
    assert sheet.merged == ((0, 0, 0, 3), (2, 2, 3, 2))
    assert warnings_of([sheet]) == [
        "the file is named .xls but is really a web page holding a table; read as such"]


def test_bad_inputs_5_html_in_gbk_with_declared_charset(tmp_path: Path, cli_json) -> None:
    (tmp_path / "kpi_2026-10.xls").write_bytes(HTML_KPI.format(charset="gb2312").encode("gbk"))
    assert agents(scored(cli_json, "kpi_2026-10.xls"))["0001"] == ("张三", 112.0)


def test_bad_inputs_5_html_in_utf8_declaring_gb2312(tmp_path: Path, cli_json) -> None:
    """Pages often declare a charset they are not in; valid UTF-8 wins over the label."""
    (tmp_path / "kpi_2026-10.xls").write_text(HTML_KPI.format(charset="gb2312"),
                                              encoding="utf-8")
    assert agents(scored(cli_json, "kpi_2026-10.xls"))["0001"] == ("张三", 112.0)


def test_bad_inputs_5_html_tables_become_sheets(tmp_path: Path) -> None:
    page = """<!DOCTYPE html><html><body>
    <table><caption>汇总</caption><tr><td>人数</td><td>3</td></tr></table>
    <table><tr><th>工号<th>姓名<tr><td>0001<td>张三<br>(组长)<tr><td>0002<td></table>
    <table><tr><td> </td></tr></table>
    </body></html>"""
    (tmp_path / "kpi.xls").write_text(page, encoding="utf-8")
    sheets = read_sheets(tmp_path / "kpi.xls")
    assert [(s.name, s.rows) for s in sheets] == [
        ("table 1", [["汇总", None], ["人数", "3"]]),
        ("table 2", [["工号", "姓名"], ["0001", "张三 (组长)"], ["0002", None]]),
    ]


def test_bad_inputs_5_web_page_without_a_table(tmp_path: Path, cli) -> None:
    (tmp_path / "kpi_2026-10.xls").write_text("<html><body><p>登录已过期</p></body></html>",
                                              encoding="utf-8")
    refused(cli, tmp_path, "kpi_2026-10.xls", "this is a web page without a table",
            "Export the data again as .xlsx or .csv.")


def test_bad_inputs_5_tsv_saved_as_xls_is_read(tmp_path: Path, cli_json) -> None:
    lines = ["\t".join(KPI_HEADER)] + ["0001\t张三\t一组\t112", "0002\t李四\t一组\t95.5",
                                       "0003\t王五\t二组\t120"]
    (tmp_path / "kpi_2026-10.xls").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert agents(scored(cli_json, "kpi_2026-10.xls")) == EXPECTED
    assert warnings_of(read_sheets(tmp_path / "kpi_2026-10.xls")) == [
        "the file is named .xls but is really a text table (CSV/TSV); read as such"]


SPREADSHEET_ML = """<?xml version="1.0" encoding="{encoding}"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Worksheet ss:Name="说明">
  <Table><Row><Cell><Data ss:Type="String">本表由系统导出</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">
   <Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
 <Worksheet ss:Name="绩效">
  <Table ss:ExpandedColumnCount="1" ss:ExpandedRowCount="1">
   <Row><Cell ss:MergeAcross="4"><Data ss:Type="String">2026年10月客服绩效考核表</Data></Cell></Row>
   <Row ss:Index="3"><Cell ss:Index="2"><Data ss:Type="String">工号</Data></Cell>
    <Cell><Data ss:Type="String">姓名</Data></Cell><Cell><Data ss:Type="String">组别</Data></Cell>
    <Cell><Data ss:Type="String">绩效分值</Data></Cell>
    <Cell><Data ss:Type="String">入职日期</Data></Cell>
    <Cell><Data ss:Type="String">时长</Data></Cell></Row>
   <Row><Cell ss:Index="2"><Data ss:Type="String">0001</Data></Cell>
    <Cell><Data ss:Type="String"><html:B>张</html:B>三</Data></Cell>
    <Cell ss:MergeDown="1"><Data ss:Type="String">一组</Data></Cell>
    <Cell ss:Formula="=100+12"><Data ss:Type="Number">112</Data></Cell>
    <Cell><Data ss:Type="DateTime">2024-03-01T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="DateTime">1899-12-31T00:01:23.000</Data></Cell></Row>
   <Row><Cell ss:Index="2"><Data ss:Type="String">0002</Data></Cell>
    <Cell><Data ss:Type="String">李四</Data></Cell>
    <Cell ss:Index="5"><Data ss:Type="Number">95.5</Data></Cell>
    <Cell><Data ss:Type="DateTime">2024-03-01T08:30:00.000</Data></Cell>
    <Cell><Data ss:Type="Boolean">1</Data></Cell></Row>
   <Row><Cell ss:Index="2"><Data ss:Type="String">0003</Data></Cell>
    <Cell><Data ss:Type="String">王五</Data></Cell><Cell><Data ss:Type="String">二组</Data></Cell>
    <Cell><Data ss:Type="Number">120</Data></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>
"""


def test_bad_inputs_5_excel_2003_xml_is_read(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 5: SpreadsheetML 2003 (.xls that is XML) → T, with ss:Index gaps, merged
    cells, typed data and hidden sheets handled."""
    from datetime import date, datetime, time

    (tmp_path / "kpi.xls").write_text(SPREADSHEET_ML.format(encoding="UTF-8"), encoding="utf-8")
    doc = scored(cli_json, "kpi.xls")
    assert doc["month"] == "2026-10"
    assert agents(doc) == EXPECTED
    shown, hidden = read_sheets(tmp_path / "kpi.xls")
    assert (hidden.name, hidden.visible, shown.name, shown.visible) == ("说明", False, "绩效", True)
    assert shown.rows == [
        ["2026年10月客服绩效考核表", None, None, None, None, None, None],
        [None, None, None, None, None, None, None],
        [None, "工号", "姓名", "组别", "绩效分值", "入职日期", "时长"],
        [None, "0001", "张三", "一组", 112.0, date(2024, 3, 1), time(0, 1, 23)],
        [None, "0002", "李四", None, 95.5, datetime(2024, 3, 1, 8, 30), True],
        [None, "0003", "王五", "二组", 120.0, None, None],
    ]
    assert shown.merged == ((0, 0, 0, 4), (3, 3, 4, 3))
    assert warnings_of([shown]) == [
        "the file is named .xls but is really an Excel 2003 XML spreadsheet; read as such"]


def test_bad_inputs_5_excel_2003_xml_in_gb2312(tmp_path: Path, cli_json) -> None:
    """Declared GB2312: the XML parser itself knows no multi-byte Chinese encodings."""
    (tmp_path / "kpi.xml").write_bytes(SPREADSHEET_ML.format(encoding="GB2312").encode("gbk"))
    assert agents(scored(cli_json, "kpi.xml")) == EXPECTED


def test_bad_inputs_5_excel_2003_xml_with_doctype_is_refused(tmp_path: Path, cli) -> None:
    text = SPREADSHEET_ML.format(encoding="UTF-8").replace(
        '<?mso-application progid="Excel.Sheet"?>', billion_laughs()).replace(
        "本表由系统导出", "&lol9;")
    (tmp_path / "kpi_2026-10.xls").write_text(text, encoding="utf-8")
    before = maxrss_mb()
    refused(cli, tmp_path, "kpi_2026-10.xls",
            "the file contains XML that Excel never writes (a document type declaration); it "
            "may be a harmful file", EXPORT_AGAIN)
    assert maxrss_mb() - before < 100


def test_bad_inputs_5_other_xml_is_refused(tmp_path: Path, cli) -> None:
    (tmp_path / "kpi_2026-10.xls").write_text(
        '<?xml version="1.0"?><report><agent id="0001"/></report>', encoding="utf-8")
    refused(cli, tmp_path, "kpi_2026-10.xls", "this is an XML file but not an Excel spreadsheet",
            "Open it in Excel/WPS and save it as .xlsx, or export the data again as .xlsx or "
            ".csv.")


def test_bad_inputs_5_xlsx_named_xls_is_read(tmp_path: Path, cli_json) -> None:
    """An .xlsx saved under an .xls name: read by content (the reader would refuse it by
    name)."""
    write_xlsx(tmp_path / "kpi_2026-10.xls", kpi_rows())
    assert agents(scored(cli_json, "kpi_2026-10.xls")) == EXPECTED
    assert warnings_of(read_sheets(tmp_path / "kpi_2026-10.xls")) == [
        "the file is named .xls but is really an Excel workbook (.xlsx); read as such"]


# --- 6: WPS ---------------------------------------------------------------------------------
def test_bad_inputs_6_wps_et_file_is_read_by_content(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 6: a WPS .et file (an .xlsx inside) → T."""
    write_xlsx(tmp_path / "kpi_2026-10.et", kpi_rows())
    assert agents(scored(cli_json, "kpi_2026-10.et")) == EXPECTED
    assert warnings_of(read_sheets(tmp_path / "kpi_2026-10.et")) == [
        "a WPS .et file: read as an Excel workbook (.xlsx)"]


def test_bad_inputs_6_wrong_stored_dimension_reads_every_row(tmp_path: Path, cli_json) -> None:
    """BAD_INPUTS 6: WPS stores <dimension ref="A1:A1"/> → T: all rows read, and said."""
    write_xlsx(tmp_path / "made.xlsx", kpi_rows())
    set_dimension(tmp_path / "made.xlsx", tmp_path / "kpi_2026-10.xlsx", "A1:A1")
    (tmp_path / "made.xlsx").unlink()
    assert agents(scored(cli_json, "kpi_2026-10.xlsx")) == EXPECTED
    [sheet] = read_sheets(tmp_path / "kpi_2026-10.xlsx")
    assert len(sheet.rows) == 4
    assert warnings_of([sheet]) == [
        ("the sheet's stored size (A1:A1) is smaller than its data (files saved by WPS or some "
         "export tools); all 4 rows were read")]


def test_bad_inputs_6_wrong_dimension_found_for_any_sheet_name(tmp_path: Path) -> None:
    """The stored size is matched to its sheet through workbook.xml and its relationships,
    whatever characters the sheet's name holds."""
    parts = xlsx_parts(kpi_rows(), dimension="A1:A1")
    parts["xl/workbook.xml"] = workbook_xml(sheet_name="R&D's \"KPI\" <10月>")
    [sheet] = read_sheets(write_parts(tmp_path / "kpi.xlsx", parts))
    assert sheet.name == "R&D's \"KPI\" <10月>"
    assert warnings_of([sheet]) == [
        ("the sheet's stored size (A1:A1) is smaller than its data (files saved by WPS or some "
         "export tools); all 4 rows were read")]


def test_bad_inputs_6_correct_dimension_gives_no_warning(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "kpi.xlsx", kpi_rows())
    assert warnings_of(read_sheets(tmp_path / "kpi.xlsx")) == []


# --- 10: merged ranges --------------------------------------------------------------------------
def test_bad_inputs_10_merged_ranges_are_kept(tmp_path: Path) -> None:
    """Merged ranges come with the sheet, 0-based absolute (first_row, first_col, last_row,
    last_col), for the table reader to handle group headers and filled-down cells."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws["B2"], ws["B3"], ws["D3"] = "服务质量", "工号", "满意度"
    ws.merge_cells("B2:C2")
    ws.merge_cells("D3:D5")
    book.save(tmp_path / "kpi.xlsx")
    [sheet] = read_sheets(tmp_path / "kpi.xlsx")
    assert (sheet.first_row, sheet.first_col) == (2, 1)
    assert sorted(sheet.merged) == [(1, 1, 1, 2), (2, 3, 4, 3)]


# --- 19: the Mac 1904 date system -------------------------------------------------------------
def test_bad_inputs_19_mac_1904_workbook_is_detected(tmp_path: Path) -> None:
    rows = [["工号", "入职日期"], ["0001", 44804]]
    write_parts(tmp_path / "roster.xlsx",
                xlsx_parts(rows, workbook_pr='<workbookPr date1904="1"/>'))
    [sheet] = read_sheets(tmp_path / "roster.xlsx")
    assert sheet.epoch1904 is True
    assert warnings_of([sheet]) == [
        "the workbook uses the Mac 1904 date system; dates were read accordingly"]
    write_parts(tmp_path / "plain.xlsx", xlsx_parts(rows, workbook_pr='<workbookPr date1904="0"/>'))
    assert read_sheets(tmp_path / "plain.xlsx")[0].epoch1904 is False


# --- 23: CSV encodings ------------------------------------------------------------------------
CSV_ROWS = [["工号", "姓名", "绩效分值"], ["0001", "张三", "112"], ["0002", "李䶮", "95.5"],
            ["0003", "王五", "120"]]
CSV_EXPECTED = {"0001": ("张三", 112.0), "0002": ("李䶮", 95.5), "0003": ("王五", 120.0)}


def _csv(delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(r) for r in CSV_ROWS) + "\r\n"


@pytest.mark.parametrize(("encode", "names", "warning"), [
    (lambda: _csv().encode("gb18030"), CSV_EXPECTED, "read as Chinese Windows text (GBK/GB18030)"),
    (lambda: _csv().replace("李䶮", "李四").encode("gbk"),
     {**CSV_EXPECTED, "0002": ("李四", 95.5)}, "read as Chinese Windows text (GBK/GB18030)"),
    (lambda: _csv().encode("utf-8-sig"), CSV_EXPECTED, None),
    (lambda: _csv().encode("utf-8"), CSV_EXPECTED, None),
    (lambda: _csv("\t").encode("utf-16"), CSV_EXPECTED,
     "read as UTF-16 text (Excel's \"Unicode text\")"),
    (lambda: _csv("\t").encode("utf-16-le"), CSV_EXPECTED,
     "read as UTF-16 text (Excel's \"Unicode text\")"),
], ids=["gb18030", "gbk", "utf-8-bom", "utf-8", "utf-16-bom-tsv", "utf-16-no-bom-tsv"])
def test_bad_inputs_23_csv_encodings(tmp_path: Path, cli_json, encode, names, warning) -> None:
    """BAD_INPUTS 23: CSV in GBK/GB18030, UTF-8 with or without BOM, UTF-16 (Excel's
    "Unicode text", tab-separated) → T, Chinese headers and names read correctly."""
    (tmp_path / "x.csv").write_bytes(encode())
    doc = scored(cli_json, "x.csv", "--month", "2026-10")
    assert agents(doc) == names
    [sheet] = read_sheets(tmp_path / "x.csv")
    assert sheet.rows[0] == ["工号", "姓名", "绩效分值"]
    assert warnings_of([sheet]) == ([warning] if warning else [])


def test_bad_inputs_23_malformed_csv(tmp_path: Path, cli) -> None:
    (tmp_path / "kpi_2026-10.csv").write_text('工号,姓名\n0001,"' + "x" * 200_000 + "\n",
                                              encoding="utf-8")
    refused(cli, tmp_path, "kpi_2026-10.csv",
            "the text table is malformed (field larger than field limit (131072))",
            "Open it in Excel/WPS and save it as .xlsx, or export it again.")


# --- the warnings reach the run ------------------------------------------------------------------
def test_tolerated_oddities_are_listed_in_the_run(tmp_path: Path, cli_json) -> None:
    """T means: read, and say what was tolerated in the run's problems list."""
    write_xlsx(tmp_path / "made.xlsx", kpi_rows())
    set_dimension(tmp_path / "made.xlsx", tmp_path / "kpi_2026-10.et", "A1:A1")
    doc = scored(cli_json, "kpi_2026-10.et")
    assert [(p["severity"], p["file"], p["message"]) for p in doc["problems"]
            if p["file"] == "kpi_2026-10.et"] == [
        ("warning", "kpi_2026-10.et", "a WPS .et file: read as an Excel workbook (.xlsx)"),
        ("warning", "kpi_2026-10.et", ("the sheet's stored size (A1:A1) is smaller than its "
                                       "data (files saved by WPS or some export tools); all 4 "
                                       "rows were read")),
    ]


def test_sheet_problems_are_warnings_only(tmp_path: Path) -> None:
    """What read_sheets tolerates is a warning; what it cannot read is raised."""
    write_xlsx(tmp_path / "made.xlsx", kpi_rows())
    set_dimension(tmp_path / "made.xlsx", tmp_path / "kpi.et", "A1:A1")
    [sheet] = read_sheets(tmp_path / "kpi.et")
    assert len(sheet.problems) == 2
    assert {p.severity for p in sheet.problems} == {"warning"}
    assert all(p.source is not None and p.source.file == "kpi.et" for p in sheet.problems)

