"""Pay stage: the derived levels, the stored figures and the template's pay -> one pay line
per agent paid in a month (cslevel.payroll works out each line, in Decimal), each with why
it differs from the month before, and the moves taking effect that month."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from ..i18n import _
from ..outcomes import PayrollResult
from ..payroll import (
    PayInputs,
    change_reasons,
    line_total,
    management_bonus,
    pay_line,
    rank_places,
    team_lead_pay,
)
from ..records import (
    Agent,
    CslevelError,
    Month,
    MonthState,
    PayLine,
    Problem,
    Score,
    SignoffResult,
    Source,
    month_range,
)
from ..rules import opening
from ..store import History
from ..templates import Scheme
from . import session as sessions
from .derive import corrections_of, derive, scores_in_use, state_at, stored_scheme, window_of
from .session import Session, staging


def payroll_of(history: History, month: Month | None,
             confirmed_through: Month | None = None) -> PayrollResult:
    """The payroll of `month` (default: the month after the latest scored one), each line
    with the reasons it differs from the month before, and the moves taking effect."""
    scheme = stored_scheme(history)
    scored = history.scored_months()
    month = month or scored[-1] + 1
    if month < scored[0]:
        raise CslevelError(Problem(
            _("the history starts in {first}; there is nothing to pay for {month}").format(
                first=scored[0], month=month),
            hint=_("Give a month from {first} to {last}.").format(first=scored[0],
                                                                  last=scored[-1] + 1)))
    if month > scored[-1] + 1:
        raise CslevelError(Problem(
            _("no scores for {previous}: the level in force in {month} is not known yet").format(
                previous=month - 1, month=month),
            hint=_("Score {previous} first (the latest scored month is {latest}).").format(
                previous=month - 1, latest=scored[-1])))
    same = scheme.pay.figures == "same"
    if same and month not in scored:
        raise CslevelError(Problem(
            _("the template pays {month} from its own figures (pay.figures: same), and {month} "
              "is not scored yet").format(month=month),
            hint=_("Score {month} first, then export its payroll.").format(month=month)))
    through = month if same else month - 1
    # the states read: the pay month's and the month before's, with their figures' months;
    # a team lead's pay reads the team's scores of the last review window
    needed = month + (-2)
    derived = derive(history, scheme, through, window_of(history, scheme), needed=needed)
    problems: list[Problem] = []
    stored = history.setting("promoted_through")
    promoted = Month.parse(stored) if stored else None
    if confirmed_through is not None and (promoted is None or confirmed_through > promoted):
        promoted = confirmed_through
    if month > scored[0] and (promoted is None or promoted < month - 1):
        problems.append(Problem(
            _("the decisions at the close of {month} have not been confirmed with "
              "`cslevel promote`; the levels paid assume them").format(month=month - 1),
            severity="warning"))
    # the scores read: the figures' months, and the latest scored month up to the month
    # before (who is paid besides the roster) even where months in between have no scores
    latest_before = max((m for m in scored if m <= month - 1), default=needed)
    # (an adjusted score's value where a person set one: the performance pay reads it)
    all_scores = scores_in_use(history, scheme, corrections_of(history),
                               since=None if scheme.pay.team_lead is not None
                               else min(needed, latest_before))
    lines = pay_month(history, scheme, month, derived, all_scores, scored, problems)
    before = (pay_month(history, scheme, month - 1, derived, all_scores, scored, [],
                         explain=False) if month - 1 >= scored[0] else {})
    fixes = corrections_of(history).by_agent
    for agent_id, line in (lines if before else {}).items():  # nothing to compare with
        agent, states, _next = derived[agent_id]
        decision = next((s.decision for s in states if s.decision
                         and s.decision.effective == month), None)
        fix = fixes.get(agent_id)
        placed = fix.levels.get(month) if fix is not None else None  # a level set this month
        reasons = tuple(change_reasons(before.get(agent_id), line, decision, agent, scheme,
                                       placed.id if placed is not None else None))
        lines[agent_id] = PayLine(  # (made anew: dataclasses.replace costs 5× more)
            line.agent_id, line.name, line.team, line.month, line.level, line.components,
            line.total, line.note, _("; ").join(reasons),
            before[agent_id].total if agent_id in before else None, reasons)
    gone = []
    for a, line in before.items():
        if a not in lines:
            reasons = tuple(change_reasons(line, None, None, derived[a][0], scheme))
            gone.append(PayLine(a, derived[a][0].name, derived[a][0].team, month, line.level,
                                {}, Decimal("0.00"), "", _("; ").join(reasons), line.total,
                                reasons))
    moves = sorted((s.decision for _, states, _ in derived.values() for s in states
                    if s.decision and s.decision.effective == month),
                   key=lambda d: d.agent_id)
    ordered = sorted(lines.values(), key=lambda line: (line.team, line.agent_id))
    return PayrollResult(scheme, month, ordered, problems, moves=moves,
                         agents={a: v[0] for a, v in derived.items()},
                         gone=sorted(gone, key=lambda line: (line.team, line.agent_id)),
                         previous_paid=bool(before))


class PayrollReads:
    """What the payroll reads from the history besides the derived states (the attendance
    of the months the pay reads, the signed sign-off lists, the pay inputs) for the months
    `months` paid under each of `schemes`, read before the months are shared out with a
    forked worker, which may not use the history's connection. Passed where the payroll
    takes the history."""

    def __init__(self, history: History, schemes: Sequence[Scheme],
                 months: list[Month]) -> None:
        # only a template with an attendance deduction reads the attendance
        wanted = sorted({m if scheme.pay.figures == "same" else m - 1 for scheme in schemes
                         if scheme.pay.attendance_deduction is not None for m in months})
        self._attendance = {m: history.attendance(m) for m in wanted}
        self._signoffs = (history.signoffs() if any(s.signoff.required for s in schemes)
                          else {})
        # the pay-inputs workbooks' items (overtime, deductions, one-off amounts) of each month
        self._pay_inputs = ({m: history.pay_inputs(m) for m in months}
                            if any(s.pay.inputs is not None for s in schemes) else {})

    def pay_inputs(self, month: Month) -> Any:
        return self._pay_inputs.get(month, {})

    def attendance(self, month: Month) -> dict[str, dict[str, Decimal]]:
        return self._attendance.get(month, {})

    def signoffs(self) -> dict[tuple[str, Month, str, str], SignoffResult]:
        return self._signoffs


def pay_month(
    history: History, scheme: Scheme, month: Month,
    derived: dict[str, tuple[Agent, list[MonthState], str]],
    all_scores: dict[str, dict[Month, Score]], scored: list[Month], problems: list[Problem],
    explain: bool = True, attendance: dict[str, dict[str, Decimal]] | None = None,
) -> dict[str, PayLine]:
    """One pay line per agent paid in `month`, by agent id (without how each was worked out
    if not `explain`: a month only compared with). `attendance`: the figures month's, when
    the caller has read it already."""
    return {inputs.agent.agent_id: pay_line(inputs, scheme, explain) for inputs in paid_in(
        history, scheme, month, derived, all_scores, scored, problems, attendance)}


def pay_totals(
    history: History, scheme: Scheme, month: Month,
    derived: dict[str, tuple[Agent, list[MonthState], str]],
    all_scores: dict[str, dict[Month, Score]], scored: list[Month], problems: list[Problem],
    attendance: dict[str, dict[str, Decimal]] | None = None,
) -> dict[str, tuple[str, Decimal]]:
    """(level paid, total) per agent paid in `month`, by agent id: `pay_month`'s lines'
    levels and totals (the same agents, the same amounts; `payroll.line_total`), for a
    report or a what-if that sums them and shows no line."""
    return {inputs.agent.agent_id: (inputs.level, line_total(inputs, scheme))
            for inputs in paid_in(history, scheme, month, derived, all_scores, scored,
                                  problems, attendance)}


def paid_in(
    history: History, scheme: Scheme, month: Month,
    derived: dict[str, tuple[Agent, list[MonthState], str]],
    all_scores: dict[str, dict[Month, Score]], scored: list[Month], problems: list[Problem],
    attendance: dict[str, dict[str, Decimal]] | None = None,
) -> Iterator[PayInputs]:
    """What each agent paid in `month` is paid from: who is paid (on the roster, hired by
    then, not gone, scored), at which level, the figures month's score if it counts, the
    attendance, the team lead's pay, the bonuses and the pay-inputs row."""
    figures = month if scheme.pay.figures == "same" else month - 1
    if attendance is None:
        attendance = history.attendance(figures)
    if (scheme.pay.attendance_deduction is not None and not attendance
            and figures >= scored[0]):
        problems.append(Problem(
            _("no attendance stored for {figures}: nobody has an attendance deduction in "
              "{month}").format(figures=figures, month=month), severity="warning",
            hint=_("Score {figures} again with --attendance to deduct absences.").format(
                figures=figures)))
    month_scores = {a: s.get(month) for a, s in all_scores.items()}
    latest_scored = max(m for m in scored if m <= month) if scored[0] <= month else None
    latest_ids = {a for a, s in all_scores.items() if latest_scored in s}
    # with signoff.required, a move is paid once approved on the signed sign-off list
    signed = history.signoffs() if scheme.signoff.required else None
    entered = history.pay_inputs(month) if scheme.pay.inputs is not None else {}
    ranks, managed = _ranks_and_teams(scheme, figures, derived, all_scores)
    management = scheme.pay.management_bonus is not None
    lead_paid = scheme.pay.team_lead is not None
    no_scores: dict[Month, Score] = {}
    # (gone before the month's first day, hired after its last: as dates, quicker than months)
    first_day, last_day = month.first_day(), (month + 1).first_day() - timedelta(days=1)
    for agent_id, (agent, states, next_level) in derived.items():
        if agent.leave_date and agent.leave_date < first_day:
            continue
        if agent.hire_date and agent.hire_date > last_day:
            continue
        if agent.first_month is None:  # on the roster, not scored yet: a new hire
            if not (agent.in_roster and agent.hire_date):
                continue
            trial_end, level = opening(
                dataclasses.replace(agent, first_month=Month.of(agent.hire_date)), scheme)
            if trial_end is not None and month > trial_end:
                level = agent.start_level or scheme.entry_level
            yield PayInputs(agent, month, level, figures, None, attendance.get(agent_id), None,
                            entered.get(agent_id), None,
                            _management(agent, level, scheme, figures, managed)
                            if management else None)
            continue
        if agent.first_month > month:
            continue
        if not (agent.in_roster or month_scores.get(agent_id) or agent_id in latest_ids):
            continue
        state, figure_state = _states_at(states, month, figures)
        level = state.level if state is not None else next_level
        if signed is not None:
            level = signed_level(agent_id, states, level, month, signed, problems)
        score = all_scores.get(agent_id, no_scores).get(figures)
        counted = score is not None and figure_state is not None and not figure_state.in_trial
        lead = (lead_pay(agent, level, scheme, month, derived, all_scores)
                if lead_paid and agent.team_lead else None)
        yield PayInputs(agent, month, level, figures, score.value if counted and score else None,
                        attendance.get(agent_id), lead, entered.get(agent_id),
                        ranks.get(agent_id),
                        _management(agent, level, scheme, figures, managed)
                        if management else None)


