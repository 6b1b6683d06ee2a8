"""`cslevel init` and `cslevel run`: a workspace runs a month from one command, safe to repeat
(the same inputs change nothing and give byte-identical outputs), changed inputs say what
changed, every run is recorded (`cslevel runs`), a locked month is refused, and a run is
all or nothing — on SQLite and on PostgreSQL."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from cslevel import __version__
from cslevel.records import Month

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The workspace's database URL: a SQLite file in the workspace, or a fresh PostgreSQL
    database (skipped only where CSLEVEL_TEST_POSTGRES is not set; CI sets it)."""
    if request.param == "sqlite":
        return "cslevel.db"
    return str(request.getfixturevalue("pg_url"))


def _workspace(tmp_path: Path, cli, database: str = "cslevel.db",
               months: list[str] = MONTHS, language: str = "zh") -> Path:
    """`cslevel init`, the example workbooks copied into input/, the database set. The
    workspace's language (the settings' `language`) is what `cslevel run` speaks."""
    code, out, err = cli("init", "ws", "--language", language)
    assert code == 0, err
    ws = tmp_path / "ws"
    for month in months:
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_{month}.xlsx", ws / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", ws / "input")
    config = ws / "cslevel.toml"
    text = config.read_text(encoding="utf-8")
    assert 'url = "cslevel.db"' in text
    config.write_text(text.replace('url = "cslevel.db"', f'url = "{database}"'), encoding="utf-8")
    return ws


def _run(cli, ws: Path, month: str, *extra: str) -> tuple[int, dict, str]:
    code, out, err = cli("run", "--month", month, "--config", str(ws / "cslevel.toml"),
                         "--json", *extra)
    return code, json.loads(out) if out.strip() else {}, err


def _folder(path: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.iterdir())}


# --- init ------------------------------------------------------------------------------------
def test_init_makes_a_commented_workspace(tmp_path: Path, cli) -> None:
    code, out, err = cli("init", "ws", "--scheme", "weighted")
    assert code == 0, err
    ws = tmp_path / "ws"
    assert sorted(p.name for p in ws.iterdir()) == ["cslevel.toml", "input", "output"]
    text = (ws / "cslevel.toml").read_text(encoding="utf-8")
    assert 'scheme = "weighted"' in text
    for key in ("[input]", "folder =", "kpi =", "attendance =", "roster =", "[output]",
                "[database]", "url =", "language ="):
        assert key in text
    assert text.count("\n#") >= 16  # commented, in Chinese and English
    assert "已创建：" in out and "cslevel run" in out


@pytest.mark.language("en")
def test_init_never_overwrites(tmp_path: Path, cli) -> None:
    assert cli("init", "ws")[0] == 0
    (tmp_path / "ws" / "cslevel.toml").write_text("scheme = \"star\"\n# mine\n", encoding="utf-8")
    code, _, err = cli("init", "ws")
    assert code == 1
    assert "ws/cslevel.toml already exists" in err.replace("\\", "/")
    assert (tmp_path / "ws" / "cslevel.toml").read_text(encoding="utf-8").endswith("# mine\n")


@pytest.mark.language("en")
def test_init_unknown_scheme_makes_nothing(tmp_path: Path, cli) -> None:
    code, _, err = cli("init", "ws", "--scheme", "stars")
    assert code == 1
    assert "unknown scheme 'stars'" in err
    assert not (tmp_path / "ws").exists()


