"""Adjustments (调整): what a person sets by hand, kept apart from the imported scores (which
are never edited) — the score the rules use for an agent's month (an upheld appeal, a
recount), or the level in force from a month on (a placement, an overturned decision) — each
with its reason, who made it and when; undone with a reason, the row kept. The derivation
takes the adjustments in force (`derive.corrections_of`), so every command sees them.

add:  check the agent, the month, the value, the reason -> refuse a locked month -> derive
      as it is -> record the adjustment -> derive with it -> what changed for the agent ->
      the decisions already confirmed, recorded again
undo: the same, the adjustment marked undone.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..i18n import _
from ..outcomes import AdjustmentsResult, AdjustResult
from ..records import Adjustment, AdjustmentKind, Agent, CslevelError, Month, Problem
from ..store import History, open_history, os_user
from ..templates import Scheme
from .derive import (
    Derived,
    corrections_of,
    derive,
    forget,
    record_again,
    state_at,
    stored_scheme,
    unknown_agent,
    window_of,
)
from .locks import refuse_adjusting
from .session import raise_errors
from .workspace import stale_warnings


def add(agent_id: str, kind: AdjustmentKind, month: Month, value: str, reason: str, *,
        by: str | None = None, db: str | None = None) -> AdjustResult:
    """Record an adjustment: the score of `agent_id` in `month` (kind "score"), or the level
    in force from `month` on (kind "level"), set to `value`."""
    reason, by = reason.strip(), None if by is None else by.strip()
    problems = _said(reason, by)
    with open_history(db, write=True, must_exist=True) as history:
        scheme = stored_scheme(history)
        agents = history.agents()
        agent = agents.get(agent_id)
        latest = history.scored_months()[-1]
        if agent is None:
            problems.append(unknown_agent(agent_id, agents))
        if kind == "score":
            imported = history.agent_scores(agent_id) if agent is not None else {}
            if agent is not None and month not in imported:
                problems.append(Problem(
                    _("{agent} has no score in {month}: nothing to adjust").format(
                        agent=agent_id, month=month),
                    hint=_("Adjust a month the agent was scored in: {months}.").format(
                        months=_(", ").join(str(m) for m in list(imported)[-12:]))))
            score = _score(value, scheme, problems)
            value = format(score, "f") if score is not None else value
        else:
            if agent is not None:
                _level_month(agent, month, latest, problems)
            level = _level(value, scheme, problems)
            value = level or value
        raise_errors(problems)
        assert agent is not None
        first_changed = month if kind == "score" else month - 1
        refuse_adjusting(history, month, first_changed)
        window = window_of(history, scheme)
        before = derive(history, scheme, latest, window)
        if kind == "score":
            fix = corrections_of(history).of(agent_id)
            set_before = fix.scores.get(month) if fix is not None else None
            was = set_before.value if set_before is not None else str(imported[month])
            if Decimal(was) == Decimal(value):
                raise CslevelError(Problem(
                    _("the score of {agent} in {month} is {score} already: nothing to "
                      "adjust").format(agent=agent_id, month=month, score=was),
                    hint=_("See the agent's months with: cslevel history {agent}").format(
                        agent=agent_id)))
        else:
            _agent, states, level_after = before[agent_id]
            state = state_at(states, month)
            was = state.level if state is not None else level_after
        adjustment = history.add_adjustment(agent_id, month, kind, value, was, reason, by)
        result = _changed(history, scheme, before, adjustment, "add", first_changed, latest)
        history.record_run(f"adjust {kind}", _details(adjustment))
        result.problems += stale_warnings(history)
    return result


def undo(adjustment_id: int, reason: str, *, by: str | None = None,
         db: str | None = None) -> AdjustResult:
    """Undo an adjustment: it no longer applies; its row stays, with who undid it, when and
    why."""
    reason, by = reason.strip(), None if by is None else by.strip()
    problems = _said(reason, by)
    with open_history(db, write=True, must_exist=True) as history:
        scheme = stored_scheme(history)
        found = next((a for a in history.adjustments() if a.id == adjustment_id), None)
        if found is None:
            problems.append(Problem(
                _("no adjustment #{id}").format(id=adjustment_id),
                hint=_("See the adjustments in force with: cslevel adjust list")))
        elif not found.active:
            problems.append(Problem(
                _("adjustment #{id} was undone already ({date}, {user}): {reason}").format(
                    id=adjustment_id, date=(found.undone_at or "")[:10], user=found.undone_by,
                    reason=found.undo_reason),
                hint=_("Nothing to undo.")))
        raise_errors(problems)
        assert found is not None
        first_changed = found.month if found.kind == "score" else found.month - 1
        refuse_adjusting(history, found.month, first_changed, undoing=found.id)
        latest = history.scored_months()[-1]
        before = derive(history, scheme, latest, window_of(history, scheme))
        undone = history.undo_adjustment(found, reason, by)
        result = _changed(history, scheme, before, undone, "undo", first_changed, latest)
        history.record_run("adjust undo", {**_details(found), "undo_reason": reason})
        result.problems += stale_warnings(history)
    return result


def listed(agent_id: str | None = None, *, db: str | None = None) -> AdjustmentsResult:
    """The adjustments in force, oldest first (of one agent, if given)."""
    with open_history(db, write=False, must_exist=True) as history:
        found = [a for a in history.adjustments(agent_id) if a.active]
        if agent_id is not None and not found:
            agents = history.agents()
            if agent_id not in agents:
                raise CslevelError(unknown_agent(agent_id, agents))
    return AdjustmentsResult(found, agent_id)


# --- the checks ---------------------------------------------------------------------------
def _said(reason: str, by: str | None) -> list[Problem]:
    """The reason (needed) and the name given with --by (not empty)."""
    problems = []
    if not reason:
        problems.append(Problem(_("a reason is needed for an adjustment"),
                                hint=_('Say why, e.g. --reason "appeal upheld"')))
    if by is not None and not by:
        problems.append(Problem(
            _("--by is empty"),
            hint=_("Give the name of who decided, or leave --by out to record the user "
                   "logged in ({user}).").format(user=os_user())))
    return problems


def _score(text: str, scheme: Scheme, problems: list[Problem]) -> Decimal | None:
    """The score given, within the template's score bounds."""
    try:
        score = Decimal(text.strip())
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite():
        problems.append(Problem(_("{value} is not a score").format(value=repr(text)),
                                hint=_("Give the score as a number, e.g. --to 110")))
        return None
    low, high = scheme.score.score_bounds
    if not low <= score <= high:
        problems.append(Problem(
            _("score {value} is out of range: allowed {low} to {high}").format(
                value=format(score, "f"), low=format(low.normalize(), "f"),
                high=format(high.normalize(), "f")),
            hint=_("Give a score within the template's score.bounds.")))
        return None
    places = Decimal(1).scaleb(-scheme.score.decimals)  # as the template's scores are written
    if score != score.quantize(places, ROUND_HALF_UP):
        problems.append(Problem(
            _("score {value} has more decimals than the template's scores ({decimals})").format(
                value=format(score, "f"), decimals=scheme.score.decimals),
            hint=_("Give the score as the results show it, e.g. --to {example}").format(
                example=format(score.quantize(places, ROUND_HALF_UP), "f"))))
        return None
    return score.quantize(places)


