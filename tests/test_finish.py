"""The finish of a command (cslevel.finish): the output folder and the history database always
agree — BAD_INPUTS 41 (an output never replaces what the command reads), 42 (a kill between
any two steps of the finish), 43 (a full disk or a refused commit at the very end) and 45 (a
read-only, empty, damaged or newer history) — on SQLite and on PostgreSQL."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cs_helpers import db_snapshot, files_in, kpi, query

from cslevel import __version__
from cslevel.finish import STEPS
from cslevel.store import MIGRATIONS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """The workspace's database: a SQLite file in the workspace, or a fresh PostgreSQL
    history (skipped only where CSLEVEL_TEST_POSTGRES is not set; CI sets it)."""
    if request.param == "sqlite":
        return "cslevel.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder of this test and of the processes it starts (on the
    outputs' disk: the staged files go there)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def _workspace(tmp_path: Path, cli, database: str, months: list[str]) -> Path:
    code, _out, err = cli("init", "ws", "--language", "en")
    assert code == 0, err
    ws = tmp_path / "ws"
    for month in months:
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_{month}.xlsx", ws / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", ws / "input")
    config = ws / "cslevel.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('url = "cslevel.db"', f'url = "{database}"'), encoding="utf-8")
    return ws


def _run(cli, ws: Path, month: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = cli("run", "--month", month, "--config", str(ws / "cslevel.toml"),
                         "--json")
    return code, json.loads(out) if out.strip() else {}, err


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder(path: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(path.iterdir())}


def _db_rows(ws: Path, database: str, sql: str) -> list[tuple[Any, ...]]:
    if "://" not in database:
        con = sqlite3.connect(ws / database)
        try:
            return [tuple(r) for r in con.execute(sql)]
        finally:
            con.close()
    from sqlalchemy import create_engine, text

    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _month_runs(ws: Path, database: str, month: str) -> list[dict[str, Any]]:
    """The recorded `run`s of `month` (their details), oldest first."""
    rows = _db_rows(ws, database, "select command, details from runs order by id")
    return [json.loads(d) for c, d in rows if c == "run" and json.loads(d)["month"] == month]


def _staged(*folders: Path) -> list[str]:
    return sorted(p.name for f in folders for p in f.iterdir() if p.name.startswith(".~"))


def _consistent(ws: Path, database: str, month: str, outputs_before: dict[str, str]) -> bool:
    """The history and the output folder agree on `month`: either the history holds a run of
    it and every output that run lists is there with its SHA-256, or it holds none and the
    folder is as it was before."""
    runs = _month_runs(ws, database, month)
    folder = _folder(ws / "output")
    if not runs:
        return folder == outputs_before
    return all(Path(o["file"]).is_file() and _sha(Path(o["file"])) == o["sha256"]
               for o in runs[-1]["outputs"])


# --- BAD_INPUTS 42: a kill at every step boundary of the finish ------------------------------
@pytest.mark.language("en")
@pytest.mark.parametrize("step", STEPS)
def test_bad_inputs_42_kill_at_every_step_of_the_finish(
        tmp_path: Path, cli, database: str, staging: Path, step: str) -> None:
    ws = _workspace(tmp_path, cli, database, ["2026-01", "2026-02"])
    assert _run(cli, ws, "2026-01")[0] == 0
    before = _folder(ws / "output")
    env = {**os.environ, "CSLEVEL_DB": "", "CSLEVEL_TEST_FAULT": step, "TMPDIR": str(staging)}
    proc = subprocess.run(
        [sys.executable, "-m", "cslevel", "run", "--month", "2026-02", "--config",
         str(ws / "cslevel.toml"), "--json"], env=env, cwd=ws, capture_output=True, check=False,
        timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    committed = STEPS.index(step) >= STEPS.index("committed")
    # right after the kill: before the commit nothing of February is anywhere but in staged
    # files; after it, the history holds February and promises its files
    assert bool(_month_runs(ws, database, "2026-02")) is committed
    if not committed:
        assert _folder(ws / "output") == before
    promised = _db_rows(ws, database, "select target from output_files")
    assert len(promised) == (3 if committed and step != "forgotten" else 0)

    # the next command, whatever it is, finishes or sweeps what the killed one left
    code, out, err = cli("runs", "--config", str(ws / "cslevel.toml"), "--json")
    assert code == 0, err
    assert _consistent(ws, database, "2026-02", before)
    assert _db_rows(ws, database, "select target from output_files") == []
    assert _staged(staging, ws / "output") == []
    finished = [r for r in json.loads(out)["runs"] if r["command"] == "recover"]
    if committed and step in ("committed", "renamed-one"):
        assert len(finished) == 1 and finished[0]["details"]["lost"] == []
        assert len(finished[0]["details"]["placed"]) == (3 if step == "committed" else 2)
    elif not committed:
        assert len(finished) == 1 and len(finished[0]["details"]["removed"]) >= 1
    else:
        assert finished == []
    names = sorted(_folder(ws / "output"))
    if committed:
        assert names == sorted([*before, "results-2026-02.xlsx", "moves-2026-02.xlsx",
                                "payroll-2026-03.xlsx"])
    else:
        assert names == sorted(before)

    # and the month, run again, is complete either way (the same key: nothing to redo)
    code, doc, err = _run(cli, ws, "2026-02")
    assert code == 0, err
    assert doc["status"] == ("unchanged" if committed else "done")
    assert _consistent(ws, database, "2026-02", before)
    assert _staged(staging, ws / "output") == []


@pytest.mark.language("en")
def test_bad_inputs_42_a_killed_run_says_what_the_next_run_finished(
        tmp_path: Path, cli, staging: Path) -> None:
    """The next `cslevel run` reports what it put in place as a warning, and the files
    are the ones the killed run recorded, byte for byte."""
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01"])
    env = {**os.environ, "CSLEVEL_DB": "", "CSLEVEL_TEST_FAULT": "committed",
           "TMPDIR": str(staging)}
    proc = subprocess.run(
        [sys.executable, "-m", "cslevel", "run", "--month", "2026-01", "--config",
         str(ws / "cslevel.toml"), "--json"], env=env, cwd=ws, capture_output=True, check=False,
        timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert _folder(ws / "output") == {}
    promised = {Path(t).name: sha for t, sha in query(
        ws / "cslevel.db", "select target, sha256 from output_files")}
    code, doc, err = _run(cli, ws, "2026-01")
    assert code == 0, err
    assert doc["status"] == "unchanged"
    assert _folder(ws / "output") == promised
    assert [p["message"] for p in doc["problems"] if p["severity"] == "warning"][:1] == [
        ("the previous run stopped after saving its month but before putting its files in "
        "place; they were put in place now: results-2026-01.xlsx, payroll-2026-02.xlsx, "
        "moves-2026-01.xlsx")]


# --- BAD_INPUTS 43: the disk fills, the commit is refused -----------------------------------
@pytest.mark.language("en")
def test_bad_inputs_43_commit_refused_removes_the_staged_outputs(
        tmp_path: Path, cli, database: str, staging: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _workspace(tmp_path, cli, database, ["2026-01", "2026-02"])
    assert _run(cli, ws, "2026-01")[0] == 0
    before = _folder(ws / "output")
    runs_before = _db_rows(ws, database, "select id from runs")
    monkeypatch.setenv("CSLEVEL_TEST_FAULT", "commit=error")
    code, doc, err = _run(cli, ws, "2026-02")
    assert code == 1
    assert doc["ok"] is False and len(doc["problems"]) == 1
    problem = doc["problems"][0]
    if database == "cslevel.db":
        assert problem["message"] == ("the history database could not be saved: the disk is "
                                      "full or failing (database or disk is full)")
        assert problem["hint"] == (f"Free some space on the disk that holds {ws / database}, "
                                   "then run again. Nothing was changed.")
    else:
        assert problem["message"] == (
            "the history database could not be saved: the database server is out of disk "
            "space or memory (could not extend file: No space left on device)")
        assert problem["hint"] == ("Ask the database's administrator to free space on the "
                                   "server, then run again. Nothing was changed.")
    assert "Error: 1 problem(s); nothing was written." in err
    assert _folder(ws / "output") == before
    assert _staged(staging, ws / "output") == []
    assert _db_rows(ws, database, "select id from runs") == runs_before
    assert _month_runs(ws, database, "2026-02") == []


@pytest.mark.language("en")
def test_bad_inputs_43_disk_full_while_staging(tmp_path: Path, cli, staging: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01", "2026-02"])
    assert _run(cli, ws, "2026-01")[0] == 0
    before_db = db_snapshot(ws / "cslevel.db")
    before = _folder(ws / "output")
    monkeypatch.setenv("CSLEVEL_TEST_FAULT", "staged=error")
    code, doc, _err = _run(cli, ws, "2026-02")
    assert code == 1
    problem = doc["problems"][0]
    assert problem["message"] == "cannot write the output file: the disk is full"
    assert problem["file"] == str(ws / "output" / "payroll-2026-03.xlsx")  # the first written
    assert problem["hint"] == (f"Free some space on the disk that holds {ws / 'output'} (and "
                               "the temporary folder), then run again. Nothing was changed.")
    assert db_snapshot(ws / "cslevel.db") == before_db
    assert _folder(ws / "output") == before
    assert _staged(staging, ws / "output") == []


def _small_disk(path: Path, size: str) -> None:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this machine cannot mount a small disk: {done.stderr.decode().strip()}")


def _unmount(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unmount a small disk. The workbook writer that failed on it still holds its file
    until its objects are collected (in a real run the process has ended by then): collect
    them first, without the warning their closing on a full disk gives."""
    import gc

    monkeypatch.setattr(sys, "unraisablehook", lambda _unraisable: None)
    gc.collect()
    subprocess.run(["umount", str(path)], check=True)


