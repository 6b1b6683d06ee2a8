"""The score-bands rule (points scheme, 004 "客服部岗位定级标准"): each month's score puts the
agent in the level of its band (lower bound inclusive), in force from the next month. A
score under every band means "not graded": the agent moves to the ungraded level and is
flagged for a person to look at. A month without a score leaves the level as it is.

No state besides the level."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from ..i18n import N_, _
from ..records import Month, Score
from .common import fmt_number
from .driver import NO_STREAKS, Missing, RuleKind, State, Step, Trial, Who, move

if TYPE_CHECKING:
    from ..scheme import GradeBand, Scheme

NOT_GRADED = "not_graded"


class Bands(NamedTuple):
    high_first: list[GradeBand]
    lowest: Decimal  # the lowest band's bound
    ungraded: str
    order: list[str]  # every level, low → high


def prepare(scheme: Scheme, window: int) -> Bands:
    rule = scheme.promotion
    assert rule.ungraded_level is not None
    return Bands(list(reversed(rule.grade_bands)), rule.grade_bands[0].at_least,
                 rule.ungraded_level, scheme.level_names)


def step(rule: Bands, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    assert score is not None  # (months without a score are the driver's)
    value = score.value
    flags: tuple[str, ...] = ()
    for band in rule.high_first:
        if value >= band.at_least:
            target, note = band.level, ""
            break
    else:
        target, flags = rule.ungraded, (NOT_GRADED,)
        note = _("score {score} below every band (the lowest: {lowest}): not graded, for "
                 "review").format(score=fmt_number(value), lowest=fmt_number(rule.lowest))
    decision = None
    if target != level:
        order = rule.order
        decision = move(
            who, month, level, target,
            "promote" if order.index(target) > order.index(level) else "demote", "score_band",
            _("{month} score {score} is in the band of {level}: {level} from {effective}"),
            (month,), month=month, score=fmt_number(value))
    return state, decision, note, flags, False


def carry(level: str, state: State) -> list[Any]:
    """[level]."""
    return [level]


def resume(saved: list[Any]) -> tuple[str, State]:
    level, = saved
    return level, NO_STREAKS


KIND = RuleKind(
    step, prepare, trial=Trial(N_("trial month, not graded")),
    missing=Missing(N_("no score: level unchanged"), True), carry=carry, resume=resume)
