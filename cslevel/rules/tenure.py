"""The tenure-grade rule (grade scheme G1–G6, 004 "客服岗位定级方案"): months in post are a
gate — 初级 (G1–G2) from 6 months, 中级 (G3–G4) from 18, 高级 (G5–G6) from 36 — and
performance places the agent within the band: the average of the last `window` scored
months at or above `upper_grade_at_least` gives the upper grade. Reviewed at every month
close, in force from the next month. Before the first gate the agent is in trial (见习).
A probation exam (theory, practical, typing, product knowledge: `exam_floors`) failed in a
trial month is flagged `probation_exam_failed`, and the agent stays in trial until an exam
is passed. With `exam_passed_level` (转正), a passed exam ends the trial in pay: that level
from the month after the pass (通过者…转正，次月薪资调整为正式岗位薪资), until the first gate
places the agent in its band.

Months in post count the roster's experience before joining (`Agent.experience_months`,
the C/B/A variant's 从业经验). With a yearly review (`yearly_review_month`, the C/B/A
variant; our default 85 / 60 at the close of December) the gates do not move a regular agent
by themselves: at the review, the year's average at or above `yearly_up_at_least` with the
months in post of the next grade's band is one grade up, under `yearly_down_below` one grade
down.

This rule decides the trial's end itself (by months in post and the exam), and sees every
month, scored or not. The end of trial on months in post alone stands even when decided at
the close of the month the agent leaves (other moves are dropped then), as it always has.

The state: whether the last probation exam on record was passed (None: none on record)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from ..i18n import _, ngettext
from ..records import Decision, Month, Score
from .common import EXAM_FAILED, average, exam_failures, fmt_number, scored_in_window
from .driver import MoveKind, RuleKind, State, Step, Who, move

if TYPE_CHECKING:
    from ..scheme import Scheme, TenureBand

__all__ = ["EXAM_FAILED", "KIND"]


class Yearly(NamedTuple):
    """The yearly review: its calendar month, the up and down lines."""

    month: int
    up_at_least: Decimal
    down_below: Decimal


class Tenure(NamedTuple):
    window: int
    bands_high_first: list[TenureBand]
    upper_at_least: Decimal | None
    exam_floors: dict[str, Decimal]
    trial: str | None  # the trial level
    entry: str
    order: list[str]
    no_hire_date: str  # the note of an agent without a hire date
    passed: str | None  # the level after a passed exam, before the first gate (转正)
    yearly: Yearly | None
    grades: list[tuple[str, int]]  # every band's grades, low to high, with their band's months
    exam_names: dict[str, str]  # the exam's parts' names, by metric key (named when failed)


def prepare(scheme: Scheme, window: int) -> Tenure:
    rule = scheme.promotion
    yearly = None
    if rule.yearly_review_month is not None:
        assert rule.yearly_up_at_least is not None and rule.yearly_down_below is not None
        yearly = Yearly(rule.yearly_review_month, rule.yearly_up_at_least,
                        rule.yearly_down_below)
    return Tenure(window, list(reversed(rule.tenure_bands)), rule.upper_grade_at_least,
                  rule.exam_floors, scheme.trial_level, scheme.entry_level, scheme.level_names,
                  _("no hire date: tenure from the first month"), rule.exam_passed_level,
                  yearly, [(lv, b.min_months) for b in rule.tenure_bands for lv in b.levels],
                  {m.key: m.name for m in scheme.score.metrics if m.key in rule.exam_floors})


def step(rule: Tenure, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    exam_passed = state[2]
    in_trial = level == rule.trial
    # not yet placed in a band: in trial, or regular after a passed exam (转正)
    waiting = in_trial or (rule.passed is not None and level == rule.passed)
    flags: tuple[str, ...] = ()
    passed_now = False
    failed = exam_failures(rule.exam_floors, score, rule.exam_names) if in_trial else None
    if failed is not None:
        exam_passed = passed_now = not failed
        state = (0, 0, exam_passed)
        if failed:
            flags = (EXAM_FAILED,)
    note = "" if who.agent.hire_date else rule.no_hire_date
    # full months in post when the next month starts, experience before joining included
    tenure = (month + 1) - who.hired + who.agent.experience_months
    band = next((b for b in rule.bands_high_first if tenure >= b.min_months), None)
    recent = scored_in_window(who.scores, month, rule.window, who.trial_end)
    if in_trial and exam_passed is False:
        band = None  # a failed probation exam keeps the agent in trial
        note = _("probation exam failed ({parts}): extend the trial or dismiss, for a person "
                 "to decide").format(parts=_("; ").join(failed)) if failed else _(
            "probation exam failed: extend the trial or dismiss, for a person to decide")
    decision = None
    if rule.yearly is not None and not waiting:
        decision, said = _yearly_review(rule, rule.yearly, who, level, month, tenure)
        note = _("; ").join(n for n in (note, said) if n)
    elif band is not None and not recent and waiting:
        if in_trial:
            decision = move(  # trial over: the first grade of the band
                who, month, level, band.levels[0], "trial_end", "tenure_grade",
                _("{months} months in post: trial ends, {level} from {effective}"),
                months=band.min_months)
        else:
            decision = move(  # regular since the exam: the first grade of the band
                who, month, level, band.levels[0], "promote", "tenure_grade",
                _("{months} months in post: {level} from {effective}"),
                months=band.min_months)
    elif band is not None and recent:
        mean = average(who.scores, recent)
        assert rule.upper_at_least is not None
        upper = mean >= rule.upper_at_least and len(band.levels) > 1
        target = band.levels[1] if upper else band.levels[0]
        if target != level:
            order = rule.order
            kind: MoveKind = "promote" if order.index(target) > order.index(level) else "demote"
            if target == rule.entry and in_trial:
                kind = "trial_end"
            decision = move(
                who, month, level, target, kind, "tenure_grade",
                ngettext("{tenure} months in post (≥{required}), average of the last {count} "
                         "month {average} ({compare}{upper}): {level} from {effective}",
                         "{tenure} months in post (≥{required}), average of the last {count} "
                         "months {average} ({compare}{upper}): {level} from {effective}",
                         len(recent)),
                tuple(recent), tenure=tenure, required=band.min_months, count=len(recent),
                average=fmt_number(mean), compare="≥" if upper else "<",
                upper=fmt_number(rule.upper_at_least))
    elif passed_now and rule.passed is not None:
        decision = move(  # 转正: paid as regular from the month after the pass
            who, month, level, rule.passed, "trial_end", "tenure_grade",
            _("probation exam passed: regular ({level}) from {effective}, before the "
              "{months}-month gate"), (month,), months=rule.bands_high_first[-1].min_months)
    return state, decision, note, flags, False


def _yearly_review(rule: Tenure, yearly: Yearly, who: Who, level: str, month: Month,
                   tenure: int) -> tuple[Decision | None, str]:
    """The yearly review at the close of its month: the year's average (the scored regular
    months of the 12 ending here) moves one grade up (with the next grade's months in post)
    or one grade down."""
    if month.month != yearly.month:
        return None, ""
    grades = [g for g, _months in rule.grades]
    if level not in grades:
        return None, ""
    year = scored_in_window(who.scores, month, 12, who.trial_end)
    if not year:
        return None, _("yearly review: no score this year")
    mean = average(who.scores, year)
    index = grades.index(level)
    if mean >= yearly.up_at_least:
        if index + 1 >= len(grades):
            return None, _("yearly review: average {average} (≥{up}), already at the top"
                           ).format(average=fmt_number(mean), up=fmt_number(yearly.up_at_least))
        target, required = rule.grades[index + 1]
        if tenure < required:
            return None, _("yearly review: average {average} (≥{up}), but {tenure} months in "
                           "post, fewer than the {required} of {level}").format(
                average=fmt_number(mean), up=fmt_number(yearly.up_at_least), tenure=tenure,
                required=required, level=target)
        return move(who, month, level, target, "promote", "tenure_grade",
                    _("yearly review: average of the year {average} (≥{up}), {tenure} months "
                      "in post (≥{required}): {level} from {effective}"), tuple(year),
                    average=fmt_number(mean), up=fmt_number(yearly.up_at_least),
                    tenure=tenure, required=required), ""
    if mean < yearly.down_below and index > 0:
        return move(who, month, level, grades[index - 1], "demote", "tenure_grade",
                    _("yearly review: average of the year {average} (<{down}): {level} from "
                      "{effective}"), tuple(year), average=fmt_number(mean),
                    down=fmt_number(yearly.down_below)), ""
    return None, _("yearly review: average of the year {average}: unchanged").format(
        average=fmt_number(mean))


def _gate_alone(decision: Decision) -> bool:
    """The end of trial on months in post alone (no scores cited)."""
    return not decision.trigger_months


KIND = RuleKind(step, prepare, trial=None, missing=None, initial=(0, 0, None),
                kept_at_leave=_gate_alone, metrics=True)
