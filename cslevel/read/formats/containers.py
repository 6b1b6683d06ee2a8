"""Read stage, the containers a workbook comes in, checked before any parser sees them.

- a zip (.xlsx/.xlsm, .xlsb, .ods): its declared sizes and entry count (zip bombs), the
  start of every XML part (a document type declaration, which Excel never writes and which
  is how XML entity expansion and external entities get in), the extent of its sheets'
  data (see `read.sheetxml`), and the cells whose values come from other workbooks;
- an OLE compound file (.xls, .et): whether it holds an encrypted workbook, and the extent
  of an old workbook's sheets.

Input: the file's path. Output: `_ZipFacts` (the kind of package, its date system, each
sheet's stored size and external links) for the fast reader, or a `CslevelError` refusing
the file.
"""

from __future__ import annotations

import html
import io
import mmap
import re
import struct
import urllib.parse
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ...i18n import _
from ...records import CslevelError, Problem, Source, column_letter
from . import links
from .extent import CELL_BYTES, EXTENT_FACTOR, Extent, budget_cells, check_extents, size_text
from .ods import ods_value_cells
from .sheet import _TEXT, _encrypted, _fail
from .xls import NotReadable, xls_value_cells
from .xlsb import xlsb_sheet_names, xlsb_value_cells
from .xlsx import fast_scan, sheet_parts, value_cells
from .xmlstream import BrokenTag, open_member

MAX_UNZIPPED_BYTES = 2 * 1024**3  # declared size of all entries; real exports are far below
MAX_ZIP_ENTRIES = 20_000
MAX_XML_PROLOG = 64 * 1024  # bytes before an XML part's root element; Excel writes ~60


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


# --- zip: .xlsx / .xlsm / .xlsb / .ods --------------------------------------------------
@dataclass
class _ZipFacts:
    kind: str  # xlsx, xlsb, ods
    epoch1904: bool = False
    dimensions: dict[str, str] = field(default_factory=dict)  # sheet name -> stored ref
    sheet_of_part: dict[str, str] = field(default_factory=dict)  # part (lower case) -> name
    links: list[str] = field(default_factory=list)  # the workbooks external link N names
    external: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)  # by sheet


def _declared_entry_count(fh: IO[bytes]) -> int | None:
    """Entries the end-of-archive record declares, read before zipfile builds its index
    (which for millions of entries would itself take long and much memory)."""
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    tail_len = min(size, 22 + 0xFFFF + 20)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + 22 > len(tail):
        return None  # no end record: zipfile reports the damage
    count = int.from_bytes(tail[pos + 10:pos + 12], "little")
    if count == 0xFFFF and pos >= 20 and tail[pos - 20:pos - 16] == b"PK\x06\x07":
        fh.seek(int.from_bytes(tail[pos - 12:pos - 4], "little"))
        record = fh.read(56)
        if record[:4] == b"PK\x06\x06":
            count = int.from_bytes(record[32:40], "little")
    return count


def _xml_prolog_problem(stream: IO[bytes]) -> str | None:
    """Read an XML part only up to its root element and say what is wrong with its prolog:
    a DOCTYPE (the only way to declare entities), or an absurdly long prolog. Reads a few
    hundred bytes of a normal part, however large the part is."""
    buffer = b""
    pos = 0
    while True:
        chunk = stream.read(4096)
        if chunk:
            if not buffer and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                chunk = chunk[2:]
            buffer += chunk.replace(b"\x00", b"")  # UTF-16 parts: ASCII markup survives
        at_end = not chunk
        while True:
            while pos < len(buffer) and buffer[pos:pos + 1] in b" \t\r\n":
                pos += 1
            if buffer.startswith(b"\xef\xbb\xbf", pos):
                pos += 3
                continue
            if pos >= len(buffer) or (len(buffer) - pos < 9 and not at_end):
                break  # need more bytes to tell "<!DOCTYPE" from the root element
            if buffer.startswith(b"<?", pos) or buffer.startswith(b"<!--", pos):
                end = buffer.find(b"?>" if buffer[pos + 1:pos + 2] == b"?" else b"-->", pos)
                if end < 0:
                    break
                pos = end + (2 if buffer[pos + 1:pos + 2] == b"?" else 3)
                continue
            if buffer.startswith(b"<!", pos):
                return "doctype"
            return None  # the root element (or text that the reader will refuse)
        if at_end:
            return None
        if len(buffer) > MAX_XML_PROLOG:
            return "prolog"