# --- run ---------------------------------------------------------------------------------------
def test_new_workspace_runs_a_month_with_only_its_config_edited(tmp_path: Path, cli,
                                                                 database: str) -> None:
    ws = _workspace(tmp_path, cli, database, months=["2026-01", "2026-02", "2026-03"])
    for month in ("2026-01", "2026-02"):
        assert _run(cli, ws, month)[0] == 0
    code, doc, err = _run(cli, ws, "2026-03")
    assert code == 0, err
    assert doc["month"] == "2026-03" and doc["pay_month"] == "2026-04"
    assert doc["status"] == "done" and doc["changed"] is True
    assert sorted(Path(o["file"]).name for o in doc["outputs"]) == [
        "moves-2026-03.xlsx", "payroll-2026-04.xlsx", "results-2026-03.xlsx"]
    for output in doc["outputs"]:
        assert hashlib.sha256(Path(output["file"]).read_bytes()).hexdigest() == output["sha256"]
    assert sorted(Path(i["file"]).name for i in doc["inputs"]) == [
        "att_2026-03.xlsx", "kpi_2026-03.xlsx", "roster.xlsx"]
    assert doc["changes"] == ["2026-03 首次评分：37 人"]
    assert doc["moves"] == 4 and doc["paid"] == 37
    assert set(doc) >= {"key", "template_hash", "payroll_total", "problems", "agents"}


def test_twelve_months_twice_give_identical_outputs(tmp_path: Path, cli, database: str) -> None:
    ws = _workspace(tmp_path, cli, database)
    first = []
    for month in MONTHS:
        code, doc, err = _run(cli, ws, month)
        assert code == 0, err
        first.append(doc)
    outputs = _folder(ws / "output")
    assert len(outputs) == 36
    for month, doc in zip(MONTHS, first):
        code, again, err = _run(cli, ws, month)
        assert code == 0, err
        assert again["status"] == "unchanged" and again["changed"] is False
        assert again["key"] == doc["key"]
        assert again["outputs"] == doc["outputs"]
    assert _folder(ws / "output") == outputs
    # the outputs themselves are reproducible: written again from scratch, byte for byte.
    # The first month's run writes the later months' files too (they are missing: they
    # differ from what the history makes of them), so their runs have nothing left to do.
    for path in (ws / "output").iterdir():
        path.unlink()
    code, doc, err = _run(cli, ws, MONTHS[0])
    assert code == 0, err
    assert doc["status"] == "done"
    assert sorted(Path(p).name for p in doc["rewritten"]) == sorted(
        name for name in outputs if MONTHS[0] not in name and name != f"payroll-{MONTHS[1]}.xlsx")
    for month in MONTHS[1:]:
        code, doc, err = _run(cli, ws, month)
        assert code == 0, err
        assert doc["status"] == "unchanged"
    assert _folder(ws / "output") == outputs


def test_changed_inputs_say_what_changed(tmp_path: Path, cli, database: str) -> None:
    ws = _workspace(tmp_path, cli, database, months=["2026-01", "2026-02", "2026-03"])
    for month in ("2026-01", "2026-02", "2026-03"):
        assert _run(cli, ws, month)[0] == 0
    import openpyxl

    path = ws / "input" / "kpi_2026-02.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "0001")
    col = next(c.column - 1 for c in sheet[3] if c.value == "客户满意度")
    row[col].value = 0.5
    book.save(path)
    code, doc, err = _run(cli, ws, "2026-02")
    assert code == 0, err
    assert doc["status"] == "done"
    change = re.fullmatch(r"0001 分数 (\d+\.\d\d) → (\d+\.\d\d)", doc["changes"][0])
    assert change and float(change[2]) < float(change[1])
    assert len(doc["changes"]) == 2
    assert doc["changes"][-1] == "2026-03 的晋降级已按新分数重新推导"


@pytest.mark.language("en")
def test_default_month_is_the_previous_calendar_month(tmp_path: Path, cli) -> None:
    from cslevel.pipeline.workspace import previous_month

    assert previous_month(date(2026, 1, 15)) == Month(2025, 12)
    assert previous_month(date(2026, 11, 1)) == Month(2026, 10)
    ws = _workspace(tmp_path, cli, months=[], language="en")
    code, out, err = cli("run", "--config", str(ws / "cslevel.toml"))
    assert code == 1
    expected = previous_month()
    assert f"no KPI workbook for {expected} in" in err
    assert f"kpi_{expected}*.xlsx" in err


