"""File -> sheets of raw cell values: the first step of the read stage.

The format is told from the file's content, never from its name, because call-centre
systems save web pages as `.xls`, WPS saves `.et`, and clerks rename files:

- a zip is an .xlsx/.xlsm (or .xlsb/.ods). Before anything parses it, the archive's
  declared sizes and entry count are checked (zip bombs) and the start of every XML part is
  checked for a document type declaration (`<!DOCTYPE`, which Excel never writes and which
  is how XML entity expansion and external entities get in);
- an OLE compound file is an .xls or an .et, or a password-protected workbook;
- anything else is text: an HTML page holding `<table>`s, an Excel 2003 XML spreadsheet
  (SpreadsheetML), or delimited text (CSV/TSV) in UTF-8, UTF-16 or GB18030.

Values are read with python-calamine (fast; its XML reader does not expand entities).
Each sheet keeps its merged ranges and any tolerated oddity of the file as warnings.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import mmap
import os
import re
import struct
import sys
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any, cast

from ..i18n import _
from ..records import CslevelError, Problem, Source, column_letter
from . import sheetxml
from .formats.sheet import (
    _TEXT,
    Merged,
    Sheet,
    _encrypted,
    _error_text,
    _fail,
    _format_note,
    _warning,
    sniff_format,
)
from .sheetxml import check_extents, size_text

MAX_UNZIPPED_BYTES = 2 * 1024**3  # declared size of all entries; real exports are far below
MAX_ZIP_ENTRIES = 20_000
MAX_XML_PROLOG = 64 * 1024  # bytes before an XML part's root element; Excel writes ~60
_SPREADSHEET_ML = "urn:schemas-microsoft-com:office:spreadsheet"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


_CALAMINE_EXTENSIONS = {".xls": "xls", ".xla": "xls", ".xlsx": "xlsx", ".xlsm": "xlsx",
                        ".xlam": "xlsx", ".xlsb": "xlsb", ".ods": "ods"}


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
    for info in sheetxml.sheet_parts(archive):
        sheet = facts.sheet_of_part.get(info.filename.lower())
        if sheet is None:
            continue
        with sheetxml.open_member(archive, info) as stream:
            cells = sheetxml.external_cells(stream)
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
        sheets = sheetxml.xls_value_cells(data)
    except sheetxml.NotReadable as exc:
        raise _fail(path, _("the workbook is damaged ({error})").format(
            error=f"compound file: {exc}"), _TEXT["resave"]) from None
    for name, _cells, reserved in sheets:
        # (room reserved, not filled: up to the format's own 65,536 rows × 256 columns, as a
        # sheet formatted down to the last row has it, is allowed)
        if reserved > 65_538 * 258:
            raise _fail(path, _("the workbook is damaged ({error})").format(
                error=f"the stored size of {name} is {reserved:,} cells"), _TEXT["resave"])
    check_extents(path.name, [sheetxml.Extent(name, cells) for name, cells, _r in sheets],
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
        for rel, name in sheetxml.xlsb_sheet_names(archive.read(book)):
            sheet_of_part[targets.get(rel, "").lower()] = name
    extents, size = [], 0
    for info in sheetxml.sheet_parts(archive):
        if not info.filename.lower().endswith(".bin"):
            continue
        with archive.open(info) as stream:
            cells = sheetxml.xlsb_value_cells(stream)
        size += info.file_size
        extents.append(sheetxml.Extent(sheet_of_part.get(info.filename.lower(), info.filename),
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
            tables = sheetxml.ods_value_cells(stream)
        check_extents(path.name, [sheetxml.Extent(name, corners, from_origin=True)
                                  for name, corners in tables], member.file_size)
        return
    if facts.kind == "xlsb":
        _check_xlsb_extents(path, archive)
        return
    if facts.kind != "xlsx":
        return
    parts = sheetxml.sheet_parts(archive)
    declared = sum(info.file_size for info in parts)
    limit = sheetxml.budget_cells(declared)
    scans = []
    for info in parts:
        share = sheetxml.budget_cells(0) * info.file_size // max(declared, 1) + (
            sheetxml.EXTENT_FACTOR * info.file_size // sheetxml.CELL_BYTES)
        with sheetxml.open_member(archive, info) as stream:
            scans.append(sheetxml.fast_scan(stream, info.filename, min(share, limit)))
    suspects = [scan for scan in scans if scan.suspect]
    if not suspects:
        return
    size = sum(scan.size for scan in scans)
    bounded = sum(s.box[0] * s.box[1] for s in scans if not s.suspect)

    def precise(info: zipfile.ZipInfo) -> sheetxml.Extent:
        name = facts.sheet_of_part.get(info.filename.lower(), info.filename)
        with archive.open(info) as stream:
            return sheetxml.Extent(name, sheetxml.value_cells(stream))

    by_part = {info.filename: info for info in parts}
    extents = [precise(by_part[scan.part]) for scan in suspects]
    if bounded + sum(e.box() for e in extents) > sheetxml.budget_cells(size):
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
            except sheetxml.BrokenTag as exc:
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


# --- calamine ---------------------------------------------------------------------------
def _cell_ref(ref: str) -> tuple[int, int] | None:
    """'F3' -> (2, 5), 0-based (row, col)."""
    match = re.fullmatch(r"([A-Za-z]{1,3})(\d{1,7})", ref)
    if not match:
        return None
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


def _read_calamine(path: Path, kind: str, facts: _ZipFacts | None) -> list[Sheet]:
    import python_calamine as calamine  # heavy: imported where used

    expected = _CALAMINE_EXTENSIONS.get(path.suffix.lower())
    try:
        if expected is None or expected == kind:
            book = calamine.CalamineWorkbook.from_path(str(path))
        else:  # a renamed file: calamine picks its reader by extension, so give it bytes
            with path.open("rb") as fh:
                book = calamine.CalamineWorkbook.from_filelike(fh)
    except calamine.PasswordError:
        raise _encrypted(path) from None
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise _encrypted(path) from None
        error = exc if isinstance(exc, calamine.CalamineError) else _error_text(exc)
        raise _fail(path, _("the workbook cannot be read ({error})").format(error=error),
                    _TEXT["resave"]) from None
    epoch1904 = bool(facts and facts.epoch1904)
    notes = _format_note(path, kind)
    if epoch1904:
        notes.append(_warning(path, _("the workbook uses the Mac 1904 date system; dates "
                                      "were read accordingly")))
    sheets: list[Sheet] = []
    with book:
        for meta in book.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            try:
                data = book.get_sheet_by_name(meta.name)
                rows = data.to_python(skip_empty_area=True)
                merged = tuple((r1, c1, r2, c2) for (r1, c1), (r2, c2)
                               in (data.merged_cell_ranges or []))
            except BaseException as exc:
                if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
                    raise
                raise CslevelError(Problem(
                    _("the sheet cannot be read ({error})").format(error=exc),
                    Source(path.name, meta.name),
                    hint=_("Open it in Excel/WPS and save it again."))) from None
            start = data.start or (0, 0)
            sheet_notes = list(notes)
            if facts is not None and meta.name in facts.external:
                sheet_notes.append(_links_note(path, meta.name, facts))
            stored = facts.dimensions.get(meta.name) if facts else None
            if stored and data.end is not None:
                last = _cell_ref(stored.split(":")[-1])
                if last is not None and (data.end[0] > last[0] or data.end[1] > last[1]):
                    sheet_notes.append(Problem(
                        _("the sheet's stored size ({stored}) is smaller than its data (files "
                          "saved by WPS or some export tools); all {count} rows were "
                          "read").format(stored=stored, count=len(rows)),
                        Source(path.name, meta.name), "warning"))
            sheets.append(Sheet(path.name, meta.name, cast("list[list[object]]", rows),
                                start[0] + 1, start[1],
                                meta.visible == calamine.SheetVisibleEnum.Visible, epoch1904,
                                merged, tuple(sheet_notes)))
    return sheets


# --- text: HTML tables, SpreadsheetML 2003, CSV/TSV ---------------------------------------
_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in ("gb2312", "gbk", "hz") else name


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Bytes -> (text, codec): BOM, else UTF-16 told by its zero bytes, else UTF-8 if the
    bytes are valid UTF-8 (GBK text almost never is), else the charset a web page or XML file
    declares, else GB18030 (Chinese Windows, includes GBK). Pages often declare a charset
    they are not in, so the declaration does not beat valid UTF-8."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError:
                break
    head = raw[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) * 3 > len(head) // 2 and min(even, odd) * 4 < max(even, odd):
        # UTF-16 without a BOM: the zero high bytes of ASCII sit on one side
        encoding = "utf-16-be" if even > odd else "utf-16-le"
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    candidates = ["utf-8", "gb18030"]
    declared = _CHARSET.search(head) if head.lstrip().startswith(b"<") else None
    if declared and (codec := _codec(declared.group(1).decode("ascii"))):
        candidates.insert(1, codec)
    for encoding in candidates:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise _fail(path, _TEXT["not readable"],
                _("Give the .xlsx, .xls or .csv file exported from the system; a CSV file "
                  "must be saved as UTF-8 or GBK."))


_HTML_START = ("<!doctype html", "<html", "<table", "<head", "<body", "<meta", "<style",
               "<title", "<div", "<!--")


def _read_text(path: Path) -> list[Sheet]:
    raw = path.read_bytes()
    text, encoding = _decode(path, raw)
    start = text[:65536].lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<"):  # markup: an XML spreadsheet or a web page
        if start.startswith("<?xml") and _SPREADSHEET_ML in start:
            return _read_spreadsheet_ml(path, text)
        if start.startswith(_HTML_START) or "<html" in start or "<table" in start:
            return _read_html(path, text)
        raise _fail(path, _("this is an XML file but not an Excel spreadsheet"),
                    _("Open it in Excel/WPS and save it as .xlsx, or export the data again as "
                      ".xlsx or .csv."))
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > 4:
        raise _fail(path, _TEXT["not readable"], _TEXT["give export"])
    notes = _format_note(path, "text")
    if encoding == "gb18030":
        notes.append(_warning(path, _("read as Chinese Windows text (GBK/GB18030)")))
    elif encoding.startswith("utf-16"):
        notes.append(_warning(path, _("read as UTF-16 text (Excel's \"Unicode text\")")))
    return [Sheet(path.name, path.stem, _delimited_rows(path, text), problems=tuple(notes))]


def _delimited_rows(path: Path, text: str) -> list[list[object]]:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in ("\t", ",", ";")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        return [[cell if cell.strip() else None for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise _fail(path, _("the text table is malformed ({error})").format(error=exc),
                    _("Open it in Excel/WPS and save it as .xlsx, or export it again.")) from None


class _HtmlTables(HTMLParser):
    """Every <table> of a web page as a grid of cell texts, with colspan/rowspan placed as
    Excel places them (value in the first cell, the range recorded as merged)."""

    MAX_COLSPAN = 1000  # the HTML standard's limits
    MAX_ROWSPAN = 65534

    def __init__(self, spans: int = 2_000_000) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []
        self._skip = 0  # inside <style>/<script>
        # rows a rowspan may still reach, all cells together: 65,534 rows for each of a
        # few hundred bytes of cells would otherwise take gigabytes (BAD_INPUTS 35)
        self._spans_left = spans

    @staticmethod
    def _new() -> dict[str, Any]:
        return {"rows": [], "row": None, "cell": None, "taken": {}, "merged": [],
                "caption": None}

    def _close_cell(self, table: dict[str, Any]) -> None:
        cell = table["cell"]
        if cell is None:
            return
        text = re.sub(r"[ \t\r\n\f]+", " ", "".join(cell["parts"])).strip(" ")
        table["row"][cell["col"]] = text or None
        table["cell"] = None

    def _close_row(self, table: dict[str, Any]) -> None:
        self._close_cell(table)
        if table["row"] is not None:
            table["rows"].append(table["row"])
            table["row"] = None

    def _span(self, attrs: list[tuple[str, str | None]], name: str, limit: int) -> int:
        value = dict(attrs).get(name) or "1"
        digits = re.match(r"\s*(\d{1,9})", value)
        return max(1, min(int(digits.group(1)) if digits else 1, limit))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            table = self._new()
            self.tables.append(table)
            self._open.append(table)
        elif not self._open:
            return
        elif tag == "caption":
            self._open[-1]["caption"] = []
        elif tag == "tr":
            table = self._open[-1]
            self._close_row(table)
            table["row"] = {}
        elif tag in ("td", "th"):
            table = self._open[-1]
            self._close_cell(table)
            if table["row"] is None:
                table["row"] = {}
            r = len(table["rows"])
            taken = table["taken"].get(r, [])
            col = 0
            while col in table["row"] or any(c1 <= col <= c2 for c1, c2 in taken):
                col = max([col + 1, *(c2 + 1 for c1, c2 in taken if c1 <= col <= c2)])
            cols = self._span(attrs, "colspan", self.MAX_COLSPAN)
            rows = self._span(attrs, "rowspan", self.MAX_ROWSPAN)
            rows = max(1, min(rows, self._spans_left))
            self._spans_left -= rows - 1
            if cols > 1 or rows > 1:
                for dr in range(rows):
                    table["taken"].setdefault(r + dr, []).append((col, col + cols - 1))
            if cols > 1 or rows > 1:
                table["merged"].append((r, col, r + rows - 1, col + cols - 1))
            table["cell"] = {"col": col, "parts": []}
        elif tag == "br" and self._open[-1]["cell"] is not None:
            self._open[-1]["cell"]["parts"].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif not self._open:
            return
        elif tag == "table":
            self._close_row(self._open.pop())
        elif tag in ("td", "th"):
            self._close_cell(self._open[-1])
        elif tag == "tr":
            self._close_row(self._open[-1])
        elif tag == "caption" and self._open[-1]["caption"] is not None:
            self._open[-1]["caption"] = "".join(self._open[-1]["caption"]).strip() or None

    def handle_data(self, data: str) -> None:
        if self._skip or not self._open:
            return
        table = self._open[-1]
        if table["cell"] is not None:
            table["cell"]["parts"].append(data)
        elif isinstance(table["caption"], list):
            table["caption"].append(data)

    def grids(self) -> Iterator[tuple[list[list[object]], list[Merged]]]:
        while self._open:
            self._close_row(self._open.pop())
        for table in self.tables:
            # Rectangular, as calamine gives sheets: as wide as the widest row or span.
            width = max([c + 1 for found in table["rows"] for c in found]
                        + [c2 + 1 for _, _, _, c2 in table["merged"]], default=0)
            rows = [[found.get(c) for c in range(width)] for found in table["rows"]]
            merged = list(table["merged"])
            caption = table["caption"]
            if isinstance(caption, str) and caption:
                # the title Excel shows above the table
                rows.insert(0, [caption] + [None] * (width - 1))
                merged = [(r1 + 1, c1, r2 + 1, c2) for r1, c1, r2, c2 in merged]
            if any(any(v is not None for v in row) for row in rows):
                yield rows, merged


def _too_large(path: Path, rows: int, cols: int) -> CslevelError:
    return _fail(path, _("the table would be {rows} rows × {cols} columns: too large to read "
                         "({size} of memory)").format(
                             rows=f"{rows:,}", cols=f"{cols:,}",
                             size=size_text(rows * cols * sheetxml.CELL_BYTES)),
                 _("Export the data again as .xlsx or .csv."))


def _read_html(path: Path, text: str) -> list[Sheet]:
    parser = _HtmlTables()
    parser.feed(text)
    parser.close()
    limit = sheetxml.budget_cells(len(text))
    for table in parser.tables:  # (a colspan widens every row of its table)
        width = max([c + 1 for found in table["rows"] for c in found]
                    + [c2 + 1 for _, _, _, c2 in table["merged"]], default=0)
        if width * len(table["rows"]) > limit:
            raise _too_large(path, len(table["rows"]), width)
    grids = list(parser.grids())
    if not grids:
        raise _fail(path, _("this is a web page without a table"),
                    _("Export the data again as .xlsx or .csv."))
    notes = tuple(_format_note(path, "html"))
    return [Sheet(path.name, path.stem if len(grids) == 1 else f"table {n}", rows,
                  merged=tuple(merged), problems=notes)
            for n, (rows, merged) in enumerate(grids, start=1)]


def _spreadsheet_ml_value(kind: str, text: str) -> object:
    if kind == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if kind == "DateTime":
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            return text
        if moment.date() == date(1899, 12, 31):  # Excel stores a time of day on day 0
            return moment.time()
        return moment.date() if moment.time() == time(0) else moment
    return text or None  # String, and Error values such as #DIV/0! (refused as text later)


def _read_spreadsheet_ml(path: Path, text: str) -> list[Sheet]:
    """Excel 2003 XML (Workbook/Worksheet/Table/Row/Cell/Data), streamed with defusedxml,
    honouring ss:Index (skipped rows and cells), ss:MergeAcross/ss:MergeDown and hidden
    worksheets."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    ss = f"{{{_SPREADSHEET_ML}}}"
    x = "{urn:schemas-microsoft-com:office:excel}"
    # The text is already decoded; tell the parser so (expat knows no GBK).
    body = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    sheets: list[Sheet] = []
    notes = tuple(_format_note(path, "xml"))
    rows: list[list[object]] = []
    merged: list[Merged] = []
    row_index = -1
    widest = 0
    limit = sheetxml.budget_cells(len(text))
    try:
        for event, elem in iterparse(io.BytesIO(body.encode("utf-8")), events=("start", "end"),
                                     forbid_dtd=True):
            if event == "start":
                if elem.tag == f"{ss}Worksheet":
                    rows, merged, row_index, widest = [], [], -1, 0
                continue
            if elem.tag == f"{ss}Row":
                given = elem.get(f"{ss}Index")
                row_index = int(given) - 1 if given and given.isdigit() else row_index + 1
                if (row_index + 1) * max(widest, 1) > limit:
                    raise _too_large(path, row_index + 1, max(widest, 1))
                cells: list[object] = []
                col = -1
                for cell in elem.iter(f"{ss}Cell"):
                    given = cell.get(f"{ss}Index")
                    col = int(given) - 1 if given and given.isdigit() else col + 1
                    widest = max(widest, col + 1)
                    if (row_index + 1) * widest > limit:  # (rows are padded to the widest)
                        raise _too_large(path, row_index + 1, widest)
                    data = cell.find(f"{ss}Data")
                    value = None if data is None else _spreadsheet_ml_value(
                        data.get(f"{ss}Type", "String"), "".join(data.itertext()))
                    cells.extend([None] * (col + 1 - len(cells)))
                    cells[col] = value
                    across = int(cell.get(f"{ss}MergeAcross", "0") or 0)
                    down = int(cell.get(f"{ss}MergeDown", "0") or 0)
                    if across or down:
                        merged.append((row_index, col, row_index + down, col + across))
                    col += across
                rows.extend([] for _ in range(row_index + 1 - len(rows)))
                rows[row_index] = cells
                elem.clear()
            elif elem.tag == f"{ss}Worksheet":
                visible = (elem.findtext(f"{x}WorksheetOptions/{x}Visible") or "").strip()
                sheets.append(Sheet(path.name, elem.get(f"{ss}Name") or f"Sheet{len(sheets) + 1}",
                                    rows, visible=visible not in ("SheetHidden",
                                                                  "SheetVeryHidden"),
                                    merged=tuple(merged), problems=notes))
                elem.clear()
    except DefusedXmlException:
        raise _fail(path, _("the file contains XML that Excel never writes (a document type "
                            "declaration); it may be a harmful file"),
                    _TEXT["export again"]) from None
    except (ParseError, ValueError) as exc:
        raise _fail(path, _("the XML spreadsheet is damaged ({error})").format(error=exc),
                    _TEXT["resave"]) from None
    if not sheets:
        raise _fail(path, _("the XML spreadsheet has no worksheet"), _TEXT["resave"])
    for sheet in sheets:  # rectangular, as calamine gives sheets
        width = max((len(r) for r in sheet.rows), default=0)
        for row in sheet.rows:
            row.extend([None] * (width - len(row)))
    sheets.sort(key=lambda s: not s.visible)
    return sheets