def _states_at(states: list[MonthState], month: Month, figures: Month
               ) -> tuple[MonthState | None, MonthState | None]:
    """`state_at` of the pay month and of its figures month, found by position together
    when the figures month is the state before (one lookup per agent and month)."""
    if states:
        first = states[0].month
        at = (month.year - first.year) * 12 + month.month - first.month
        before = at - ((month.year - figures.year) * 12 + month.month - figures.month)
        if 0 <= before <= at < len(states):
            state, figure_state = states[at], states[before]
            if state.month == month and figure_state.month == figures:
                return state, figure_state
    return state_at(states, month), state_at(states, figures)


def _ranks_and_teams(
    scheme: Scheme, figures: Month, derived: dict[str, tuple[Agent, list[MonthState], str]],
    all_scores: dict[str, dict[Month, Score]],
) -> tuple[dict[str, tuple[int, int]], dict[str, list[tuple[str, Decimal]]]]:
    """For the KPI-rank bonus, each agent's (place, of how many) in the centre's ranking of
    the figures month; for the management bonus, each team's (agent, score) of that month.
    Only counted scores (not a trial month's) take part."""
    pay = scheme.pay
    if pay.rank_bonus is None and pay.management_bonus is None:
        return {}, {}
    counted: dict[str, Decimal] = {}
    teams: dict[str, list[tuple[str, Decimal]]] = {}
    for agent_id, (agent, states, _next) in derived.items():
        score = all_scores.get(agent_id, {}).get(figures)
        state = state_at(states, figures)
        if score is None or state is None or state.in_trial:
            continue
        counted[agent_id] = score.value
        teams.setdefault(agent.team, []).append((agent_id, score.value))
    ranks = {}
    if pay.rank_bonus is not None:
        places = rank_places(counted, pay.rank_bonus.ties)
        ranks = {a: (place, len(counted)) for a, place in places.items()}
    return ranks, teams


