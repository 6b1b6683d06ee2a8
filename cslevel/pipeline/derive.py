"""Derive stage: the stored scores, the adjustments in force and a template -> every agent's
month-by-month states (level in force, streaks, decisions, flags), replayed by the rules
(cslevel.rules), from each agent's first month or from the checkpoints kept at a month's
close (cslevel.checkpoints).

`derive` is a function of the history's scores and agents, the adjustments, the template and
the review window; what it read and derived is kept in a cache of the command's own
(`cache_of`), dropped when the scores or the agents are written again, so that the stages of
one command replay the history once. Called with another template or other adjustments
(what-if), it needs no other change.

The scores in use (`scores_in_use`) are the stored ones with the adjusted scores' values in
their place: what the rules, the results rows and the payroll read. The stored scores stay
as they were imported (`stored_scores`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from .. import checkpoints
from ..bulk import bulk_load
from ..i18n import _
from ..labels import fmt_number
from ..outcomes import HistoryResult, LetterDue, PromoteResult
from ..records import (
    Agent,
    Corrections,
    CslevelError,
    Decision,
    Month,
    MonthState,
    Problem,
    Score,
)
from ..rules import METRICS, RANKED, replay_agents, trial_end_month, with_team_ranks
from ..store import History
from ..templates import Scheme, parse_scheme

_CACHES: WeakKeyDictionary[History, dict[Any, Any]] = WeakKeyDictionary()


def cache_of(history: History) -> dict[Any, Any]:
    """What this command's stages read or derived from `history` (its transaction): the
    scores, the replayed states; reused until scores or agents are written again
    (`forget`)."""
    found = _CACHES.get(history)
    if found is None:
        found = _CACHES[history] = {}
    return found


def forget(history: History) -> None:
    """Scores or agents were written: what was read or derived before no longer holds."""
    _CACHES.pop(history, None)


def stored_scheme(history: History) -> Scheme:
    """The template stored with the history (and its pay table, if it names one)."""
    text = history.setting("template")
    if text is None:
        raise CslevelError(Problem(_("the history database holds no scores yet"),
                                   hint=_("Run `cslevel score FILE --scheme star` first.")))
    scheme = parse_scheme(text, _("template stored in the database ({scheme})").format(
        scheme=history.setting("scheme")))
    if scheme.pay.table is not None:
        from .. import paytable

        stored = history.setting("pay_table")
        if stored is None:
            raise CslevelError(Problem(
                _("the template names a pay table, but the history holds no copy of it"),
                hint=_("Score a month again with --scheme and the template's path.")))
        scheme = paytable.apply_pay_table(scheme, paytable.load(stored))
    return scheme


def window_of(history: History, scheme: Scheme) -> int:
    """The review window: `promote --months N` remembered for the history, else the
    template's."""
    stored = history.setting("window")
    return int(stored) if stored else scheme.promotion.window


def stored_scores(history: History, scheme: Scheme, since: Month | None = None
                  ) -> dict[str, dict[Month, Score]]:
    """The stored scores (those of `since` and later are enough, if given), read once per
    command; with their metrics only where the scheme's rule or its team lead's pay reads
    them."""
    metrics = scheme.promotion.rule in METRICS or scheme.pay.team_lead is not None
    cache = cache_of(history)
    # read with metrics: good for every scheme; read from the first month: for every caller
    for key in sorted((k for k in cache if k[0] == "scores"),
                      key=lambda k: (not k[1], k[2] is not None)):
        _, with_metrics, start = key
        if (with_metrics or not metrics) and (start is None or (since is not None
                                                                and start <= since)):
            return cache[key]  # type: ignore[no-any-return]
    cache["scores", metrics, since] = history.scores(metrics=metrics, since=since)
    return cache["scores", metrics, since]  # type: ignore[no-any-return]


def corrections_of(history: History) -> Corrections:
    """The adjustments in force in the history (undone ones left out), read once per
    command."""
    cache = cache_of(history)
    found = cache.get(("corrections",))
    if found is None:
        found = cache[("corrections",)] = Corrections(history.adjustments())
    return found  # type: ignore[no-any-return]


def scores_in_use(history: History, scheme: Scheme, corrections: Corrections,
                  since: Month | None = None) -> dict[str, dict[Month, Score]]:
    """The stored scores (of `since` and later, if given) with the adjusted ones' values in
    their place: what the rules, the results and the payroll read."""
    return corrections.applied(stored_scores(history, scheme, since))


