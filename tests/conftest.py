"""Shared helpers: build workbooks in tmp_path, run the CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from cslevel.cli import app

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "Sheet1",
               text_columns: tuple[int, ...] = (0,)) -> Path:
    """Write rows to an .xlsx; columns in text_columns are stored as text cells."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if c - 1 in text_columns and isinstance(value, str):
                cell.data_type = "s"
    book.save(path)
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run cslevel in tmp_path with its own database; returns (exit_code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CSLEVEL_DB", str(tmp_path / "history.db"))

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def cli_json(cli):
    def run(*args: str) -> dict[str, Any]:
        code, out, err = cli(*args, "--json")
        assert code == 0, err + out
        return json.loads(out)

    return run