def _management(agent: Agent, level: str, scheme: Scheme, figures: Month,
                teams: dict[str, list[tuple[str, Decimal]]]) -> tuple[Decimal, str] | None:
    """The management bonus of a manager (a supervisor, a team lead or an agent at a
    manager's level, as the template says) by the team's scores of the figures month, the
    manager's own left out."""
    rule = scheme.pay.management_bonus
    if rule is None:
        return None
    manager = (bool(agent.supervisor_tier) if rule.who == "supervisors" else
               agent.team_lead if rule.who == "team_leads" else level in rule.levels)
    if not manager:
        return None
    team = [value for a, value in teams.get(agent.team, []) if a != agent.agent_id]
    return management_bonus(agent, scheme, figures, team)


def signed_level(agent_id: str, states: list[MonthState], level: str, month: Month,
                 signed: dict[tuple[str, Month, str, str], SignoffResult],
                 problems: list[Problem]) -> str:
    """The level paid in `month` when moves are paid only once signed off: back through
    the moves that led to `level`, to the level before the first one not approved (each
    such move listed in `problems`)."""
    moves = [s.decision for s in reversed(states)
             if s.decision is not None and s.decision.effective <= month]
    for move in moves:
        if move.to_level != level:
            continue
        got = signed.get((agent_id, move.effective, move.from_level, move.to_level))
        if got is not None and got.result == "approved":
            break
        problems.append(Problem(
            (_("{agent}: the move {from_level} → {to_level} from {effective} was refused on the "
               "signed sign-off list; paid at {from_level}") if got is not None else
             _("{agent}: the move {from_level} → {to_level} from {effective} is not signed off "
               "yet; paid at {from_level} until it is")).format(
                agent=agent_id, from_level=move.from_level, to_level=move.to_level,
                effective=move.effective),
            severity="warning",
            hint=None if got is not None else _(
                "Import the signed sign-off list: cslevel signoff import FILE")))
        level = move.from_level
    return level


