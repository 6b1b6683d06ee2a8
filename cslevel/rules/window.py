"""The window-average rule (weighted scheme, 004 "客服部岗位级别说明").

At the close of each review month (our default: the calendar quarter ends 03, 06, 09, 12;
with `review_months: []`, every `window` months from the agent's first regular month)
the average of the agent's scored months in the window ending there is put in a band:
> 80 one level up; 70–80 unchanged; 50–<70 one level down; < 50 one level down and a month
of probation. A probation month that scores under the probation line is flagged for a
dismissal review: a person decides, the tool never moves the agent for it. Moves take
effect the month after the review.

In a template with several ladders (the weighted scheme's posts: `tracks`), the review
moves an agent along the ladder of the post of the level held only: at its top or its
lowest level it stays (审核助理, one level, never moves).

The state: the last month of probation, if any. A month without a score is seen here (a
review averages the window's scored months, whichever they are).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from ..i18n import N_, _
from ..records import Decision, Month, Score
from .common import average, cited, fmt_number, scored_in_window
from .driver import MoveKind, RuleKind, State, Step, Trial, Who, move

if TYPE_CHECKING:
    from ..scheme import Band, Scheme

DISMISSAL_REVIEW = "dismissal_review"


class Review(NamedTuple):
    window: int
    review_months: list[int]  # [] = rolling reviews
    bands: list[Band]
    probation_months: int
    fail_line: Decimal | None  # a probation month under it: dismissal review
    ladder: list[str]
    position: dict[str, int]
    floor: int
    track: str | None  # the track (post) whose ladder this is, in a template with several


def prepare(scheme: Scheme, window: int) -> Review:
    rule, ladder = scheme.promotion, scheme.regular_levels
    return Review(window, rule.review_months, rule.bands, rule.probation_months,
                  rule.probation_fail_below, ladder,
                  {level: i for i, level in reversed(list(enumerate(ladder)))},
                  ladder.index(scheme.floor_level) if scheme.floor_level in ladder else 0,
                  # one track of a template with several (Scheme.track_scheme)
                  scheme.tracks[0].name if scheme.tracks else None)


def step(rule: Review, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    probation_until = state[2]
    on_probation = probation_until is not None and month <= probation_until
    decision, note = None, ""
    flags: tuple[str, ...] = ()
    fail_line = rule.fail_line
    if on_probation and fail_line is not None and score is not None and score.value < fail_line:
        flags = (DISMISSAL_REVIEW,)
        note = _("score {score} < {line} during probation: dismissal review for a person to "
                 "decide").format(score=fmt_number(score.value), line=fmt_number(fail_line))
    # fixed review months (calendar quarters), or, with none listed, a rolling review every
    # `window` months counted from the agent's first regular month
    if month.month in rule.review_months or not rule.review_months and (
            (month - who.regular_from + 1) % rule.window == 0):
        decision, review_note, probation = _review(rule, who, month, level)
        note = _("; ").join(n for n in (note, review_note) if n)
        if probation:
            state = (0, 0, month + rule.probation_months)
    return state, decision, note, flags, on_probation


def _review(rule: Review, who: Who, month: Month, level: str,
            ) -> tuple[Decision | None, str, bool]:
    """The review at the close of `month`: (decision, note, probation follows)."""
    scores = who.scores
    months = scored_in_window(scores, month, rule.window, who.trial_end)
    if not months:
        return None, _("no scores in the review window"), False
    mean = average(scores, months)
    band = next(b for b in rule.bands if b.holds(mean))
    target = rule.position.get(level, 0) + band.move
    values = {"first": months[0], "last": months[-1], "average": fmt_number(mean),
              "detail": cited(scores, months)}

    def probation(text: str) -> str:
        return _("{text}, and a month of probation").format(text=text) if band.probation \
            else text

    if band.move == 0:
        return None, _("{first}–{last} average {average} ({detail}): unchanged").format(
            **values), band.probation
    if target >= len(rule.ladder):
        if rule.track is not None:  # the top of the post's (track's) own ladder
            return None, _("{first}–{last} average {average} ({detail}): already at the top "
                           "of {track} ({level})").format(**values, track=rule.track,
                                                          level=level), band.probation
        return None, _("{first}–{last} average {average} ({detail}): already at the top"
                       ).format(**values), band.probation
    if target < rule.floor:
        if rule.track is not None:
            return None, probation(_("{first}–{last} average {average} ({detail}): already "
                                     "at the lowest level of {track} ({level})").format(
                **values, track=rule.track, level=level)), band.probation
        return None, probation(_("{first}–{last} average {average} ({detail}): already at "
                                 "the lowest level").format(**values)), band.probation
    kind: MoveKind
    if band.move > 0:
        kind, name = "promote", "review_up"
        reason = _("{first}–{last} average {average} ({detail}): promoted to {level} from "
                   "{effective}")
    else:
        kind, name = "demote", "review_down"
        reason = _("{first}–{last} average {average} ({detail}): demoted to {level} from "
                   "{effective}")
    # (the probation's words go around the reason's, which `move` then fills in)
    return move(who, month, level, rule.ladder[target], kind, name, probation(reason),
                tuple(months), **values), "", band.probation


def carry(level: str, state: State) -> list[Any]:
    """[level, the last month of probation or None]."""
    return [level, str(state[2]) if state[2] else None]


def resume(saved: list[Any]) -> tuple[str, State]:
    level, until = saved
    return level, (0, 0, Month.parse(until) if until else None)


KIND = RuleKind(
    step, prepare,
    trial=Trial(N_("trial month, not counted in the reviews"),
                N_("trial ends: {level} from {effective}")),
    missing=None, initial=(0, 0, None), left_note=N_("left on {date}"), carry=carry,
    resume=resume)
