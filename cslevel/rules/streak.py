"""The consecutive-streak rule (star scheme, 004 "客服部晋级管理薪酬制度").

Up: score ≥ up_threshold in each of `window` consecutive scored months -> one level up
from the next month. Down: score < down_threshold in each of `window` consecutive months
-> one level down from the next month. After any move both streaks restart from zero. A
month without a score breaks every streak (template: `missing_month: break`) or is passed
over (`skip`). Trial months are not counted. No move above the top or below the floor
level; a demotion never sends a regular agent back to trial.

The state: the two streaks' lengths and their last `window` months (what a decision cites).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from ..i18n import N_, _
from ..records import Month, Score
from .common import cited, fmt_number
from .driver import (
    Missing,
    RuleKind,
    State,
    Step,
    Trial,
    Who,
    move,
)

if TYPE_CHECKING:
    from ..scheme import Scheme


class Streak(NamedTuple):
    window: int
    up_line: Decimal
    down_line: Decimal
    block_column: bool
    ladder: list[str]
    position: dict[str, int]  # a level's place in the ladder
    floor: int  # the place of the lowest level a demotion reaches
    at_top: dict[str, str]  # the notes of a streak that cannot move, worded once per level
    at_floor: dict[str, str]


def prepare(scheme: Scheme, window: int) -> Streak:
    rule, ladder = scheme.promotion, scheme.regular_levels
    if scheme.tracks:  # one track of a template with several (Scheme.track_scheme)
        track = scheme.tracks[0].name
        top = {lv: _("already at the top of {track} ({level})").format(track=track, level=lv)
               for lv in ladder}
        floor = {lv: _("already at the lowest level of {track} ({level})").format(
            track=track, level=lv) for lv in ladder}
    else:
        top = {lv: _("already at the top level ({level})").format(level=lv) for lv in ladder}
        floor = {lv: _("already at the lowest regular level ({level})").format(level=lv)
                 for lv in ladder}
    return Streak(
        window, rule.up_threshold, rule.down_threshold, rule.block_column, ladder,
        {level: i for i, level in reversed(list(enumerate(ladder)))},
        ladder.index(scheme.floor_level) if scheme.floor_level in ladder else 0, top, floor)


def step(rule: Streak, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    assert score is not None  # (months without a score are the driver's)
    up_count, down_count, up, down = state
    value, window = score.value, rule.window
    if value >= rule.up_line:
        up = (*up[1 - window:], month) if window > 1 else (month,)
        up_count += 1
    else:
        up, up_count = (), 0
    if value < rule.down_line:
        down = (*down[1 - window:], month) if window > 1 else (month,)
        down_count += 1
    else:
        down, down_count = (), 0
    decision, note = None, ""
    if up_count >= window:
        index = rule.position.get(level, 0)
        blocked = ([m for m in up if who.scores[m].discipline_block]
                   if rule.block_column else [])
        if blocked:
            note = _("promotion blocked by a discipline flag in {months}").format(
                months=_(", ").join(str(m) for m in blocked))
        elif index == len(rule.ladder) - 1:
            note = rule.at_top.get(level) or _("already at the top level ({level})").format(
                level=level)
        else:
            decision = move(
                who, month, level, rule.ladder[index + 1], "promote", "streak_up",
                _("{window} months in a row at or above {threshold}% ({detail}): promoted to "
                  "{level} from {effective}"), up, window=window,
                threshold=fmt_number(rule.up_line), detail=cited(who.scores, up))
    elif down_count >= window:
        index = rule.position.get(level, 0)
        if index <= rule.floor:
            note = rule.at_floor.get(level) or _(
                "already at the lowest regular level ({level})").format(level=level)
        else:
            decision = move(
                who, month, level, rule.ladder[index - 1], "demote", "streak_down",
                _("{window} months in a row below {threshold}% ({detail}): demoted to {level} "
                  "from {effective}"), down, window=window,
                threshold=fmt_number(rule.down_line), detail=cited(who.scores, down))
    return (up_count, down_count, up, down), decision, note, (), False


def carry(level: str, state: State) -> list[Any]:
    """[level, the up streak's months, the down streak's, their lengths] (as kept since
    checkpoints began: their JSON must not change)."""
    up_count, down_count, up, down = state
    return [level, [str(m) for m in up], [str(m) for m in down], up_count, down_count]


def resume(saved: list[Any]) -> tuple[str, State]:
    level, up, down, up_count, down_count = saved
    return level, (up_count, down_count, tuple(Month.parse(m) for m in up),
                   tuple(Month.parse(m) for m in down))


KIND = RuleKind(
    step, prepare,
    trial=Trial(N_("trial month, not counted"),
                N_("trial of {months} months ends with {month}: {level} from {effective}")),
    missing=Missing(N_("no score: streaks restart"), False, N_("no score: month passed over")),
    initial=(0, 0, (), ()), restart_after_move=True,
    left_note=N_("left on {date}: no change of level"), carry=carry, resume=resume)