def lead_pay(
    lead: Agent, level: str, scheme: Scheme, month: Month,
    derived: dict[str, tuple[Agent, list[MonthState], str]],
    scores: dict[str, dict[Month, Score]],
) -> tuple[Decimal, str]:
    """Team-lead pay in `month`, for the last review window closed before it."""
    reviews = [m for m in month_range(month + (-12), month - 1)
               if m.month in scheme.promotion.review_months]
    if not reviews:
        return Decimal(0), ""
    window = month_range(reviews[-1] + (1 - scheme.promotion.window), reviews[-1])
    # the team's 客户助理: the lead (and any other lead of the team) not counted (004)
    team = [a for a, (agent, _, _) in derived.items()
            if agent.team == lead.team and not agent.team_lead]
    team_scores = [scores[a][m].value for a in team for m in window if m in scores.get(a, {})]
    lead_metrics = [scores[lead.agent_id][m].metrics for m in window
                    if m in scores.get(lead.agent_id, {})]
    return team_lead_pay(lead, level, scheme, window, team_scores, lead_metrics)


def write_payroll_file(history: History, result: PayrollResult, target: Path,
                       session: Session | None) -> None:
    """Stage the payroll (.xlsx, or .csv by its name): in `cslevel run` a large one is
    written by a worker while the run does the rest (its plain cell values are quick to hand
    over); alone, it is the last work of its command and written here."""
    from ..export.payroll import payroll_book, write_payroll, write_payroll_book

    csv_format = target.suffix.lower() == ".csv"
    with staging(session, history) as staged:
        if (session is not None and session.write_later and not csv_format
                and len(result.lines) >= sessions.BACKGROUND_ROWS):
            staged.write(target, partial(write_payroll_book, book=payroll_book(result)),
                         background=True)
        else:
            staged.write(target, partial(write_payroll, result=result,
                                         csv_format=csv_format))
    result.outputs.append(target)