# --- entry points -----------------------------------------------------------------------
def read_sheets(path: Path) -> list[Sheet]:
    """All sheets of a workbook (hidden ones last), or CslevelError for an unreadable file."""
    if not path.exists():
        raise CslevelError(Problem(_("file not found: {path}").format(path=path),
                                   Source(path.name),
                                   hint=_("Check the path and the file name.")))
    if path.is_dir():
        raise _fail(path, _("this is a folder, not a file"), _("Give the workbook's path."))
    try:
        kind = sniff_format(path)
        if kind == "text":
            return _read_text(path)
        facts = None
        if kind == "xlsx":
            facts = _check_zip(path)
            kind = facts.kind
        elif _ole_stream_named(path, "EncryptedPackage"):
            raise _encrypted(path)
        else:
            _check_xls_extents(path)
        with _rust_panics_unprinted():
            sheets = _read_calamine(path, kind, facts)
    except CslevelError:
        raise
    except BaseException as exc:  # noqa: BLE001 - the reader's edge: see _unreadable
        raise _unreadable(path, exc) from None
    sheets.sort(key=lambda s: not s.visible)
    return sheets


@contextmanager
def _rust_panics_unprinted() -> Iterator[None]:
    """While the fast reader works: what it writes to the standard error (only a Rust
    panic's report, with a backtrace when RUST_BACKTRACE is set) goes to a temporary file;
    after a panic it is dropped (the file is refused in plain words instead), otherwise
    anything else written there meanwhile is passed on. Without a real standard error (an
    embedding program), nothing is redirected."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    import tempfile

    capture = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, after fd 2 is back
    os.dup2(capture.fileno(), 2)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        try:
            if not failed and capture.tell():
                capture.seek(0)
                written = capture.read()
                if b"panicked at" not in written:
                    os.write(2, written)
        finally:
            capture.close()


def _unreadable(path: Path, exc: BaseException) -> CslevelError:
    """Whatever a library raised on a file's bytes, as the refusal of that file: no
    traceback ever reaches the clerk (BAD_INPUTS 36). Interrupts pass through; a Rust panic
    (pyo3's PanicException derives from BaseException) is a refusal too."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc
    if isinstance(exc, MemoryError):
        return _fail(path, _("the file is too large to read in this computer's memory"),
                     _TEXT["export again"])
    if isinstance(exc, PermissionError):
        return _fail(path, _("the file cannot be opened: permission denied"),
                     _("Close it in Excel/WPS if it is open, check that you may read it, and "
                       "run again."))
    if isinstance(exc, OSError):
        return _fail(path, _("the file cannot be read ({error})").format(
            error=exc.strerror or exc), _("Check the file, copy it again, and run again."))
    return _fail(path, _("the workbook cannot be read ({error})").format(error=_error_text(exc)),
                 _TEXT["resave"])


def _openpyxl_is_defused() -> bool:
    """openpyxl parses with defusedxml only when it is installed and not switched off
    (OPENPYXL_DEFUSEDXML=False); check the parser functions it actually uses."""
    import openpyxl.xml
    from openpyxl.xml import functions

    return bool(openpyxl.xml.DEFUSEDXML) and all(
        getattr(fn, "__module__", "").startswith("defusedxml")
        for fn in (functions.fromstring, functions.iterparse))


def explain_blanks(path: Path, table: Any, cells: list[Source]) -> dict[Source, Problem]:
    """Cells the fast reader saw as empty that are really formulas without a cached value
    or error values (#DIV/0!, #N/A): the fast reader shows both as blank. Only consulted
    when there are blank cells, and only for .xlsx files, through openpyxl read-only."""
    if not cells:
        return {}
    try:
        if sniff_format(path) != "xlsx":
            return {}
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in {n.lower() for n in archive.namelist()}:
                return {}  # .xlsb / .ods: openpyxl cannot read them
    except (OSError, zipfile.BadZipFile, CslevelError, ValueError):
        return {}  # (the fast reader read this file: it cannot be gone or damaged here)
    if not _openpyxl_is_defused():
        raise CslevelError(Problem(
            _("cslevel's XML safety guard (defusedxml) is not active"), Source(path.name),
            hint=_("Reinstall cslevel with its dependencies (pip install defusedxml) and unset "
                   "OPENPYXL_DEFUSEDXML, then run again.")))
    wanted = {(c.row, c.column) for c in cells if c.row is not None and c.column is not None}
    if not wanted:
        return {}
    sheet_name = cells[0].sheet
    out: dict[Source, Problem] = {}
    try:
        found = _formulas_and_values(path, sheet_name, wanted)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        # A part the fast reader skips (styles, theme, properties, relationships) is
        # damaged: whether a blank cell hides a formula without a saved value or an error
        # cannot be told, and a blank is never taken as one on trust.
        error = _error_text(exc)
        return {source: Problem(
            _("the cell looks blank, but the workbook is damaged and cslevel cannot check "
              "whether it holds a formula or an error value ({error})").format(error=error),
            source, hint=_("Open the workbook in Excel/WPS, save it again, and run again."))
            for source in cells if source.row is not None and source.column is not None}
    for (row, col), (formula, value) in found.items():
        source = Source(path.name, sheet_name, row, col)
        if isinstance(value, str) and value.startswith("#"):
            out[source] = Problem(
                _("the cell holds the error {value}").format(value=value), source,
                hint=_("Fix the formula or type the value, then run again."))
        elif isinstance(formula, str) and formula.startswith("="):
            out[source] = Problem(
                _("the formula {formula} has no saved value (the file was saved by a program, "
                  "not by Excel)").format(formula=formula), source,
                hint=_("open and save it in Excel/WPS, then run again."))
    return out


def _formulas_and_values(path: Path, sheet_name: str | None,
                         wanted: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[object, object]]:
    """(formula, saved value) of the `wanted` (row, col) cells, through openpyxl read-only."""
    import openpyxl

    rows_needed = {r for r, _ in wanted}
    lo, hi = min(rows_needed), max(rows_needed)
    found: dict[tuple[int, int], tuple[object, object]] = {}
    for data_only in (False, True):
        # A file object, not the path: openpyxl refuses names such as .et or .xls.
        with path.open("rb") as fh:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=data_only)
            try:
                ws = book[sheet_name]
                for row in ws.iter_rows(min_row=lo, max_row=hi):
                    for cell in row:
                        key = (getattr(cell, "row", None), getattr(cell, "column", 0) - 1)
                        if key in wanted:
                            formula, value = found.get(key, (None, None))
                            found[key] = ((cell.value, value) if not data_only
                                          else (formula, cell.value))
            finally:
                book.close()
    return found
