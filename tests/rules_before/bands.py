"""The score-bands rule (points scheme, 004 "客服部岗位定级标准"): each month's score puts the
agent in the level of its band (lower bound inclusive), in force from the next month. A
score under every band means "not graded": the agent moves to the ungraded level and is
flagged for a person to look at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cslevel.i18n import _
from cslevel.records import Agent, Decision, Month, MonthState, Score, month_range
from . import Checkpoint, register
from .streak import fmt_number, last_month, opening

if TYPE_CHECKING:
    from cslevel.templates import Scheme

NOT_GRADED = "not_graded"


@register("score_bands", resumable=True)
def score_bands_rule(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Scheme,
    through: Month,
    window: int,
    start: Checkpoint | None = None,
    save: Checkpoint | None = None,
) -> tuple[list[MonthState], str]:
    """The agent's states (from the month after `start`, and the state at the close of
    `save.month` kept in `save`, as for the streak rule). The carry: the level."""
    rule = scheme.promotion
    trial_end, level = opening(agent, scheme)
    leave_month = Month.of(agent.leave_date) if agent.leave_date else None
    order = scheme.level_names
    states: list[MonthState] = []
    first, last = agent.first_month, last_month(agent, through)
    if start is not None:
        level, = start.carry
        first = start.month + 1
    for month in month_range(first, last):
        if save is not None and month == save.month + 1:
            save.carry = [level]
        score = scores.get(month)
        value = score.value if score else None
        in_trial = trial_end is not None and month <= trial_end
        decision = None
        flags: tuple[str, ...] = ()
        note = ""
        if in_trial:
            note = _("trial month, not graded")
        elif value is None:
            note = _("no score: level unchanged")
        else:
            band = next((b for b in reversed(rule.grade_bands) if value >= b.at_least), None)
            target = band.level if band else rule.ungraded_level
            assert target is not None
            if band is None:
                flags = (NOT_GRADED,)
                note = _("score {score} below every band (the lowest: {lowest}): not graded, "
                         "for review").format(score=fmt_number(value),
                                              lowest=fmt_number(rule.grade_bands[0].at_least))
            if target != level and month != leave_month:
                kind = "promote" if order.index(target) > order.index(level) else "demote"
                decision = Decision(
                    agent.agent_id, month, month + 1, level, target, kind, "score_band",
                    _("{month} score {score} is in the band of {level}: {level} from "
                      "{effective}").format(month=month, score=fmt_number(value),
                                            effective=month + 1, level=target), (month,))
        states.append(MonthState(agent.agent_id, month, level, value, not in_trial, 0, 0,
                                 in_trial, decision, note, False, flags))
        if decision:
            level = decision.to_level
    if save is not None and save.carry is None and last <= save.month:  # ended by then
        save.carry = [level]
    return states, level