class Derived(dict[str, tuple[Agent, list[MonthState], str]]):
    """Every agent's month-by-month states and its level the month after the last, by
    agent. `since`: None when the states start in each agent's first month; a month when
    they were replayed from checkpoints and start there (the decisions before it are the
    recorded ones)."""

    since: Month | None = None
    # the checkpoints it filled in, kept when its decisions are recorded (they go together:
    # a later run goes on from the checkpoints with the recorded decisions before them)
    keep_checkpoints: Callable[[], None] | None = None


def derive(
    history: History, scheme: Scheme, through: Month | None = None,
    window: int | None = None, needed: Month | None = None,
    corrections: Corrections | None = None, flags: bool = True,
) -> Derived:
    """Every agent's month-by-month states up to `through` (default: the latest scored
    month) and its level the month after, under `scheme` and the review `window` (default:
    the history's). `needed`: the first month whose states the caller reads (None: all of
    them); the states may start there, replayed from checkpoints (cslevel.checkpoints).
    `corrections`: the adjustments to apply (default: the history's in force,
    `corrections_of`: every command sees them; a caller passes others to see what they
    would give). `flags=False`: the yearly training flags (which read every score's
    training figure) may be left out, for a caller that reads only levels and moves."""
    if through is None:
        through = history.scored_months()[-1]
    if window is None:
        window = window_of(history, scheme)
    if corrections is None:
        corrections = corrections_of(history)
    cache = cache_of(history)
    key = ("derive", scheme.scheme, through, window, corrections.key)
    # (states with the flags do for a caller that does without them)
    for flagged in (True, False) if not flags else (True,):
        found = cache.get((*key, flagged))
        if found is not None and (found.since is None or (needed is not None
                                                          and found.since <= needed)):
            return found  # type: ignore[no-any-return]
    # hundreds of thousands of scores and month states, none in a cycle: no collection
    # while they are made (it would walk them all again and again, for nothing)
    with bulk_load():
        cache[(*key, flags)] = found = _derive(history, scheme, through, window, needed,
                                               corrections, flags)
    return found  # type: ignore[no-any-return]


def _derive(history: History, scheme: Scheme, through: Month, window: int,
            needed: Month | None, corrections: Corrections, flags: bool = True) -> Derived:
    agents = history.agents()
    kept = (checkpoints.load(history, scheme, window, agents, needed, corrections.key)
            if needed is not None else None)
    keep = checkpoints.keep_month(history, scheme, through)
    if kept is None:
        states, made = replay_agents(agents, rule_scores(history, scheme, agents, corrections),
                                     scheme, through, window, keep=keep,
                                     corrections=corrections)
        derived = Derived(states)
    else:
        month, start = kept
        # a streak reaching the month after cites up to `window` - 1 months before it
        scores = scores_in_use(history, scheme, corrections, month + (2 - window))
        states, made = replay_agents(agents, scores, scheme, through, window, start, keep,
                                     corrections)
        derived = Derived(states)
        derived.since = month + 1
    if scheme.training is not None and flags:
        flag_training(derived, scheme, history)
    if keep is not None and agents:
        derived.keep_checkpoints = partial(checkpoints.record, history, scheme, window, agents,
                                           keep, made, corrections.key)
    return derived


def flag_training(derived: Derived, scheme: Scheme, history: History) -> None:
    """Trainings a year (DOMAIN.md, KPI: ≥ 2 sessions a year, 003): at the close of the
    template's `training.close_month`, an agent whose training figures of that calendar
    year (the KPI metric's, from the stored scores' metrics, or the attendance item's, from
    the stored attendance totals) add up to less than `training.at_least` is flagged
    (`training_short`), in place. Never before the close: a count below it in mid-year can
    still be made up. The figures are read only when the states reach a close, and only
    from the first such year on (the rules themselves never read the scores' metrics for a
    template like star: `stored_scores` keeps its quick path)."""
    rule = scheme.training
    assert rule is not None
    closes = {s.month for _a, states, _l in derived.values() for s in states
              if s.month.month == rule.close_month}
    if not closes:
        return
    item = rule.attendance_item
    first = Month(min(closes).year, 1)
    scores = history.scores(metrics=True, since=first) if item is None else {}
    totals: dict[Month, dict[str, dict[str, Decimal]]] = {}

    def figures_of(agent_id: str, close: Month) -> list[Decimal | None]:
        months = [Month(close.year, m) for m in range(1, close.month + 1)]
        if item is None:
            own = scores.get(agent_id, {})
            return [_one_metric(own[m].metrics, rule.metric or "") if m in own else None
                    for m in months]
        for m in months:
            if m not in totals:
                totals[m] = history.attendance(m)
        return [totals[m].get(agent_id, {}).get(item) for m in months]

    for agent_id, (_agent, states, _level) in derived.items():
        for state in states:
            if state.month.month != rule.close_month:
                continue
            given = [f for f in figures_of(agent_id, state.month) if f is not None]
            if not given and rule.no_figures == "skip":
                continue
            count = sum(given, Decimal(0))
            if count < rule.at_least:
                state.flags = (*state.flags, "training_short")
                why = _("{count} training(s) in {year}, fewer than {least} (003: at least "
                        "{least} a year)").format(count=fmt_number(count), year=state.month.year,
                                                 least=fmt_number(rule.at_least))
                state.note = _("; ").join(n for n in (state.note, why) if n)


