"""History database, the schema: the tables (agents, monthly scores and attendance, scored
months, recorded decisions, runs, locks and their audit trail, settings, the output files a
command promised, the results of signed sign-off lists, the payrolls paid and their lines)
and the migrations, an ordered list of functions, each applied in the
command's transaction and recorded in `schema_migrations`.

Input: an open connection. Output: the tables as this cslevel knows them, or a
`CslevelError` when a newer cslevel wrote the history.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
)

from .. import __version__
from ..i18n import _
from ..records import CslevelError, Problem, Source
from .codec import now

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("applied_at", String(40), nullable=False),
)
settings = Table(
    "settings", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
agents = Table(
    "agents", metadata,
    Column("agent_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False, default=""),
    Column("team", String(200), nullable=False, default=""),
    Column("role", String(200), nullable=False, default=""),
    Column("hire_date", String(10)),
    Column("leave_date", String(10)),
    Column("start_level", String(64)),
    Column("first_month", String(7)),
    Column("in_roster", Integer, nullable=False, default=0),
    Column("supervisor_tier", String(40)),
    Column("team_lead", Integer, nullable=False, default=0),
    Column("experience_months", Integer, nullable=False, default=0),
    # the months the roster named the agent 优秀员工, oldest first: "2026-06,2026-09"
    Column("excellent_months", Text, nullable=False, default=""),
)
scores = Table(
    "scores", metadata,
    Column("month", String(7), primary_key=True),
    Column("agent_id", String(64), primary_key=True),
    Column("score", String(40), nullable=False),  # Decimal as text: exact
    Column("metrics", Text, nullable=False, default="{}"),
    Column("source", Text, nullable=False, default=""),
    Column("discipline_block", Integer, nullable=False, default=0),
    Column("explanation", Text, nullable=False, default=""),
)
attendance = Table(
    "attendance", metadata,
    Column("month", String(7), primary_key=True),
    Column("agent_id", String(64), primary_key=True),
    Column("totals", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
)
months = Table(
    "months", metadata,
    Column("month", String(7), primary_key=True),
    Column("scheme", String(100), nullable=False),
    Column("files", Text, nullable=False),
    Column("scored_at", String(40), nullable=False),
)
decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", String(64), nullable=False, index=True),
    Column("decided_month", String(7), nullable=False),
    Column("effective_month", String(7), nullable=False),
    Column("from_level", String(64), nullable=False),
    Column("to_level", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("trigger_months", Text, nullable=False, default="[]"),
    Column("recorded_at", String(40), nullable=False),
)
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", String(40), nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("user", String(100), nullable=False),
    Column("version", String(20), nullable=False),
    Column("details", Text, nullable=False, default="{}"),
)

locks = Table(
    "locks", metadata,
    Column("month", String(7), primary_key=True),
    Column("locked_at", String(40), nullable=False),
    Column("user", String(100), nullable=False),
)
# the files of a command staged and promised in its transaction, until they are renamed onto
# their targets (cslevel.finish): a killed command's set is finished by the next command
output_files = Table(
    "output_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(40), nullable=False, index=True),
    Column("staged", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("recorded_at", String(40), nullable=False),
)
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("user", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("month", String(7), nullable=False),
    Column("reason", Text, nullable=False, default=""),
)
# what a person set by hand, apart from the imported scores (never edited): the score the
# rules use for an agent's month, or the level in force from a month on; each with its
# reason, who and when. An undo keeps the row (who undid it, when and why): nothing is deleted
adjustments = Table(
    "adjustments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", String(64), nullable=False, index=True),
    Column("month", String(7), nullable=False),
    Column("kind", String(10), nullable=False),  # score | level
    Column("value", String(64), nullable=False),
    Column("was", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("user", String(100), nullable=False),
    Column("at", String(40), nullable=False),
    Column("undone_at", String(40)),
    Column("undone_user", String(100)),
    Column("undo_reason", Text),
)
# the results of a signed sign-off list (cslevel signoff import): one row per move and import,
# the newest row of a move is its result; a move is named by what it is (agent, effective
# month, from and to level), since decisions are derived again and their rows renumbered
signoffs = Table(
    "signoffs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", String(64), nullable=False, index=True),
    Column("effective_month", String(7), nullable=False),
    Column("from_level", String(64), nullable=False),
    Column("to_level", String(64), nullable=False),
    Column("result", String(20), nullable=False),  # approved | rejected
    Column("approver", String(100), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("file", Text, nullable=False),
    Column("at", String(40), nullable=False),
    Column("user", String(100), nullable=False),
)

# the ledger of what finance paid (cslevel.pipeline.retro): one row per pay month whose
# payroll was recorded as paid when the scored month it is paid from was locked, ...
paid_payrolls = Table(
    "paid_payrolls", metadata,
    Column("pay_month", String(7), primary_key=True),
    Column("locked_month", String(7), nullable=False),  # the scored month whose lock paid it
    Column("locked_at", String(40), nullable=False),
    Column("locked_by", String(100), nullable=False),  # (not `user`: a reserved word)
    Column("template_hash", String(64), nullable=False, default=""),
    # 1 once a month it is paid from was scored again: what is due is worked out anew and
    # compared with what was paid, until a payroll carrying the difference is paid
    Column("rescored", Integer, nullable=False, default=0),
)
# ... and its lines: a payroll line as paid (`settles` empty), or a correction of the pay
# month paid with a later payroll (`settles`: that payroll's pay month). What was paid for a
# pay month is the sum of its rows; the level paid is the newest row's
paid_lines = Table(
    "paid_lines", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pay_month", String(7), nullable=False, index=True),
    Column("agent_id", String(64), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("team", String(200), nullable=False, default=""),
    Column("level", String(64)),  # None: a correction to nothing due
    Column("components", Text, nullable=False, default="{}"),  # Decimals as text, by name
    Column("total", String(40), nullable=False),  # Decimal as text: exact
    Column("settles", String(7)),
    Column("locked_at", String(40), nullable=False),
    Column("locked_by", String(100), nullable=False),
)
# the pay-inputs workbook of a pay month (cslevel.read.payinputs), as read: one row per agent,
# overtime hours and amounts by the payroll column they go to (Decimals as text), the one-off
# amount and its reason. Kept so that a paid month worked out anew (retro pay) pays them again
pay_inputs = Table(
    "pay_inputs", metadata,
    Column("pay_month", String(7), primary_key=True),
    Column("agent_id", String(64), primary_key=True),
    Column("hours", Text, nullable=False, default="{}"),
    Column("amounts", Text, nullable=False, default="{}"),
    Column("one_off", String(40)),
    Column("reason", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
)


def _migration_1(conn: Connection) -> None:
    metadata.create_all(conn)


def _migration_2(conn: Connection) -> None:
    """Roster extras for payroll: the supervisor allowance tier and the team-lead mark."""
    present = {c["name"] for c in inspect(conn).get_columns("agents")}
    if "supervisor_tier" not in present:
        conn.exec_driver_sql("ALTER TABLE agents ADD COLUMN supervisor_tier VARCHAR(40)")
    if "team_lead" not in present:
        conn.exec_driver_sql("ALTER TABLE agents ADD COLUMN team_lead INTEGER NOT NULL DEFAULT 0")


def _migration_3(conn: Connection) -> None:
    """Month locks after payroll, and the audit trail of locks and reopenings."""
    locks.create(conn, checkfirst=True)
    audit.create(conn, checkfirst=True)


def _migration_4(conn: Connection) -> None:
    """The output files a command promised in its transaction, until renamed into place."""
    output_files.create(conn, checkfirst=True)


def _migration_5(conn: Connection) -> None:
    """Adjustments: scores and levels set by a person, with a reason."""
    adjustments.create(conn, checkfirst=True)


def _migration_6(conn: Connection) -> None:
    """The results of signed sign-off lists."""
    signoffs.create(conn, checkfirst=True)


def _migration_paid_lines(conn: Connection) -> None:
    """The payrolls paid at lock, their lines and the corrections settled since."""
    paid_payrolls.create(conn, checkfirst=True)
    paid_lines.create(conn, checkfirst=True)


def _migration_experience(conn: Connection) -> None:
    """The roster's months of relevant experience before joining (grade variant C/B/A)."""
    present = {c["name"] for c in inspect(conn).get_columns("agents")}
    if "experience_months" not in present:
        conn.exec_driver_sql(
            "ALTER TABLE agents ADD COLUMN experience_months INTEGER NOT NULL DEFAULT 0")