# A name starts only where no name character stands before it, and is taken whole: a
# 70,000-letter run without '=' is then passed over once, not once per letter (found by the
# fuzzer: the backtracking made that minutes).
_ATTRIBUTE = re.compile(rb'(?<![\w:.-])([\w:.-]++)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


def _attributes(tag: bytes) -> dict[str, str]:
    """Attributes of one start tag, namespace prefixes dropped, values unescaped."""
    return {k.decode("utf-8", "replace").split(":")[-1]:
            html.unescape((dq or sq).decode("utf-8", "replace"))
            for k, dq, sq in _ATTRIBUTE.findall(tag)}


def _zip_facts(path: Path, archive: zipfile.ZipFile, names: dict[str, str]) -> _ZipFacts:
    """The date system and each sheet's stored size (<dimension ref=...>), from the small
    workbook part and the first bytes of each sheet part."""
    facts = _ZipFacts("xlsx")
    book_name = names.get("xl/workbook.xml")
    rels_name = names.get("xl/_rels/workbook.xml.rels")
    if book_name is None:
        return facts
    with archive.open(book_name) as fh:
        book = fh.read(4 * 1024 * 1024)
    pr = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*>", book)
    if pr and _attributes(pr.group(0)).get("date1904", "").lower() in ("1", "true"):
        facts.epoch1904 = True
    if rels_name is None:
        return facts
    with archive.open(rels_name) as fh:
        rels = fh.read(4 * 1024 * 1024)
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attrs = _attributes(tag)
        target = attrs.get("Target", "").lstrip("/")
        targets[attrs.get("Id", "")] = target if target.startswith("xl/") else f"xl/{target}"
    for tag in re.findall(rb"<(?:\w+:)?externalReference\b[^>]*>", book):
        part = names.get(targets.get(_attributes(tag).get("id", ""), "").lower())
        facts.links.append(_linked_workbook(archive, names, part) if part else "?")
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        attrs = _attributes(tag)
        part = names.get(targets.get(attrs.get("id", ""), "").lower())
        if part is None:
            continue
        facts.sheet_of_part.setdefault(part.lower(), attrs.get("name", ""))
        with archive.open(part) as fh:
            head = fh.read(8192)
        found = re.search(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([A-Za-z0-9:$]+)[\"']", head)
        if found:
            facts.dimensions[attrs.get("name", "")] = found.group(1).decode().replace("$", "")
    return facts


def _linked_workbook(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> str:
    """What an external link part points at, as a clerk knows it: the linked workbook's file
    name, or "DDE server|topic" for a DDE link."""
    with archive.open(part) as fh:
        text = fh.read(1024 * 1024)
    dde = re.search(rb"<(?:\w+:)?ddeLink\b[^>]*>", text)
    if dde:
        attrs = _attributes(dde.group(0))
        return f"DDE {attrs.get('ddeService', '')}|{attrs.get('ddeTopic', '')}"
    folder, _slash, name = part.rpartition("/")
    rels = names.get(f"{folder}/_rels/{name}.rels".lower())
    if rels is None:
        return name
    with archive.open(rels) as fh:
        found = re.search(rb"<(?:\w+:)?Relationship\b[^>]*>", fh.read(1024 * 1024))
    target = _attributes(found.group(0)).get("Target", "") if found else ""
    target = urllib.parse.unquote(target).replace("\\", "/")
    return target.rsplit("/", 1)[-1] or name


def _check_links(archive: zipfile.ZipFile, facts: _ZipFacts) -> None:
    """The cells whose formulas take their values from other workbooks (external links,
    DDE), by sheet: only looked for when the package holds external link parts."""
    if not any(n.replace("\\", "/").lower().startswith("xl/externallinks/")
               for n in archive.namelist()):
        return
    for info in sheet_parts(archive):
        sheet = facts.sheet_of_part.get(info.filename.lower())
        if sheet is None:
            continue
        with open_member(archive, info) as stream:
            cells = links.external_cells(stream)
        if cells:
            facts.external[sheet] = cells


def _links_note(path: Path, sheet: str, facts: _ZipFacts) -> Problem:
    cells = sorted(facts.external[sheet])
    names = [f"{column_letter(c)}{r + 1}" for r, c, _link in cells]
    shown = _(", ").join(names[:8])
    if len(names) > 8:
        shown = _("{cells} and {count} more").format(cells=shown, count=len(names) - 8)
    links = _(", ").join(sorted({facts.links[link - 1] if 0 < link <= len(facts.links)
                                 else (f"[{link}]" if link else "DDE")
                                 for _r, _c, link in cells}))
    first_row, first_col, _link = cells[0]
    return Problem(
        _("the values of {cells} come from another workbook ({links}) and may be out of "
          "date").format(cells=shown, links=links),
        Source(path.name, sheet, first_row + 1, first_col), "warning",
        hint=_("Open this workbook together with {links} and update the links (Data › Edit "
               "Links › Update Values), or copy those cells and paste them as values; save, "
               "and run again.").format(links=links))


def _check_well_formed(path: Path, stream: IO[bytes]) -> None:
    """Refuse an OpenDocument content part that is not well-formed XML before the fast
    reader sees it: its OpenDocument reader can loop for ever on a broken end tag (found
    by the fuzzer). expat, streamed; the part holds no DOCTYPE (checked before)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        while chunk := stream.read(1 << 20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _fail(path, _("the workbook is damaged ({error})").format(error=exc),
                    _TEXT["resave"]) from None


def _check_xls_extents(path: Path) -> None:
    """The real extent of an old .xls workbook's sheets (see sheetxml). A compound file
    whose sizes or chains cannot be followed is refused as damaged: the fast reader trusts
    them, and a wrong size or a looping chain made it take all the memory (the fuzzer)."""
    data = path.read_bytes()
    try:
        sheets = xls_value_cells(data)
    except NotReadable as exc:
        raise _fail(path, _("the workbook is damaged ({error})").format(
            error=f"compound file: {exc}"), _TEXT["resave"]) from None
    for name, _cells, reserved in sheets:
        # (room reserved, not filled: up to the format's own 65,536 rows × 256 columns, as a
        # sheet formatted down to the last row has it, is allowed)
        if reserved > 65_538 * 258:
            raise _fail(path, _("the workbook is damaged ({error})").format(
                error=f"the stored size of {name} is {reserved:,} cells"), _TEXT["resave"])
    check_extents(path.name, [Extent(name, cells) for name, cells, _r in sheets],
                  len(data))


def _check_xlsb_extents(path: Path, archive: zipfile.ZipFile) -> None:
    """The same check for an Excel binary workbook: its sheet parts' records read one by one
    (a rare format: no fast pass)."""
    names = {n.lower(): n for n in archive.namelist()}
    sheet_of_part: dict[str, str] = {}
    book, rels = names.get("xl/workbook.bin"), names.get("xl/_rels/workbook.bin.rels")
    if book is not None and rels is not None:
        targets = {}
        for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", archive.read(rels)):
            attrs = _attributes(tag)
            target = attrs.get("Target", "").lstrip("/")
            targets[attrs.get("Id", "")] = target if target.startswith("xl/") else f"xl/{target}"
        for rel, name in xlsb_sheet_names(archive.read(book)):
            sheet_of_part[targets.get(rel, "").lower()] = name
    extents, size = [], 0
    for info in sheet_parts(archive):
        if not info.filename.lower().endswith(".bin"):
            continue
        with archive.open(info) as stream:
            cells = xlsb_value_cells(stream)
        size += info.file_size
        extents.append(Extent(sheet_of_part.get(info.filename.lower(), info.filename),
                                       cells))
    check_extents(path.name, extents, size)


def _check_extents(path: Path, archive: zipfile.ZipFile, facts: _ZipFacts) -> None:
    """Refuse a workbook whose sheets the fast reader would load into absurdly large dense
    ranges (a stray value at XFD1048576): see `sheetxml`. xlsx: the fast pass over each
    sheet part, the precise pass over those it finds suspect (and over all of them when the
    candidate boxes together are over the budget); ods: content.xml read precisely."""
    if facts.kind == "ods":
        member = next((i for i in archive.infolist() if i.filename == "content.xml"), None)
        if member is None:
            return
        with archive.open(member) as stream:
            _check_well_formed(path, stream)
        with archive.open(member) as stream:
            tables = ods_value_cells(stream)
        check_extents(path.name, [Extent(name, corners, from_origin=True)
                                  for name, corners in tables], member.file_size)
        return
    if facts.kind == "xlsb":
        _check_xlsb_extents(path, archive)
        return
    if facts.kind != "xlsx":
        return
    parts = sheet_parts(archive)
    declared = sum(info.file_size for info in parts)
    limit = budget_cells(declared)
    scans = []
    for info in parts:
        share = budget_cells(0) * info.file_size // max(declared, 1) + (
            EXTENT_FACTOR * info.file_size // CELL_BYTES)
        with open_member(archive, info) as stream:
            scans.append(fast_scan(stream, info.filename, min(share, limit)))
    suspects = [scan for scan in scans if scan.suspect]
    if not suspects:
        return
    size = sum(scan.size for scan in scans)
    bounded = sum(s.box[0] * s.box[1] for s in scans if not s.suspect)

    def precise(info: zipfile.ZipInfo) -> Extent:
        name = facts.sheet_of_part.get(info.filename.lower(), info.filename)
        with archive.open(info) as stream:
            return Extent(name, value_cells(stream))

    by_part = {info.filename: info for info in parts}
    extents = [precise(by_part[scan.part]) for scan in suspects]
    if bounded + sum(e.box() for e in extents) > budget_cells(size):
        extents = [precise(info) for info in parts]  # the candidate boxes were too generous
    check_extents(path.name, extents, size)


def _check_zip(path: Path) -> _ZipFacts:
    """Refuse a damaged, hostile or non-workbook zip before any XML is parsed."""
    damaged = _fail(path, _("the workbook is damaged (not a complete .xlsx file)"),
                    _TEXT["resave"])
    try:
        with path.open("rb") as fh:
            declared = _declared_entry_count(fh)
        if declared is not None and declared > MAX_ZIP_ENTRIES:
            raise _fail(path, _TEXT["zip bomb"].format(count=f"{declared:,}"),
                        _TEXT["export again"])
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise _fail(path, _TEXT["zip bomb"].format(count=f"{len(entries):,}"),
                            _TEXT["export again"])
            total = sum(e.file_size for e in entries)
            if total > MAX_UNZIPPED_BYTES:
                raise _fail(path, _("the workbook would unpack to {size}, far more than any "
                                    "real workbook (zip bomb?)").format(size=size_text(total)),
                            _TEXT["export again"])
            if any(e.flag_bits & 0x1 for e in entries):
                raise _encrypted(path)
            names = {e.filename.lower(): e.filename for e in entries}
            kind = _zip_kind(path, archive, names)
            for entry in entries:
                if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(entry) as stream:
                    problem = _xml_prolog_problem(stream)
                if problem:
                    what = (_("a document type declaration") if problem == "doctype"
                            else _("an overlong preamble"))
                    raise _fail(path, _("the workbook contains XML that Excel never writes "
                                        "({what} in {part}); it may be a harmful file").format(
                                            what=what, part=entry.filename),
                                _TEXT["export again"])
            facts = _zip_facts(path, archive, names) if kind == "xlsx" else _ZipFacts(kind)
            facts.kind = kind
            try:
                _check_extents(path, archive, facts)
                if kind == "xlsx":
                    _check_links(archive, facts)
            except BrokenTag as exc:
                raise _fail(path, _("the workbook is damaged ({error})").format(
                    error=f"{exc.args[0][:40]!r}"), _TEXT["resave"]) from None
            return facts
    except CslevelError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, UnicodeDecodeError, zlib.error, RuntimeError, KeyError,
            IndexError, OverflowError, struct.error):
        raise damaged from None


def _zip_kind(path: Path, archive: zipfile.ZipFile, names: dict[str, str]) -> str:
    if "mimetype" in names:
        with archive.open(names["mimetype"]) as fh:
            if fh.read(100).strip() == _ODS_MIMETYPE:
                return "ods"
    has_book = "xl/workbook.xml" in names or "xl/workbook.bin" in names
    if has_book and "[content_types].xml" not in names:
        raise _fail(path, _("the workbook is damaged (its part [Content_Types].xml is "
                            "missing)"), _TEXT["resave"])
    if not has_book:
        raise _fail(path, _("this is a zip file but not an Excel workbook"),
                    _("Give the .xlsx exported from the system (unpack the zip first if the "
                      "workbook is inside it)."))
    return "xlsx" if "xl/workbook.xml" in names else "xlsb"


# --- OLE: .xls / .et / encrypted workbooks ---------------------------------------------
def _ole_stream_named(path: Path, name: str) -> bool:
    """Whether the compound file's directory holds an entry called `name`. Directory
    entries are 128 bytes, aligned to 128 bytes, and start with the UTF-16 name; the name
    length (bytes, with the terminating NUL) follows at offset 64."""
    needle = name.encode("utf-16-le") + b"\x00\x00"
    size = path.stat().st_size
    if size < 512:
        return False
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        pos = data.find(needle, 512)
        while pos >= 0:
            if pos % 128 == 0 and data[pos + 64:pos + 66] == len(needle).to_bytes(2, "little"):
                return True
            pos = data.find(needle, pos + 1)
    return False