@pytest.mark.language("en")
def test_no_workbook_for_the_month_writes_nothing(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli, months=["2026-01"], language="en")
    code, doc, err = _run(cli, ws, "2026-05")
    assert code == 1
    assert doc["ok"] is False
    assert doc["problems"][0]["message"].startswith("no KPI workbook for 2026-05 in ")
    assert sorted(p.name for p in ws.iterdir()) == ["cslevel.toml", "input", "output"]
    assert list((ws / "output").iterdir()) == []


@pytest.mark.language("en")
def test_missing_settings_file(tmp_path: Path, cli) -> None:
    code, _, err = cli("run", "--month", "2026-01")
    assert code == 1
    assert "no settings file cslevel.toml" in err
    assert "Run `cslevel init` to make a workspace" in err


@pytest.mark.language("en")
def test_bad_settings_are_named(tmp_path: Path, cli) -> None:
    (tmp_path / "cslevel.toml").write_text(
        'scheme = "star"\nlanguage = "fr"\n[input]\nfolde = "x"\n', encoding="utf-8")
    code, _, err = cli("run", "--month", "2026-01")
    assert code == 1
    text = " ".join(err.split())
    assert "cslevel.toml: unknown setting input.folde" in text
    assert "cslevel.toml: language must be zh or en, not 'fr'" in text


def test_dry_run_writes_nothing(tmp_path: Path, cli) -> None:
    ws = _workspace(tmp_path, cli, months=["2026-01"])
    code, doc, err = _run(cli, ws, "2026-01", "--dry-run")
    assert code == 0, err
    assert doc["status"] == "dry_run" and doc["outputs"] == []
    assert doc["paid"] == 37
    assert sorted(p.name for p in ws.iterdir()) == ["cslevel.toml", "input", "output"]
    assert list((ws / "output").iterdir()) == []


@pytest.mark.language("en")
def test_a_locked_month_with_changed_inputs_is_refused(tmp_path: Path, cli, database: str
                                                       ) -> None:
    ws = _workspace(tmp_path, cli, database, months=["2026-01"], language="en")
    assert _run(cli, ws, "2026-01")[0] == 0
    db = database if "://" in database else str(ws / database)
    assert cli("lock", "2026-01", "--db", db)[0] == 0
    code, doc, _ = _run(cli, ws, "2026-01")
    assert code == 0 and doc["status"] == "unchanged"  # repeating a locked month is fine
    import openpyxl

    book = openpyxl.load_workbook(ws / "input" / "kpi_2026-01.xlsx")
    book.active["G4"] = 0.5  # 0001's 客户满意度
    book.save(ws / "input" / "kpi_2026-01.xlsx")
    before = _folder(ws / "output")
    code, doc, err = _run(cli, ws, "2026-01")
    assert code == 3, err
    assert "2026-01 is locked" in doc["problems"][0]["message"]
    assert _folder(ws / "output") == before