def _migration_pay_inputs(conn: Connection) -> None:
    """The pay-inputs workbooks of the pay months, as read."""
    pay_inputs.create(conn, checkfirst=True)


def _migration_excellent(conn: Connection) -> None:
    """The months the roster named an agent 优秀员工 (grade variant D→C)."""
    present = {c["name"] for c in inspect(conn).get_columns("agents")}
    if "excellent_months" not in present:
        conn.exec_driver_sql(
            "ALTER TABLE agents ADD COLUMN excellent_months TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("create history tables", _migration_1),
    ("supervisor allowance tier and team lead on agents", _migration_2),
    ("month locks and audit trail", _migration_3),
    ("output files promised by a committed run", _migration_4),
    ("adjustments: scores and levels set by a person", _migration_5),
    ("results of signed sign-off lists", _migration_6),
    ("payroll lines paid at lock", _migration_paid_lines),
    ("experience before joining on agents", _migration_experience),
    ("pay inputs of a pay month: overtime, deductions, benefits, one-off",
     _migration_pay_inputs),
    ("months named employee of the month on agents", _migration_excellent),
]


# settings keys of the promotion rule's checkpoints (cslevel.checkpoints): their month, and
# each agent's state at its close as JSON
CHECKPOINT_MONTH = "checkpoint_month"
CHECKPOINTS = "checkpoints"


def _migrate(conn: Connection, shown: str) -> None:
    schema_migrations.create(conn, checkfirst=True)
    done = {r[0] for r in conn.execute(select(schema_migrations.c.version))}
    newest = max(done, default=0)
    if newest > len(MIGRATIONS):  # a newer cslevel wrote it: its tables mean more than ours
        raise CslevelError(Problem(
            _("the history database was written by a newer cslevel (schema version {found}; "
              "this cslevel {version} knows versions up to {known})").format(
                found=newest, version=__version__, known=len(MIGRATIONS)), Source(shown),
            hint=_("Upgrade cslevel on this machine (pip install --upgrade cslevel), then run "
                   "again. Nothing was changed.")))
    for version, (name, apply) in enumerate(MIGRATIONS, start=1):
        if version not in done:
            apply(conn)
            conn.execute(insert(schema_migrations).values(version=version, name=name,
                                                          applied_at=now()))
