"""The rank-streak rule (grade variant D→C, 004 "客服部岗位晋升标准"): one level up when the
agent has been in the top `rank_top` of the team for `window` months in a row (a month at
a lower place — 4th, say — resets the count to zero), has been in post at least
`min_tenure_months`, and had no customer complaint (`clean_metric` at 0) in each of the
last `clean_months` months. Effective the next month; no automatic demotion."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..records import Agent, Decision, Month, MonthState, Score, month_range
from . import register
from .streak import last_month, opening

if TYPE_CHECKING:
    from ..templates import Scheme


@register("rank_streak", ranked=True)
def rank_streak_rule(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Scheme,
    through: Month,
    window: int,
) -> tuple[list[MonthState], str]:
    rule = scheme.promotion
    ladder = scheme.regular_levels
    trial_end, level = opening(agent, scheme)
    hired = Month.of(agent.hire_date) if agent.hire_date else agent.first_month
    leave_month = Month.of(agent.leave_date) if agent.leave_date else None
    states: list[MonthState] = []
    streak: list[Month] = []
    for month in month_range(agent.first_month, last_month(agent, through)):
        score = scores.get(month)
        in_trial = trial_end is not None and month <= trial_end
        decision = None
        note = ""
        place = score.team_rank if score else None
        if in_trial or place is None:
            streak = []
            note = "无成绩或试用期，连续计数清零 / no score or trial: the count restarts"
        elif place > rule.rank_top:
            streak = []
            note = f"组内第{place}名，连续计数清零 / place {place} in the team: the count restarts"
        else:
            streak = streak + [month]
            note = f"组内第{place}名 / place {place} in the team"
        if len(streak) >= window and level in ladder:
            index = ladder.index(level)
            tenure = (month + 1) - hired
            blockers = []
            if index + 1 >= len(ladder):
                blockers.append("已是最高级 / already at the top")
            if tenure < rule.min_tenure_months:
                blockers.append(f"在岗{tenure}个月，未满{rule.min_tenure_months}个月 / "
                                f"{tenure} months in post")
            if rule.clean_metric is not None:
                recent = month_range(month + (1 - rule.clean_months), month)
                dirty = [m for m in recent if m not in scores
                         or scores[m].metrics.get(rule.clean_metric, Decimal(1)) != 0]
                if dirty:
                    blockers.append("近期有投诉或无投诉记录（" + "、".join(str(m) for m in dirty)
                                    + "）/ a complaint, or no complaint count, in " +
                                    ", ".join(str(m) for m in dirty))
            if blockers:
                note = "; ".join([note, *blockers])
            elif month != leave_month:
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[index + 1], "promote",
                    "rank_streak",
                    f"连续{window}个月组内前{rule.rank_top}名（{'、'.join(str(m) for m in streak[-window:])}），"
                    f"在岗{tenure}个月，近{rule.clean_months}个月无投诉，{month + 1}起晋升为"
                    f"{ladder[index + 1]} / top {rule.rank_top} of the team {window} months "
                    "in a row", tuple(streak[-window:]))
        states.append(MonthState(agent.agent_id, month, level, score.value if score else None,
                                 not in_trial, len(streak), 0, in_trial, decision, note))
        if decision:
            level = decision.to_level
            streak = []
    return states, level
