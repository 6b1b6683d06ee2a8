"""The rules as they were before the driver (commit 65855ab, cslevel/rules/), kept verbatim
but for the imports of cslevel's modules: the oracle of tests/test_rules_driver.py, which
checks that the driver-based rules give exactly what these gave, on random histories of
every rule kind. Not used by cslevel. When a rule kind's behaviour is changed on purpose,
change it here too (or drop its oracle), with the reason in the commit.

Promotion/demotion rule kinds: small pure functions over one agent's history.

A template names a rule kind (`promotion.rule`) and its numbers; this registry maps the name
to the function. Each function takes the agent, its scores by month, the scheme and the
review window, and returns the agent's month-by-month states (level in force, streaks,
decision) plus the level in force in the month after the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cslevel.records import Agent, Month, Score

if TYPE_CHECKING:
    from cslevel.records import MonthState

    RuleFn = Callable[..., tuple[list[MonthState], str]]

RULES: dict[str, Any] = {}
RANKED: set[str] = set()  # rules that need each month's place within the team
METRICS: set[str] = set()  # rules that read the scores' metrics, not only the score
# rules that can start from the state they were in at the close of a month (a checkpoint),
# instead of from the agent's first month
RESUMABLE: set[str] = set()
# passes over every agent's states at once, for what compares agents with each other after
# their levels are known (e.g. the worst of a level); keyed by rule kind
COHORT: dict[str, Any] = {}


def register(name: str, *, ranked: bool = False, metrics: bool = False,
             resumable: bool = False) -> Callable[[Any], Any]:
    def wrap(fn: Any) -> Any:
        RULES[name] = fn
        if ranked:
            RANKED.add(name)
        if metrics:
            METRICS.add(name)
        if resumable:
            RESUMABLE.add(name)
        return fn

    return wrap


@dataclass
class Checkpoint:
    """One agent's rule state at the close of `month`, as JSON-able values (`carry`): what a
    resumable rule needs to go on from the month after. A rule given `save=Checkpoint(m)`
    fills in `carry` as it passes m (left None when the agent's first month is after m + 1);
    given `start=Checkpoint(m, carry)` it replays from m + 1 only."""

    month: Month
    carry: Any = None


def cohort(name: str) -> Callable[[Any], Any]:
    def wrap(fn: Any) -> Any:
        COHORT[name] = fn
        return fn

    return wrap


def with_team_ranks(
    scores: dict[str, dict[Month, Score]], agents: dict[str, Agent],
    review_months: list[int] | None = None, window: int = 1,
) -> dict[str, dict[Month, Score]]:
    """Each score with its place within the agent's team (1 = best; equal values share a
    place, as in 1, 2, 2, 4) and the number ranked. Monthly by default; with review
    months, the place on the average of the `window` months ending at each review month,
    set on that month's score."""
    from decimal import Decimal

    groups: dict[tuple[Month, str], list[tuple[str, Decimal]]] = {}
    for agent_id, months in scores.items():
        team = agents[agent_id].team if agent_id in agents else ""
        for month in months:
            if review_months is not None and month.month not in review_months:
                continue
            values = [months[m].value for m in (month + (-i) for i in range(window))
                      if m in months] if review_months is not None else [months[month].value]
            groups.setdefault((month, team), []).append(
                (agent_id, sum(values, Decimal(0)) / len(values)))
    out = {a: dict(months) for a, months in scores.items()}
    for (month, _), group in groups.items():
        ordered = sorted((value for _, value in group), reverse=True)
        average = sum(ordered, Decimal(0)) / len(ordered)
        for agent_id, value in group:
            out[agent_id][month] = out[agent_id][month]._replace(
                team_rank=ordered.index(value) + 1, team_size=len(group),
                team_average=average)
    return out


from . import streak as _streak  # noqa: E402,F401  (registers the rule kind)
from . import window as _window  # noqa: E402,F401  (registers the rule kind)
from . import bands as _bands  # noqa: E402,F401  (registers the rule kind)
from . import tiers as _tiers  # noqa: E402,F401  (registers the rule kind)
from . import tenure as _tenure  # noqa: E402,F401  (registers the rule kind)
from . import ranking as _ranking  # noqa: E402,F401  (registers the rule kind)
from . import quarterly as _quarterly  # noqa: E402,F401  (registers the rule kind)

__all__ = ["METRICS", "RULES", "register", "replay", "replay_all"]


def replay(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Any,
    through: Month,
    window: int | None = None,
    start: Checkpoint | None = None,
    save: Checkpoint | None = None,
) -> tuple[list[MonthState], str]:
    """Run the scheme's promotion rule for one agent up to and including `through` (from the
    month after `start`, and keeping its state at `save`, where the rule kind is resumable)."""
    if agent.first_month is None:  # known from the roster only, never scored yet
        return [], agent.start_level or scheme.entry_level
    fn = RULES[scheme.promotion.rule]
    if start is None and save is None:
        return fn(agent, scores, scheme, through, window or scheme.promotion.window)
    assert scheme.promotion.rule in RESUMABLE, scheme.promotion.rule
    return fn(agent, scores, scheme, through, window or scheme.promotion.window, start, save)


def replay_all(
    agents: dict[str, Agent],
    scores: dict[str, dict[Month, Score]],
    scheme: Any,
    through: Month,
    window: int | None = None,
    start: dict[str, Checkpoint] | None = None,
    save: dict[str, Checkpoint] | None = None,
) -> dict[str, tuple[Agent, list[MonthState], str]]:
    """Every agent's states up to `through` and level the month after, with the rule kind's
    cohort pass (comparisons between agents) applied. `start`: checkpoints to go on from
    (an agent without one is replayed from its first month); `save`: checkpoints to fill in,
    by agent."""
    out = {}
    begin, keep = start or {}, save or {}
    for agent_id, agent in sorted(agents.items()):
        states, next_level = replay(agent, scores.get(agent_id, {}), scheme, through, window,
                                    begin.get(agent_id), keep.get(agent_id))
        out[agent_id] = (agent, states, next_level)
    if (fn := COHORT.get(scheme.promotion.rule)) is not None:
        out = fn(out, scheme, window or scheme.promotion.window)
    return out
