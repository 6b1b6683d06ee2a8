"""The history database on both backends: every test taking `db_url` runs once on SQLite and
once on PostgreSQL (a fresh database on the CSLEVEL_TEST_POSTGRES server; `.ci/run` starts
one on loopback). The same commands give the same answers and the same stored rows; a
failing command changes nothing; a second run at the same time waits, then stops as busy."""

from __future__ import annotations

import getpass
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Self

import pytest
from conftest import write_xlsx
from cs_helpers import db_snapshot, files_in, kpi
from pg_helpers import is_postgres, rows, table_names, tables

from cslevel import __version__
from cslevel.store import MIGRATIONS, database_url, open_history

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
BUSY = "the history database is busy (another cslevel run is using it)"
TABLES = {"schema_migrations", "settings", "agents", "scores", "attendance", "months",
          "decisions", "runs", "locks", "audit", "output_files", "adjustments", "signoffs",
          "paid_payrolls", "paid_lines", "pay_inputs"}
VERSIONS = [(v,) for v in range(1, len(MIGRATIONS) + 1)]


def _unstamped(state: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows with the times of day replaced (they differ from run to run)."""
    return {name: sorted((tuple("<time>" if isinstance(v, str) and STAMP.fullmatch(v) else v
                                for v in row) for row in table), key=repr)
            for name, table in state.items()}


def _kpi(tmp: Path, month: str, rows_: list[list[Any]]) -> Path:
    return kpi(tmp / f"kpi_{month}.xlsx", rows_)


def _scored(tmp: Path, cli_json, db: str) -> None:
    """Three months of a small team and the promotion at the end of the third."""
    for month, score in (("2026-01", 112), ("2026-02", 115), ("2026-03", 120)):
        _kpi(tmp, month, [["0001", "甲", "一组", score], ["0002", "乙", "一组", 100]])
        cli_json("score", f"kpi_{month}.xlsx", "--scheme", "star", "--out", f"r-{month}.xlsx",
                 "--db", db)
    cli_json("promote", "--db", db)


# --- the same answers and the same rows on both backends ------------------------------------
def _pipeline(folder: Path, db: str, cli_json, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The example company's first two months, scored one by one, then promote, payroll and
    history: every command's JSON document."""
    folder.mkdir()
    for name in ("kpi_2026-01.xlsx", "kpi_2026-02.xlsx", "att_2026-01.xlsx", "att_2026-02.xlsx",
                 "roster.xlsx"):
        shutil.copy(EXAMPLES / name, folder / name)
    monkeypatch.chdir(folder)
    docs = []
    for month in ("2026-01", "2026-02"):
        docs.append(cli_json("score", f"kpi_{month}.xlsx", "--attendance", f"att_{month}.xlsx",
                             "--roster", "roster.xlsx", "--scheme", "star", "--out", "out/",
                             "--db", db))
    docs.append(cli_json("promote", "--months", "2", "--out", "moves.xlsx", "--db", db))
    docs.append(cli_json("payroll", "export", "--out", "payroll.xlsx", "--db", db))
    docs.append(cli_json("payroll", "diff", "--db", db))
    promoted = [m["agent_id"] for m in docs[2]["moves"]]
    for agent_id in ("0001", *promoted[:2]):
        docs.append(cli_json("history", agent_id, "--db", db))
    return docs


def test_the_same_commands_give_the_same_json_and_rows(tmp_path: Path, cli_json, db_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _pipeline(tmp_path / "sqlite", str(tmp_path / "sqlite" / "reference.db"),
                         cli_json, monkeypatch)
    assert expected[2]["moves"], "the example months promote somebody"
    got = _pipeline(tmp_path / "run", db_url, cli_json, monkeypatch)
    assert got == expected
    reference = _unstamped(tables(str(tmp_path / "sqlite" / "reference.db")))
    stored = _unstamped(tables(db_url))
    assert set(stored) == TABLES
    assert stored == reference
    assert [len(stored[t]) > 0 for t in ("agents", "scores", "attendance", "decisions")] == [
        True] * 4


# --- migrations ------------------------------------------------------------------------------
def test_migrations_are_recorded_once(tmp_path: Path, cli, db_url: str) -> None:
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112]])
    code, _, err = cli("score", "kpi_2026-10.xlsx", "--scheme", "star", "--db", db_url)
    assert code == 0, err
    migrations = rows(db_url, "select version, name, applied_at from schema_migrations "
                              "order by version")
    assert [(v, n) for v, n, _ in migrations] == [
        (1, "create history tables"), (2, "supervisor allowance tier and team lead on agents"),
        (3, "month locks and audit trail"), (4, "output files promised by a committed run"),
        (5, "adjustments: scores and levels set by a person"),
        (6, "results of signed sign-off lists"), (7, "payroll lines paid at lock"),
        (8, "experience before joining on agents"),
        (9, "pay inputs of a pay month: overtime, deductions, benefits, one-off"),
        (10, "months named employee of the month on agents")]
    assert all(STAMP.fullmatch(at) for _, _, at in migrations)
    assert table_names(db_url) == TABLES
    _kpi(tmp_path, "2026-11", [["0001", "甲", "一组", 112]])
    assert cli("score", "kpi_2026-11.xlsx", "--db", db_url)[0] == 0
    assert rows(db_url, "select version from schema_migrations order by version") == VERSIONS