def _one_metric(metrics: Mapping[str, Decimal], key: str) -> Decimal | None:
    """One metric of a score: from a stored score's text without keeping the rest parsed."""
    one = getattr(metrics, "one", None)
    return one(key) if one is not None else metrics.get(key)


def rule_scores(history: History, scheme: Scheme, agents: dict[str, Agent],
                corrections: Corrections) -> dict[str, dict[Month, Score]]:
    """The scores in use, with each month's place within the team for rules that rank."""
    scores = scores_in_use(history, scheme, corrections)
    if scheme.promotion.rule not in RANKED:
        return scores
    if scheme.promotion.rule == "quarterly_standard":  # ranked on the quarter's average
        return with_team_ranks(scores, agents, scheme.promotion.review_months,
                               scheme.promotion.window,
                               leads_out=scheme.pay.team_lead is not None)
    return with_team_ranks(scores, agents)


def decisions_found(derived: Derived) -> list[Decision]:
    """The decisions in the derived states (from `derived.since` on, if it is set)."""
    return [s.decision for _, states, _ in derived.values() for s in states if s.decision]


def record_decisions(history: History, through: Month, found: list[Decision],
                     derived: Derived) -> None:
    """Record the decisions derived up to `through`, and the derivation's checkpoints."""
    history.replace_decisions(through, found, since=derived.since)
    if derived.keep_checkpoints is not None:
        derived.keep_checkpoints()
        derived.keep_checkpoints = None


def decision_key(d: Decision) -> tuple[str, str, str, str, str]:
    return (d.agent_id, str(d.decided), d.kind, d.from_level, d.to_level)


def rederive_recorded(history: History, derived: Derived, first_scored: Month,
                      problems: list[Problem]) -> Month | None:
    """After months were scored again: the decisions already confirmed by `promote` (up to
    the month it was run for) are recorded again as derived now, with a warning naming the
    agents whose decisions changed. Returns that month, or None when no month scored was
    already promoted."""
    again = record_again(history, derived, first_scored)
    if again is None:
        return None
    through, agents_changed = again
    if agents_changed:
        problems.append(Problem(
            _("a month already promoted was re-scored: decisions up to {month} were "
              "derived again and changed for {count} agent(s): {agents}").format(
                month=through, count=len(agents_changed),
                agents=", ".join(agents_changed[:20])), severity="warning",
            hint=_("Check the sign-off list again (cslevel promote --out …).")))
    return through


def record_again(history: History, derived: Derived, first: Month
                 ) -> tuple[Month, list[str]] | None:
    """The decisions already confirmed by `promote` (up to the month it was run for),
    recorded again as `derived` gives them, when `first` (the first month whose decisions
    may differ) is not after that month: (that month, the agents whose decisions changed),
    else None."""
    promoted = history.setting("promoted_through")
    if not promoted or first > Month.parse(promoted):
        return None
    through = Month.parse(promoted)
    before = {decision_key(d) for d in history.decisions(since=derived.since)}
    after = [d for d in decisions_found(derived) if d.decided <= through]
    record_decisions(history, through, after, derived)
    changed = before ^ {decision_key(d) for d in after}
    return through, sorted({key[0] for key in changed})


def state_at(states: list[MonthState], month: Month) -> MonthState | None:
    """The agent's state in `month`, if it has one. The rules give one state per month from
    the agent's first, so it is found by position (a search if ever they did not)."""
    if not states:
        return None
    first = states[0].month
    # (months apart, written out: called for every agent and month of a payroll)
    at = (month.year - first.year) * 12 + month.month - first.month
    if 0 <= at < len(states):
        found = states[at]
        if found.month == month:
            return found
    last = states[-1].month
    if (last.year - first.year) * 12 + last.month - first.month == len(states) - 1:
        return None  # one per month: `month` has none
    return next((s for s in states if s.month == month), None)


