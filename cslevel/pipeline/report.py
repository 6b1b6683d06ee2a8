"""Report stage: the history, replayed once under its stored template -> the manager's report
(`outcomes.ReportResult`) over a span of months, for the whole centre or one team:

- the level distribution: the agents on each month's payroll by the level they are paid at
  (the payroll's own lines' levels and totals, `pay.pay_totals`, so the counts and the pay
  cost below are those `cslevel payroll export` gives), for the centre and for every team;
- the moves in force from each month (promotions, demotions) and their rates: moves over
  the agents paid that month;
- the pay cost by level: each month's pay lines summed by level (Decimal, at the fen);
- the agents who moved most over the span;
- the calibration view: each team's score distribution (median, quartiles) beside the
  centre's, a team flagged when its median lies more than `FAR_FACTOR` × the centre's
  interquartile range from the median of the other teams' medians, or when every agent it
  has on the last month's payroll is at a top level (our default rule, DOMAIN.md has none).

Plain Python over the history: no pandas. Writes nothing; the writers are
`export/report_html.py` and `export/report_xlsx.py`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, NamedTuple, cast

from ..bulk import bulk_load
from ..i18n import _
from ..outcomes import MonthMoves, Mover, ReportResult, ScoreSpread
from ..parallel import shared_map
from ..records import CslevelError, Month, Problem, month_range
from ..store import History
from ..templates import Scheme
from .derive import corrections_of, derive, scores_in_use, state_at, stored_scheme, window_of
from .pay import PayrollReads, pay_totals

FAR_FACTOR = Decimal("1.5")  # × the centre's IQR: a team median this far from the others'
MOVERS = 20  # the agents who moved most, at most this many
HUNDREDTH = Decimal("0.01")


def report_of(history: History, first: Month | None, last: Month | None,
              team: str | None) -> ReportResult:
    """The report over `first`..`last` (default: every scored month), for `team` (default:
    the whole centre)."""
    scheme = stored_scheme(history)
    scored = history.scored_months()
    first = first or scored[0]
    last = last or scored[-1]
    for month, option in ((first, "--from"), (last, "--to")):
        if not scored[0] <= month <= scored[-1]:
            raise CslevelError(Problem(
                _("{option} {month} is outside the scored months ({first} to {last})").format(
                    option=option, month=month, first=scored[0], last=scored[-1]),
                hint=_("Give a month from {first} to {last}.").format(
                    first=scored[0], last=scored[-1])))
    if first > last:
        raise CslevelError(Problem(
            _("--from {first} is after --to {last}").format(first=first, last=last),
            hint=_("Give the earlier month with --from.")))
    agents = history.agents()
    known = sorted({a.team for a in agents.values()})
    if team is not None and team not in known:
        raise CslevelError(Problem(
            _("no team {team} in the history").format(team=repr(team)),
            hint=_("Teams in the history: {teams}").format(teams=", ".join(known[:20]))))
    # (levels and moves only: the training flags are not read)
    derived = derive(history, scheme, last, window_of(history, scheme), needed=first - 1
                     if first > scored[0] else None, flags=False)
    scores = scores_in_use(history, scheme, corrections_of(history))
    months = month_range(first, last)
    # the payroll reads only the team's own agents (a lead's pay reads the lead's team)
    paid_from = derived if team is None else {
        a: v for a, v in derived.items() if v[0].team == team}
    reads = PayrollReads(history, [scheme], months)

    def month_lines(month: Month) -> MonthTally:
        # a report sums the payroll's lines (their levels and totals: `pay.pay_totals`); the
        # payroll command reports their warnings
        totals = pay_totals(cast(History, reads), scheme, month, paid_from, scores, scored, [])
        return MonthTally.of(totals, paid_from, keep=month == last)

    # each month's lines counted and let go (36 months of 10,000 lines would not fit); the
    # months and the score spreads shared out with a forked worker, which takes the spreads
    # (the run takes the last job and every other one before it)
    jobs: list[Callable[[], Any]] = [partial(month_lines, m) for m in months]
    jobs.insert(len(jobs) - 1, partial(score_spreads, derived, scores, months))
    with bulk_load():  # (many sums and lines, no cycles: no collections walking them)
        done = shared_map(_call, jobs)
    spreads: Spreads = done.pop(len(jobs) - 2)
    tallies: list[MonthTally] = done
    tally = Tally(tallies)
    last_paid = tallies[-1].lines
    moves, movers = _moves(paid_from, months, tally.headcount)
    levels = [lv for lv in scheme.level_names
              if any(lv in c for c in tally.counts) or any(lv in p for p in tally.pay)]
    top = top_levels(scheme)
    centre, teams = calibration(spreads, last_paid, top, team)
    counts, pay, team_counts = tally.counts, tally.pay, tally.by_team
    return ReportResult(scheme, first, last, team, months, levels, top, counts, team_counts,
                        pay, moves, movers, centre, teams, FAR_FACTOR)


def _call(job: Callable[[], Any]) -> Any:
    return job()


def top_levels(scheme: Scheme) -> list[str]:
    """The ladder's top level (each track's top, for a template with tracks)."""
    if scheme.tracks:
        return [track.levels[-1] for track in scheme.tracks]
    return scheme.regular_levels[-1:]


class MonthTally(NamedTuple):
    """A month's pay lines counted and summed by level (and counted by team and level)."""

    counts: dict[str, int]
    pay: dict[str, Decimal]
    by_team: dict[str, dict[str, int]]
    headcount: int
    lines: dict[str, tuple[str, str]]  # (team, level) by agent, kept for the last month only
    # (the calibration reads it)

    @classmethod
    def of(cls, totals: dict[str, tuple[str, Decimal]], derived: dict, keep: bool
           ) -> MonthTally:
        count: Counter[str] = Counter()
        amount: dict[str, Decimal] = defaultdict(Decimal)
        by_team: dict[str, dict[str, int]] = defaultdict(dict)
        paid: dict[str, tuple[str, str]] = {}
        for agent_id, (level, total) in totals.items():
            team = derived[agent_id][0].team
            count[level] += 1
            amount[level] += total
            cell = by_team[team]
            cell[level] = cell.get(level, 0) + 1
            if keep:
                paid[agent_id] = (team, level)
        return cls(dict(count), dict(amount), dict(by_team), len(totals), paid)