@pytest.mark.language("en")
def test_bad_inputs_43_a_really_full_disk(tmp_path: Path, cli,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A real full disk (an 8 KB tmpfs) under the output folder: refused in plain words, the
    history and the folder as before."""
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01", "2026-02"])
    assert _run(cli, ws, "2026-01")[0] == 0
    shutil.rmtree(ws / "output")
    _small_disk(ws / "output", "8k")
    try:
        before_db = db_snapshot(ws / "cslevel.db")
        code, doc, _err = _run(cli, ws, "2026-02")
        assert code == 1
        assert [p["message"] for p in doc["problems"]] == [
            "cannot write the output file: the disk is full"]
        assert db_snapshot(ws / "cslevel.db") == before_db
        assert list((ws / "output").iterdir()) == []
    finally:
        _unmount(ws / "output", monkeypatch)


@pytest.mark.language("en")
def test_bad_inputs_43_the_history_on_a_full_disk(tmp_path: Path, cli,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The history database itself on a disk too small for the month: SQLite's own
    error, in plain words; nothing of the month anywhere."""
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01", "2026-02"])
    _small_disk(tmp_path / "disk", "600k")
    try:
        db = tmp_path / "disk" / "cslevel.db"
        config = ws / "cslevel.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            'url = "cslevel.db"', f'url = "{db}"'), encoding="utf-8")
        assert _run(cli, ws, "2026-01")[0] == 0
        filler = tmp_path / "disk" / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:  # fill the disk, then leave the history almost no room to grow
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        os.truncate(filler, filler.stat().st_size - 16384)
        before_db = db_snapshot(db)
        before = _folder(ws / "output")
        code, doc, _err = _run(cli, ws, "2026-02")
        assert code == 1
        problem = doc["problems"][0]
        assert problem["message"].startswith(
            "the history database could not be saved: the disk is full or failing")
        assert problem["hint"] == (f"Free some space on the disk that holds {db}, then run "
                                   "again. Nothing was changed.")
        filler.unlink()
        assert db_snapshot(db) == before_db
        assert _folder(ws / "output") == before
    finally:
        _unmount(tmp_path / "disk", monkeypatch)


# --- BAD_INPUTS 41: an output never replaces what the command reads --------------------------
def _scored(tmp_path: Path, cli) -> Path:
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 95]])
    code, _out, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--out",
                          "results.xlsx")
    assert code == 0, err
    return tmp_path / "history.db"


