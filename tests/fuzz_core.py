"""A seeded, reproducible mutation fuzzer for cslevel's readers (BAD_INPUTS 51).

Valid inputs of every kind cslevel reads (KPI workbooks written by openpyxl, by xlsxwriter
and part by part, an attendance workbook, a roster, an OpenDocument sheet, an old .xls and
an .xlsb (tests/fixtures), a CSV file, a web page and an Excel 2003 XML file saved as .xls)
are mutated: bytes flipped, inserted,
deleted or copied inside one part of the zip (mostly its XML, then recompressed), now and
then in the zip's own bytes, or a part dropped. Each mutated file is given to the real
entry points (`cslevel.pipeline.score` with --dry-run for a KPI workbook, `read_attendance`,
`read_roster`) in a forked child (tests/isolated.py) with a memory limit and a timeout.
A clean result or a clean refusal (CslevelError) is fine; anything else (an uncaught
exception, a crash, a hang, too much memory) is a failure, reported with the base input,
the seed and the mutations needed to make the same bytes again.

`mutate(base, seed)` is a pure function of the base input's bytes and the seed: the same
(base, seed) always gives the same file. The test suite runs a fixed list of seeds for
about a minute (tests/test_fuzz_readers.py); `python benchmarks/fuzz_readers.py --minutes N
--seed S` runs long, and keeps each new failing input in tests/fuzz_regressions/, which a
normal test replays."""

from __future__ import annotations

import hashlib
import io
import random
import re
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isolated import Outcome, run_in_child

REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"
MONTH = (2026, 10)
MEMORY_CAP_MB = 1024  # more than this for an input of a few kilobytes is a failure too

# Tokens a mutation may insert: the markup and values that readers trip over.
TOKENS = [
    b"<", b">", b"/>", b'"', b"'", b"&", b"&amp;", b"&#0;", b"&#xFFFF;", b"&lol;", b"<!--",
    b"-->", b"<![CDATA[", b"]]>", b"<?x?>", b"<!DOCTYPE x>", b"\x00", b"\xff\xfe", b"\xef\xbb",
    b"<c>", b"</c>", b"<c r=\"XFD1048576\"><v>1</v></c>", b'r="A0"', b'r="ZZ200000"',
    b'<row r="1048576">', b"</row>", b"<v>", b"</v>", b"<v>1e999</v>", b"<v>NaN</v>",
    b'<f>[1]Sheet1!A1</f>', b't="e"', b't="s"', b't="str"', b't="b"', b't="d"',
    b't="inlineStr"', b"<is><t>x</t></is>", b'<mergeCell ref="A1:XFD1048576"/>',
    b"9999999999", b"-1", b"1e308", b"inf", b"0x10", b" ", b"\t", b"\r\n", b"\xe5\xb7\xa5",
    b'<sheet name="x" sheetId="1" r:id="rId9"/>', b'Target="../../x"', b'date1904="1"',
    b'<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>', b's="999"', b"<colspan=1000>",
    b'<td rowspan="65534" colspan="1000">', b"<table>", b"</table>", b"<tr>", b"<td>",
    b'ss:Index="16384"', b'ss:MergeAcross="9999999"', b"<Row>", b"<Cell>",
    b'table:number-columns-repeated="16000"', b'table:number-rows-repeated="1048576"',
    b'office:value-type="float"', b'"' + b"9" * 40 + b'"', b"A" * 70000,
]


@dataclass(frozen=True)
class Base:
    """A valid input and the reader it goes to ("kpi", "attendance" or "roster")."""

    name: str
    data: bytes
    target: str


@dataclass
class Mutant:
    base: Base
    seed: int
    data: bytes
    steps: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return "kpi_2026-10" + Path(self.base.name).suffix if self.base.target == "kpi" \
            else self.base.name

    def describe(self) -> str:
        return f"base={self.base.name} seed={self.seed}: " + "; ".join(self.steps)


# --- the valid inputs ------------------------------------------------------------------------
def _agents(count: int = 12) -> list[list[Any]]:
    return [[f"{i:04d}", f"坐席{i}", "一组" if i % 2 else "二组", 90 + i * 2.5]
            for i in range(1, count + 1)]