def close_month(history: History, scheme: Scheme, as_of: Month | None,
                months: int | None) -> PromoteResult:
    """The decisions at the close of `as_of` (default: the latest scored month) under the
    review window `months` (remembered for the history; default: the history's): the moves,
    the levels in force the month after, the flags for a person to decide; every decision
    derived is recorded (those already confirmed beyond `as_of` stay confirmed)."""
    scored = history.scored_months()
    as_of = as_of or scored[-1]
    if not scored[0] <= as_of <= scored[-1]:
        raise CslevelError(Problem(
            _("--as-of {month} is outside the scored months ({first} to {last})").format(
                month=as_of, first=scored[0], last=scored[-1]),
            hint=_("Score that month first, or give a month in that range.")))
    if months is not None:
        history.set_setting("window", str(months))
    window = months or window_of(history, scheme)
    # decisions already confirmed beyond as_of stay confirmed (re-derived, not dropped)
    promoted = history.setting("promoted_through")
    record_through = max(as_of, Month.parse(promoted)) if promoted else as_of
    derived = derive(history, scheme, record_through, window, needed=as_of)
    found = decisions_found(derived)
    moves = sorted((d for d in found if d.decided == as_of), key=lambda d: d.agent_id)
    levels = {}
    for agent_id, (agent, states, next_level) in derived.items():
        if agent.leave_date and Month.of(agent.leave_date) <= as_of:
            continue
        if agent.first_month is None or agent.first_month > as_of + 1:
            continue
        state = state_at(states, as_of + 1)
        levels[agent_id] = state.level if state is not None else next_level
    record_decisions(history, record_through, found, derived)
    agents = {a: v[0] for a, v in derived.items()}
    flags = [(agent_id, flag, state.note) for agent_id, (_, states, _) in derived.items()
             for state in states if state.month == as_of for flag in state.flags]
    earlier = (history.count_decisions(before=derived.since)
               if derived.since is not None else 0)
    return PromoteResult(scheme, as_of, window, moves,
                         earlier + sum(1 for d in found if d.decided < as_of), levels,
                         agents, flags, [], letters=letters_due(derived, scheme, as_of))


def letters_due(derived: Derived, scheme: Scheme, month: Month) -> list[LetterDue]:
    """The trial agents whose target-responsibility letter (目标责任书, the template's
    `signoff.trial_letter`) is due in `month`: it is their letter's trial month and they
    are still in trial then (not placed on a level, not gone)."""
    rule = scheme.signoff.trial_letter
    if rule is None:
        return []
    due = []
    for agent_id, (agent, states, _level) in sorted(derived.items()):
        state = state_at(states, month)
        end = trial_end_month(agent, scheme)
        if state is None or not state.in_trial or end is None:
            continue
        if month == end - (scheme.trial_months - rule.month):
            due.append(LetterDue(agent_id, state.level, month, rule.month,
                                 scheme.trial_months, rule.name))
    return due


def agent_history(history: History, agent_id: str) -> HistoryResult:
    """One agent's months, replayed in full (never from checkpoints), and the level it
    holds the month after the latest scored one (None once it has left)."""
    scheme = stored_scheme(history)
    agents = history.agents()
    if agent_id not in agents:
        raise CslevelError(unknown_agent(agent_id, agents))
    latest = history.scored_months()[-1]
    agent = agents[agent_id]
    corrections = corrections_of(history)
    derived, _kept = replay_agents(agents, rule_scores(history, scheme, agents, corrections),
                                   scheme, latest, window_of(history, scheme),
                                   corrections=corrections)
    if scheme.training is not None:  # (its own agent only: the others' flags are not shown)
        flag_training({agent_id: derived[agent_id]}, scheme, history)  # type: ignore[arg-type]
    _agent, states, level_after = derived[agent_id]
    left = agent.leave_date is not None and Month.of(agent.leave_date) <= latest
    next_level = None if left else level_after
    promoted = history.setting("promoted_through")
    own = history.adjustments(agent_id)
    imported = history.agent_scores(agent_id) if any(a.kind == "score" for a in own) else {}
    signed = {move: got for move, got in history.signoffs().items() if move[0] == agent_id}
    return HistoryResult(agent, scheme, states, next_level, latest,
                         Month.parse(promoted) if promoted else None, own, imported, signed)


def unknown_agent(agent_id: str, agents: dict[str, Agent]) -> Problem:
    known = ", ".join(sorted(agents)[:10])
    return Problem(
        _("no agent {agent} in the history").format(agent=repr(agent_id)),
        hint=_("Check the id (ids are text: 0007 is not 7). Known ids include: {known}"
               ).format(known=known))
