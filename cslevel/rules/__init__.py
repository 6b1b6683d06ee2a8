"""Promotion/demotion rule kinds: small pure steps over one agent's months, run by one driver.

A template names a rule kind (`promotion.rule`) and its numbers; `RULES` maps the name to
the kind: its step over one month and how it wants trial months, months without a score,
the leave month and checkpoints treated (`driver.RuleKind`). The driver (driver.py) does
all of that once for every kind: it follows each agent from its opening level, month by
month, to its last month. A new rule kind is one short file (its policy in the docstring,
its step, its `KIND`) and one line in `RULES`.

The names in `RULES` are the ones a template may give (`RULE_KINDS` in scheme/promotion.py
lists the same names; tests/test_rules.py checks that they agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..records import Agent, Corrections, Month, MonthState, Score
from . import bands, quarterly, ranking, streak, tenure, tiers, window
from .driver import (
    Checkpoint,
    Derived,
    RuleKind,
    opening,
    replay_agent,
    setting,
    trial_end_month,
)
from .driver import replay_agents as _replay_agents
from .teams import with_team_ranks

if TYPE_CHECKING:
    from ..scheme import Scheme

RULES: dict[str, RuleKind] = {
    "streak": streak.KIND,
    "window_average": window.KIND,
    "score_bands": bands.KIND,
    "tier_floors": tiers.KIND,
    "tenure_grade": tenure.KIND,
    "rank_streak": ranking.KIND,
    "quarterly_standard": quarterly.KIND,
}
# rule kinds that need each month's place within the team (`with_team_ranks`)
RANKED = {name for name, kind in RULES.items() if kind.ranked}
# rule kinds that read the scores' metrics, not only the score
METRICS = {name for name, kind in RULES.items() if kind.metrics}
# rule kinds that can go on from the state they were in at the close of a month (a
# checkpoint) instead of from the agent's first month
RESUMABLE = {name for name, kind in RULES.items() if kind.carry is not None}
# passes over every agent's states at once, for what compares agents with each other after
# their levels are known (e.g. the worst of a level), by rule kind
COHORT = {name: kind.cohort for name, kind in RULES.items() if kind.cohort is not None}

__all__ = ["COHORT", "METRICS", "RANKED", "RESUMABLE", "RULES", "Checkpoint", "RuleKind",
           "opening", "replay", "replay_agents", "replay_keeping", "trial_end_month",
           "with_team_ranks"]


def replay_agents(
    agents: Mapping[str, Agent], scores: Mapping[str, Mapping[Month, Score]], scheme: Scheme,
    through: Month, window: int | None = None, start: Mapping[str, Checkpoint] | None = None,
    keep: Month | None = None, corrections: Corrections | None = None,
) -> tuple[Derived, dict[str, Checkpoint]]:
    """Every agent's month states up to `through` and level the month after, by agent (with
    the rule kind's cohort pass applied); `start`: checkpoints to go on from (an agent
    without one is followed from its first month); `keep`: a month whose close to make
    checkpoints of, returned by agent (resumable rule kinds only); `corrections`: the
    adjustments in force (`scores` already holds the adjusted scores: `Corrections.applied`).
    """
    return _replay_agents(RULES[scheme.promotion.rule], agents, scores, scheme, through,
                          window or scheme.promotion.window, start, keep, corrections)


def replay_keeping(
    agent: Agent, scores: Mapping[Month, Score], scheme: Scheme, through: Month,
    window: int | None = None, *, keep: Month | None, start: Checkpoint | None = None,
) -> tuple[list[MonthState], str, Checkpoint | None]:
    """One agent's month states up to `through` (from the month after `start` when given),
    its level the month after, and its checkpoint at the close of `keep` (None when its
    months start after the month after)."""
    run = setting(RULES[scheme.promotion.rule], scheme, window or scheme.promotion.window)
    states, level, carry = replay_agent(run, agent, scores, through, start, keep)
    return states, level, Checkpoint(keep, carry) if carry is not None else None  # type: ignore[arg-type]


def replay(
    agent: Agent, scores: Mapping[Month, Score], scheme: Scheme, through: Month,
    window: int | None = None, start: Checkpoint | None = None,
) -> tuple[list[MonthState], str]:
    """One agent's month states up to `through` (from the month after `start` when given)
    and its level the month after."""
    states, level, _kept = replay_keeping(agent, scores, scheme, through, window, keep=None,
                                          start=start)
    return states, level