def test_a_history_from_before_migration_2_is_upgraded(tmp_path: Path, cli_json,
                                                       db_url: str) -> None:
    write_xlsx(tmp_path / "roster.xlsx", [["工号", "当前级别"], ["0009", "三星"]])
    _kpi(tmp_path, "2026-09", [["0009", "老员工", "一组", 120]])
    cli_json("score", "kpi_2026-09.xlsx", "--scheme", "star", "--roster", "roster.xlsx",
             "--db", db_url)
    from pg_helpers import engine
    from sqlalchemy import text

    with engine(db_url) as eng, eng.begin() as conn:  # back to what migration 1 made
        for sql in ("ALTER TABLE agents DROP COLUMN supervisor_tier",
                    "ALTER TABLE agents DROP COLUMN team_lead",
                    "ALTER TABLE agents DROP COLUMN experience_months",
                    "ALTER TABLE agents DROP COLUMN excellent_months", "DROP TABLE locks",
                    "DROP TABLE audit", "DROP TABLE output_files", "DROP TABLE adjustments",
                    "DELETE FROM schema_migrations WHERE version >= 2"):
            conn.execute(text(sql))
    assert table_names(db_url) == TABLES - {"locks", "audit", "output_files", "adjustments"}
    _kpi(tmp_path, "2026-10", [["0001", "甲", "一组", 112], ["0009", "老员工", "一组", 120]])
    doc = cli_json("score", "kpi_2026-10.xlsx", "--db", db_url)
    assert {a["agent_id"]: a["level"] for a in doc["agents"]} == {"0001": "一星", "0009": "三星"}
    assert rows(db_url, "select version from schema_migrations order by version") == VERSIONS
    assert table_names(db_url) == TABLES
    assert rows(db_url, "select agent_id, supervisor_tier, team_lead from agents "
                        "order by agent_id") == [("0001", None, 0), ("0009", None, 0)]


