"""BAD_INPUTS 50, as far as this issue goes: a month corrected after later months were
written (a KPI fix, a re-score, a locked month reopened) goes through every command without
a crash, and the history and the outputs still agree afterwards. (That later outputs are
rewritten or listed as stale is the corrections issue's; money already paid and no longer
due becomes corrections: tests/test_retro_pay.py.)"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]


def _workspace(tmp_path: Path, cli) -> Path:
    code, _out, err = cli("init", "ws", "--language", "en")
    assert code == 0, err
    ws = tmp_path / "ws"
    for month in MONTHS:
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_{month}.xlsx", ws / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", ws / "input")
    return ws


def _ok(cli, *args: str) -> dict[str, Any]:
    code, out, err = cli(*args, "--json")
    assert code == 0, out + err
    return json.loads(out)  # type: ignore[no-any-return]


def _fix_score(path: Path, agent: str, column: str, value: float) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = next(r for r in sheet.iter_rows(max_row=10) if any(c.value == column for c in r))
    col = next(c.column - 1 for c in header if c.value == column)
    row = next(r for r in sheet.iter_rows(min_row=header[0].row + 1) if r[0].value == agent)
    row[col].value = value
    book.save(path)


def _agree(ws: Path, doc: dict[str, Any]) -> None:
    for output in doc["outputs"]:
        path = Path(output["file"])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == output["sha256"]


@pytest.mark.language("en")
def test_bad_inputs_50_corrections_after_later_months_do_not_crash(tmp_path: Path,
                                                                   cli) -> None:
    ws = _workspace(tmp_path, cli)
    config = str(ws / "cslevel.toml")
    db = str(ws / "cslevel.db")
    for month in MONTHS[:3]:
        _agree(ws, _ok(cli, "run", "--month", month, "--config", config))
    assert cli("lock", "2026-02", "--db", db)[0] == 0

    # a KPI fix of January, after February was paid and locked: January itself is not
    # locked, so it is scored again at once (retro pay: February keeps its scores and files,
    # and what the paid payroll of 2026-03 owes now is a correction for the next payroll)
    _fix_score(ws / "input" / "kpi_2026-01.xlsx", "0001", "客户满意度", 0.5)
    doc = _ok(cli, "run", "--month", "2026-01", "--config", config)
    assert doc["status"] == "done"
    assert doc["changes"][0].startswith("0001 score changed: ")
    assert doc["changes"][-1] == ("decisions of the later months from 2026-02 through 2026-03 "
                                  "were derived again")
    _agree(ws, doc)
    # February itself stays locked until reopened (for its re-score below)
    code, out, _err = cli("score", str(ws / "input" / "kpi_2026-02.xlsx"), "--db", db,
                          "--json")
    assert code == 3
    assert "2026-02 is locked" in json.loads(out)["problems"][0]["message"]
    _ok(cli, "reopen", "2026-02", "--reason", "KPI export fixed a week late", "--db", db)

    # the later months run again, the next month runs, every reader of the history works
    for month in MONTHS[1:]:
        doc = _ok(cli, "run", "--month", month, "--config", config)
        _agree(ws, doc)
    # a re-score of an earlier month with `score`, then promote and the payroll over it
    doc = _ok(cli, "score", str(ws / "input" / "kpi_2026-02.xlsx"), "--attendance",
              str(ws / "input" / "att_2026-02.xlsx"), "--db", db, "--out",
              str(tmp_path / "results-2026-02.xlsx"))
    assert [m["month"] for m in doc["months"]] == ["2026-02"]
    _ok(cli, "promote", "--db", db, "--out", str(tmp_path / "moves.xlsx"))
    payroll = _ok(cli, "payroll", "export", "--db", db, "--out", str(tmp_path / "pay.xlsx"))
    assert payroll["month"] == "2026-05"
    _ok(cli, "payroll", "diff", "--db", db, "--month", "2026-03")
    _ok(cli, "history", "0001", "--db", db)
    runs = _ok(cli, "runs", "--db", db)["runs"]
    assert [r["command"] for r in runs[:3]] == ["payroll export", "promote", "score"]