def _refused_41(tmp_path: Path, cli, args: list[str], target: str, what: str,
                path: str) -> None:
    before = {p: (tmp_path / p).read_bytes() for p in files_in(tmp_path)}
    code, out, err = cli(*args, "--json")
    assert code == 2, out + err
    doc = json.loads(out)
    assert [(p["file"], p["message"], p["hint"]) for p in doc["problems"]] == [(
        str(Path(target)),
        f"the output {Path(target)} is {what} ({path}); writing it would destroy that file",
        ("Choose another output path (--out, or the output folder in cslevel.toml), then run "
        "again."))]
    assert {p: (tmp_path / p).read_bytes() for p in files_in(tmp_path)} == before


@pytest.mark.language("en")
@pytest.mark.parametrize("spelling", ["history.db", "./history.db", "sub/../history.db",
                                      "link.db", "hard.db", "{tmp}/history.db"])
def test_bad_inputs_41_out_is_the_history_database(tmp_path: Path, cli, spelling: str) -> None:
    db = _scored(tmp_path, cli)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    target = spelling.format(tmp=tmp_path)
    kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "甲", "一组", 112]])
    for args in (["score", "kpi_2026-11.xlsx", "--out", target],
                 ["promote", "--out", target],
                 ["payroll", "export", "--out", target]):
        _refused_41(tmp_path, cli, args, target, "the history database", str(db))


