"""The score-bands rule (points scheme, 004 "客服部岗位定级标准"): each month's score puts the
agent in the level of its band (lower bound inclusive), in force from the next month. A
score under every band means "not graded": the agent moves to the ungraded level and is
flagged for a person to look at. A month without a score leaves the level as it is.

Items 1–5 of the source's table are hard grading criteria (硬性定级指标): a band may name
minimums on the hard items (`minimums`, in the item's points as the profile workbook gives
them, e.g. 学历 本科 = 3). An agent whose points reach a band whose minimums they miss stays
at the highest lower band whose minimums they meet (none: not graded), and the month's note
names the minimum that held them.

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
    names: dict[str, str]  # each profile item's name in the template, by key


def prepare(scheme: Scheme, window: int) -> Bands:
    rule = scheme.promotion
    assert rule.ungraded_level is not None
    names = {i.key: i.name for i in scheme.profile.items} if scheme.profile else {}
    return Bands(list(reversed(rule.grade_bands)), rule.grade_bands[0].at_least,
                 rule.ungraded_level, scheme.level_names, names)


def short_of(rule: Bands, band: GradeBand, score: Score) -> list[str]:
    """The minimums of `band` the agent misses: "学历 1 < 3" (the item's points, as read)."""
    short = []
    for key, minimum in band.minimums.items():
        points = score.metrics.get(f"profile:{key}", Decimal(0))
        if points < minimum:
            short.append(f"{rule.names.get(key, key)} {fmt_number(points)} < "
                         f"{fmt_number(minimum)}")
    return short


def step(rule: Bands, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    assert score is not None  # (months without a score are the driver's)
    value = score.value
    flags: tuple[str, ...] = ()
    reached: GradeBand | None = None  # the band the points reach
    held: GradeBand | None = None  # the lowest band above the level whose minimums held them
    short: list[str] = []
    target: str | None = None
    for band in rule.high_first:
        if value < band.at_least:
            continue
        reached = reached or band
        missed = short_of(rule, band, score) if band.minimums else []
        if not missed:
            target = band.level
            break
        held, short = band, missed
    note = ""
    if target is None:
        target, flags = rule.ungraded, (NOT_GRADED,)
        if reached is None:
            note = _("score {score} below every band (the lowest: {lowest}): not graded, "
                     "for review").format(score=fmt_number(value),
                                          lowest=fmt_number(rule.lowest))
    if held is not None and reached is not None:
        note = _("score {score} reaches {band}, but the minimum of {held} is not met ({short}): "
                 "held at {level}").format(score=fmt_number(value), band=reached.level,
                                           held=held.level, short=_(", ").join(short),
                                           level=target)
    decision = None
    if target != level:
        order = rule.order
        kind = "promote" if order.index(target) > order.index(level) else "demote"
        decision = move(
            who, month, level, target, kind, "score_band",
            _("{month} score {score} is in the band of {level}: {level} from {effective}")
            if held is None else
            _("{month} score {score} reaches {band}, held at {level} by the minimum of "
              "{held} ({short}): {level} from {effective}"),
            (month,), month=month, score=fmt_number(value),
            band=reached.level if reached else "", held=held.level if held else "",
            short=_(", ").join(short))
    return state, decision, note, flags, False


def carry(level: str, state: State) -> list[Any]:
    """[level]."""
    return [level]


def resume(saved: list[Any]) -> tuple[str, State]:
    level, = saved
    return level, NO_STREAKS


KIND = RuleKind(
    step, prepare, trial=Trial(N_("trial month, not graded")),
    missing=Missing(N_("no score: level unchanged"), True), carry=carry, resume=resume,
    metrics=True)
