"""History database, the connection: `--db` (else CSLEVEL_DB, else ./cslevel.db) -> a
database URL and an engine; one transaction for one command (`open_history`), migrated,
serialised against other commands, committed only when the command ends well; and the
database's errors in words a clerk can act on.

SQLite by default; any SQLAlchemy URL works the same way, and PostgreSQL (driver psycopg 3
from `cslevel[postgres]`) is supported for groups that share one history across sites. One
command at a time: SQLite takes its write lock at the start (BEGIN IMMEDIATE); PostgreSQL
takes a transaction-scoped advisory lock. A second run waits up to CSLEVEL_BUSY_TIMEOUT
seconds (default 30), then stops with "the history database is busy" (exit code 3).

Input: the `--db` value. Output: a `History` inside the command's transaction, or a
`CslevelError` saying what is wrong with the database and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from ..bulk import thaw
from ..i18n import _
from ..records import CslevelError, Problem, Source
from .history import History
from .schema import _migrate

BUSY_TIMEOUT = 30  # seconds a run waits for another run's transaction (CSLEVEL_BUSY_TIMEOUT)
# PostgreSQL: every cslevel transaction holds the advisory lock (ADVISORY_LOCK_CLASS, a number
# from the name of the history's schema); advisory locks are per database, so histories in
# other databases or other schemas (search_path) do not wait for each other.
ADVISORY_LOCK_CLASS = 0x63736C76  # "cslv"
# SQLSTATEs that mean "another transaction holds what we need": lock_timeout expired,
# deadlock detected, serialization failure.
_PG_BUSY_STATES = frozenset({"55P03", "40P01", "40001"})
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def busy_timeout() -> float:
    """CSLEVEL_BUSY_TIMEOUT (seconds), else 30."""
    raw = os.environ.get("CSLEVEL_BUSY_TIMEOUT", "").strip()
    if not raw:
        return BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e6:  # also rejects nan
        raise CslevelError(Problem(
            _("CSLEVEL_BUSY_TIMEOUT must be a number of seconds, not {value}").format(
                value=repr(raw)),
            hint=_("Unset it to wait 30 seconds.")))
    return value


def database_url(db: str | None) -> str:
    """`--db` value, else CSLEVEL_DB, else ./cslevel.db -> SQLAlchemy URL.
    A plain `postgresql://` or `postgres://` URL gets the psycopg 3 driver."""
    value = db or os.environ.get("CSLEVEL_DB") or "cslevel.db"
    if "://" in value:
        for scheme in _POSTGRES_SCHEMES:
            if value.startswith(scheme):
                return "postgresql+psycopg://" + value.removeprefix(scheme)
        return value
    path = Path(value)
    if not path.parent.exists():
        raise CslevelError(Problem(
            _("the folder for the database does not exist: {folder}").format(folder=path.parent),
            hint=_("Create the folder or give another --db path.")))
    return f"sqlite:///{path}"


def _shown(url: str) -> str:
    """A database URL as messages show it: without its password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.drivername == "postgresql+psycopg":  # as the user wrote it: postgresql://
        parsed = parsed.set(drivername="postgresql")
    return parsed.render_as_string(hide_password=True)


def _one_line(exc: BaseException) -> str:
    """A database error's message on one line (PostgreSQL's primary message, without the SQL)."""
    orig = getattr(exc, "orig", None) or exc
    primary = getattr(getattr(orig, "diag", None), "message_primary", None)
    return " ".join(str(primary or orig).split())


def _busy(exc: BaseException) -> bool:
    """A PostgreSQL error that means another transaction holds what this one needs."""
    return (isinstance(exc, DBAPIError)
            and getattr(exc.orig, "sqlstate", None) in _PG_BUSY_STATES)


def _busy_error(url: str) -> CslevelError:
    """Another run holds the history: exit code 3. The Chinese text keeps the English word
    "busy" too, for scripts watching a scheduled run."""
    return CslevelError(Problem(
        _("the history database is busy (another cslevel run is using it)"), Source(url),
        hint=_("Wait for the other run to finish and try again.")), exit_code=3)


def _engine(url: str, is_sqlite: bool, timeout: float) -> Engine:
    try:
        parsed = make_url(url)
        if is_sqlite:
            return create_engine(url, connect_args={"timeout": timeout})
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = 10  # an unreachable server fails, not hangs
        return create_engine(url, connect_args=connect_args)
    except ImportError as exc:  # the URL's driver is not installed
        if url.startswith("postgresql+psycopg://"):
            raise CslevelError(Problem(
                _("the PostgreSQL driver (psycopg 3) is not installed"), Source(_shown(url)),
                hint=_('Install it with: pip install "cslevel[postgres]"'))) from None
        raise CslevelError(Problem(
            _("the database driver for this URL is not installed: {error}").format(error=exc),
            Source(_shown(url)), hint=_("Install the driver the URL names."))) from None
    except ArgumentError as exc:  # not a URL SQLAlchemy knows
        raise CslevelError(Problem(
            _("not a database URL cslevel can use: {error}").format(error=_one_line(exc)),
            Source(_shown(url)), hint=_("Give a SQLite file path or a postgresql:// URL."))
        ) from None


