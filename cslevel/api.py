"""The analysts' face: a history database -> pandas DataFrames, for a notebook to pivot.

    import cslevel
    with cslevel.open_history("h.db") as h:          # or "postgresql://user@host/db"
        h.levels().pivot(index="agent_id", columns="month", values="level")

Input: a history's SQLite path or database URL (as `--db` takes it). Output: DataFrames whose
values are those the commands give with `--json`: agent ids as text (leading zeros kept),
months as `pandas.Period` (freq M, column dtype `period[M]`), scores and money as `Decimal`
objects (exact: no binary float ever holds them), other figures as Python values.

Read-only: every call opens the history as the read commands do (`cslevel history`): one
short transaction, rolled back at its end, so a schema that is older than this cslevel is
migrated in that transaction only and nothing is recorded (no run, no decision, no
checkpoint); the repair of a killed command's outputs (`finish.recover`) is left to the next
command. Nothing is held between calls: a notebook left open never keeps a `cslevel run`
waiting, and each call sees the history as it is when it is made.

The frames are what the pipeline's stages give: the levels and decisions are replayed by
the rules (`pipeline.derive`), the payroll is `pipeline.pay.payroll_of` with the corrections
it carries (`pipeline.retro`), exactly as `cslevel payroll export` works them out.

This module imports pandas; `cslevel/__init__.py` imports it only when `cslevel.open_history`
is first used, so `cslevel --help` and `import cslevel` stay light.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import pandas as pd

from .i18n import _
from .records import Agent, Month

if TYPE_CHECKING:
    from .records import Adjustment, Decision, MonthState
    from .store import History

__all__ = ["HistoryFrames", "open_history"]

_NOTHING = Decimal("0.00")  # a component a payroll line does not have
# where each level in force came from (levels()["source"])
ROSTER, RULE, PLACEMENT = "roster", "rule", "placement"


def open_history(db: str | os.PathLike[str]) -> HistoryFrames:
    """Open a cslevel history for reading: a SQLite file path or a database URL
    (`postgresql://user@host/db`). The history must exist and hold scores; otherwise a
    `cslevel.records.CslevelError` says what is wrong and what to do. Use it as a context
    manager, or call `close()`."""
    frames = HistoryFrames(db)
    frames.months()  # refuse a missing, empty or damaged history now, not at the first frame
    return frames


def _period(month: Month) -> pd.Period:
    return pd.Period(year=month.year, month=month.month, freq="M")


def _periods(months: Iterable[Month]) -> pd.api.extensions.ExtensionArray:
    return pd.array([_period(m) for m in months], dtype="period[M]")


def _month(value: str | pd.Period | date | Month) -> Month:
    """A month as the caller gives it: "2026-11", a `pandas.Period`, a date, a `Month`."""
    if isinstance(value, Month):
        return value
    if isinstance(value, pd.Period):
        return Month(value.year, value.month)
    if isinstance(value, date):
        return Month.of(value)
    return Month.parse(str(value).strip())


def _frame(columns: dict[str, Any], order: list[str]) -> pd.DataFrame:
    """A frame with its columns in `order`; text columns stay Python str objects (ids never
    become numbers), object columns hold Decimals as they are."""
    return pd.DataFrame({name: columns[name] for name in order})


def _texts(values: list[str]) -> pd.Series:
    """A text column: pandas' string dtype `str` (pandas 3; object holding str in pandas 2),
    whatever the texts look like ("0007" stays "0007")."""
    return pd.Series(values, dtype=str)


class HistoryFrames:
    """A cslevel history seen as pandas DataFrames (see `open_history`). Every method reads
    the history anew, read-only; `close()` (or leaving the `with` block) ends its use."""

    def __init__(self, db: str | os.PathLike[str]):
        self._db = os.fspath(db)
        self._closed = False

    # --- opening and closing -------------------------------------------------------------
    def close(self) -> None:
        """End the use of this history; later calls raise ValueError. (No connection is held
        between calls, so there is nothing else to release.)"""
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        from .store import database_url
        from .store.connect import _shown

        state = "closed" if self._closed else "open"
        return f"<cslevel history {_shown(database_url(self._db))} ({state})>"

    @contextmanager
    def _reading(self) -> Iterator[History]:
        """The history in one read-only transaction (rolled back at its end)."""
        if self._closed:
            raise ValueError(_("this history was closed; open it again with "
                               "cslevel.open_history"))
        from .store import open_history as open_store

        with open_store(self._db, write=False, must_exist=True, recover=False) as history:
            yield history

    # --- the frames ----------------------------------------------------------------------
    def months(self) -> pd.PeriodIndex:
        """The scored months the history holds, oldest first (a PeriodIndex named month)."""
        from .pipeline.derive import stored_scheme

        with self._reading() as history:
            stored_scheme(history)  # a history without scores says so
            scored = history.scored_months()
        return pd.PeriodIndex(_periods(scored), name="month")

    def scores(self) -> pd.DataFrame:
        """One row per agent and scored month, by agent then month. Columns:

        - agent_id (str), name (str), team (str), month (period[M]);
        - score (Decimal): the score in use, the one the rules read (`cslevel history`'s
          score): a score set by `cslevel adjust score` where there is one, else the imported;
        - imported_score (Decimal): the score as imported from the KPI workbook;
        - one column per metric key the scores have stored (response_time, satisfaction, …;
          Decimal, as read from the workbook; None where an agent's month has no such metric).
          A metric key that is also one of the names above gets the prefix `metric_`.
        """
        from .pipeline.derive import corrections_of, stored_scheme

        with self._reading() as history:
            stored_scheme(history)
            agents = history.agents()
            stored = history.scores(metrics=True)
            in_use = corrections_of(history).applied(stored)
        keys: dict[str, None] = {}
        rows = []
        for agent_id in sorted(stored):
            for month in sorted(stored[agent_id]):
                imported = stored[agent_id][month]
                metrics = dict(imported.metrics)
                keys.update(dict.fromkeys(metrics))
                rows.append((agent_id, month, in_use[agent_id][month].value, imported.value,
                             metrics))
        fixed = ["agent_id", "name", "team", "month", "score", "imported_score"]
        named = {key: f"metric_{key}" if key in fixed else key for key in keys}
        columns: dict[str, Any] = {
            "agent_id": _texts([r[0] for r in rows]),
            "name": _texts([_agent(agents, r[0]).name for r in rows]),
            "team": _texts([_agent(agents, r[0]).team for r in rows]),
            "month": _periods(r[1] for r in rows),
            "score": pd.Series([r[2] for r in rows], dtype=object),
            "imported_score": pd.Series([r[3] for r in rows], dtype=object),
        }
        for key, name in named.items():
            columns[name] = pd.Series([r[4].get(key) for r in rows], dtype=object)
        return _frame(columns, [*fixed, *named.values()])

    def levels(self) -> pd.DataFrame:
        """One row per agent and month from the agent's first month in the history to the
        latest scored month (or the month it left), by agent then month: the level in force
        that month (the level it is paid at), as `cslevel history` shows it. Columns:

        - agent_id, name, team (str), month (period[M]), level (str);
        - source (str): where that level came from — `roster`: the level the agent entered
          the history with (the roster's or the workbook's 当前级别, else the template's
          trial or entry level) and has kept since; `rule`: a move of the template's rules
          (the end of a trial included) in force from that month or earlier; `placement`:
          a level set by a person (`cslevel adjust level`);
        - adjustment_id (Int64): the placement's adjustment id in the month it takes effect
          (null otherwise: see `adjustments()`);
        - in_trial, counted, probation (bool): a trial month; the month's score counted
          towards the rule's streaks or averages; a probation month (weighted scheme);
        - flags (tuple of str): what a person must decide that month (dismissal review, …).

        The level of the month after the latest scored one is the `to_level` of the
        decisions effective then, else the last row's level (`payroll(month)` pays it).
        """
        with self._reading() as history:
            derived = self._derived(history)
        rows: list[tuple[Agent, MonthState, str]] = []
        for agent_id in sorted(derived):
            agent, states, _next = derived[agent_id]
            source = ROSTER
            before: MonthState | None = None
            for state in states:
                if state.adjustment is not None:
                    source = PLACEMENT
                elif (before is not None and before.decision is not None
                      and before.decision.effective == state.month):
                    source = RULE
                rows.append((agent, state, source))
                before = state
        columns = {
            "agent_id": _texts([a.agent_id for a, _s, _w in rows]),
            "name": _texts([a.name for a, _s, _w in rows]),
            "team": _texts([a.team for a, _s, _w in rows]),
            "month": _periods(s.month for _a, s, _w in rows),
            "level": _texts([s.level for _a, s, _w in rows]),
            "source": _texts([w for _a, _s, w in rows]),
            "adjustment_id": pd.array([s.adjustment for _a, s, _w in rows], dtype="Int64"),
            "in_trial": pd.array([s.in_trial for _a, s, _w in rows], dtype=bool),
            "counted": pd.array([s.counted for _a, s, _w in rows], dtype=bool),
            "probation": pd.array([s.probation for _a, s, _w in rows], dtype=bool),
            "flags": pd.Series([tuple(s.flags) for _a, s, _w in rows], dtype=object),
        }
        return _frame(columns, list(columns))

    def decisions(self) -> pd.DataFrame:
        """Every move the rules decide over the history, by decided month then agent: the
        moves of `cslevel promote --as-of M` for each scored month M. Columns:

        - agent_id, name, team (str);
        - kind (str): promote, demote or trial_end;
        - from_level, to_level (str): the level before and after the move;
        - decided (period[M]): the month at whose close it is decided (promote's --as-of);
        - effective (period[M]): the first month paid at to_level (decided + 1);
        - rule (str), reason (str): the rule and why, as the sign-off list says it;
        - trigger_months (tuple of Period): the months whose scores made the move;
        - confirmed (bool): `cslevel promote` has recorded the decisions of that month.

        Placements (levels set by a person) are not moves of the rules: see
        `adjustments()` and the `source` column of `levels()`.
        """
        with self._reading() as history:
            derived = self._derived(history)
            promoted = history.setting("promoted_through")
        through = Month.parse(promoted) if promoted else None
        found: list[tuple[Agent, Decision]] = [
            (agent, state.decision) for agent, states, _next in derived.values()
            for state in states if state.decision is not None]
        found.sort(key=lambda pair: (pair[1].decided, pair[1].agent_id))
        columns = {
            "agent_id": _texts([d.agent_id for _a, d in found]),
            "name": _texts([a.name for a, _d in found]),
            "team": _texts([a.team for a, _d in found]),
            "kind": _texts([d.kind for _a, d in found]),
            "from_level": _texts([d.from_level for _a, d in found]),
            "to_level": _texts([d.to_level for _a, d in found]),
            "decided": _periods(d.decided for _a, d in found),
            "effective": _periods(d.effective for _a, d in found),
            "rule": _texts([d.rule for _a, d in found]),
            "reason": _texts([d.reason for _a, d in found]),
            "trigger_months": pd.Series(
                [tuple(_period(m) for m in d.trigger_months) for _a, d in found], dtype=object),
            "confirmed": pd.array([through is not None and d.decided <= through
                                   for _a, d in found], dtype=bool),
        }
        return _frame(columns, list(columns))

    def payroll(self, month: str | pd.Period | date | Month) -> pd.DataFrame:
        """The payroll of `month` ("2026-11", a Period or a date): one row per agent paid,
        in the order of `cslevel payroll export --month M --json`'s rows (by team, then
        agent). Columns:

        - agent_id, name, team (str), month (period[M]), level (str): the level paid;
        - one column per pay component, in the template's order (基本工资, 岗位绩效工资, …;
          Decimal, rounded half up at the fen), with 补发/扣回 when the payroll carries
          corrections of paid months (0.00 on the lines that carry none, where the export's
          line has no such component);
        - total (Decimal): the sum of the components; previous_total (Decimal or None): the
          month before's;
        - change (str): why the pay differs from the month before; note (str): how the
          amounts were worked out.

        `frame.attrs["warnings"]` lists the warnings `payroll export` prints (a text each),
        e.g. decisions not yet confirmed with `cslevel promote`. A month already paid (its
        payroll recorded at `cslevel lock`) gives what is due now, as `payroll corrections`
        works it out; `payroll export` refuses to write it again.
        """
        from .pipeline import retro
        from .pipeline.pay import payroll_of

        wanted = _month(month)
        with self._reading() as history:
            result = payroll_of(history, wanted)
            corrections, problems, _examined = retro.carried(history, result.month)
            retro.carry(result, corrections)
            result.problems[:0] = problems
        components: dict[str, None] = {}
        for line in result.lines:
            components.update(dict.fromkeys(line.components))
        fixed = ["agent_id", "name", "team", "month", "level"]
        after = ["total", "previous_total", "change", "note"]
        lines = result.lines
        columns: dict[str, Any] = {
            "agent_id": _texts([ln.agent_id for ln in lines]),
            "name": _texts([ln.name for ln in lines]),
            "team": _texts([ln.team for ln in lines]),
            "month": _periods(ln.month for ln in lines),
            "level": _texts([ln.level for ln in lines]),
        }
        for name in components:  # (补发/扣回 is on the lines that carry corrections only)
            columns[name] = pd.Series([ln.components.get(name, _NOTHING) for ln in lines],
                                      dtype=object)
        columns |= {
            "total": pd.Series([ln.total for ln in lines], dtype=object),
            "previous_total": pd.Series([ln.previous_total for ln in lines], dtype=object),
            "change": _texts([ln.change for ln in lines]),
            "note": _texts([ln.note for ln in lines]),
        }
        frame = _frame(columns, [*fixed, *components, *after])
        frame.attrs["warnings"] = [str(p) for p in result.problems]
        return frame

    def adjustments(self, *, undone: bool = False) -> pd.DataFrame:
        """The adjustments in force, oldest first, as `cslevel adjust list --json` gives
        them; with `undone=True` the undone ones too. Columns:

        - id (int64), agent_id (str), month (period[M]): the month scored (score) or the
          first month at the level (level);
        - kind (str): score or level; value (str): the score set (the exact text of a
          Decimal) or the level; was (str): what was in force before;
        - reason, by (str); at (str): when, UTC, ISO 8601;
        - active (bool); undone_at, undone_by, undo_reason (str or None): only with
          `undone=True`.
        """
        with self._reading() as history:
            found = [a for a in history.adjustments() if undone or a.active]
        return _adjustment_frame(found, undone)

    # --- shared --------------------------------------------------------------------------
    @staticmethod
    def _derived(history: History) -> Mapping[str, tuple[Agent, list[MonthState], str]]:
        """Every agent's month states, replayed in full through the latest scored month
        (never from checkpoints: every month's state is wanted)."""
        from .pipeline.derive import derive, stored_scheme

        return derive(history, stored_scheme(history))


def _agent(agents: Mapping[str, Agent], agent_id: str) -> Agent:
    return agents.get(agent_id) or Agent(agent_id)


def _adjustment_frame(found: list[Adjustment], undone: bool) -> pd.DataFrame:
    columns: dict[str, Any] = {
        "id": pd.array([a.id for a in found], dtype="int64"),
        "agent_id": _texts([a.agent_id for a in found]),
        "month": _periods(a.month for a in found),
        "kind": _texts([a.kind for a in found]),
        "value": _texts([a.value for a in found]),
        "was": _texts([a.was for a in found]),
        "reason": _texts([a.reason for a in found]),
        "by": _texts([a.by for a in found]),
        "at": _texts([a.at for a in found]),
    }
    if undone:
        columns |= {
            "active": pd.array([a.active for a in found], dtype=bool),
            "undone_at": pd.Series([a.undone_at for a in found], dtype=object),
            "undone_by": pd.Series([a.undone_by for a in found], dtype=object),
            "undo_reason": pd.Series([a.undo_reason for a in found], dtype=object),
        }
    return _frame(columns, list(columns))