@pytest.mark.language("en")
def test_bad_inputs_41_out_is_an_input(tmp_path: Path, cli) -> None:
    _scored(tmp_path, cli)
    kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "甲", "一组", 112]])
    (tmp_path / "att.xlsx").write_bytes((tmp_path / "kpi_2026-11.xlsx").read_bytes())
    (tmp_path / "roster.xlsx").write_bytes(b"roster")
    (tmp_path / "my.yaml").write_text("scheme: my\n", encoding="utf-8")
    cases = [
        ("kpi_2026-11.xlsx", "an input workbook of this command", "kpi_2026-11.xlsx"),
        ("./kpi_2026-11.xlsx", "an input workbook of this command", "kpi_2026-11.xlsx"),
        ("att.xlsx", "an input workbook of this command", "att.xlsx"),
        ("roster.xlsx", "the roster", "roster.xlsx"),
        ("my.yaml", "the template", "my.yaml"),
    ]
    for target, what, path in cases:
        _refused_41(tmp_path, cli, [
            "score", "kpi_2026-11.xlsx", "--attendance", "att.xlsx", "--roster", "roster.xlsx",
            "--scheme", "my.yaml", "--out", target], target, what, path)


@pytest.mark.language("en")
def test_bad_inputs_41_an_output_folder_holding_an_input(tmp_path: Path, cli) -> None:
    """--out a folder in which the month's results file would be the KPI workbook itself
    (found once the month is known): refused with exit code 2, nothing stored."""
    db = _scored(tmp_path, cli)
    (tmp_path / "in").mkdir()
    kpi(tmp_path / "in" / "results-2026-11.xlsx", [["0001", "甲", "一组", 112]])
    before = db_snapshot(db)
    code, out, _err = cli("score", "in/results-2026-11.xlsx", "--month", "2026-11", "--out",
                          "in/", "--json")
    assert code == 2
    assert json.loads(out)["problems"][0]["message"] == (
        "the output in/results-2026-11.xlsx is an input workbook of this command "
        "(in/results-2026-11.xlsx); writing it would destroy that file")
    assert db_snapshot(db) == before