def _level(text: str, scheme: Scheme, problems: list[Problem]) -> str | None:
    """The level given (its name, title or an alias), on the ladder (not the trial level)."""
    level = scheme.resolve_level(text.strip())
    if level is None or level not in scheme.regular_levels:
        problems.append(Problem(
            _("{level} is not a level on the ladder of {scheme}").format(
                level=repr(text), scheme=scheme.scheme),
            hint=_("Give one of: {levels}").format(
                levels=_(", ").join(scheme.regular_levels))))
        return None
    return level


def _level_month(agent: Agent, month: Month, latest: Month, problems: list[Problem]) -> None:
    """A level is set from a month the agent is in the history, or the month after the
    latest scored one; not after the agent left."""
    first = agent.first_month
    leave = Month.of(agent.leave_date) if agent.leave_date else None
    last = min(latest + 1, leave) if leave is not None else latest + 1
    if first is None:
        problems.append(Problem(
            _("{agent} has no scored month yet: no level can be set").format(
                agent=agent.agent_id),
            hint=_("Score a month with the agent first.")))
        return
    span = _("Give a month from {first} to {last}.").format(first=first, last=last)
    if month < first:
        problems.append(Problem(
            _("{agent} is in the history from {first}: no level can be set for {month}").format(
                agent=agent.agent_id, first=first, month=month), hint=span))
    elif leave is not None and month > leave:
        problems.append(Problem(
            _("{agent} left on {date}: no level can be set from {month}").format(
                agent=agent.agent_id, date=agent.leave_date, month=month), hint=span))
    elif month > latest + 1:
        problems.append(Problem(
            _("no scores for {previous}: no level can be set from {month} yet").format(
                previous=month - 1, month=month), hint=span))


# --- what it changed ----------------------------------------------------------------------
def _changed(history: History, scheme: Scheme, before: Derived, adjustment: Adjustment,
             action: str, first_changed: Month, latest: Month) -> AdjustResult:
    """Derive again with the adjustments now in force: the agent's levels that changed, and
    the decisions already confirmed recorded again (a warning names the agents whose
    decisions changed)."""
    forget(history)  # (what was derived and read before no longer holds)
    after = derive(history, scheme, latest, window_of(history, scheme))
    result = AdjustResult(adjustment, action,
                          level_changes(before, after, adjustment.agent_id, latest))
    again = record_again(history, after, first_changed)
    if again is not None and again[1]:
        through, agents = again
        result.problems.append(Problem(
            _("decisions already confirmed up to {month} were derived again and changed for "
              "{count} agent(s): {agents}").format(month=through, count=len(agents),
                                                   agents=", ".join(agents[:20])),
            severity="warning",
            hint=_("Check the sign-off list again (cslevel promote --out …).")))
    return result


def level_changes(before: Derived, after: Derived, agent_id: str, latest: Month
                  ) -> list[tuple[Month, str, str]]:
    """(month, level in force before, after) where they differ, the month after `latest`
    included while the agent is there."""
    agent, states_before, next_before = before[agent_id]
    _agent, states_after, next_after = after[agent_id]
    was = {s.month: s.level for s in states_before}
    changes = [(s.month, was[s.month], s.level) for s in states_after
               if s.month in was and was[s.month] != s.level]
    left = agent.leave_date is not None and Month.of(agent.leave_date) <= latest
    if not left and next_before != next_after:
        changes.append((latest + 1, next_before, next_after))
    return changes


def _details(adjustment: Adjustment) -> dict[str, object]:
    """What `cslevel runs` keeps of an adjustment."""
    return {"id": adjustment.id, "agent": adjustment.agent_id, "month": str(adjustment.month),
            "kind": adjustment.kind, "value": adjustment.value, "was": adjustment.was,
            "reason": adjustment.reason}
