"""The window-average rule (weighted scheme, 004 "客服部岗位级别说明").

At the close of each review month (our default: the calendar quarter ends 03, 06, 09, 12;
with `review_months: []`, every `window` months from the agent's first regular month)
the average of the agent's scored months in the window ending there is put in a band:
> 80 one level up; 70–80 unchanged; 50–<70 one level down; < 50 one level down and a month
of probation. A probation month that scores under the probation line is flagged for a
dismissal review: a person decides, the tool never moves the agent for it. Moves take
effect the month after the review.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from cslevel.i18n import _
from cslevel.records import Agent, Decision, Month, MonthState, Score, month_range
from . import Checkpoint, register
from .streak import fmt_number, last_month, opening

if TYPE_CHECKING:
    from cslevel.templates import Scheme

DISMISSAL_REVIEW = "dismissal_review"


@register("window_average", resumable=True)
def window_average_rule(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Scheme,
    through: Month,
    window: int,
    start: Checkpoint | None = None,
    save: Checkpoint | None = None,
) -> tuple[list[MonthState], str]:
    """The agent's states (from the month after `start`, and the state at the close of
    `save.month` kept in `save`, as for the streak rule). The carry: level, and the last
    month of probation if any."""
    rule = scheme.promotion
    ladder = scheme.regular_levels
    trial_end, level = opening(agent, scheme)
    floor_index = ladder.index(scheme.floor_level) if scheme.floor_level in ladder else 0
    last = last_month(agent, through)
    leave_month = Month.of(agent.leave_date) if agent.leave_date else None

    states: list[MonthState] = []
    probation_until: Month | None = None
    first = agent.first_month
    if start is not None:
        level, until = start.carry
        probation_until = Month.parse(until) if until else None
        first = start.month + 1
    # a rolling review comes every `window` months counted from the first regular month
    regular_from = trial_end + 1 if trial_end is not None else agent.first_month
    for month in month_range(first, last):
        if save is not None and month == save.month + 1:
            save.carry = [level, str(probation_until) if probation_until else None]
        score = scores.get(month)
        value = score.value if score else None
        in_trial = trial_end is not None and month <= trial_end
        on_probation = probation_until is not None and month <= probation_until
        decision = None
        flags: list[str] = []
        note = ""
        if in_trial:
            note = _("trial month, not counted in the reviews")
            if month == trial_end:
                decision = Decision(agent.agent_id, month, month + 1, level, scheme.entry_level,
                                    "trial_end", "trial_end",
                                    _("trial ends: {level} from {effective}").format(
                                        effective=month + 1, level=scheme.entry_level))
        else:
            fail_line = rule.probation_fail_below
            if on_probation and fail_line is not None and value is not None and value < fail_line:
                flags.append(DISMISSAL_REVIEW)
                note = _("score {score} < {line} during probation: dismissal review for a "
                         "person to decide").format(score=fmt_number(value),
                                                    line=fmt_number(fail_line))
            # fixed review months (calendar quarters), or, with none listed, a rolling
            # review every `window` months counted from the agent's first regular month
            rolling_due = not rule.review_months and regular_from is not None and (
                (month - regular_from + 1) % window == 0)
            if month.month in rule.review_months or rolling_due:
                decision, review_note, probation = _review(
                    agent, scores, scheme, month, window, level, ladder, floor_index,
                    trial_end)
                note = _("; ").join(n for n in (note, review_note) if n)
                if probation:
                    probation_until = month + rule.probation_months
        if decision and month == leave_month:
            decision, note = None, _("left on {date}").format(date=agent.leave_date)
        states.append(MonthState(agent.agent_id, month, level, value, not in_trial, 0, 0,
                                 in_trial, decision, note, on_probation, tuple(flags)))
        if decision:
            level = decision.to_level
    if save is not None and save.carry is None and last <= save.month:  # ended by then
        save.carry = [level, str(probation_until) if probation_until else None]
    return states, level


def _review(
    agent: Agent, scores: dict[Month, Score], scheme: Scheme, month: Month, window: int,
    level: str, ladder: list[str], floor_index: int, trial_end: Month | None,
) -> tuple[Decision | None, str, bool]:
    """The review at the close of `month`: (decision, note, probation follows)."""
    rule = scheme.promotion
    months = [m for m in month_range(month + (1 - window), month)
              if m in scores and (trial_end is None or m > trial_end)]
    if not months:
        return None, _("no scores in the review window"), False
    total = sum((scores[m].value for m in months), Decimal(0))
    average = (total / len(months)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    band = next(b for b in rule.bands if b.holds(average))
    index = ladder.index(level) if level in ladder else 0
    target = index + band.move
    values = {"first": months[0], "last": months[-1], "average": fmt_number(average),
              "detail": _(", ").join(f"{m} {fmt_number(scores[m].value)}" for m in months)}

    def probation(text: str) -> str:
        return _("{text}, and a month of probation").format(text=text) if band.probation \
            else text

    if band.move == 0:
        return None, _("{first}–{last} average {average} ({detail}): unchanged").format(
            **values), band.probation
    if target >= len(ladder):
        return None, _("{first}–{last} average {average} ({detail}): already at the top"
                       ).format(**values), band.probation
    if target < floor_index:
        return None, probation(_("{first}–{last} average {average} ({detail}): already at "
                                 "the lowest level").format(**values)), band.probation
    kind = "promote" if band.move > 0 else "demote"
    if band.move > 0:
        reason = _("{first}–{last} average {average} ({detail}): promoted to {level} from "
                   "{effective}")
    else:
        reason = _("{first}–{last} average {average} ({detail}): demoted to {level} from "
                   "{effective}")
    decision = Decision(
        agent.agent_id, month, month + 1, level, ladder[target], kind,
        "review_up" if band.move > 0 else "review_down",
        probation(reason.format(**values, effective=month + 1, level=ladder[target])),
        tuple(months))
    return decision, "", band.probation
