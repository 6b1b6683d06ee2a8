"""The rank-streak rule (grade variant D→C, 004 "客服部岗位晋升标准"): one level up when the
agent has been in the top `rank_top` of the team for `window` months in a row (a month at
a lower place — 4th, say — resets the count to zero), has been in post at least
`min_tenure_months`, and had no customer complaint (`clean_metric` at 0) in each of the
last `clean_months` months. Effective the next month; no automatic demotion."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from cslevel.i18n import _, ngettext
from cslevel.records import Agent, Decision, Month, MonthState, Score, month_range
from . import register
from .streak import last_month, opening

if TYPE_CHECKING:
    from cslevel.templates import Scheme


@register("rank_streak", ranked=True, metrics=True)
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
            note = _("no score or trial: the count restarts")
        elif place > rule.rank_top:
            streak = []
            note = _("place {place} in the team: the count restarts").format(place=place)
        else:
            streak = streak + [month]
            note = _("place {place} in the team").format(place=place)
        if len(streak) >= window and level in ladder:
            index = ladder.index(level)
            tenure = (month + 1) - hired
            blockers = []
            if index + 1 >= len(ladder):
                blockers.append(_("already at the top"))
            if tenure < rule.min_tenure_months:
                blockers.append(ngettext("{tenure} month in post, fewer than {required}",
                                         "{tenure} months in post, fewer than {required}",
                                         tenure).format(tenure=tenure,
                                                        required=rule.min_tenure_months))
            if rule.clean_metric is not None:
                recent = month_range(month + (1 - rule.clean_months), month)
                dirty = [m for m in recent if m not in scores
                         or scores[m].metrics.get(rule.clean_metric, Decimal(1)) != 0]
                if dirty:
                    blockers.append(_("a complaint, or no complaint count, in {months}").format(
                        months=_(", ").join(str(m) for m in dirty)))
            if blockers:
                note = _("; ").join([note, *blockers])
            elif month != leave_month:
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[index + 1], "promote",
                    "rank_streak",
                    _("top {top} of the team {window} months in a row ({months}), {tenure} "
                      "months in post, no complaint in the last {clean} months: promoted to "
                      "{level} from {effective}").format(
                        top=rule.rank_top, window=window,
                        months=_(", ").join(str(m) for m in streak[-window:]), tenure=tenure,
                        clean=rule.clean_months, effective=month + 1, level=ladder[index + 1]),
                    tuple(streak[-window:]))
        states.append(MonthState(agent.agent_id, month, level, score.value if score else None,
                                 not in_trial, len(streak), 0, in_trial, decision, note))
        if decision:
            level = decision.to_level
            streak = []
    return states, level