def _serialize_postgres(conn: Connection, timeout: float) -> None:
    """One cslevel command at a time per history: wait up to `timeout` seconds for the
    transaction-scoped advisory lock (released at commit or rollback). The isolation
    level stays READ COMMITTED on purpose: every statement after the lock sees all that the
    run before committed."""
    milliseconds = max(1, round(timeout * 1000))  # lock_timeout 0 would wait for ever
    conn.execute(text("SELECT set_config('lock_timeout', :value, true)"),
                 {"value": f"{milliseconds}ms"})
    conn.execute(text("SELECT pg_advisory_xact_lock(CAST(:class AS integer), ('x' || substr("
                      "md5(coalesce(current_schema(), '')), 1, 8))::bit(32)::integer)"),
                 {"class": ADVISORY_LOCK_CLASS})


def _sqlite_problem(exc: BaseException, shown: str, path: Path | None) -> CslevelError | None:
    """A SQLite error in words a clerk can act on (None: not one of the known kinds)."""
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).lower()
    where = Source(shown)
    file = str(path) if path is not None else shown
    if "locked" in message or "busy" in message:
        return _busy_error(shown)
    if "readonly" in message or "read-only" in message:
        return CslevelError(Problem(
            _("the history database is read-only ({error})").format(error=orig), where,
            hint=_("Make {file} and its folder writable (or copy the database to a disk you "
                   "can write to and point --db at the copy), then run again.").format(
                file=file)))
    if "disk is full" in message or "disk i/o error" in message or "no space" in message:
        return CslevelError(Problem(
            _("the history database could not be saved: the disk is full or failing "
              "({error})").format(error=orig), where,
            hint=_("Free some space on the disk that holds {file}, then run again. Nothing "
                   "was changed.").format(file=file)))
    if "not a database" in message or "malformed" in message or "corrupt" in message:
        return CslevelError(Problem(
            _("the history database is damaged ({error})").format(error=orig), where,
            hint=_("Restore {file} from a backup (cslevel does not repair it), or give "
                   "another --db for a new history.").format(file=file)))
    if "unable to open" in message:
        return CslevelError(Problem(
            _("cannot open the history database: {error}").format(error=orig), where,
            hint=_("Check that the folder of {file} exists and that you may write to it.")
            .format(file=file)))
    return None


def _disk_full_on_commit(is_sqlite: bool) -> BaseException:
    """The error the driver raises when the disk fills at the commit (for the tests' fault
    hook, cslevel.finish.fault)."""
    from sqlalchemy.exc import OperationalError

    if is_sqlite:
        import sqlite3

        return OperationalError("COMMIT", None, sqlite3.OperationalError(
            "database or disk is full"))
    import psycopg

    return OperationalError("COMMIT", None, psycopg.errors.DiskFull(
        "could not extend file: No space left on device"))


def _database_error(exc: BaseException, shown: str, path: Path | None,
                    is_sqlite: bool) -> BaseException:
    """What to raise for `exc`, raised inside a command's transaction: a database error in
    words a clerk can act on; anything else as it is."""
    if _busy(exc):  # a lock held outside cslevel's own advisory lock
        return _busy_error(shown)
    if not isinstance(exc, DBAPIError):
        return exc
    if is_sqlite:
        known = _sqlite_problem(exc, shown, path)
        if known is not None:
            return known
        return CslevelError(Problem(
            _("the history database reported an error: {error}").format(error=_one_line(exc)),
            Source(shown), hint=_("Check that {file} is a cslevel history database; restore "
                                  "it from a backup if it is damaged.").format(file=path)))
    if str(getattr(exc.orig, "sqlstate", "") or "").startswith("53"):  # disk full, memory
        return CslevelError(Problem(
            _("the history database could not be saved: the database server is out of disk "
              "space or memory ({error})").format(error=_one_line(exc)), Source(shown),
            hint=_("Ask the database's administrator to free space on the server, then run "
                   "again. Nothing was changed.")))
    return CslevelError(Problem(  # rights, encoding, lost server
        _("the history database reported an error: {error}").format(error=_one_line(exc)),
        Source(shown), hint=_("Check the database user's rights and the server's log.")))


def _cannot_open(exc: DBAPIError, shown: str, path: Path | None,
                 is_sqlite: bool) -> CslevelError:
    """The database could not be opened: what SQLite's error means in plain words, else the
    driver's error with what to check."""
    if is_sqlite and (known := _sqlite_problem(exc, shown, path)) is not None:
        return known
    return CslevelError(Problem(
        _("cannot open the history database: {error}").format(error=_one_line(exc)),
        Source(shown),
        hint=_("Check the --db / CSLEVEL_DB value and that the database server is "
               "running.")))


