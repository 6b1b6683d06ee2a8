"""The rank-streak rule (grade variant D→C, 004 "客服部岗位晋升标准"): one level up when the
agent has been in the top `rank_top` of the team for `window` months in a row (a month at
a lower place — 4th, say — resets the count to zero), has been in post at least
`min_tenure_months`, and had no customer complaint (`clean_metric` at 0) in each of the
last `clean_months` months. With `excellent_metric` or the roster's `columns.excellent`,
the agent must also have been named 优秀员工 (employee of the month) at least once in the
last `excellent_months` months (最近三个月有被评过优秀员工的): a month counts when the KPI
workbook says so (the metric at 1) or the roster lists it among the months named
(`Agent.excellent_months`). Effective the next month; no
automatic demotion. A month without a score, or in trial, resets the count too. The
probation exam of a new hire (`exam_floors`) is the driver's: a pass ends the trial.

The state: the months in a row in the top places."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from ..i18n import N_, _, ngettext
from ..records import Month, Score, month_range
from .common import listed
from .driver import Missing, RuleKind, State, Step, Trial, Who, move

if TYPE_CHECKING:
    from ..scheme import Promotion, Scheme


class Ranking(NamedTuple):
    window: int
    rule: Promotion
    ladder: list[str]
    position: dict[str, int]
    excellent: bool  # 优秀员工 required: the KPI's `excellent_metric` or the roster's column


def prepare(scheme: Scheme, window: int) -> Ranking:
    ladder = scheme.regular_levels
    return Ranking(window, scheme.promotion, ladder,
                   {level: i for i, level in reversed(list(enumerate(ladder)))},
                   scheme.promotion.excellent_metric is not None
                   or bool(scheme.columns.excellent))


def _named(who: Who, key: str | None, months: list[Month]) -> list[str]:
    """The months of `months` the agent was named 优秀员工, as the reason cites them: by the
    KPI workbook (the metric `key` at 1 that month) or by the roster (its months named; marked
    so when the KPI does not say it too)."""
    scores, by_roster = who.scores, who.agent.excellent_months
    out = []
    for month in months:
        if key is not None and month in scores and scores[month].metrics.get(
                key, Decimal(0)) >= 1:
            out.append(str(month))
        elif month in by_roster:
            out.append(_("{month} (roster)").format(month=month))
    return out


def step(ranking: Ranking, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    assert score is not None  # (months without a score are the driver's)
    rule, window = ranking.rule, ranking.window
    place = score.team_rank
    if place is None:
        streak: tuple[Month, ...] = ()
        note = _("no score or trial: the count restarts")
    elif place > rule.rank_top:
        streak = ()
        note = _("place {place} in the team: the count restarts").format(place=place)
    else:
        streak = (*state[2], month)
        note = _("place {place} in the team").format(place=place)
    decision = None
    index = ranking.position.get(level)
    if len(streak) >= window and index is not None:
        ladder = ranking.ladder
        tenure = (month + 1) - who.hired
        blockers = []
        if index + 1 >= len(ladder):
            blockers.append(_("already at the top"))
        if tenure < rule.min_tenure_months:
            blockers.append(ngettext("{tenure} month in post, fewer than {required}",
                                     "{tenure} months in post, fewer than {required}",
                                     tenure).format(tenure=tenure,
                                                    required=rule.min_tenure_months))
        if rule.clean_metric is not None:
            scores = who.scores
            dirty = [m for m in month_range(month + (1 - rule.clean_months), month)
                     if m not in scores
                     or scores[m].metrics.get(rule.clean_metric, Decimal(1)) != 0]
            if dirty:
                blockers.append(_("a complaint, or no complaint count, in {months}").format(
                    months=listed(dirty)))
        if ranking.excellent:
            named = _named(who, rule.excellent_metric,
                           month_range(month + (1 - rule.excellent_months), month))
            if not named:
                blockers.append(ngettext(
                    "not named employee of the month in the last {months} month",
                    "not named employee of the month in the last {months} months",
                    rule.excellent_months).format(months=rule.excellent_months))
        if blockers:
            note = _("; ").join([note, *blockers])
        else:
            decision = move(
                who, month, level, ladder[index + 1], "promote", "rank_streak",
                _("top {top} of the team {window} months in a row ({months}), {tenure} months "
                  "in post, no complaint in the last {clean} months: promoted to {level} from "
                  "{effective}"), streak[-window:], top=rule.rank_top, window=window,
                months=listed(streak[-window:]), tenure=tenure, clean=rule.clean_months)
            if ranking.excellent:
                decision = dataclasses.replace(decision, reason=_("; ").join([
                    decision.reason, _("named employee of the month in {months}").format(
                        months=_(", ").join(named))]))
    return (len(streak), 0, streak), decision, note, (), False


KIND = RuleKind(
    step, prepare, trial=Trial(N_("no score or trial: the count restarts")),
    missing=Missing(N_("no score or trial: the count restarts"), True),
    initial=(0, 0, ()), restart_after_move=True, ranked=True, metrics=True)