@pytest.mark.language("en")
def test_bad_inputs_41_run_outputs_onto_its_inputs(tmp_path: Path, cli,
                                                   staging: Path) -> None:
    """A workspace whose output folder is its input folder and whose KPI pattern takes the
    results of the month for an input: refused, nothing written."""
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01"])
    (ws / "input" / "kpi_2026-01.xlsx").rename(ws / "input" / "results-2026-01.xlsx")
    config = ws / "cslevel.toml"
    text = config.read_text(encoding="utf-8").replace('folder = "output"', 'folder = "input"')
    text = text.replace('kpi = ["kpi_{month}*.xlsx"', 'kpi = ["results-{month}*.xlsx"')
    config.write_text(text, encoding="utf-8")
    assert 'kpi = ["results-{month}' in text
    before = _folder(ws / "input")
    code, doc, _err = _run(cli, ws, "2026-01")
    assert code == 2, doc
    target = ws / "input" / "results-2026-01.xlsx"
    assert doc["problems"][0]["message"] == (
        f"the output {target} is an input workbook of this command ({target}); writing it "
        "would destroy that file")
    assert _folder(ws / "input") == before
    assert not (ws / "cslevel.db").exists()


# --- BAD_INPUTS 45: a read-only, empty, damaged or newer history -----------------------------
def _error(cli, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, _err = cli(*args, "--json")
    doc = json.loads(out)
    assert doc["ok"] is False
    return code, doc["problems"][0]


@pytest.mark.language("en")
def test_bad_inputs_45_empty_file_is_not_a_new_history(tmp_path: Path, cli) -> None:
    db = tmp_path / "history.db"
    db.write_bytes(b"")
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    for args in (["score", "kpi_2026-10.xlsx", "--scheme", "star"], ["score", "kpi_2026-10.xlsx"],
                 ["history", "0001"], ["payroll", "export"]):
        code, problem = _error(cli, *args)
        assert code == 1
        assert (problem["message"], problem["hint"]) == (
            f"the history database {db} is an empty file (0 bytes), not a history",
            ("Restore it from a backup. To start a new history, delete the empty file or give "
            "another --db."))
        assert db.read_bytes() == b""
        assert files_in(tmp_path) == {"history.db", "kpi_2026-10.xlsx"}


@pytest.mark.language("en")
def test_bad_inputs_45_a_first_run_killed_before_its_commit_is_a_new_history(
        tmp_path: Path, cli, staging: Path) -> None:
    """Killed during the very first command, SQLite leaves the file with a hot journal (an
    empty file once rolled back): that is no lost history, the next run starts it anew."""
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01"])
    env = {**os.environ, "CSLEVEL_DB": "", "CSLEVEL_TEST_FAULT": "commit",
           "TMPDIR": str(staging)}
    proc = subprocess.run(
        [sys.executable, "-m", "cslevel", "run", "--month", "2026-01", "--config",
         str(ws / "cslevel.toml")], env=env, cwd=ws, capture_output=True, check=False,
        timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert (ws / "cslevel.db-journal").exists()
    code, doc, err = _run(cli, ws, "2026-01")
    assert code == 0, err
    assert doc["status"] == "done"
    assert _staged(staging, ws / "output") == []


@pytest.mark.language("en")
@pytest.mark.parametrize("damage", ["junk", "truncated", "header"])
def test_bad_inputs_45_damaged_history(tmp_path: Path, cli, damage: str) -> None:
    db = _scored(tmp_path, cli)
    data = db.read_bytes()
    if damage == "junk":
        db.write_bytes(bytes(range(256)) * 16)
    elif damage == "truncated":
        db.write_bytes(data[:5000])
    else:
        db.write_bytes(b"SQLite format 3\0" + b"\xff" * 84 + data[100:])
    damaged = db.read_bytes()
    kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "甲", "一组", 112]])
    for args in (["score", "kpi_2026-11.xlsx", "--scheme", "star"], ["score", "kpi_2026-11.xlsx"],
                 ["history", "0001"], ["runs"]):
        code, problem = _error(cli, *args)
        assert code == 1, problem
        assert problem["message"].startswith("the history database is damaged ("), problem
        assert problem["hint"] == (f"Restore {db} from a backup (cslevel does not repair it), "
                                   "or give another --db for a new history.")
        assert "Wait for the other run" not in problem["text"]
        assert db.read_bytes() == damaged
    assert not (tmp_path / "results-2026-11.xlsx").exists()