@pytest.mark.language("en")
def test_runs_are_recorded(tmp_path: Path, cli, cli_json, database: str) -> None:
    ws = _workspace(tmp_path, cli, database, months=["2026-01"], language="en")
    _, first, _ = _run(cli, ws, "2026-01")
    _run(cli, ws, "2026-01")
    doc = cli_json("runs", "--config", str(ws / "cslevel.toml"))
    assert [r["command"] for r in doc["runs"]] == ["run", "run"]
    latest, earliest = doc["runs"]
    assert latest["id"] > earliest["id"]
    assert latest["user"] == getpass.getuser() and latest["version"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", latest["started_at"])
    details = earliest["details"]
    assert details["month"] == "2026-01" and details["key"] == first["key"]
    assert details["template_hash"] == first["template_hash"]
    assert details["inputs"] == first["inputs"] and details["outputs"] == first["outputs"]
    assert details["changes"] == first["changes"]
    assert latest["details"]["unchanged"] is True
    assert latest["details"]["previous_run"] == earliest["id"]
    code, out, err = cli("runs", "--config", str(ws / "cslevel.toml"))
    assert code == 0, err
    assert "same inputs as run" in out


# --- safety: SIGKILL mid-write, two runs at once ------------------------------------------------
def _spawn(ws: Path, month: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cslevel", "run", "--month", month, "--config",
         str(ws / "cslevel.toml"), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ws)


def _state(ws: Path, database: str) -> tuple[dict[str, str], object]:
    """The output folder's files and the database's rows (every table)."""
    if "://" not in database:
        import sqlite3

        con = sqlite3.connect(ws / database)
        tables = [t for t, in con.execute("select name from sqlite_master where type='table'")]
        rows = {t: sorted(map(repr, con.execute(f"select * from {t}"))) for t in tables}
        con.close()
    else:
        from sqlalchemy import MetaData, create_engine

        engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            rows = {t: sorted(map(repr, conn.execute(meta.tables[t].select())))
                    for t in meta.tables}
        engine.dispose()
    return _folder(ws / "output"), rows


def test_bad_inputs_29_sigkill_mid_write_leaves_database_and_outputs_as_before(tmp_path: Path, cli,
                                                                 database: str) -> None:
    ws = _workspace(tmp_path, cli, database, months=["2026-01", "2026-02"])
    assert _run(cli, ws, "2026-01")[0] == 0
    before = _state(ws, database)
    staging = tmp_path / "tmp"
    staging.mkdir()
    env = {**os.environ, "TMPDIR": str(staging), "CSLEVEL_DB": ""}
    proc = _spawn(ws, "2026-02", env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.startswith(".~cslevel-") and "-payroll-" in p.name
               for p in staging.iterdir()):
            break  # the last output is being written
        time.sleep(0.005)
    assert proc.poll() is None, "the run ended before it was caught writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _state(ws, database) == before
    # the next run does the month in full
    code, doc, err = _run(cli, ws, "2026-02")
    assert code == 0, err
    assert doc["status"] == "done"


def test_two_runs_at_once_on_one_database(tmp_path: Path, cli, database: str) -> None:
    ws = _workspace(tmp_path, cli, database, months=["2026-01", "2026-02"])
    env = {**os.environ, "CSLEVEL_DB": ""}
    procs = [_spawn(ws, month, env) for month in ("2026-01", "2026-02")]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    docs = [json.loads(out) for out, _ in results]
    assert {d["month"] for d in docs} == {"2026-01", "2026-02"}
    assert len(_folder(ws / "output")) == 6


@pytest.mark.language("en")
def test_bad_inputs_30_a_second_run_waits_then_says_busy(tmp_path: Path, cli, database: str) -> None:
    from cslevel.store import open_history

    ws = _workspace(tmp_path, cli, database, months=["2026-01"], language="en")
    assert _run(cli, ws, "2026-01")[0] == 0
    db = database if "://" in database else str(ws / database)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with open_history(db, write=True, must_exist=True) as history:
            history.set_setting("held", "yes")
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30)
        before = _folder(ws / "output")
        env = {**os.environ, "CSLEVEL_DB": "", "CSLEVEL_BUSY_TIMEOUT": "1"}
        started = time.monotonic()
        proc = _spawn(ws, "2026-01", env)
        out, err = proc.communicate(timeout=60)
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert proc.returncode == 3, err
    doc = json.loads(out)
    assert doc["ok"] is False
    assert doc["problems"][0]["message"] == ("the history database is busy (another cslevel run "
                                             "is using it)")
    assert waited >= 1.0
    assert _folder(ws / "output") == before


def test_language_from_the_settings(tmp_path: Path, cli) -> None:
    import openpyxl

    from cslevel.i18n import set_language

    ws = _workspace(tmp_path, cli, months=["2026-01"])
    config = ws / "cslevel.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('language = "zh"',
                                                                 'language = "en"'),
                      encoding="utf-8")
    try:
        code, doc, err = _run(cli, ws, "2026-01")
        assert code == 0, err
    finally:
        set_language(None)
    payroll = openpyxl.load_workbook(ws / "output" / "payroll-2026-02.xlsx", read_only=True)
    results = openpyxl.load_workbook(ws / "output" / "results-2026-01.xlsx", read_only=True)
    assert payroll.sheetnames[0].startswith("Payroll")
    assert results.sheetnames[0] == "Results"
