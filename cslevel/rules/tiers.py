"""The tier-floors rule (tier scheme 段位, 002): a tier is earned on several metrics at once,
each with its own floor (or ceiling for lower-is-better metrics), so gaming one metric
(刷段位) earns nothing. Each scored month the agent qualifies for the highest tier whose
floors all hold; `window` months in a row qualifying above the current tier move the agent
one tier up, `window` months in a row qualifying below it one tier down, from the next
month. A month without a score breaks both counts."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..records import Agent, Decision, Month, MonthState, Score, month_range
from . import register
from .streak import fmt_number, last_month, opening

if TYPE_CHECKING:
    from ..templates import Scheme


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
            missed = f"未达{tier.level}：" + "、".join(failed)
            break
        best = index
    return best, missed


@register("tier_floors")
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
            note = ("试用期不计入 / trial month" if in_trial
                    else "本月无成绩，连续计数重新开始 / no score: counts restart")
        else:
            current = ladder.index(level)
            reached, missed = qualifying_tier(score, scheme)
            note = missed
            up = up + [month] if reached > current else []
            down = down + [month] if reached < current else []
            if len(up) >= window and current + 1 < len(ladder):
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[current + 1], "promote",
                    "tier_up", f"连续{window}个月各项指标均达到更高段位的门槛（"
                    f"{'、'.join(str(m) for m in up[-window:])}），{month + 1}起升为"
                    f"{ladder[current + 1]} / {window} months above the tier's floors",
                    tuple(up[-window:]))
            elif len(down) >= window and current > 0:
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[current - 1], "demote",
                    "tier_down", f"连续{window}个月未达本段位门槛（{missed}），{month + 1}起降为"
                    f"{ladder[current - 1]} / {window} months below the tier's floors",
                    tuple(down[-window:]))
            if decision and month == leave_month:
                decision, note = None, f"{agent.leave_date} 离职 / left"
        states.append(MonthState(agent.agent_id, month, level,
                                 score.value if score else None, not in_trial,
                                 len(up), len(down), in_trial, decision, note))
        if decision:
            level = decision.to_level
            up, down = [], []
    return states, level
