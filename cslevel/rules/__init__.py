"""Promotion/demotion rule kinds: small pure functions over one agent's history.

A template names a rule kind (`promotion.rule`) and its numbers; this registry maps the name
to the function. Each function takes the agent, its scores by month, the scheme and the
review window, and returns the agent's month-by-month states (level in force, streaks,
decision) plus the level in force in the month after the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..records import Agent, Month, MonthState, Score

    RuleFn = Callable[..., tuple[list[MonthState], str]]

RULES: dict[str, Any] = {}


def register(name: str) -> Callable[[Any], Any]:
    def wrap(fn: Any) -> Any:
        RULES[name] = fn
        return fn

    return wrap


from . import streak as _streak  # noqa: E402,F401  (registers the rule kind)
from . import window as _window  # noqa: E402,F401  (registers the rule kind)
from . import bands as _bands  # noqa: E402,F401  (registers the rule kind)
from . import tiers as _tiers  # noqa: E402,F401  (registers the rule kind)
from . import tenure as _tenure  # noqa: E402,F401  (registers the rule kind)

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