def pay_month_asked(history: History, month: Month | None) -> Month | None:
    """The pay month a payroll command means: `month`, else the one after the latest scored
    (None when nothing is scored: `payroll_of` says what to do)."""
    if month is not None:
        return month
    scored = history.scored_months()
    return scored[-1] + 1 if scored else None


def take_pay_inputs(history: History, scheme: Scheme, month: Month, path: Path
                    ) -> list[Problem]:
    """Read the pay-inputs workbook of pay month `month`, check it and store it (replacing
    what was stored for that month). Every problem at once, as a CslevelError, when a row is
    wrong, an agent is unknown, the template has no `pay.inputs` or the month was paid.
    Returns the warnings (what was tolerated)."""
    from ..read.payinputs import read_pay_inputs
    from .retro import paid_payroll

    if scheme.pay.inputs is None:
        raise CslevelError(Problem(
            _("the template {scheme} has no pay.inputs section: it cannot read a pay-inputs "
              "workbook").format(scheme=scheme.scheme), Source(path.name),
            hint=_("Add pay.inputs to the template (see templates/star.yaml), or leave out "
                   "--pay-inputs.")), exit_code=2)
    paid = paid_payroll(history, month)
    if paid is not None:
        raise CslevelError(Problem(
            _("the payroll of {month} was paid ({locked} locked): its pay inputs cannot change"
              ).format(month=month, locked=paid.locked_month), Source(path.name),
            hint=_("Put the amounts still owed as one-off amounts in the next month's "
                   "pay-inputs workbook.")), exit_code=3)
    rows, problems = read_pay_inputs(path, scheme)
    known = history.agents()
    for row in rows:
        if row.agent_id not in known:
            problems.append(Problem(
                _("unknown agent {agent}: not in the history").format(agent=row.agent_id),
                row.source, hint=_("Check the id (leading zeros count: 0007 is not 7), or "
                                   "score a month with that agent first.")))
    sessions.raise_errors(problems)
    history.replace_pay_inputs(month, rows)
    return problems


def refuse_unpaid_inputs(history: History, result: PayrollResult) -> None:
    """Every agent of the stored pay inputs must be on the payroll of that month."""
    if result.scheme.pay.inputs is None:
        return
    paid = {line.agent_id for line in result.lines}
    problems = [Problem(
        _("agent {agent} is not on the payroll of {month} (left, or not hired yet): the pay "
          "inputs cannot be paid").format(agent=agent, month=result.month), row.source,
        hint=_("Remove the row, or pay the amount to someone on the payroll."))
        for agent, row in sorted(history.pay_inputs(result.month).items()) if agent not in paid]
    sessions.raise_errors(problems)
