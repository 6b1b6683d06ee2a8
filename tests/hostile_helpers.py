"""Builders for the hostile-workbook tests (BAD_INPUTS 35, 36, 48, 49): a KPI workbook with
extra sheet XML, OpenDocument spreadsheets, and `cslevel` run as its own process with its
peak memory measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bad_helpers import kpi_rows, write_parts, xlsx_parts

KPI = "kpi_2026-10.xlsx"


def with_sheet_xml(path: Path, extra: str = "", *, replace: tuple[str, str] | None = None,
                   rows: list[list[Any]] | None = None) -> Path:
    """The three-agent KPI workbook of bad_helpers with `extra` XML added at the end of
    sheetData (and `replace` applied to the sheet XML first)."""
    parts = xlsx_parts(kpi_rows(rows))
    sheet = str(parts["xl/worksheets/sheet1.xml"])
    if replace:
        sheet = sheet.replace(*replace)
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("</sheetData>", extra + "</sheetData>")
    return write_parts(path, parts)


# --- OpenDocument ---------------------------------------------------------------------------
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods_cell(value: Any, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{times}/>"
    if isinstance(value, str):
        return (f'<table:table-cell{times} office:value-type="string">'
                f"<text:p>{escape(value)}</text:p></table:table-cell>")
    return (f'<table:table-cell{times} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>")


def ods_row(cells: list[Any], repeat: int = 1) -> str:
    times = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{times}>{''.join(ods_cell(c) for c in cells)}</table:table-row>"


def write_ods(path: Path, rows: list[list[Any]], extra: str = "", name: str = "Sheet1") -> Path:
    """A one-table OpenDocument spreadsheet holding `rows`, then `extra` table XML."""
    body = "".join(ods_row(r) for r in rows) + extra
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
               f'office:version="1.2"><office:body><office:spreadsheet>'
               f'<table:table table:name="{name}">{body}</table:table>'
               f"</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                'manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
                'opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
                '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


# --- cslevel as a process of its own --------------------------------------------------------
_MEASURED = """
import atexit, resource, sys
PEAK = sys.argv[1]
def _peak():
    # VmHWM: this program's own peak (ru_maxrss may start from the forking test process's)
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            kb = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except OSError:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(PEAK, "w") as fh:
        fh.write(str(kb))
atexit.register(_peak)
sys.argv = ["cslevel", *sys.argv[2:]]
from cslevel.cli import main
main()
"""


def run_measured(folder: Path, *args: str, lang: str = "en", timeout: float = 120
                 ) -> tuple[int, str, str, float, float]:
    """`cslevel ARGS` run in `folder` as a process of its own (its own database there):
    (exit code, stdout, stderr, peak resident memory in MB, seconds)."""
    peak_file = folder / ".peak"
    env = {**os.environ, "CSLEVEL_LANG": lang, "CSLEVEL_DB": str(folder / "history.db"),
           "CSLEVEL_WORKERS": "0"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURED, str(peak_file), *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    seconds = time.monotonic() - started
    peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    peak_file.unlink(missing_ok=True)
    return done.returncode, done.stdout, done.stderr, peak, seconds


def problems_of(out: str) -> list[dict[str, Any]]:
    doc = json.loads(out)
    assert doc["ok"] is False
    return doc["problems"]