@contextmanager
def open_history(db: str | None, *, write: bool = True, must_exist: bool = False,
                 recover: bool = True) -> Iterator[History]:
    """One transaction for one command. `write=False` (dry runs) rolls everything back.
    A SQLite file created by a command that then fails is removed again.

    Before the command sees the history, what a killed command left is finished
    (cslevel.finish.recover; `recover=False`, the analysts' API, leaves it for the next
    command, so that reading writes nothing at all); after its transaction commits, its staged
    outputs are renamed into place (`History.after_commit`), or removed if it does not
    (`after_rollback`)."""
    from .. import finish

    url = database_url(db)
    is_sqlite = url.startswith("sqlite")
    new_file: Path | None = None
    path: Path | None = None
    if is_sqlite:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            if must_exist:
                raise CslevelError(Problem(
                    _("no history database at {database}").format(database=path),
                    hint=_("Run `cslevel score` first, or point --db / CSLEVEL_DB at the "
                           "database.")))
            if write:
                new_file = path
            else:  # a dry run against a database that does not exist yet: work in memory
                url = "sqlite://"
                path = None
        elif path.is_dir():
            raise CslevelError(Problem(
                _("the history database {database} is a folder, not a file").format(
                    database=path), Source(str(path)),
                hint=_("Give --db the path of a database file (e.g. {folder}/cslevel.db).")
                .format(folder=path)))
    timeout = busy_timeout()
    engine = _engine(url, is_sqlite, timeout)
    read_only_file = False
    if is_sqlite:
        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            nonlocal read_only_file
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except DBAPIError as exc:
                # a command that only reads may read a read-only history file
                if write or "readonly" not in str(exc.orig).lower():
                    raise
                conn.exec_driver_sql("BEGIN")
                read_only_file = True

    is_postgres = engine.dialect.name == "postgresql"
    shown = url if is_sqlite else _shown(url)
    identity = os.path.normcase(os.path.realpath(path)) if path is not None else shown
    # a hot journal beside the file: the first command on a new history was killed before
    # its commit, and SQLite empties the file again when it opens it (a new history, then)
    first_killed = path is not None and Path(f"{path}-journal").exists()
    committed = False
    history: History | None = None
    try:
        try:
            conn = engine.connect()
        except DBAPIError as exc:
            raise _cannot_open(exc, shown, path, is_sqlite) from None
        try:
            trans = conn.begin()
            if is_postgres:
                _serialize_postgres(conn, timeout)
        except DBAPIError as exc:
            conn.close()
            if _busy(exc):
                raise _busy_error(shown) from None
            raise _cannot_open(exc, shown, path, is_sqlite) from None
        try:
            if path is not None and new_file is None and path.stat().st_size == 0:
                if not first_killed:  # not a new history: a lost one (truncated, copied)
                    raise CslevelError(Problem(
                        _("the history database {database} is an empty file (0 bytes), not a "
                          "history").format(database=path), Source(str(path)),
                        hint=_("Restore it from a backup. To start a new history, delete the "
                               "empty file or give another --db.")))
                if must_exist:
                    raise CslevelError(Problem(
                        _("no history database at {database}").format(database=path),
                        hint=_("Run `cslevel score` first, or point --db / CSLEVEL_DB at the "
                               "database.")))
                new_file = path if write else None  # (removed again if this command fails)
            if must_exist and not is_sqlite and not inspect(conn).has_table("schema_migrations"):
                raise CslevelError(Problem(
                    _("no history database at {database}").format(database=shown),
                    hint=_("Run `cslevel score` first, or point --db / CSLEVEL_DB at the "
                           "database.")))
            _migrate(conn, shown)
            history = History(conn, writable=write, path=path,
                              tag=finish.history_tag(identity))
            if recover and not read_only_file:
                history.recovered, changed = finish.recover(history)
                if changed:
                    # kept whatever this command does next (a dry run, a failure)
                    trans.commit()
                    trans = conn.begin()
                    if is_postgres:
                        _serialize_postgres(conn, timeout)
            yield history
            if write:
                finish.fault("commit", partial(_disk_full_on_commit, is_sqlite))
                trans.commit()
                committed = True
                finish.fault("committed")
            else:
                trans.rollback()
        except BaseException as exc:
            if not committed:
                try:
                    trans.rollback()
                except DBAPIError:
                    pass  # (the connection is gone: nothing was kept)
                conn.close()
                engine.dispose()
                if new_file is not None:
                    new_file.unlink(missing_ok=True)
                if history is not None:
                    for undo in history.after_rollback:  # remove the staged outputs
                        undo()
            error = _database_error(exc, shown, path, is_sqlite)
            if error is exc:
                raise
            raise error from None
        else:
            for done in (history.after_commit if committed else history.after_rollback):
                done()  # committed: rename the staged outputs into place
        finally:
            conn.close()
    finally:
        engine.dispose()
        thaw()  # what the command loaded in bulk is the collector's again
