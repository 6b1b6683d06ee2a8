"""History database: agents, monthly scores, adjustments, recorded decisions, runs.

SQLite by default (`--db PATH`, else `CSLEVEL_DB`, else `./cslevel.db`); any SQLAlchemy URL
works the same way, and PostgreSQL (`--db postgresql://user@host/db`, driver psycopg 3 from
`cslevel[postgres]`) is supported for groups that share one history across sites. Each
command runs in one transaction (`open_history`): when anything fails, nothing of it is kept.
Migrations are an ordered list applied in that transaction and recorded in
`schema_migrations`.

One command at a time: SQLite takes its write lock at the start (BEGIN IMMEDIATE); PostgreSQL
takes a transaction-scoped advisory lock. A second run waits up to CSLEVEL_BUSY_TIMEOUT
seconds (default 30), then stops with "the history database is busy" (exit code 3).

This module is the stage's face: it names what the other stages use. The work is done in

- `connect`: the URL, the engine, `open_history` (one transaction per command), waiting
  for another command, and the database's errors in words;
- `history`: `History`, the reads and writes inside that transaction;
- `schema`: the tables and the migrations;
- `ledger`: `Ledger`, the payrolls paid (at lock) and the corrections settled since;
- `codec`: the values as stored (figures as JSON, the scores table's rows, time stamps).

A name is imported from its module when it is first used (`__getattr__`), not when the
package is: `cslevel.store.codec` is then imported without SQLAlchemy, by a worker process
that scores a workbook (cslevel/parallel.py).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .codec import (
        SCORE_COLUMNS,
        LazyMetrics,
        _month_list,
        figures_json,
        now,
        os_user,
        score_rows_stored,
    )
    from .connect import (
        ADVISORY_LOCK_CLASS,
        BUSY_TIMEOUT,
        busy_timeout,
        database_url,
        open_history,
    )
    from .history import History
    from .ledger import Ledger, PaidPayroll
    from .schema import (
        CHECKPOINT_MONTH,
        CHECKPOINTS,
        MIGRATIONS,
        adjustments,
        agents,
        attendance,
        audit,
        decisions,
        locks,
        metadata,
        months,
        output_files,
        runs,
        schema_migrations,
        scores,
        settings,
    )

# each name of the face -> the module of this package that defines it
_HOME = {
    **dict.fromkeys(["SCORE_COLUMNS", "LazyMetrics", "_month_list", "figures_json", "now",
                     "os_user", "score_rows_stored"], "codec"),
    **dict.fromkeys(["ADVISORY_LOCK_CLASS", "BUSY_TIMEOUT", "busy_timeout", "database_url",
                     "open_history"], "connect"),
    "History": "history",
    **dict.fromkeys(["Ledger", "PaidPayroll"], "ledger"),
    **dict.fromkeys(["CHECKPOINT_MONTH", "CHECKPOINTS", "MIGRATIONS", "adjustments", "agents",
                     "attendance", "audit", "decisions", "locks", "metadata", "months",
                     "output_files", "runs", "schema_migrations", "scores", "settings"],
                    "schema"),
}

__all__ = [
    "ADVISORY_LOCK_CLASS", "BUSY_TIMEOUT", "CHECKPOINTS", "CHECKPOINT_MONTH", "MIGRATIONS",
    "SCORE_COLUMNS", "History", "LazyMetrics", "Ledger", "PaidPayroll", "_month_list",
    "adjustments", "agents", "attendance", "audit", "busy_timeout", "database_url", "decisions",
    "figures_json", "locks", "metadata", "months", "now", "open_history", "os_user",
    "output_files", "runs", "schema_migrations", "score_rows_stored", "scores", "settings",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # (found at once the next time)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
