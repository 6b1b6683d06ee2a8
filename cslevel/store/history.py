"""History database, the history inside one open transaction (`History`): what the stages
read and write — agents, monthly scores and attendance, scored months, adjustments, recorded
decisions, runs, month locks and their audit trail, settings and the rule's checkpoints, the
output files a command promised.

The reads and writes of hundreds of thousands of rows go straight through the driver's
cursor (`_fetch`, `_insert_many`): SQLAlchemy's row objects and parameter handling would
cost more than the database's work.

Input: a connection in a transaction (`connect.open_history`). Output: records
(`cslevel.records`) read, and rows written in that transaction.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from .. import __version__
from ..records import (
    NO_METRICS,
    Adjustment,
    AdjustmentKind,
    Agent,
    Decision,
    Month,
    PayInputsRow,
    Problem,
    Score,
    SignoffResult,
    Source,
)
from .codec import (
    SCORE_COLUMNS,
    LazyMetrics,
    _Figures,
    _month_list,
    figures_json,
    now,
    os_user,
    score_rows_stored,
)
from .schema import (
    CHECKPOINT_MONTH,
    CHECKPOINTS,
    adjustments,
    agents,
    attendance,
    audit,
    decisions,
    locks,
    months,
    output_files,
    pay_inputs,
    runs,
    scores,
    settings,
    signoffs,
)


class History:
    """The history database inside one open transaction."""

    def __init__(self, conn: Connection, writable: bool = True, *, path: Path | None = None,
                 tag: str = ""):
        self.conn = conn
        self.writable = writable  # False: everything is rolled back at the end (dry runs)
        self.path = path  # the SQLite file (None: a database server)
        self.tag = tag  # names this history in its staging files (cslevel.finish)
        # what runs once the transaction committed (rename the staged outputs), or once it
        # was rolled back (remove them)
        self.after_commit: list[Callable[[], None]] = []
        self.after_rollback: list[Callable[[], None]] = []
        # what the command's start finished of a killed command (warnings for its report)
        self.recovered: list[Problem] = []

    def _order(self, *columns: Any) -> list[Any]:
        """ORDER BY text columns as SQLite does (by code point), also on a PostgreSQL database
        whose default collation is a language's (en_US, zh_CN, …)."""
        if self.conn.dialect.name == "postgresql":
            return [c.collate("C") for c in columns]
        return list(columns)

    # settings -----------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        row = self.conn.execute(select(settings.c.value).where(settings.c.key == key)).first()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        if self.setting(key) is None:
            self.conn.execute(insert(settings).values(key=key, value=value))
        else:
            self.conn.execute(update(settings).where(settings.c.key == key).values(value=value))

    # checkpoints of the promotion rule (cslevel.checkpoints) ---------------------------
    def checkpoint_month(self) -> Month | None:
        """The month at whose close the rule's state is kept, if it is (without reading the
        checkpoints themselves)."""
        month = self.setting(CHECKPOINT_MONTH)
        return Month.parse(month) if month else None

    def checkpoints(self) -> tuple[Month, str] | None:
        """(month, the checkpoints' JSON) if the history keeps the rule's state at the close
        of a month."""
        month = self.checkpoint_month()
        text = self.setting(CHECKPOINTS) if month else None
        return (month, text) if month and text else None

    def set_checkpoints(self, month: Month, text: str) -> None:
        self.set_setting(CHECKPOINTS, text)
        self.set_setting(CHECKPOINT_MONTH, str(month))

    def _scores_changed(self, month: Month) -> None:
        """Scores of `month` were stored or removed: checkpoints at or after it no longer
        hold (the states they carry were derived without them)."""
        kept = self.checkpoint_month()
        if kept is not None and month <= kept:
            self._drop_checkpoints()

    def _drop_checkpoints(self) -> None:
        self.conn.execute(delete(settings).where(
            settings.c.key.in_([CHECKPOINTS, CHECKPOINT_MONTH])))

    # agents -------------------------------------------------------------------------
    def agents(self) -> dict[str, Agent]:
        out = {}
        day, month = date.fromisoformat, Month.parse
        columns = (agents.c.agent_id, agents.c.name, agents.c.team, agents.c.role,
                   agents.c.hire_date, agents.c.leave_date, agents.c.start_level,
                   agents.c.first_month, agents.c.in_roster, agents.c.supervisor_tier,
                   agents.c.team_lead, agents.c.experience_months, agents.c.excellent_months)
        for (agent_id, name, team, role, hired, left, start, first, in_roster, tier,
             lead, experience, excellent) in self.conn.execute(select(*columns).order_by(
                *self._order(agents.c.agent_id))):  # (unpacked, not read by name: 10,000 rows)
            out[agent_id] = Agent(agent_id, name, team, role, day(hired) if hired else None,
                                  day(left) if left else None, start,
                                  month(first) if first else None, bool(in_roster), tier,
                                  bool(lead), experience or 0,
                                  tuple(map(month, excellent.split(","))) if excellent else ())
        return out

    def save_agents(self, changed: list[tuple[Agent, bool]]) -> None:
        """Insert the new agents and update the known ones, each kind in one statement."""
        new = [{"agent_id": a.agent_id, **self._agent_values(a)} for a, known in changed
               if not known]
        old = [{"b_agent_id": a.agent_id, **self._agent_values(a)} for a, known in changed
               if known]
        if new:
            self.conn.execute(insert(agents), new)
        if old:
            columns = [c for c in old[0] if c != "b_agent_id"]
            self.conn.execute(update(agents).where(agents.c.agent_id == bindparam("b_agent_id"))
                              .values({c: bindparam(c) for c in columns}), old)

    @staticmethod
    def _agent_values(agent: Agent) -> dict[str, Any]:
        return {
            "name": agent.name, "team": agent.team, "role": agent.role,
            "hire_date": agent.hire_date.isoformat() if agent.hire_date else None,
            "leave_date": agent.leave_date.isoformat() if agent.leave_date else None,
            "start_level": agent.start_level,
            "first_month": str(agent.first_month) if agent.first_month else None,
            "in_roster": int(agent.in_roster),
            "supervisor_tier": agent.supervisor_tier,
            "team_lead": int(agent.team_lead),
            "experience_months": agent.experience_months,
            "excellent_months": ",".join(map(str, agent.excellent_months)),
        }

    # scores -------------------------------------------------------------------------
    def scored_months(self) -> list[Month]:
        rows = self.conn.execute(select(months.c.month).order_by(*self._order(months.c.month)))
        return [Month.parse(r[0]) for r in rows]

    def clear_month(self, month: Month) -> None:
        """Forget `month`'s scores, attendance and record, before storing it again by parts
        (a month may come in several workbooks, each stored as soon as it is scored)."""
        key = str(month)
        self._scores_changed(month)
        self.conn.execute(delete(scores).where(scores.c.month == key))
        self.conn.execute(delete(attendance).where(attendance.c.month == key))
        self.conn.execute(delete(months).where(months.c.month == key))

    def set_month(self, month: Month, scheme: str, files: list[str]) -> None:
        """Record that `month` is scored, with the scheme and the workbooks it came from."""
        key = str(month)
        self.conn.execute(delete(months).where(months.c.month == key))
        self.conn.execute(insert(months).values(month=key, scheme=scheme,
                                                files=json.dumps(files, ensure_ascii=False),
                                                scored_at=now()))

    def _mark(self) -> str:
        """The driver's parameter mark: ? (sqlite3) or %s (psycopg)."""
        return "?" if self.conn.dialect.paramstyle == "qmark" else "%s"

    def _fetch(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """The rows of a SELECT (parameters marked ?) straight from the driver's cursor: for
        the reads of hundreds of thousands of rows, where SQLAlchemy's row objects would cost
        more than the rest of the work."""
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql.replace("?", self._mark()), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _insert_many(self, table: Table, columns: tuple[str, ...],
                     rows: Iterable[tuple[Any, ...]]) -> None:
        """INSERT rows given as tuples in `columns` order, straight through the driver's
        executemany: a month is thousands of rows, and SQLAlchemy's handling of each row's
        parameters would cost more than the database's work."""
        values = list(rows)
        if not values:  # (an empty list would be taken for "no parameters")
            return
        mark = self._mark()
        self.conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join([mark] * len(columns))})", values)

    def add_scores(self, month: Month, month_scores: list[Score]) -> None:
        self.add_score_rows(month, score_rows_stored(month, month_scores))

    def add_score_rows(self, month: Month, rows: list[tuple[Any, ...]]) -> None:
        """Add one month's scores as `score_rows_stored` gives them (a worker process may
        have made them)."""
        if rows:
            self._scores_changed(month)
            self._insert_many(scores, SCORE_COLUMNS, rows)

    def add_attendance(self, month: Month,
                       month_attendance: dict[str, tuple[dict[str, Decimal], str]]) -> None:
        if month_attendance:
            key, dumps = str(month), figures_json
            self._insert_many(attendance, ("month", "agent_id", "source", "totals"), (
                (key, agent, source, dumps(totals))
                for agent, (totals, source) in month_attendance.items()))

    def remove_attendance(self, month: Month, agent_ids: list[str]) -> None:
        self.conn.execute(delete(attendance).where(attendance.c.month == str(month),
                                                   attendance.c.agent_id.in_(agent_ids)))

    def explanations(self, month: Month) -> dict[str, tuple[str, dict[str, float]]]:
        """One month's stored score explanations and metrics by agent: what its results
        workbook shows besides the score (the metrics as the cells' floats: float of the
        stored text is float of its Decimal)."""
        rows = self._fetch("SELECT agent_id, explanation, metrics FROM scores WHERE month = ?",
                           str(month))
        seen: dict[str, float] = {}
        loads = json.loads

        def parse(text: str) -> dict[str, float]:
            return {k: seen[v] if v in seen else seen.setdefault(v, float(v))
                    for k, v in loads(text).items()}

        return {agent_id: (text, parse(metrics)) for agent_id, text, metrics in rows}

    def month_scores(self, month: Month) -> dict[str, Decimal]:
        """One month's stored scores by agent (what a re-run compares against)."""
        rows = self.conn.execute(select(scores.c.agent_id, scores.c.score)
                                 .where(scores.c.month == str(month)))
        return {agent_id: Decimal(value) for agent_id, value in rows}

    def agent_scores(self, agent_id: str) -> dict[Month, Decimal]:
        """One agent's stored scores (as imported) by month, in month order."""
        rows = self.conn.execute(select(scores.c.month, scores.c.score)
                                 .where(scores.c.agent_id == agent_id)
                                 .order_by(*self._order(scores.c.month)))
        return {Month.parse(month): Decimal(value) for month, value in rows}

    def scores(self, metrics: bool = True, since: Month | None = None
               ) -> dict[str, dict[Month, Score]]:
        """Every stored score by agent and month (of `since` and later, if given), for the
        rules: the value, the metrics (read from their JSON when first used; left out with
        `metrics=False`, for rules that never read them) and the discipline mark. The source
        and the explanation stay in the database: they are written once, with the month's
        results."""
        out: dict[str, dict[Month, Score]] = {}
        # straight from the driver's cursor, in table order: hundreds of thousands of rows,
        # and neither SQLAlchemy's row objects nor an ORDER BY (a walk of the index with a
        # look-up per row) are needed, since callers look scores up by month and agent
        column = "metrics" if metrics else "'{}'"  # (no metrics: the empty mapping)
        query = f"SELECT agent_id, month, score, {column}, discipline_block FROM scores"
        rows = (self._fetch(query + " WHERE month >= ?", str(since)) if since is not None
                else self._fetch(query))
        parse, get, new = Month.parse, out.get, tuple.__new__  # Score is a named tuple
        for agent_id, label, value, stored, block in rows:
            month = parse(label)
            by_month = get(agent_id)
            if by_month is None:
                by_month = out[agent_id] = {}
            by_month[month] = new(Score, (
                agent_id, month, Decimal(value),
                NO_METRICS if stored == "{}" else LazyMetrics(stored),
                None, block != 0, "", None, None, None))
        return out

    def attendance(self, month: Month) -> dict[str, dict[str, Decimal]]:
        """One month's attendance totals by agent (in agent order), through the driver's
        cursor; each distinct figure is made a Decimal once."""
        collate = ' COLLATE "C"' if self.conn.dialect.name == "postgresql" else ""
        rows = self._fetch("SELECT agent_id, totals FROM attendance WHERE month = ? "
                           f"ORDER BY agent_id{collate}", str(month))
        figures = _Figures()
        return {agent_id: figures.parse(totals) for agent_id, totals in rows}

    # pay inputs ---------------------------------------------------------------------
    def replace_pay_inputs(self, month: Month, rows: list[PayInputsRow]) -> None:
        """The pay-inputs workbook of pay month `month`: its rows replace the stored ones."""
        self.conn.execute(delete(pay_inputs).where(pay_inputs.c.pay_month == str(month)))

        def dumps(amounts: Mapping[str, Decimal]) -> str:
            return json.dumps({k: str(v) for k, v in amounts.items()}, ensure_ascii=False)

        self._insert_many(pay_inputs, (
            "pay_month", "agent_id", "hours", "amounts", "one_off", "reason", "source"), (
            (str(month), r.agent_id, dumps(r.hours), dumps(r.amounts),
             None if r.one_off is None else str(r.one_off), r.reason, str(r.source))
            for r in rows))

    def pay_inputs(self, month: Month) -> dict[str, PayInputsRow]:
        """The stored pay inputs of pay month `month`, by agent."""
        rows = self.conn.execute(select(pay_inputs).where(
            pay_inputs.c.pay_month == str(month))).mappings()

        def loads(text: str) -> dict[str, Decimal]:
            return {k: Decimal(v) for k, v in json.loads(text).items()}

        return {r["agent_id"]: PayInputsRow(
            r["agent_id"], Source(r["source"]), loads(r["hours"]), loads(r["amounts"]),
            None if r["one_off"] is None else Decimal(r["one_off"]), r["reason"])
            for r in rows}

    # decisions ----------------------------------------------------------------------
    def replace_decisions(self, through: Month, found: list[Decision],
                          since: Month | None = None) -> None:
        """Decisions are derived from the scores: promote re-derives them and the table is
        made to hold exactly the ones found up to `through` (those decided in `since` or
        later, if given: the earlier ones were derived from a checkpoint's past and stay). A
        decision already stored keeps its row (its id and when it was first recorded); the
        ones no longer found are deleted, the new ones added after the last id: a month's
        promote touches the few rows that changed, not the tens of thousands of earlier
        decisions."""
        wanted = [(d.agent_id, str(d.decided), str(d.effective), d.from_level, d.to_level,
                   d.kind, d.rule, d.reason, _month_list(d.trigger_months))
                  for d in found if d.decided <= through and (since is None or d.decided >= since)]
        query = ("SELECT id, agent_id, decided_month, effective_month, from_level, to_level, "
                 "kind, rule, reason, trigger_months FROM decisions")
        stored = (self._fetch(query + " WHERE decided_month >= ?", str(since))
                  if since is not None else self._fetch(query))
        last = self._fetch("SELECT max(id) FROM decisions")[0][0]
        next_id = (last or 0) + 1
        keep = set(wanted)
        gone = [(row[0],) for row in stored if row[1:] not in keep]
        if gone:
            self.conn.exec_driver_sql(f"DELETE FROM decisions WHERE id = {self._mark()}", gone)
        have = {row[1:] for row in stored}
        stamp = now()
        # explicit ids, after the last one: the same on SQLite and PostgreSQL (whose sequence
        # would go on counting from rows deleted long ago)
        self._insert_many(decisions, (
            "id", "agent_id", "decided_month", "effective_month", "from_level", "to_level",
            "kind", "rule", "reason", "trigger_months", "recorded_at"), (
            (i, *row, stamp)
            for i, row in enumerate((row for row in wanted if row not in have), start=next_id)))
        self.set_setting("promoted_through", str(through))

    def decisions(self, since: Month | None = None) -> list[Decision]:
        """The recorded decisions (decided in `since` or later, if given)."""
        query = select(decisions).order_by(
            *self._order(decisions.c.decided_month, decisions.c.agent_id))
        if since is not None:
            query = query.where(decisions.c.decided_month >= str(since))
        rows = self.conn.execute(query).mappings()
        return [Decision(r["agent_id"], Month.parse(r["decided_month"]),
                         Month.parse(r["effective_month"]), r["from_level"], r["to_level"],
                         r["kind"], r["rule"], r["reason"],
                         tuple(Month.parse(m) for m in json.loads(r["trigger_months"])))
                for r in rows]

    def count_decisions(self, before: Month) -> int:
        """How many recorded decisions were decided before `before`."""
        return int(self._fetch("SELECT count(*) FROM decisions WHERE decided_month < ?",
                               str(before))[0][0])

    # runs ---------------------------------------------------------------------------
    def record_run(self, command: str, details: dict[str, Any]) -> None:
        self.conn.execute(insert(runs).values(
            command=command, started_at=now(), user=os_user(), version=__version__,
            details=json.dumps(details, ensure_ascii=False, default=str)))

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The recorded runs, newest first (details parsed from JSON)."""
        query = select(runs).order_by(runs.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [{"id": r["id"], "command": r["command"], "started_at": r["started_at"],
                 "user": r["user"], "version": r["version"], "details": json.loads(r["details"])}
                for r in self.conn.execute(query).mappings()]

    # output files promised by a committed command (cslevel.finish) ------------------
    def record_outputs(self, rows: list[tuple[str, str, str]]) -> str:
        """Record a set of staged files (staging path, target, SHA-256) in this transaction;
        returns the set's token."""
        import uuid

        token = uuid.uuid4().hex
        stamp = now()
        self.conn.execute(insert(output_files), [
            {"token": token, "staged": staged, "target": target, "sha256": sha,
             "recorded_at": stamp} for staged, target, sha in rows])
        return token

    def pending_outputs(self) -> list[tuple[str, str, str, str]]:
        """(token, staging path, target, SHA-256) of every set recorded and not yet
        forgotten, in the order they were recorded."""
        return [tuple(r) for r in self.conn.execute(  # type: ignore[misc]
            select(output_files.c.token, output_files.c.staged, output_files.c.target,
                   output_files.c.sha256).order_by(output_files.c.id))]

    def forget_outputs(self, tokens: list[str]) -> None:
        """Forget sets whose files are in place (in this transaction)."""
        self.conn.execute(delete(output_files).where(output_files.c.token.in_(tokens)))

    def forget_outputs_now(self, token: str) -> None:
        """After the commit: forget the set in a short transaction of its own. Best effort:
        when the history is busy again (another command took it), that command finishes
        the set itself."""
        conn = self.conn
        try:
            if conn.dialect.name == "sqlite":  # (outside a transaction: the driver's own)
                dbapi = conn.connection.dbapi_connection
                dbapi.execute("PRAGMA busy_timeout = 1000")  # type: ignore[union-attr]
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT set_config('lock_timeout', '1000ms', true)"))
                conn.execute(delete(output_files).where(output_files.c.token == token))
        except DBAPIError:
            pass

    # locks and the audit trail ------------------------------------------------------
    def locks(self) -> dict[Month, tuple[str, str]]:
        """Locked months -> (locked at, by whom)."""
        rows = self.conn.execute(select(locks).order_by(*self._order(locks.c.month)))
        return {Month.parse(r.month): (r.locked_at, r.user) for r in rows}

    def lock(self, month: Month) -> tuple[str, str]:
        stamp, user = now(), os_user()
        self.conn.execute(insert(locks).values(month=str(month), locked_at=stamp, user=user))
        self._audit("lock", month, "")
        return stamp, user

    def unlock(self, month: Month, reason: str) -> tuple[str, str]:
        self.conn.execute(delete(locks).where(locks.c.month == str(month)))
        return self._audit("reopen", month, reason)

    def _audit(self, action: str, month: Month, reason: str) -> tuple[str, str]:
        stamp, user = now(), os_user()
        self.conn.execute(insert(audit).values(at=stamp, user=user, action=action,
                                               month=str(month), reason=reason))
        return stamp, user

    def audit_trail(self) -> list[dict[str, str]]:
        rows = self.conn.execute(select(audit).order_by(audit.c.id)).mappings()
        return [{k: r[k] for k in ("at", "user", "action", "month", "reason")} for r in rows]

    # adjustments: what a person set, apart from the imported scores ------------------
    def adjustments(self, agent_id: str | None = None) -> list[Adjustment]:
        """Every adjustment, undone ones too, oldest first (of one agent, if given)."""
        query = select(adjustments).order_by(adjustments.c.id)
        if agent_id is not None:
            query = query.where(adjustments.c.agent_id == agent_id)
        return [_adjustment(r) for r in self.conn.execute(query).mappings()]

    def add_adjustment(self, agent_id: str, month: Month, kind: AdjustmentKind, value: str,
                       was: str, reason: str, by: str | None = None) -> Adjustment:
        """Record an adjustment, by `by` (default: the OS user), now. The checkpoints kept
        were derived without it: they are dropped."""
        stamp, user = now(), by or os_user()
        new_id = self.conn.execute(insert(adjustments).values(
            agent_id=agent_id, month=str(month), kind=kind, value=value, was=was,
            reason=reason, user=user, at=stamp)).inserted_primary_key[0]  # type: ignore[index]
        self._drop_checkpoints()
        return Adjustment(int(new_id), agent_id, month, kind, value, was, reason, user, stamp)

    def undo_adjustment(self, adjustment: Adjustment, reason: str,
                        by: str | None = None) -> Adjustment:
        """Mark an adjustment undone (its row stays), by `by` (default: the OS user), now;
        the checkpoints kept are dropped."""
        stamp, user = now(), by or os_user()
        self.conn.execute(update(adjustments).where(adjustments.c.id == adjustment.id).values(
            undone_at=stamp, undone_user=user, undo_reason=reason))
        self._drop_checkpoints()
        return dataclasses.replace(adjustment, undone_at=stamp, undone_by=user,
                                   undo_reason=reason)

    # sign-off results ---------------------------------------------------------------
    def record_signoffs(self, results: list[SignoffResult], file: str,
                        user: str | None = None) -> None:
        """Keep the approved and rejected moves of an imported sign-off list (`user`: who
        imported it, else the OS user)."""
        stamp, by = now(), user or os_user()
        for r in results:
            self.conn.execute(insert(signoffs).values(
                agent_id=r.agent_id, effective_month=str(r.effective), from_level=r.from_level,
                to_level=r.to_level, result=r.result, approver=r.approver, note=r.note,
                file=file, at=stamp, user=by))

    def signoffs(self) -> dict[tuple[str, Month, str, str], SignoffResult]:
        """Each signed move's latest result, by (agent, effective month, from, to)."""
        rows = self.conn.execute(select(signoffs).order_by(signoffs.c.id)).mappings()
        out = {}
        for r in rows:
            result = SignoffResult(r["agent_id"], Month.parse(r["effective_month"]),
                                   r["from_level"], r["to_level"], r["result"], r["approver"],
                                   r["note"], r["at"], r["user"])
            out[result.move] = result
        return out


def _adjustment(row: Any) -> Adjustment:
    return Adjustment(row["id"], row["agent_id"], Month.parse(row["month"]), row["kind"],
                      row["value"], row["was"], row["reason"], row["user"], row["at"],
                      row["undone_at"], row["undone_user"], row["undo_reason"])
