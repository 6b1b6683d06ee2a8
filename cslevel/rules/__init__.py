"""Promotion/demotion rule kinds: small pure functions over one agent's history.

A template names a rule kind (`promotion.rule`) and its numbers; this registry maps the name
to the function. Each function takes the agent, its scores by month, the scheme and the
review window, and returns the agent's month-by-month states (level in force, streaks,
decision) plus the level in force in the month after the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..records import Agent, Month, Score

if TYPE_CHECKING:
    from ..records import MonthState

    RuleFn = Callable[..., tuple[list[MonthState], str]]

RULES: dict[str, Any] = {}
RANKED: set[str] = set()  # rules that need each month's place within the team


def register(name: str, *, ranked: bool = False) -> Callable[[Any], Any]:
    def wrap(fn: Any) -> Any:
        RULES[name] = fn
        if ranked:
            RANKED.add(name)
        return fn

    return wrap


def with_team_ranks(
    scores: dict[str, dict[Month, Score]], agents: dict[str, Agent]
) -> dict[str, dict[Month, Score]]:
    """Each score with its place within the agent's team that month (1 = best; equal
    scores share a place, as in 1, 2, 2, 4)."""
    import dataclasses

    groups: dict[tuple[Month, str], list[Score]] = {}
    for agent_id, months in scores.items():
        team = agents[agent_id].team if agent_id in agents else ""
        for month, score in months.items():
            groups.setdefault((month, team), []).append(score)
    out: dict[str, dict[Month, Score]] = {a: {} for a in scores}
    for group in groups.values():
        values = sorted((s.value for s in group), reverse=True)
        for score in group:
            place = values.index(score.value) + 1
            out[score.agent_id][score.month] = dataclasses.replace(score, team_rank=place)
    return out


from . import streak as _streak  # noqa: E402,F401  (registers the rule kind)
from . import window as _window  # noqa: E402,F401  (registers the rule kind)
from . import bands as _bands  # noqa: E402,F401  (registers the rule kind)
from . import tiers as _tiers  # noqa: E402,F401  (registers the rule kind)
from . import tenure as _tenure  # noqa: E402,F401  (registers the rule kind)
from . import ranking as _ranking  # noqa: E402,F401  (registers the rule kind)

__all__ = ["RULES", "register", "replay"]


def replay(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Any,
    through: Month,
    window: int | None = None,
) -> tuple[list[MonthState], str]:
    """Run the scheme's promotion rule for one agent up to and including `through`."""
    fn = RULES[scheme.promotion.rule]
    return fn(agent, scores, scheme, through, window or scheme.promotion.window)
