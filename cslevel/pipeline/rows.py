"""The months of a `score` run as the results show them: one row per agent scored in the
month (in the workbooks' order: team, then id) with the score the rules read (an adjusted
score's value where a person set one), the state the rules gave and the attendance summary;
and the results workbooks written from them."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from ..bulk import bulk_load
from ..i18n import _
from ..outcomes import MonthResult, ResultRow
from ..records import Agent, Month, MonthState, Problem, Score
from ..store import History
from ..templates import Scheme
from . import session as sessions
from .derive import Derived, corrections_of, scores_in_use
from .intake import Intake
from .session import Progress, Session, staging


def month_results(history: History, scheme: Scheme, derived: Derived, scored: list[Month],
                  intake: Intake) -> list[MonthResult]:
    """Each scored month's rows; the scores' explanations stay in the history until the
    month's workbook is written."""
    wanted = set(scored)
    states_by_month: dict[Month, list[tuple[Agent, MonthState]]] = {m: [] for m in scored}
    all_scores = scores_in_use(history, scheme, corrections_of(history), since=scored[0])
    no_scores: dict[Month, Score] = {}
    months = []
    with bulk_load():  # a row per agent and month: hundreds of thousands
        # in the workbooks' order (team, then id), sorted once for every month
        for agent, states, _next in sorted(derived.values(),
                                           key=lambda v: (v[0].team, v[0].agent_id)):
            for state in states:
                if state.month in wanted:
                    states_by_month[state.month].append((agent, state))
        for m in scored:
            attendance_of = intake.attendance.get(m, {})
            result_rows = []
            for agent, state in states_by_month.pop(m):
                score = all_scores.get(agent.agent_id, no_scores).get(m)
                if score is not None:
                    result_rows.append(ResultRow(agent, score, state,
                                                 attendance_of.get(agent.agent_id)))
            months.append(MonthResult(m, result_rows, intake.months[m]))
    return months


def write_results(history: History, scheme: Scheme, months: list[MonthResult],
                  targets: list[Path], new_folder: Path | None, problems: list[Problem],
                  protected: list[tuple[Path, str]], session: Session | None,
                  progress: Progress) -> list[Path]:
    """Stage each month's results workbook (written by a worker when large; in `cslevel
    run`, left for the run's own process to write last)."""
    from ..export.results import results_book, write_results_book

    if new_folder is not None:
        new_folder.mkdir(parents=True)
        history.after_rollback.append(partial(shutil.rmtree, new_folder, ignore_errors=True))
    written = []
    try:
        later = session is not None and session.write_later
        with staging(session, history, protected) as staged:
            for month_result, target in zip(months, targets):
                if not later:
                    progress(_("writing {file}").format(file=target.name))
                # the month's cells, with the scores' explanations read back from the
                # history (the rows kept in the result share the rules' scores, which hold
                # neither)
                book = results_book(scheme, month_result, problems,
                                    history.explanations(month_result.month))
                staged.write(target, partial(write_results_book, book=book),
                             background=len(month_result.rows) >= sessions.BACKGROUND_ROWS,
                             later=later)
                written.append(target)
    except BaseException:
        if new_folder is not None:
            shutil.rmtree(new_folder, ignore_errors=True)
        raise
    return written
