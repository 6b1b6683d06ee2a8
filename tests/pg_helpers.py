"""The database tests on SQLite and on PostgreSQL: a fresh PostgreSQL schema (or database) per
test on the server CSLEVEL_TEST_POSTGRES names (`.ci/run` starts one on loopback and sets it),
and views of a history database that read the same on both backends."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import Engine, MetaData, create_engine, inspect, select, text

from cslevel.store import database_url

PG_ENV = "CSLEVEL_TEST_POSTGRES"


def postgres_base() -> str | None:
    """The server for the PostgreSQL tests (a plain postgresql:// URL), or None."""
    value = os.environ.get(PG_ENV, "").strip()
    if not value:
        return None
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if value.startswith(prefix):
            value = "postgresql://" + value.removeprefix(prefix)
    return value


def with_database(url: str, name: str) -> str:
    """The same server URL, naming another database."""
    return urlsplit(url)._replace(path="/" + name).geturl()


def _admin(base: str) -> Any:
    import psycopg

    return psycopg.connect(base, autocommit=True)


@contextmanager
def fresh_database(base: str, options: str = "") -> Iterator[str]:
    """CREATE DATABASE cslevel_test_<random> [options] on the server; yields its postgresql://
    URL and drops it afterwards (also when the test failed). About 0.4 s: see fresh_schema."""
    from psycopg import sql

    name = f"cslevel_test_{secrets.token_hex(6)}"
    with _admin(base) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} " + options).format(sql.Identifier(name)))
    try:
        yield with_database(base, name)
    finally:
        with _admin(base) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                          .format(sql.Identifier(name)))


@contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """CREATE SCHEMA cslevel_test_<random> in the server's database; yields a postgresql://
    URL whose connections use it (options=-csearch_path=…) and drops it afterwards."""
    from psycopg import sql

    name = f"cslevel_test_{secrets.token_hex(6)}"
    with _admin(base) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        parts = urlsplit(base)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
        query.append(("options", f"-csearch_path={name}"))
        yield parts._replace(query=urlencode(query)).geturl()
    finally:
        with _admin(base) as admin:
            admin.execute("SET lock_timeout = '30s'")
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                          .format(sql.Identifier(name)))


def is_postgres(db: str) -> bool:
    return database_url(db).startswith("postgresql")


@contextmanager
def engine(db: str) -> Iterator[Engine]:
    """An engine on the history database `db` (a --db value: SQLite path or URL)."""
    eng = create_engine(database_url(db))
    try:
        yield eng
    finally:
        eng.dispose()


def rows(db: str, query: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of one SQL query on the history database."""
    with engine(db) as eng, eng.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query), params)]


def table_names(db: str) -> set[str]:
    with engine(db) as eng, eng.connect() as conn:
        return set(inspect(conn).get_table_names())


def tables(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (sorted), to prove that a failed command changed nothing."""
    with engine(db) as eng, eng.connect() as conn:
        meta = MetaData()
        meta.reflect(conn)
        return {name: sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
                for name, table in sorted(meta.tables.items())}
