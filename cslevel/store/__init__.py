"""History database: agents, monthly scores, recorded decisions, runs.

SQLite by default (`--db PATH`, else `CSLEVEL_DB`, else `./cslevel.db`); any SQLAlchemy URL
works the same way, and PostgreSQL (`--db postgresql://user@host/db`, driver psycopg 3 from
`cslevel[postgres]`) is supported for groups that share one history across sites. Each
command runs in one transaction (`open_history`): when anything fails, nothing of it is kept.
Migrations are an ordered list applied in that transaction and recorded in
`schema_migrations`.

One command at a time: SQLite takes its write lock at the start (BEGIN IMMEDIATE); PostgreSQL
takes a transaction-scoped advisory lock. A second run waits up to CSLEVEL_BUSY_TIMEOUT
seconds (default 30), then stops with "the history database is busy" (exit code 3).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from .. import __version__
from ..bulk import thaw
from ..i18n import _
from ..records import NO_METRICS, Agent, CslevelError, Decision, Month, Problem, Score, Source
from ..stored import SCORE_COLUMNS, figures_json, score_rows_stored
from .codec import LazyMetrics, _Figures, _month_list, now, os_user
from .connect import (
    ADVISORY_LOCK_CLASS,
    BUSY_TIMEOUT,
    busy_timeout,
    database_url,
    open_history,
)
from .history import History
from .schema import (
    CHECKPOINT_MONTH,
    CHECKPOINTS,
    MIGRATIONS,
    _migrate,
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


