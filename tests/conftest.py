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


@pytest.fixture(autouse=True)
def _collector_thawed():
    """What a test read in bulk without closing a history (the readers called directly)
    is given back to the garbage collector after it, as a command's end would."""
    yield
    from cslevel.bulk import thaw

    thaw()


@pytest.fixture(autouse=True)
def _chinese_labels(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """Every test starts in the default language (Chinese labels and messages), whatever
    LANG the machine has, and leaves no language chosen behind (`cslevel run` sets the
    settings'). A test or module marked `@pytest.mark.language("en")` runs in English
    instead (tests that check the English wording of a message)."""
    from cslevel import i18n

    marker = request.node.get_closest_marker("language")
    monkeypatch.setenv("CSLEVEL_LANG", marker.args[0] if marker else "zh")
    i18n.set_language(None)
    yield
    i18n.set_language(None)


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


# --- the database tests on both backends --------------------------------------------------
def pytest_report_header(config: pytest.Config) -> str:
    from pg_helpers import PG_ENV, postgres_base
    from sqlalchemy.engine import make_url

    base = postgres_base()
    if base is None:
        return f"postgresql: not tested ({PG_ENV} is not set; .ci/run sets it)"
    return f"postgresql: {make_url(base).render_as_string(hide_password=True)} ({PG_ENV})"


def _postgres_base() -> str:
    from pg_helpers import PG_ENV, postgres_base

    base = postgres_base()
    if base is None:
        pytest.skip(f"{PG_ENV} is not set (.ci/run starts a PostgreSQL server and sets it)")
    return base


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL history: a postgresql:// URL on the CSLEVEL_TEST_POSTGRES
    server whose connections use a new schema (search_path), dropped after the test. Skips
    only when CSLEVEL_TEST_POSTGRES is not set."""
    from pg_helpers import fresh_schema

    with fresh_schema(_postgres_base()) as url:
        yield url


@pytest.fixture
def pg_database_url():
    """A fresh, empty PostgreSQL database (a plain postgresql://host:port/name URL) on the
    CSLEVEL_TEST_POSTGRES server, dropped after the test; slower than `pg_url`."""
    from pg_helpers import fresh_database

    with fresh_database(_postgres_base()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The --db value of a test that runs on both backends: a SQLite file in tmp_path (the
    same file as CSLEVEL_DB in `cli`), or a fresh PostgreSQL history (see `pg_url`)."""
    if request.param == "sqlite":
        return str(tmp_path / "history.db")
    return request.getfixturevalue("pg_url")