def bases(folder: Path) -> list[Base]:
    """Every valid input, written in `folder` and read back as bytes."""
    import xlsxwriter
    from bad_helpers import write_parts, xlsx_parts
    from conftest import write_xlsx
    from hostile_helpers import write_ods

    header = ["工号", "姓名", "组别", "绩效分值"]
    rows = [header, *_agents()]
    made: list[tuple[Path, str]] = []
    made.append((write_xlsx(folder / "kpi_openpyxl.xlsx", [["2026年10月客服绩效考核表"], rows[0],
                                                          *rows[1:]]), "kpi"))
    made.append((write_parts(folder / "kpi_parts.xlsx", xlsx_parts(rows)), "kpi"))
    book = xlsxwriter.Workbook(str(folder / "kpi_xlsxwriter.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet("10月绩效")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    sheet.merge_range(len(rows) + 1, 0, len(rows) + 1, 3, "制表人：王芳")
    book.close()
    made.append((folder / "kpi_xlsxwriter.xlsx", "kpi"))
    metrics = ["工号", "姓名", "组别", "平均响应时长", "解决率", "客户满意度", "投诉率"]
    metric_rows = [metrics, *[[f"{i:04d}", f"坐席{i}", "一组", 20 + i, 0.9, 0.85 + i / 1000,
                               0.01] for i in range(1, 9)]]
    made.append((write_xlsx(folder / "kpi_metrics.xlsx", metric_rows), "kpi"))
    made.append((write_ods(folder / "kpi.ods", rows), "kpi"))
    att = [["工号", "姓名", "应出勤天数", "实际出勤天数", "迟到次数", "早退次数", "旷工天数"],
           *[[f"{i:04d}", f"坐席{i}", 22, 22 - i % 3, i % 4, 0, 0] for i in range(1, 10)]]
    made.append((write_xlsx(folder / "att_2026-10.xlsx", att), "attendance"))
    roster = [["工号", "姓名", "组别", "入职日期", "当前级别"],
              *[[f"{i:04d}", f"坐席{i}", "一组", "2024-03-01", "二星"] for i in range(1, 10)]]
    made.append((write_xlsx(folder / "roster.xlsx", roster), "roster"))
    out = [Base(path.name, _fixed(path.read_bytes()), target) for path, target in made]
    fixtures = Path(__file__).resolve().parent / "fixtures"
    out += [Base("kpi_xlwt.xls", (fixtures / "kpi_xlwt.xls").read_bytes(), "kpi"),
            Base("kpi_3_agents.xlsb", _fixed((fixtures / "kpi_3_agents.xlsb").read_bytes()),
                 "kpi")]
    csv = "\n".join(",".join(str(c) for c in row) for row in rows) + "\n"
    out.append(Base("kpi.csv", csv.encode("utf-8-sig"), "kpi"))
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    page = (f'<html><head><meta charset="utf-8"></head><body><table>{cells}</table>'
            "</body></html>")
    out.append(Base("kpi_html.xls", page.encode(), "kpi"))
    xml_rows = "".join(
        "<Row>" + "".join(f'<Cell><Data ss:Type="{"Number" if isinstance(c, float) else "String"}">'
                          f"{c}</Data></Cell>" for c in row) + "</Row>" for row in rows)
    spreadsheet = ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:'
                   'spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
                   f'<Worksheet ss:Name="Sheet1"><Table>{xml_rows}</Table></Worksheet>'
                   "</Workbook>")
    out.append(Base("kpi_2003.xls", spreadsheet.encode(), "kpi"))
    return out


_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_WHEN = (2026, 1, 1, 0, 0, 0)


def _rezip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip of `members` whose bytes depend on nothing else (no clock)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, _WHEN)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def _fixed(data: bytes) -> bytes:
    """A written workbook without its clock: the same bytes on any day (so that a seed's
    mutations fall on the same bytes)."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return _rezip([(name, _STAMP.sub(b"2026-01-01T00:00:00Z", body)) for name, body in members])


# --- mutations -------------------------------------------------------------------------------
def _mutate_bytes(data: bytes, rng: random.Random, steps: list[str], where: str) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 8))):
        op = rng.choice(("flip", "flip", "insert", "token", "token", "delete", "copy"))
        pos = rng.randrange(len(buf) + 1) if buf else 0
        if op == "flip" and buf:
            pos = min(pos, len(buf) - 1)
            new = rng.randrange(256) if rng.random() < 0.5 else buf[pos] ^ (1 << rng.randrange(8))
            steps.append(f"{where}: byte {pos} {buf[pos]:#04x}->{new:#04x}")
            buf[pos] = new
        elif op == "insert":
            chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            steps.append(f"{where}: insert {chunk!r} at {pos}")
            buf[pos:pos] = chunk
        elif op == "token":
            token = rng.choice(TOKENS)
            steps.append(f"{where}: insert {token[:40]!r}{'…' if len(token) > 40 else ''} "
                         f"at {pos}")
            buf[pos:pos] = token
        elif op == "delete" and buf:
            size = rng.randint(1, 16)
            steps.append(f"{where}: delete {bytes(buf[pos:pos + size])!r} at {pos}")
            del buf[pos:pos + size]
        elif op == "copy" and buf:
            start = rng.randrange(len(buf))
            chunk = bytes(buf[start:start + rng.randint(1, 64)])
            steps.append(f"{where}: copy {len(chunk)} bytes from {start} to {pos}")
            buf[pos:pos] = chunk
    return bytes(buf)


def mutate(base: Base, seed: int) -> Mutant:
    """The mutant of `base` for `seed` (the same bytes for the same base and seed)."""
    rng = random.Random(f"{base.name}:{seed}")
    steps: list[str] = []
    if not base.data.startswith(b"PK") or rng.random() < 0.08:
        return Mutant(base, seed, _mutate_bytes(base.data, rng, steps, "file"), steps)
    with zipfile.ZipFile(io.BytesIO(base.data)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    names = [info.filename for info, _ in members]
    xml = [n for n in names if n.endswith((".xml", ".rels"))]
    weights = [5 if "sheet" in n or n == "content.xml" else 2 if "sharedStrings" in n else 1
               for n in xml]
    if rng.random() < 0.05 and len(members) > 1:
        gone = rng.choice(names)
        steps.append(f"drop part {gone}")
        members = [(i, d) for i, d in members if i.filename != gone]
    else:
        target = rng.choices(xml, weights)[0] if xml and rng.random() < 0.95 else rng.choice(names)
        members = [(i, _mutate_bytes(d, rng, steps, i.filename) if i.filename == target else d)
                   for i, d in members]
    return Mutant(base, seed, _rezip([(i.filename, d) for i, d in members]), steps)


# --- running ---------------------------------------------------------------------------------
def _read(target: str, path: Path, db: Path) -> str:
    """What the real entry points make of `path`, in short (run in the child)."""
    from cslevel.read import read_attendance, read_roster
    from cslevel.records import Month
    from cslevel.templates import load_scheme

    scheme_text = load_scheme("star")
    month = Month(*MONTH)
    if target == "kpi":
        from cslevel.pipeline import score as run_score

        result = run_score([path], "star", month=month, dry_run=True, db=str(db),
                           scheme_text=scheme_text)
        return f"{sum(len(m.rows) for m in result.months)} agents"
    if target == "attendance":
        rows, problems = read_attendance(path, scheme_text[0], month)
    else:
        rows, problems = read_roster(path, scheme_text[0])
    return f"{len(rows)} rows, {len(problems)} problems"


def warm_up() -> None:
    """Import what the readers use, so that each forked child starts at once."""
    import defusedxml.ElementTree  # noqa: F401
    import openpyxl  # noqa: F401
    import python_calamine  # noqa: F401

    import cslevel.pipeline  # noqa: F401
    from cslevel.read import read_attendance  # noqa: F401
    from cslevel.templates import load_scheme

    load_scheme("star")


def run_input(target: str, data: bytes, name: str, folder: Path,
              timeout: float = 30.0) -> Outcome:
    """One input through its reader in a forked child."""
    work = folder / hashlib.sha1(data).hexdigest()[:12]
    work.mkdir(parents=True, exist_ok=True)
    path = work / name
    path.write_bytes(data)
    try:
        return run_in_child(_read, target, path, work / "history.db", timeout=timeout)
    finally:
        for item in sorted(work.rglob("*"), reverse=True):
            item.unlink() if item.is_file() else item.rmdir()
        work.rmdir()


def signature(outcome: Outcome) -> str:
    """What kind of failure this is, for telling new failures from known ones: the kind,
    and for an exception its type and the innermost cslevel line it came through."""
    if outcome.kind != "exception":
        return outcome.kind
    text = str(outcome.value)
    last = text.strip().splitlines()[-1].split(":")[0]
    frames = [line.strip() for line in text.splitlines()
              if line.strip().startswith('File "') and "/cslevel/" in line]
    where = frames[-1].split('"')[1].split("/cslevel/")[-1] + ":" + \
        frames[-1].split("line ")[1].split(",")[0] if frames else "?"
    return f"exception {last} at {where}"


@dataclass
class Report:
    tried: int = 0
    clean: dict[str, int] = field(default_factory=dict)  # ok / refused
    failures: list[tuple[Mutant, Outcome]] = field(default_factory=list)

    def kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _m, outcome in self.failures:
            key = signature(outcome)
            out[key] = out.get(key, 0) + 1
        return out


def fuzz(all_bases: list[Base], seeds: Iterator[int], folder: Path, seconds: float,
         on_failure: Callable[[Mutant, Outcome], None] | None = None,
         timeout: float = 30.0) -> Report:
    """Mutants of every base for each seed in turn, until `seconds` have passed."""
    report = Report()
    stop = time.monotonic() + seconds
    for seed in seeds:
        for base in all_bases:
            if time.monotonic() >= stop:
                return report
            mutant = mutate(base, seed)
            try:
                outcome = run_input(base.target, mutant.data, mutant.file_name, folder, timeout)
            except Exception:  # noqa: BLE001 - the harness itself failed on this input
                outcome = Outcome("exception", traceback.format_exc())
            report.tried += 1
            if outcome.clean and outcome.peak_mb > MEMORY_CAP_MB:
                outcome = Outcome("memory", f"{outcome.kind} after {outcome.peak_mb:.0f} MB",
                                  outcome.seconds, outcome.peak_mb)
            if outcome.clean:
                report.clean[outcome.kind] = report.clean.get(outcome.kind, 0) + 1
            else:
                report.failures.append((mutant, outcome))
                if on_failure is not None:
                    on_failure(mutant, outcome)
    return report


# --- the kept failing inputs -----------------------------------------------------------------
def save_regression(mutant: Mutant, outcome: Outcome, how: str) -> Path:
    """Keep a failing input in tests/fuzz_regressions/ with a note saying how it was found."""
    REGRESSIONS.mkdir(exist_ok=True)
    digest = hashlib.sha1(mutant.data).hexdigest()[:10]
    stem = f"{mutant.base.target}-{digest}"
    path = REGRESSIONS / (stem + Path(mutant.file_name).suffix)
    path.write_bytes(mutant.data)
    detail = str(outcome.value).strip().splitlines()
    note = [f"target: {mutant.base.target}", f"found: {how}", f"input: {mutant.describe()}",
            f"failure: {signature(outcome)}", *[f"  {line}" for line in detail[-12:]]]
    (REGRESSIONS / (stem + ".txt")).write_text("\n".join(note) + "\n", encoding="utf-8")
    return path


def regressions() -> list[tuple[str, Path, str]]:
    """(target, file, known) of every kept failing input; `known` names the open item
    outside the readers that still makes it fail (the note's "known:" line), else ""."""
    out = []
    for note in sorted(REGRESSIONS.glob("*.txt")):
        lines = note.read_text(encoding="utf-8").splitlines()
        target = lines[0].split(":", 1)[1].strip()
        known = next((line.split(":", 1)[1].strip() for line in lines
                      if line.startswith("known:")), "")
        [data] = [p for p in REGRESSIONS.glob(note.stem + ".*") if p.suffix != ".txt"]
        out.append((target, data, known))
    return out