class Tally:
    """The months' tallies side by side: counts and pay by month, counts by team and month."""

    def __init__(self, tallies: list[MonthTally]) -> None:
        self.counts = [t.counts for t in tallies]
        self.pay = [t.pay for t in tallies]
        self.headcount = [t.headcount for t in tallies]
        teams = sorted({team for t in tallies for team in t.by_team})
        self.by_team = {team: [t.by_team.get(team, {}) for t in tallies] for team in teams}


def _moves(derived: dict, months: list[Month], headcount: list[int]
           ) -> tuple[list[MonthMoves], list[Mover]]:
    first, last = months[0], months[-1]
    up: Counter[Month] = Counter()
    down: Counter[Month] = Counter()
    movers = []
    for agent_id, (agent, states, next_level) in derived.items():
        ups = downs = 0
        for state in states:
            d = state.decision
            if d is None or not first <= d.effective <= last:
                continue
            if d.kind == "promote":
                up[d.effective] += 1
                ups += 1
            elif d.kind == "demote":
                down[d.effective] += 1
                downs += 1
        if ups or downs:
            start = state_at(states, first) or states[0]
            end = state_at(states, last)
            movers.append(Mover(agent_id, agent.name, agent.team, ups, downs, start.level,
                                end.level if end is not None else next_level))
    movers.sort(key=lambda m: (-m.moves, -m.promotions, m.agent_id))
    moves = [MonthMoves(month, paid, up[month], down[month], rate(up[month], paid),
                        rate(down[month], paid)) for month, paid in zip(months, headcount)]
    return moves, movers[:MOVERS]


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(Q1, median, Q3) of sorted `values`, inclusive of the ends (Excel's QUARTILE.INC:
    linear between the two nearest ranks), exact in Decimal."""
    def at(p: Decimal) -> Decimal:
        position = (len(values) - 1) * p
        low = int(position)
        high = min(low + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * (position - low)

    return at(Decimal("0.25")), at(Decimal("0.5")), at(Decimal("0.75"))


def _spread(team: str, values: list[Decimal], agents: int, at_top: int, paid: int
            ) -> ScoreSpread:
    values.sort()
    q1, median, q3 = quartiles(values)
    return ScoreSpread(team, agents, len(values), values[0], q1, median, q3, values[-1],
                       at_top, paid)


def median_of(values: list[Decimal]) -> Decimal:
    return quartiles(sorted(values))[1]


Spreads = tuple[ScoreSpread, dict[str, ScoreSpread]] | None


def score_spreads(derived: dict, scores: dict, months: list[Month]) -> Spreads:
    """The centre's spread of scores over `months` and each team's (by team name), before
    the flags; None when nobody has a score in those months."""
    wanted = set(months)
    by_team: dict[str, list[Decimal]] = defaultdict(list)
    agents_of: Counter[str] = Counter()
    for agent_id, (agent, _states, _next) in derived.items():
        own = [s.value for m, s in scores.get(agent_id, {}).items() if m in wanted]
        if own:
            by_team[agent.team] += own
            agents_of[agent.team] += 1
    if not by_team:
        return None
    everyone = [v for values in by_team.values() for v in values]
    centre = _spread("", everyone, sum(agents_of.values()), 0, 0)
    return centre, {t: _spread(t, values, agents_of[t], 0, 0)
                    for t, values in sorted(by_team.items())}


def calibration(spreads: Spreads, last_paid: dict[str, tuple[str, str]], top: list[str],
                team: str | None) -> tuple[ScoreSpread | None, list[ScoreSpread]]:
    """The spreads with who is at the top level in the last month, flagged (see the module's
    docstring). With `team`, only that team's row is kept (flagged against all the others)."""
    if spreads is None:
        return None, []
    paid: Counter[str] = Counter()
    at_top: Counter[str] = Counter()
    for team_of, level in last_paid.values():
        paid[team_of] += 1
        at_top[team_of] += level in top
    centre = dataclasses.replace(spreads[0], at_top=sum(at_top.values()),
                                 paid=sum(paid.values()))
    limit = FAR_FACTOR * (centre.q3 - centre.q1)
    medians = {name: spread.median for name, spread in spreads[1].items()}
    flagged = []
    for name, spread in spreads[1].items():
        others = [m for t, m in medians.items() if t != name]
        far = bool(others) and abs(spread.median - median_of(others)) > limit
        all_top = paid[name] > 0 and at_top[name] == paid[name]
        flagged.append(dataclasses.replace(spread, at_top=at_top[name], paid=paid[name],
                                           far=far, all_top=all_top))
    if team is not None:
        flagged = [s for s in flagged if s.team == team]
    return centre, flagged


def rate(part: int, whole: int) -> Decimal:
    """`part` / `whole` as a fraction rounded half up to 4 places (0.0125 = 1.25 %)."""
    if not whole:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def rounded(value: Decimal) -> Decimal:
    """A score figure as the report shows it: two places, half up."""
    return value.quantize(HUNDREDTH, ROUND_HALF_UP)
