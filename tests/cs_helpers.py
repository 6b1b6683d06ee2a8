"""Helpers shared by the error, results, payroll and store tests (inputs built in tmp_path)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from conftest import write_xlsx

HEADER = ["工号", "姓名", "组别", "绩效分值"]


def kpi(path: Path, rows: list[list[Any]], header: list[str] | None = None,
        text_columns: tuple[int, ...] = (0, 1, 2)) -> Path:
    """A KPI workbook: a header row then one row per agent (id, name, team as text cells)."""
    return write_xlsx(path, [header or HEADER, *rows], text_columns=text_columns)


def files_in(folder: Path) -> set[str]:
    """Every file below folder (relative paths), to prove that nothing was written."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def db_snapshot(path: Path) -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
    """(sha256 of the file, every table's rows) of a SQLite history database."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute(
            "select name from sqlite_master where type = 'table' order by name")]
        tables = {n: sorted((tuple(r) for r in con.execute(f'select * from "{n}"')), key=repr)
                  for n in names}
    finally:
        con.close()
    return digest, tables


def query(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in con.execute(sql, args)]
    finally:
        con.close()


def scores_table(path: Path) -> dict[tuple[str, str], str]:
    """(month, agent_id) -> stored score text."""
    return {(m, a): s for m, a, s in query(path, "select month, agent_id, score from scores")}


def error_doc(out: str) -> dict[str, Any]:
    doc = json.loads(out)
    assert doc["ok"] is False
    return doc


def half_up(value: Any, places: str = "0.01") -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)