@pytest.mark.language("en")
def test_bad_inputs_45_read_only_history(tmp_path: Path, cli,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A history SQLite can only open read-only (a read-only file, folder or disk; simulated
    with SQLite's own read-only mode, since root may write any file): a command that writes
    is refused with the hint to make it writable; one that only reads still works."""
    db = _scored(tmp_path, cli)
    from cslevel.store import connect

    real_engine = connect._engine

    def read_only(url: str, is_sqlite: bool, timeout: float) -> Any:
        if is_sqlite and url.startswith("sqlite:///"):
            url = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
        return real_engine(url, is_sqlite, timeout)

    monkeypatch.setattr(connect, "_engine", read_only)
    before = db_snapshot(db)
    kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "甲", "一组", 112]])
    code, problem = _error(cli, "score", "kpi_2026-11.xlsx", "--scheme", "star")
    assert code == 1
    assert problem["message"] == ("the history database is read-only (attempt to write a "
                                  "readonly database)")
    assert problem["hint"] == (f"Make {db} and its folder writable (or copy the database to a "
                               "disk you can write to and point --db at the copy), then run "
                               "again.")
    assert "Wait for the other run" not in problem["text"]
    code, out, err = cli("history", "0001", "--json")
    assert code == 0, err
    assert json.loads(out)["agent_id"] == "0001"
    assert db_snapshot(db) == before
    assert not (tmp_path / "results-2026-11.xlsx").exists()


@pytest.mark.language("en")
def test_bad_inputs_45_history_of_a_newer_cslevel(tmp_path: Path, cli) -> None:
    db = _scored(tmp_path, cli)
    con = sqlite3.connect(db)
    con.execute("insert into schema_migrations values (99, 'from the future', 'x')")
    con.commit()
    con.close()
    before = db_snapshot(db)
    kpi(tmp_path / "kpi_2026-11.xlsx", [["0001", "甲", "一组", 112]])
    for args in (["score", "kpi_2026-11.xlsx", "--scheme", "star"], ["history", "0001"],
                 ["promote"]):
        code, problem = _error(cli, *args)
        assert code == 1
        assert (problem["message"], problem["hint"]) == (
            ("the history database was written by a newer cslevel (schema version 99; this "
            f"cslevel {__version__} knows versions up to {len(MIGRATIONS)})"),
            ("Upgrade cslevel on this machine (pip install --upgrade cslevel), then run again. "
            "Nothing was changed."))
    assert db_snapshot(db) == before


@pytest.mark.language("en")
def test_bad_inputs_45_history_path_is_a_folder(tmp_path: Path, cli) -> None:
    (tmp_path / "hist").mkdir()
    kpi(tmp_path / "kpi_2026-10.xlsx", [["0001", "甲", "一组", 112]])
    code, problem = _error(cli, "score", "kpi_2026-10.xlsx", "--scheme", "star", "--db", "hist")
    assert code == 1
    assert (problem["message"], problem["hint"]) == (
        "the history database hist is a folder, not a file",
        "Give --db the path of a database file (e.g. hist/cslevel.db).")


@pytest.mark.language("en")
def test_bad_inputs_45_busy_hint_only_when_another_run_holds_it(tmp_path: Path, cli,
                                                               monkeypatch) -> None:
    db = _scored(tmp_path, cli)
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, problem = _error(cli, "history", "0001")
    finally:
        holder.rollback()
        holder.close()
    assert code == 3
    assert problem["hint"] == "Wait for the other run to finish and try again."


@pytest.mark.language("en")
def test_bad_inputs_42_a_file_not_put_in_place_after_the_commit(
        tmp_path: Path, cli, staging: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output folder is made by the run; the payroll cannot be renamed into place after
    the commit (another program took it): the run says the month was saved, the folder and
    the files already in place stay, and the next command puts the payroll in place."""
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01"])
    shutil.rmtree(ws / "output")
    real_replace = os.replace

    def refuse_payroll(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if Path(dst).name == "payroll-2026-02.xlsx":
            raise PermissionError(errno.EACCES, "Permission denied")
        real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refuse_payroll)
    code, doc, err = _run(cli, ws, "2026-01")
    assert code == 1
    target = ws / "output" / "payroll-2026-02.xlsx"
    assert [p["message"] for p in doc["problems"]] == [
        (f"the run was saved in the history, but {target} could not be put in place yet "
        "(Permission denied)")]
    assert "the history was saved, but not every file is in place yet" in " ".join(err.split())
    assert sorted(_folder(ws / "output")) == ["results-2026-01.xlsx"]
    assert len(_month_runs(ws, "cslevel.db", "2026-01")) == 1
    monkeypatch.setattr(os, "replace", real_replace)
    code, _out, err = cli("runs", "--config", str(ws / "cslevel.toml"))
    assert code == 0, err
    assert _consistent(ws, "cslevel.db", "2026-01", {})
    assert sorted(_folder(ws / "output")) == [
        "moves-2026-01.xlsx", "payroll-2026-02.xlsx", "results-2026-01.xlsx"]
    assert _staged(staging, ws / "output") == []


@pytest.mark.language("en")
def test_bad_inputs_42_a_damaged_staged_file_is_never_put_in_place(
        tmp_path: Path, cli, staging: Path) -> None:
    """A committed set whose staged file changed before the next command (a disk fault, a
    clean-up tool): it is not put in place but reported, and `cslevel run` makes the month's
    files again."""
    ws = _workspace(tmp_path, cli, "cslevel.db", ["2026-01"])
    env = {**os.environ, "CSLEVEL_DB": "", "CSLEVEL_TEST_FAULT": "committed",
           "TMPDIR": str(staging)}
    proc = subprocess.run(
        [sys.executable, "-m", "cslevel", "run", "--month", "2026-01", "--config",
         str(ws / "cslevel.toml")], env=env, cwd=ws, capture_output=True, check=False,
        timeout=300)
    assert proc.returncode == -signal.SIGKILL
    (staged_payroll,) = [p for p in staging.iterdir() if p.name.endswith("-payroll-2026-02.xlsx")]
    staged_payroll.write_bytes(staged_payroll.read_bytes()[:-10])
    code, doc, err = _run(cli, ws, "2026-01")
    assert code == 0, err
    target = ws / "output" / "payroll-2026-02.xlsx"
    warnings = [p["message"] for p in doc["problems"] if p["severity"] == "warning"]
    assert warnings[:2] == [
        ("the previous run stopped after saving its month but before putting its files in "
        "place; they were put in place now: results-2026-01.xlsx, moves-2026-01.xlsx"),
        ("a file of a finished run is missing (its staged copy was removed or damaged before "
        f"it was put in place): {target}")]
    assert doc["status"] == "done"  # its outputs were not all there: the month made again
    assert _consistent(ws, "cslevel.db", "2026-01", {})
    assert _staged(staging, ws / "output") == []