# --- a failing command changes nothing -------------------------------------------------------
def _bad_cell(tmp: Path) -> list[str]:
    _kpi(tmp, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", "未质检"]])
    return ["score", "kpi_2026-04.xlsx"]


def _bad_rescore(tmp: Path) -> list[str]:
    (tmp / "kpi_2026-02.xlsx").unlink()
    _kpi(tmp, "2026-02", [["0001", "甲", "一组", 100], ["0001", "甲", "一组", 100]])
    return ["score", "kpi_2026-02.xlsx"]


def _unwritable_results(tmp: Path) -> list[str]:
    _kpi(tmp, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    return ["score", "kpi_2026-04.xlsx", "--out", "missing/r.xlsx"]


def _unwritable_moves(tmp: Path) -> list[str]:
    return ["promote", "--as-of", "2026-02", "--out", "missing/moves.xlsx"]


def _unwritable_payroll(tmp: Path) -> list[str]:
    return ["payroll", "export", "--month", "2026-04", "--out", "missing/p.xlsx"]


@pytest.mark.language("en")
@pytest.mark.parametrize("scenario", [_bad_cell, _bad_rescore, _unwritable_results,
                                      _unwritable_moves, _unwritable_payroll])
def test_a_failing_command_changes_nothing(tmp_path: Path, cli, cli_json, db_url: str,
                                           scenario) -> None:
    _scored(tmp_path, cli_json, db_url)
    args = scenario(tmp_path)
    before, before_files = tables(db_url), files_in(tmp_path)
    sqlite_before = None if is_postgres(db_url) else db_snapshot(Path(db_url))
    code, _, err = cli(*args, "--db", db_url)
    assert code == 1, err
    assert "nothing was written" in err
    assert tables(db_url) == before
    assert files_in(tmp_path) == before_files
    if sqlite_before is not None:
        assert db_snapshot(Path(db_url)) == sqlite_before  # and the file's bytes


def test_a_dry_run_changes_nothing(tmp_path: Path, cli_json, db_url: str) -> None:
    _scored(tmp_path, cli_json, db_url)
    _kpi(tmp_path, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    before = tables(db_url)
    doc = cli_json("score", "kpi_2026-04.xlsx", "--dry-run", "--db", db_url)
    assert doc["agents"][0]["level"] == "二星"  # the stored history was used
    cli_json("promote", "--dry-run", "--db", db_url)
    assert tables(db_url) == before


def test_rescoring_the_same_month_keeps_the_same_rows(tmp_path: Path, cli_json,
                                                      db_url: str) -> None:
    _scored(tmp_path, cli_json, db_url)
    first = _unstamped(tables(db_url))
    cli_json("score", "kpi_2026-03.xlsx", "--out", "again.xlsx", "--db", db_url)
    again = _unstamped(tables(db_url))
    assert len(again.pop("runs")) == len(first.pop("runs")) + 1
    assert again == first


# --- one run at a time -----------------------------------------------------------------------
class _Holder(threading.Thread):
    """Another cslevel run: holds a writing transaction on the history until released."""

    def __init__(self, db: str):
        super().__init__(daemon=True)
        self.db, self.entered, self.release = db, threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with open_history(self.db) as history:
                history.scored_months()
                self.entered.set()
                self.release.wait(60)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.entered.set()

    def __enter__(self) -> Self:
        self.start()
        assert self.entered.wait(30) and self.error is None, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.join(30)
        assert self.error is None, self.error


@pytest.mark.language("en")
def test_a_second_run_waits_then_stops_as_busy(tmp_path: Path, cli, cli_json, db_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _scored(tmp_path, cli_json, db_url)
    _kpi(tmp_path, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "1")
    before, before_files = tables(db_url), files_in(tmp_path)
    with _Holder(db_url):
        start = time.monotonic()
        code, _, err = cli("score", "kpi_2026-04.xlsx", "--scheme", "star", "--db", db_url)
        waited = time.monotonic() - start
        assert code == 3, err
        assert BUSY in err and "Wait for the other run to finish and try again." in err
        assert "nothing was written" in err
        assert 0.9 <= waited < 15, waited
        code, out, _ = cli("promote", "--db", db_url, "--json")
        assert code == 3
        assert [p["message"] for p in json.loads(out)["problems"]] == [BUSY]
        code, _, err = cli("history", "0001", "--db", db_url)  # readers wait in line too
        assert (code, BUSY in err) == (3, True)
    assert tables(db_url) == before
    assert files_in(tmp_path) == before_files
    # the other run is over: the same command goes through
    assert cli_json("score", "kpi_2026-04.xlsx", "--db", db_url)["month"] == "2026-04"


def test_a_second_run_goes_through_when_the_first_ends_in_time(
        tmp_path: Path, cli_json, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _scored(tmp_path, cli_json, db_url)
    _kpi(tmp_path, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "20")
    holder = _Holder(db_url)
    with holder:
        threading.Timer(0.5, holder.release.set).start()
        start = time.monotonic()
        doc = cli_json("score", "kpi_2026-04.xlsx", "--db", db_url)
        assert time.monotonic() - start >= 0.4  # it waited for the other run
    assert doc["month"] == "2026-04"
    assert ("2026-04",) in rows(db_url, "select month from months")


@pytest.mark.language("en")
def test_busy_when_another_process_holds_the_history(tmp_path: Path, cli, cli_json, db_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The other run is another process (another site's cron job, say)."""
    _scored(tmp_path, cli_json, db_url)
    _kpi(tmp_path, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    script = ("import sys\nfrom cslevel.store import open_history\n"
              "with open_history(sys.argv[1]) as h:\n"
              "    h.scored_months()\n    print('holding', flush=True)\n    sys.stdin.read()\n")
    other = subprocess.Popen([sys.executable, "-c", script, db_url], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "holding"
        monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "1")
        code, _, err = cli("score", "kpi_2026-04.xlsx", "--scheme", "star", "--db", db_url)
        assert (code, BUSY in err) == (3, True), err
    finally:
        other.communicate("", timeout=30)
    assert other.returncode == 0
    assert cli_json("score", "kpi_2026-04.xlsx", "--db", db_url)["month"] == "2026-04"


@pytest.mark.language("en")
def test_bad_busy_timeout(tmp_path: Path, cli, db_url: str,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    _kpi(tmp_path, "2026-04", [["0001", "甲", "一组", 112]])
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "soon")
    code, _, err = cli("score", "kpi_2026-04.xlsx", "--scheme", "star", "--db", db_url)
    assert code == 1
    assert "CSLEVEL_BUSY_TIMEOUT must be a number of seconds, not 'soon'" in err
    assert files_in(tmp_path) == {"kpi_2026-04.xlsx"}


# --- locks, the audit trail and the runs -----------------------------------------------------
@pytest.mark.language("en")
def test_lock_and_reopen(tmp_path: Path, cli, cli_json, db_url: str) -> None:
    _scored(tmp_path, cli_json, db_url)
    assert cli_json("lock", "2026-03", "--db", db_url)["locked"] is True
    code, _, err = cli("score", "kpi_2026-03.xlsx", "--db", db_url)
    assert code == 3 and "2026-03 is locked" in err
    cli_json("reopen", "2026-03", "--reason", "考勤表更正", "--db", db_url)
    cli_json("lock", "2026-02", "--db", db_url)
    user = getpass.getuser()
    assert rows(db_url, 'select id, "user", action, month, reason from audit order by id') == [
        (1, user, "lock", "2026-03", ""), (2, user, "reopen", "2026-03", "考勤表更正"),
        (3, user, "lock", "2026-02", "")]
    assert [m for m, in rows(db_url, "select month from locks")] == ["2026-02"]


def test_runs_newest_first(tmp_path: Path, cli_json, db_url: str) -> None:
    _scored(tmp_path, cli_json, db_url)
    cli_json("payroll", "export", "--out", "p.xlsx", "--db", db_url)
    with open_history(db_url, write=False, must_exist=True) as history:
        runs = history.runs()
        last = history.runs(limit=2)
    assert [r["command"] for r in runs] == ["payroll export", "promote", "score", "score",
                                           "score"]
    assert [r["id"] for r in runs] == [5, 4, 3, 2, 1]
    assert last == runs[:2]
    assert set(runs[0]) == {"id", "command", "started_at", "user", "version", "details"}
    assert (runs[0]["user"], runs[0]["version"]) == (getpass.getuser(), __version__)
    assert STAMP.fullmatch(runs[0]["started_at"])
    assert runs[0]["details"] == {"month": "2026-04", "lines": 2}
    assert runs[1]["details"]["as_of"] == "2026-03" and runs[1]["details"]["moves"] == 1


# --- PostgreSQL only -------------------------------------------------------------------------
@pytest.mark.parametrize("given, url", [
    ("postgresql://u@h:5432/d", "postgresql+psycopg://u@h:5432/d"),
    ("postgres://u:p@h/d?sslmode=require", "postgresql+psycopg://u:p@h/d?sslmode=require"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_uses_psycopg_for_plain_postgres_urls(given: str, url: str) -> None:
    assert database_url(given) == url


@pytest.mark.language("en")
def test_without_the_driver_the_message_says_what_to_install(
        tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails
    code, _, err = cli("history", "0001", "--db", "postgresql://hr:secret@db.example/cs")
    assert code == 1
    assert "the PostgreSQL driver (psycopg 3) is not installed" in err
    assert 'pip install "cslevel[postgres]"' in err
    assert "secret" not in err


@pytest.mark.language("en")
def test_an_unreachable_server_is_reported_without_the_password(tmp_path: Path, cli) -> None:
    code, _, err = cli("history", "0001", "--db", "postgresql://hr:secret@127.0.0.1:1/cs")
    assert code == 1
    assert "cannot open the history database" in err
    assert "postgresql://hr:***@127.0.0.1:1/cs" in err
    assert "secret" not in err


@pytest.mark.language("en")
def test_reading_an_empty_postgres_database(tmp_path: Path, cli, pg_url: str) -> None:
    for args in (["history", "0001"], ["promote"], ["lock", "2026-01"], ["payroll", "diff"]):
        code, _, err = cli(*args, "--db", pg_url)
        assert code == 1, err
        assert "no history database at postgresql://" in err
    assert table_names(pg_url) == set()  # nothing was created


@pytest.mark.language("en")
def test_a_whole_database_of_its_own(tmp_path: Path, cli, cli_json,
                                     pg_database_url: str) -> None:
    """A plain postgresql://host:port/name URL: the history goes into the public schema."""
    code, _, err = cli("history", "0001", "--db", pg_database_url)
    assert (code, f"no history database at {pg_database_url}" in err) == (1, True), err
    _scored(tmp_path, cli_json, pg_database_url)
    assert table_names(pg_database_url) == TABLES
    assert rows(pg_database_url, "select table_schema, count(*) from information_schema.tables "
                                 "where table_schema not in ('pg_catalog', 'information_schema') "
                                 "group by table_schema") == [("public", len(TABLES))]
    assert cli_json("history", "0001", "--db", pg_database_url)["next_level"] == "二星"


def test_histories_in_other_schemas_do_not_wait(tmp_path: Path, cli_json, pg_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pg_helpers import fresh_schema, postgres_base

    base = postgres_base()
    assert base is not None
    _scored(tmp_path, cli_json, pg_url)
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "1")
    with fresh_schema(base) as other, _Holder(pg_url):
        _kpi(tmp_path, "2026-05", [["0007", "庚", "三组", 112]])
        doc = cli_json("score", "kpi_2026-05.xlsx", "--scheme", "star", "--db", other)
        assert doc["month"] == "2026-05"
        assert rows(other, "select agent_id from scores") == [("0007",)]
    assert ("0007",) not in rows(pg_url, "select agent_id from scores")


def test_text_is_ordered_as_on_sqlite_in_a_language_collation(tmp_path: Path, cli_json,
                                                              monkeypatch) -> None:
    """A database created with a language's collation (ICU en-US: a1 < A1 < b < B0) still
    gives the history in SQLite's order (by code point: A1 < B0 < a1 < b)."""
    from pg_helpers import fresh_database, postgres_base

    base = postgres_base()
    if base is None:
        pytest.skip("CSLEVEL_TEST_POSTGRES is not set")
    ids = ["b", "a-2", "B0", "A1", "a1", "007", "0007"]

    def stored(db: str) -> tuple[list, list, list, list]:
        for month, score in (("2026-01", 112), ("2026-02", 115)):
            _kpi(tmp_path, month, [[a, f"名{a}", "一组", score] for a in ids])
            cli_json("score", f"kpi_{month}.xlsx", "--scheme", "star", "--db", db)
        cli_json("promote", "--months", "2", "--db", db)
        with open_history(db, write=False) as history:
            return (list(history.agents()), [(a, list(m)) for a, m in history.scores().items()],
                    [d.agent_id for d in history.decisions()],
                    list(history.attendance(history.scored_months()[0])))

    expected = stored(str(tmp_path / "reference.db"))
    assert expected[0] == sorted(ids)
    with fresh_database(base, "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' "
                              "TEMPLATE template0 ENCODING 'UTF8'") as url:
        assert rows(url, "select string_agg(x, ' ' order by x) from (values ('A1'), ('a1'), "
                         "('b'), ('B0')) v(x)") == [("a1 A1 b B0",)]  # the collation is ICU's
        assert stored(url) == expected


@pytest.mark.language("en")
def test_a_lock_held_outside_cslevel_is_busy_too(tmp_path: Path, cli, cli_json, pg_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """lock_timeout covers every lock the transaction waits for, not only cslevel's own."""
    import psycopg

    _scored(tmp_path, cli_json, pg_url)
    _kpi(tmp_path, "2026-04", [["0001", "甲", "一组", 112], ["0002", "乙", "一组", 100]])
    before = tables(pg_url)
    monkeypatch.setenv("CSLEVEL_BUSY_TIMEOUT", "1")
    with psycopg.connect(pg_url) as other:  # e.g. somebody's psql session
        other.execute("LOCK TABLE scores IN ACCESS EXCLUSIVE MODE")
        code, _, err = cli("score", "kpi_2026-04.xlsx", "--scheme", "star", "--db", pg_url)
        other.rollback()
    assert (code, BUSY in err) == (3, True), err
    assert tables(pg_url) == before


@pytest.mark.language("en")
def test_a_database_error_is_a_clear_message(tmp_path: Path, cli, pg_url: str) -> None:
    """A database user without the right to create tables: the server's refusal is shown,
    and nothing of the run is kept."""
    import secrets
    from urllib.parse import urlsplit

    import psycopg

    role = f"cslevel_reader_{secrets.token_hex(4)}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        schema = admin.execute("select current_schema()").fetchone()[0]
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")  # but not CREATE
    try:
        parts = urlsplit(pg_url)
        url = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl()
        _kpi(tmp_path, "2026-04", [["0001", "甲", "一组", 112]])
        code, _, err = cli("score", "kpi_2026-04.xlsx", "--scheme", "star", "--db", url)
        assert code == 1, err
        assert "the history database reported an error: permission denied for schema" in err
        assert "nothing was written" in err
        assert table_names(pg_url) == set()
        assert files_in(tmp_path) == {"kpi_2026-04.xlsx"}
    finally:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")
