"""The tier-floors rule (tier scheme 段位, 002): a tier is earned on several metrics at once,
each with its own floor (or ceiling for lower-is-better metrics), so gaming one metric
(刷段位) earns nothing. Each scored month the agent qualifies for the highest tier whose
floors all hold; `window` months in a row qualifying above the current tier move the agent
one tier up, `window` months in a row qualifying below it one tier down, from the next
month. A month without a score breaks both counts."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from cslevel.i18n import _
from cslevel.records import Agent, Decision, Month, MonthState, Score, month_range
from . import register
from .streak import fmt_number, last_month, opening

if TYPE_CHECKING:
    from cslevel.templates import Scheme


def qualifying_tier(score: Score, scheme: Scheme) -> tuple[int, str]:
    """(index of the highest tier whose floors all hold, why the next tier was missed)."""
    metrics = {m.key: m for m in scheme.score.metrics}
    best, missed = 0, ""
    for index, tier in enumerate(scheme.promotion.tiers):
        failed = []
        for key, bar in tier.floors.items():
            value = score.metrics.get(key)
            lower = metrics[key].direction == "lower"
            if value is None or (value > bar if lower else value < bar):
                shown = "—" if value is None else fmt_number(Decimal(value))
                failed.append(f"{metrics[key].name} {shown} {'>' if lower else '<'} "
                              f"{fmt_number(bar)}")
        if failed:
            missed = _("below {level}: {failed}").format(level=tier.level,
                                                          failed=_(", ").join(failed))
            break
        best = index
    return best, missed


@register("tier_floors", metrics=True)
def tier_floors_rule(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Scheme,
    through: Month,
    window: int,
) -> tuple[list[MonthState], str]:
    ladder = scheme.regular_levels
    trial_end, level = opening(agent, scheme)
    leave_month = Month.of(agent.leave_date) if agent.leave_date else None
    states: list[MonthState] = []
    up: list[Month] = []
    down: list[Month] = []
    for month in month_range(agent.first_month, last_month(agent, through)):
        score = scores.get(month)
        in_trial = trial_end is not None and month <= trial_end
        decision = None
        note = ""
        if in_trial or score is None or level not in ladder:
            up, down = [], []
            note = _("trial month") if in_trial else _("no score: counts restart")
        else:
            current = ladder.index(level)
            reached, missed = qualifying_tier(score, scheme)
            note = missed
            up = up + [month] if reached > current else []
            down = down + [month] if reached < current else []
            if len(up) >= window and current + 1 < len(ladder):
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[current + 1], "promote",
                    "tier_up", _("{window} months in a row at every floor of a higher tier "
                                 "({months}): up to {level} from {effective}").format(
                        window=window, months=_(", ").join(str(m) for m in up[-window:]),
                        effective=month + 1, level=ladder[current + 1]),
                    tuple(up[-window:]))
            elif len(down) >= window and current > 0:
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[current - 1], "demote",
                    "tier_down", _("{window} months in a row below the tier's floors "
                                   "({missed}): down to {level} from {effective}").format(
                        window=window, missed=missed, effective=month + 1,
                        level=ladder[current - 1]),
                    tuple(down[-window:]))
            if decision and month == leave_month:
                decision, note = None, _("left on {date}").format(date=agent.leave_date)
        states.append(MonthState(agent.agent_id, month, level,
                                 score.value if score else None, not in_trial,
                                 len(up), len(down), in_trial, decision, note))
        if decision:
            level = decision.to_level
            up, down = [], []
    return states, level
