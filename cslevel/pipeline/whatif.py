"""What-if stage (`cslevel simulate`): the stored scores and the adjustments in force, replayed
under the template stored with the history ("now") and under another template ("new") ->
per pay month, the agents whose level in force would differ, the moves that would appear or
disappear, and the payroll's cost both ways. Nothing is written to the history.

Both sides are full replays of the stored scores (never from checkpoints: those belong to
the stored template), by the same rules (`rules.replay_agents`) and the same pay (who is
paid at which level from which figures, `pay.paid_in`, each line's total by
`payroll.line_total`: `pay.pay_totals`) as `promote` and `payroll export`. The scores are the stored ones: the new
template's score section is not applied to the figures again.

Levels are matched by name: every level of the history's ladder must be a level of the new
template (its name, title or one of its aliases), else the simulation is refused, naming
the unmatched levels. The levels the history stores (an agent's starting level, a level
adjustment) are renamed to the new template's names before its replay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple, cast

from ..bulk import bulk_load
from ..i18n import _
from ..outcomes import LevelChange, MoveChange, SimulatedMonth, SimulateResult
from ..parallel import shared_map, workers
from ..records import (
    Agent,
    Corrections,
    CslevelError,
    Decision,
    Month,
    MonthState,
    Problem,
    Score,
    Source,
    month_range,
)
from ..rules import COHORT, replay_agents
from ..store import History
from ..templates import Scheme
from .derive import corrections_of, rule_scores, scores_in_use, window_of
from .pay import PayrollReads, pay_totals

Derived = dict[str, tuple[Agent, list[MonthState], str]]


def level_map(now: Scheme, new: Scheme, source: str) -> dict[str, str]:
    """Each level of the history's ladder -> the new template's level of that name (or
    title, or alias). Refused, naming them all, when some have none."""
    mapping: dict[str, str] = {}
    unmatched: list[str] = []
    for level in now.levels:
        found = next((name for name in (new.resolve_level(label) for label in
                                        [level.name, level.title, *level.aliases] if label)
                      if name is not None), None)
        if found is None:
            unmatched.append(level.name)
        else:
            mapping[level.name] = found
    if unmatched:
        raise CslevelError(Problem(
            _("the template's levels do not match the history's: no level named {levels} "
              "in {template}").format(levels=_(", ").join(unmatched), template=source),
            Source(source),
            hint=_("Give those levels the same names in the template (or add the history's "
                   "names as aliases: aliases: [{first}]), then run again.").format(
                first=unmatched[0])))
    return mapping


def check_range(now: Scheme, new: Scheme, scored: list[Month], first: Month | None,
                last: Month | None) -> tuple[Month, Month]:
    """The pay months to compare: `first`..`last`, by default every month the history can
    pay: from its first scored month to the month after its latest (the latest when either
    template pays from the month's own figures, pay.figures: same)."""
    same = "same" in (now.pay.figures, new.pay.figures)
    payable = scored[-1] if same else scored[-1] + 1
    first = first or scored[0]
    last = last or payable
    if first > last:
        raise CslevelError(Problem(_("--from {first} is after --to {last}").format(
            first=first, last=last), hint=_("Give the earlier month to --from.")), exit_code=2)
    if first < scored[0] or last > payable:
        raise CslevelError(Problem(
            _("{first} to {last} is outside the months the history can pay ({start} to "
              "{end})").format(first=first, last=last, start=scored[0], end=payable),
            hint=_("Give --from and --to within {start} to {end}.").format(
                start=scored[0], end=payable)))
    return first, last


def _renamed_agents(agents: dict[str, Agent], mapping: dict[str, str]) -> dict[str, Agent]:
    return {a: dataclasses.replace(agent, start_level=mapping.get(agent.start_level,
                                                                  agent.start_level))
            if agent.start_level is not None and mapping.get(agent.start_level,
                                                             agent.start_level)
            != agent.start_level else agent for a, agent in agents.items()}


def _renamed_corrections(corrections: Corrections, mapping: dict[str, str]) -> Corrections:
    if not any(a.kind == "level" and mapping.get(a.value, a.value) != a.value
               for a in corrections.adjustments):
        return corrections
    return Corrections(dataclasses.replace(a, value=mapping.get(a.value, a.value))
                       if a.kind == "level" else a for a in corrections.adjustments)


def _replay(scores: dict[str, dict[Month, Score]], scheme: Scheme, agents: dict[str, Agent],
            through: Month, window: int, corrections: Corrections) -> Derived:
    with bulk_load():  # (as derive: many states, no cycles, no collections meanwhile)
        states, _kept = replay_agents(agents, scores, scheme, through, window,
                                      corrections=corrections)
    return states


def _pay_alike(now: Scheme, new: Scheme, mapping: dict[str, str]) -> bool:
    """Whether an agent who holds the same level in a month is paid alike under both
    templates: the same pay rules, the same amounts for each level, the same trial, no
    team-lead pay (which reads the whole team's months) and no sign-off."""
    # (with sign-off, the level paid follows the moves signed, not only the level held)
    if (now.pay != new.pay or now.signoff.required or new.signoff.required
            or now.pay.team_lead is not None):
        return False
    if (now.trial_months, mapping.get(now.entry_level)) != (new.trial_months, new.entry_level):
        return False
    return all(new.level(mapping[lv.name]).pay == lv.pay
               and new.level(mapping[lv.name]).trial == lv.trial for lv in now.levels)


def _alike(before: tuple[Agent, list[MonthState], str],
           after: tuple[Agent, list[MonthState], str], mapping: dict[str, str]) -> bool:
    """Whether an agent's months replay alike under both: levels in force, trial months,
    decisions, and the level the month after."""
    _agent, states, next_level = before
    _agent2, other, next_other = after
    if len(states) != len(other) or mapping.get(next_level, next_level) != next_other:
        return False
    for a, b in zip(states, other, strict=True):
        if (mapping.get(a.level, a.level) != b.level or a.in_trial != b.in_trial
                or (a.decision is None) != (b.decision is None)):
            return False
        if a.decision is not None and _move_key(a.decision, mapping) != _move_key(
                b.decision, {}):  # type: ignore[arg-type]
            return False
    return True


def _held(entry: tuple[Agent, list[MonthState], str], mapping: dict[str, str]
          ) -> dict[Month, tuple[str, bool]]:
    """(level in force under the new template's names, whether a trial month) by month."""
    _agent, states, _next = entry
    return {s.month: (mapping.get(s.level, s.level), s.in_trial) for s in states}


def _differs_in(held_now: dict[Month, tuple[str, bool]], held_new: dict[Month, tuple[str, bool]],
                after: tuple[str, str], month: Month, figures_lag: int) -> bool:
    """Whether an agent's pay of `month` could differ: the level in force (after the last
    state: the level the month after, `after`, both ways), or whether its figures month was
    a trial month."""
    now, new = held_now.get(month), held_new.get(month)
    if now is None and new is None:
        if held_now and month > max(held_now):
            return after[0] != after[1]
    elif now is None or new is None or now[0] != new[0]:
        return True
    figures = month - figures_lag
    trial_now, trial_new = held_now.get(figures), held_new.get(figures)
    return (trial_now is not None and trial_now[1]) != (trial_new is not None and trial_new[1])


def _move_key(d: Decision, mapping: dict[str, str]) -> tuple[str, Month, Month, str, str, str]:
    return (d.agent_id, d.decided, d.effective, d.kind, mapping.get(d.from_level, d.from_level),
            mapping.get(d.to_level, d.to_level))


def _total(paid: dict[str, tuple[str, Decimal]]) -> Decimal:
    return sum((total for _level, total in paid.values()), Decimal("0.00"))


def _call(job: Callable[[], Any]) -> Any:
    return job()


class _Sides(NamedTuple):
    """What both replays and both payrolls read, all read from the history before any
    work is shared out with a forked worker (which may not use the history's connection)."""

    now: Scheme
    new: Scheme
    mapping: dict[str, str]
    agents: dict[str, Agent]
    agents_new: dict[str, Agent]
    rule_now: dict[str, dict[Month, Score]]  # the scores the rules read, each way
    rule_new: dict[str, dict[Month, Score]]
    scores: dict[str, dict[Month, Score]]  # the scores paid (the same both ways)
    corrections: Corrections
    corrections_new: Corrections
    through: Month
    window_now: int
    window_new: int
    scored: list[Month]
    pay_months: list[Month]
    reads: History  # (a PayrollReads)


def simulate(history: History, now: Scheme, new: Scheme, source: str,
             first: Month | None, last: Month | None) -> SimulateResult:
    """The history replayed under `now` (the stored template) and `new`, compared pay month
    by pay month from `first` to `last` (default: every month the history can pay).

    Where no rule or pay compares agents across teams (no cohort pass, no centre-wide rank
    bonus), the agents (whole teams where the pay reads the team's) are shared out with
    forked workers, each replaying and paying its agents both ways; the parts' sums and
    lists are put together in the same order as one process makes them
    (tests/test_simulate.py compares both)."""
    mapping = level_map(now, new, source)
    scored = history.scored_months()
    first, last = check_range(now, new, scored, first, last)
    window_now = window_of(history, now)
    # a remembered `promote --months` stays in force unless the new template changes the window
    window_new = (window_now if new.promotion.window == now.promotion.window
                  else new.promotion.window)
    agents = history.agents()
    corrections = corrections_of(history)
    agents_new = _renamed_agents(agents, mapping)
    corrections_new = _renamed_corrections(corrections, mapping)
    pay_months = month_range(first, last)
    sides = _Sides(
        now, new, mapping, agents, agents_new,
        rule_scores(history, now, agents, corrections),
        rule_scores(history, new, agents_new, corrections_new),
        # the same scores are paid both ways (the adjusted ones where a person set one)
        scores_in_use(history, now, corrections), corrections, corrections_new,
        min(last, scored[-1]), window_now, window_new, scored, pay_months,
        # what both payrolls read besides the states (attendance, sign-offs, pay inputs)
        cast(History, PayrollReads(history, [now, new], pay_months)))
    groups = (_groups(agents, workers() + 1, _team_pay(now, new)) if _splittable(now, new)
              else [list(agents)])
    # hundreds of thousands of states, sums and lines, none in a cycle: no collections
    # walking them all again and again meanwhile (here and in the workers)
    with bulk_load():
        parts = shared_map(_call, [partial(_simulate_part, sides, ids) for ids in groups])
    months = [SimulatedMonth(m, sum((p[0][i].cost_now for p in parts), Decimal("0.00")),
                             sum((p[0][i].cost_new for p in parts), Decimal("0.00")),
                             sorted((c for p in parts for c in p[0][i].changed),
                                    key=lambda c: c.agent_id),
                             sorted((mv for p in parts for mv in p[0][i].moves),
                                    key=lambda mv: (mv.decision.agent_id, mv.change != "lost")))
              for i, m in enumerate(pay_months)]
    # each month's warnings in one order whatever the parts (each month's pay warns alike)
    unique = list(dict.fromkeys(p for i in range(len(pay_months)) for p in sorted(
        {p for part in parts for p in part[1][i]}, key=str)))
    renamed = {old: name for old, name in mapping.items() if old != name}
    return SimulateResult(now, new, source, first, last, window_now, window_new, months,
                          unique, renamed=renamed)


def _splittable(now: Scheme, new: Scheme) -> bool:
    """Whether the agents may be replayed and paid team by team: no rule comparing agents
    after their levels are known (a cohort pass) and no bonus by the centre-wide rank.
    (Team ranks and team-lead and management pay read only the agent's own team.)"""
    return all(s.promotion.rule not in COHORT and s.pay.rank_bonus is None for s in (now, new))


def _team_pay(now: Scheme, new: Scheme) -> bool:
    """Whether an agent's pay reads its team's (a team lead's pay, a management bonus)."""
    return any(s.pay.team_lead is not None or s.pay.management_bonus is not None
               for s in (now, new))


def _groups(agents: dict[str, Agent], count: int, by_team: bool) -> list[list[str]]:
    """The agents in at most `count` groups of about the same size: of whole teams when the
    pay reads the team's, else runs of agent ids (each process then touches the scores and
    states of its own agents, which the history read in id order, not a share of every
    page of them)."""
    if by_team:
        return _team_groups(agents, count)
    ids = sorted(agents)
    size = -(-len(ids) // max(count, 1))
    return [ids[i:i + size] for i in range(0, len(ids), size)] or [[]]


def _team_groups(agents: dict[str, Agent], count: int) -> list[list[str]]:
    """The agents in at most `count` groups of whole teams, of about the same size."""
    teams: dict[str, list[str]] = {}
    for agent_id, agent in agents.items():
        teams.setdefault(agent.team, []).append(agent_id)
    groups: list[list[str]] = [[] for _ in range(max(count, 1))]
    for _team, ids in sorted(teams.items(), key=lambda t: (-len(t[1]), t[0])):
        min(groups, key=len).extend(ids)
    return [g for g in groups if g] or [[]]


def _simulate_part(sides: _Sides, ids: list[str]
                   ) -> tuple[list[SimulatedMonth], list[list[Problem]]]:
    """The agents `ids` (whole teams) replayed and paid both ways: per pay month, their part
    of both costs, of the agents paid differently, of the moves gained and lost and of the
    payroll's warnings."""
    now, new, mapping = sides.now, sides.new, sides.mapping
    own = set(ids)
    agents = {a: v for a, v in sides.agents.items() if a in own}
    agents_new = {a: v for a, v in sides.agents_new.items() if a in own}
    derived_now = _replay(sides.rule_now, now, agents, sides.through, sides.window_now,
                          sides.corrections)
    derived_new = _replay(sides.rule_new, new, agents_new, sides.through, sides.window_new,
                          sides.corrections_new)
    differ = {a for a, entry in derived_now.items() if not _alike(entry, derived_new[a], mapping)}
    # with the same pay rules, an agent is paid alike in a month where it holds the same
    # level and its figures month is a trial month both ways or neither: only the others'
    # lines are worked out under the new template
    alike = _pay_alike(now, new, mapping)
    held = {a: (_held(derived_now[a], mapping), _held(derived_new[a], {}),
                (mapping.get(derived_now[a][2], derived_now[a][2]), derived_new[a][2]))
            for a in (differ if alike else ())}
    figures_lag = 0 if now.pay.figures == "same" else 1
    reads, scores, scored = sides.reads, sides.scores, sides.scored
    problems: list[list[Problem]] = []
    months = []
    for month in sides.pay_months:
        problems.append([])
        paid_now = pay_totals(reads, now, month, derived_now, scores, scored, problems[-1])
        if alike:
            paid_anew = {a: derived_new[a] for a in differ
                         if _differs_in(*held[a], month, figures_lag)}
        else:
            paid_anew = derived_new
        paid_new = pay_totals(reads, new, month, paid_anew, scores, scored, []
                              ) if paid_anew else {}
        cost_now = _total(paid_now)
        if alike:  # the others' lines are the same both ways
            cost_new = cost_now - sum((paid_now[a][1] for a in paid_anew if a in paid_now),
                                      Decimal("0.00")) + _total(paid_new)
        else:
            cost_new = _total(paid_new)
        months.append(SimulatedMonth(month, cost_now, cost_new, _changed(
            paid_anew, paid_now, paid_new, mapping, sides.agents)))
    _moves(months, derived_now, derived_new, differ, mapping, sides.agents)
    return months, problems


def _changed(differ: Iterable[str], paid_now: dict[str, tuple[str, Decimal]],
             paid_new: dict[str, tuple[str, Decimal]], mapping: dict[str, str],
             agents: dict[str, Agent]) -> list[LevelChange]:
    out = []
    for agent_id in sorted(differ):
        before, after = paid_now.get(agent_id), paid_new.get(agent_id)
        if before is None and after is None:
            continue
        level_now = before[0] if before is not None else None
        level_new = after[0] if after is not None else None
        if level_now is not None and mapping.get(level_now, level_now) == level_new:
            continue
        agent = agents[agent_id]
        out.append(LevelChange(agent_id, agent.name, agent.team, level_now, level_new,
                               before[1] if before is not None else None,
                               after[1] if after is not None else None))
    return out


def _moves(months: list[SimulatedMonth], derived_now: Derived, derived_new: Derived,
           differ: set[str], mapping: dict[str, str], agents: dict[str, Agent]) -> None:
    """The moves taking effect in each month that one template makes and the other not."""
    by_month = {m.month: m for m in months}
    for agent_id in sorted(differ):
        made_now = {_move_key(s.decision, mapping): s.decision
                    for s in derived_now[agent_id][1] if s.decision is not None}
        made_new = {_move_key(s.decision, {}): s.decision
                    for s in derived_new[agent_id][1] if s.decision is not None}
        agent = agents[agent_id]
        for change, made, other in (("lost", made_now, made_new), ("gained", made_new, made_now)):
            for key, decision in made.items():
                month = by_month.get(decision.effective)
                if key not in other and month is not None:
                    month.moves.append(MoveChange(change, decision, agent.name, agent.team))
    for month in months:
        month.moves.sort(key=lambda m: (m.decision.agent_id, m.change != "lost"))
