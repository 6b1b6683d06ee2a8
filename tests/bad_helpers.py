"""Builders for the bad-input tests (BAD_INPUTS.md): workbooks assembled part by part so a
test controls every byte that matters (a DOCTYPE, a stored dimension, the date system, the
central directory), and small OLE/HTML/XML files of the kinds that systems export."""

from __future__ import annotations

import re
import resource
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from cslevel.records import column_letter

KPI_HEADER = ["工号", "姓名", "组别", "绩效分值"]
KPI_ROWS: list[list[Any]] = [["0001", "张三", "一组", 112], ["0002", "李四", "一组", 95.5],
                             ["0003", "王五", "二组", 120]]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>')
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


col_letter = column_letter


def workbook_xml(workbook_pr: str = "", sheet_name: str = "Sheet1") -> str:
    name = escape(sheet_name, {'"': "&quot;"})
    return (f'{XML_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">{workbook_pr}'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def shared_strings_xml(strings: list[str], prolog: str = "") -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)  # s may hold entity references
    return (f'{XML_DECL}{prolog}<sst xmlns="{_MAIN}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{items}</sst>')


def sheet_xml(rows: list[list[Any]], strings: list[str] | None = None, prolog: str = "",
              dimension: str | None = None) -> str:
    """Worksheet XML: str cells become shared strings when `strings` is a list (appended to
    it), else inline strings; numbers are number cells."""
    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{col_letter(c)}{r}"
            if value is None:
                continue
            if isinstance(value, str):
                if strings is not None:
                    strings.append(value)
                    cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    width = max((len(r) for r in rows), default=1)
    ref = dimension or f"A1:{col_letter(width - 1)}{max(len(rows), 1)}"
    return (f'{XML_DECL}{prolog}<worksheet xmlns="{_MAIN}"><dimension ref="{ref}"/>'
            f'<sheetData>{"".join(out)}</sheetData></worksheet>')


def write_parts(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def xlsx_parts(rows: list[list[Any]], *, sheet_prolog: str = "", strings_prolog: str = "",
               workbook_pr: str = "", dimension: str | None = None,
               string_override: dict[int, str] | None = None) -> dict[str, str | bytes]:
    """The parts of a minimal one-sheet .xlsx holding `rows` (strings shared)."""
    strings: list[str] = []
    sheet = sheet_xml(rows, strings, sheet_prolog, dimension)
    escaped = [escape(s) for s in strings]
    for index, raw in (string_override or {}).items():
        escaped[index] = raw
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(workbook_pr),
        "xl/_rels/workbook.xml.rels": BOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings_xml(escaped, strings_prolog),
    }


def kpi_rows(rows: list[list[Any]] | None = None,
             header: list[str] | None = None) -> list[list[Any]]:
    return [header or KPI_HEADER, *(KPI_ROWS if rows is None else rows)]


def rewrite_zip(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a zip part by part; `change(name, data)` returns the new bytes or None to drop."""
    with zipfile.ZipFile(src) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            new = change(info.filename, data)
            if new is not None:
                zout.writestr(info.filename, new)
    return dst


def set_dimension(src: Path, dst: Path, ref: str) -> Path:
    """What WPS does: store a wrong <dimension ref=...> in every sheet."""
    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            data, count = re.subn(rb'<dimension ref="[^"]*"\s*/>',
                                  f'<dimension ref="{ref}"/>'.encode(), data)
            assert count == 1
        return data
    return rewrite_zip(src, dst, change)


def billion_laughs(levels: int = 9) -> str:
    """The classic DTD: &lol9; expands to 10**9 copies of 'lol'."""
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return f"<!DOCTYPE lolz [{''.join(ents)}]>"


EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def patch_central_sizes(path: Path, member: str, declared: int) -> None:
    """Make the central directory declare `declared` unpacked bytes for `member`, as a crafted
    zip bomb does (the local header is left alone)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if bytes(data[pos + 46:pos + 46 + name_len]) == name:
            data[pos + 24:pos + 28] = declared.to_bytes(4, "little")
            path.write_bytes(bytes(data))
            return
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{member} not in {path}")


def patch_declared_entry_count(path: Path, count: int) -> None:
    """Make the end-of-archive record declare `count` entries."""
    data = bytearray(path.read_bytes())
    pos = data.rfind(b"PK\x05\x06")
    data[pos + 8:pos + 10] = count.to_bytes(2, "little")
    data[pos + 10:pos + 12] = count.to_bytes(2, "little")
    path.write_bytes(bytes(data))


def minimal_ole(stream_names: list[str]) -> bytes:
    """A compound-file header and one directory sector naming `stream_names` (enough for the
    format check; not a file Excel could open)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1A:0x1C] = (3).to_bytes(2, "little")  # major version 3: 512-byte sectors
    header[0x1C:0x1E] = b"\xfe\xff"
    header[0x1E:0x20] = (9).to_bytes(2, "little")
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry", *stream_names][:4]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[i * 128:i * 128 + len(encoded)] = encoded
        directory[i * 128 + 64:i * 128 + 66] = len(encoded).to_bytes(2, "little")
        directory[i * 128 + 66] = 5 if i == 0 else 2
    return bytes(header + directory)


def maxrss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
