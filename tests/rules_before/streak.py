"""The consecutive-streak rule (star scheme, 004 "客服部晋级管理薪酬制度").

Up: score ≥ up_threshold in each of `window` consecutive scored months -> one level up
from the next month. Down: score < down_threshold in each of `window` consecutive months
-> one level down from the next month. After any move both streaks restart from zero. A
month without a score breaks every streak (template: `missing_month: break`) or is passed
over (`skip`). Trial months are not counted. No move above the top or below the floor
level; a demotion never sends a regular agent back to trial.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from cslevel.i18n import _
from cslevel.records import Agent, Decision, Month, MonthState, Score, month_range
from . import Checkpoint, register

if TYPE_CHECKING:
    from cslevel.templates import Scheme


def fmt_number(value: Decimal) -> str:
    """110.00 -> '110', 109.90 -> '109.9' (for explanations)."""
    text = format(value.normalize(), "f")
    return text


def trial_end_month(agent: Agent, scheme: Scheme) -> Month | None:
    """Last trial month of the agent, or None when the agent starts as a regular."""
    if scheme.trial_level is None or scheme.trial_months == 0 or agent.first_month is None:
        return None
    if agent.start_level is not None and agent.start_level != scheme.trial_level:
        return None
    if agent.hire_date is not None:
        end = Month.of(agent.hire_date) + (scheme.trial_months - 1)
    elif agent.start_level == scheme.trial_level:
        end = agent.first_month + (scheme.trial_months - 1)
    else:
        return None
    return end if end >= agent.first_month else None


def starting_level(agent: Agent, scheme: Scheme, trial_end: Month | None) -> str:
    """The level in force in the agent's first month: trial, the level they came with, or
    the entry level."""
    if trial_end is not None:
        return scheme.trial_level or scheme.entry_level
    start = agent.start_level
    return start if start and start != scheme.trial_level else scheme.entry_level


def opening(agent: Agent, scheme: Scheme) -> tuple[Month | None, str]:
    """(last trial month or None, level in force in the agent's first month)."""
    trial_end = trial_end_month(agent, scheme)
    return trial_end, starting_level(agent, scheme, trial_end)


def last_month(agent: Agent, through: Month) -> Month:
    """The last month to follow: `through`, or the leave month if earlier."""
    return min(through, Month.of(agent.leave_date)) if agent.leave_date else through


@register("streak", resumable=True)
def streak_rule(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Scheme,
    through: Month,
    window: int,
    start: Checkpoint | None = None,
    save: Checkpoint | None = None,
) -> tuple[list[MonthState], str]:
    """The agent's states; from the month after `start` when given (its carry is the state
    at the close of that month), and the state at the close of `save.month` kept in `save`.
    The carry: level, the up and down streaks' lengths and their last months."""
    rule = scheme.promotion
    ladder = scheme.regular_levels
    trial_end, level = opening(agent, scheme)
    floor_index = ladder.index(scheme.floor_level) if scheme.floor_level in ladder else 0
    last = last_month(agent, through)
    first = agent.first_month

    leave_month = Month.of(agent.leave_date) if agent.leave_date else None
    left_note = _("left on {date}: no change of level").format(
        date=agent.leave_date) if agent.leave_date else ""

    states: list[MonthState] = []
    at_top: dict[str, str] = {}  # the same note month after month: worded once per level
    at_floor: dict[str, str] = {}
    # the streaks: their length, and their last `window` months (what a decision cites)
    up_months: list[Month] = []
    down_months: list[Month] = []
    up_count = down_count = 0
    if start is not None:
        level, up, down, up_count, down_count = start.carry
        up_months, down_months = [Month.parse(m) for m in up], [Month.parse(m) for m in down]
        first = start.month + 1
    index = ladder.index(level) if level in ladder else 0

    def carry() -> list[object]:
        return [level, [str(m) for m in up_months], [str(m) for m in down_months], up_count,
                down_count]

    for month in month_range(first, last):
        if save is not None and month == save.month + 1:
            save.carry = carry()
        score = scores.get(month)
        value = score.value if score else None
        if trial_end is not None and month <= trial_end:
            decision = None
            if month == trial_end:
                decision = Decision(
                    agent.agent_id, month, month + 1, level, scheme.entry_level, "trial_end",
                    "trial_end",
                    _("trial of {months} months ends with {month}: {level} from {effective}"
                      ).format(months=scheme.trial_months, month=month, effective=month + 1,
                               level=scheme.entry_level),
                    (),
                )
            note = _("trial month, not counted")
            if decision and month == leave_month:
                decision, note = None, left_note
            states.append(MonthState(agent.agent_id, month, level, value, False, 0, 0, True,
                                     decision, note))
            if decision:
                level = decision.to_level
                index = ladder.index(level)
            continue

        note = ""
        if value is None:
            if rule.missing_month == "break":
                up_months, down_months, up_count, down_count = [], [], 0, 0
                note = _("no score: streaks restart")
            else:
                note = _("no score: month passed over")
            states.append(MonthState(agent.agent_id, month, level, None, False,
                                     up_count, down_count, False, None, note))
            continue

        if value >= rule.up_threshold:
            up_months = [*up_months[1 - window:], month] if window > 1 else [month]
            up_count += 1
        else:
            up_months, up_count = [], 0
        if value < rule.down_threshold:
            down_months = [*down_months[1 - window:], month] if window > 1 else [month]
            down_count += 1
        else:
            down_months, down_count = [], 0
        decision = None
        if up_count >= window:
            trigger = tuple(up_months)
            blocked = ([m for m in trigger if scores[m].discipline_block]
                       if rule.block_column else [])
            if rule.block_column and blocked:
                note = _("promotion blocked by a discipline flag in {months}").format(
                    months=_(", ").join(str(m) for m in blocked))
            elif index == len(ladder) - 1:
                note = at_top.get(level) or at_top.setdefault(
                    level, _("already at the top level ({level})").format(level=level))
            else:
                detail = _(", ").join(f"{m} {fmt_number(scores[m].value)}" for m in trigger)
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[index + 1], "promote",
                    "streak_up",
                    _("{window} months in a row at or above {threshold}% ({detail}): "
                      "promoted to {level} from {effective}").format(
                        window=window, threshold=fmt_number(rule.up_threshold), detail=detail,
                        effective=month + 1, level=ladder[index + 1]),
                    trigger,
                )
        elif down_count >= window:
            trigger = tuple(down_months)
            if index <= floor_index:
                note = at_floor.get(level) or at_floor.setdefault(
                    level, _("already at the lowest regular level ({level})").format(level=level))
            else:
                detail = _(", ").join(f"{m} {fmt_number(scores[m].value)}" for m in trigger)
                decision = Decision(
                    agent.agent_id, month, month + 1, level, ladder[index - 1], "demote",
                    "streak_down",
                    _("{window} months in a row below {threshold}% ({detail}): "
                      "demoted to {level} from {effective}").format(
                        window=window, threshold=fmt_number(rule.down_threshold), detail=detail,
                        effective=month + 1, level=ladder[index - 1]),
                    trigger,
                )
        if decision and month == leave_month:
            decision, note = None, left_note
        states.append(MonthState(agent.agent_id, month, level, value, True,
                                 up_count, down_count, False, decision, note))
        if decision:
            level = decision.to_level
            index = ladder.index(level)
            up_months, down_months, up_count, down_count = [], [], 0, 0
    if save is not None and save.carry is None and last <= save.month:  # ended by then
        save.carry = carry()
    return states, level
