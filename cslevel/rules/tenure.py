"""The tenure-grade rule (grade scheme G1–G6, 004 "客服岗位定级方案"): months in post are a
gate — 初级 (G1–G2) from 6 months, 中级 (G3–G4) from 18, 高级 (G5–G6) from 36 — and
performance places the agent within the band: the average of the last `window` scored
months at or above `upper_grade_at_least` gives the upper grade. Reviewed at every month
close, in force from the next month. Before the first gate the agent is in trial (见习).
A probation exam (theory, practical, typing: `exam_floors`) failed in a trial month is
flagged `probation_exam_failed`, and the agent stays in trial until an exam is passed.

This rule decides the trial's end itself (by months in post and the exam), and sees every
month, scored or not. The end of trial on months in post alone stands even when decided at
the close of the month the agent leaves (other moves are dropped then), as it always has.

The state: whether the last probation exam on record was passed (None: none on record)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from ..i18n import _, ngettext
from ..records import Decision, Month, Score
from .common import average, fmt_number, scored_in_window
from .driver import MoveKind, RuleKind, State, Step, Who, move

if TYPE_CHECKING:
    from ..scheme import Scheme, TenureBand

EXAM_FAILED = "probation_exam_failed"


class Tenure(NamedTuple):
    window: int
    bands_high_first: list[TenureBand]
    upper_at_least: Decimal | None
    exam_floors: dict[str, Decimal]
    trial: str | None  # the trial level
    entry: str
    order: list[str]
    no_hire_date: str  # the note of an agent without a hire date


def prepare(scheme: Scheme, window: int) -> Tenure:
    rule = scheme.promotion
    return Tenure(window, list(reversed(rule.tenure_bands)), rule.upper_grade_at_least,
                  rule.exam_floors, scheme.trial_level, scheme.entry_level, scheme.level_names,
                  _("no hire date: tenure from the first month"))


def step(rule: Tenure, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    exam_passed = state[2]
    in_trial = level == rule.trial
    flags: tuple[str, ...] = ()
    floors = rule.exam_floors
    if in_trial and floors and score is not None and any(
            score.metrics.get(k) is not None for k in floors):
        exam = {k: score.metrics.get(k) for k in floors}
        failed = [f"{k} {'—' if v is None else fmt_number(v)} < {fmt_number(floors[k])}"
                  for k, v in exam.items() if v is None or v < floors[k]]
        exam_passed = not failed
        state = (0, 0, exam_passed)
        if failed:
            flags = (EXAM_FAILED,)
    note = "" if who.agent.hire_date else rule.no_hire_date
    tenure = (month + 1) - who.hired  # full months in post when the next month starts
    band = next((b for b in rule.bands_high_first if tenure >= b.min_months), None)
    recent = scored_in_window(who.scores, month, rule.window, who.trial_end)
    if in_trial and exam_passed is False:
        band = None  # a failed probation exam keeps the agent in trial
        note = _("probation exam failed: extend the trial or dismiss, for a person to decide")
    decision = None
    if band is not None and not recent and in_trial:
        decision = move(  # trial over: the first grade of the band
            who, month, level, band.levels[0], "trial_end", "tenure_grade",
            _("{months} months in post: trial ends, {level} from {effective}"),
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
    return state, decision, note, flags, False


def _gate_alone(decision: Decision) -> bool:
    """The end of trial on months in post alone (no scores cited)."""
    return not decision.trigger_months


KIND = RuleKind(step, prepare, trial=None, missing=None, initial=(0, 0, None),
                kept_at_leave=_gate_alone, metrics=True)
