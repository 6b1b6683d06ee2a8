"""The tenure-grade rule (grade scheme G1–G6, 004 "客服岗位定级方案"): months in post are a
gate — 初级 (G1–G2) from 6 months, 中级 (G3–G4) from 18, 高级 (G5–G6) from 36 — and
performance places the agent within the band: the average of the last `window` scored
months at or above `upper_grade_at_least` gives the upper grade. Reviewed at every month
close, in force from the next month. Before the first gate the agent is in trial (见习).
A probation exam (theory, practical, typing: `exam_floors`) failed in a trial month is
flagged `probation_exam_failed`, and the agent stays in trial until an exam is passed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from cslevel.i18n import _, ngettext
from cslevel.records import Agent, Decision, Month, MonthState, Score, month_range

EXAM_FAILED = "probation_exam_failed"
from . import register
from .streak import fmt_number, last_month, opening

if TYPE_CHECKING:
    from cslevel.templates import Scheme


@register("tenure_grade", metrics=True)
def tenure_grade_rule(
    agent: Agent,
    scores: dict[Month, Score],
    scheme: Scheme,
    through: Month,
    window: int,
) -> tuple[list[MonthState], str]:
    rule = scheme.promotion
    trial_end, level = opening(agent, scheme)
    hired = Month.of(agent.hire_date) if agent.hire_date else agent.first_month
    leave_month = Month.of(agent.leave_date) if agent.leave_date else None
    order = scheme.level_names
    states: list[MonthState] = []
    exam_passed: bool | None = None  # None: no exam on record
    for month in month_range(agent.first_month, last_month(agent, through)):
        score = scores.get(month)
        in_trial = level == scheme.trial_level
        decision = None
        flags: tuple[str, ...] = ()
        exam = {k: score.metrics.get(k) for k in rule.exam_floors} if score else {}
        failed: list[str] = []
        if in_trial and rule.exam_floors and any(v is not None for v in exam.values()):
            # (the parts by their names, as the exam's note has said since issue 21)
            names = {m.key: m.name for m in scheme.score.metrics}
            failed = [f"{names.get(k, k)} {'—' if v is None else fmt_number(v)} < "
                      f"{fmt_number(rule.exam_floors[k])}"
                      for k, v in exam.items() if v is None or v < rule.exam_floors[k]]
            exam_passed = not failed
            if failed:
                flags = (EXAM_FAILED,)
        note = "" if agent.hire_date else _("no hire date: tenure from the first month")
        tenure = (month + 1) - hired  # full months in post when the next month starts
        band = next((b for b in reversed(rule.tenure_bands) if tenure >= b.min_months), None)
        recent = [m for m in month_range(month + (1 - window), month)
                  if m in scores and (trial_end is None or m > trial_end)]
        if level == scheme.trial_level and exam_passed is False:
            band = None  # a failed probation exam keeps the agent in trial
            note = _("probation exam failed ({parts}): extend the trial or dismiss, for a "
                     "person to decide").format(parts=_("; ").join(failed)) if failed else _(
                "probation exam failed: extend the trial or dismiss, for a person to decide")
        if band is not None and not recent and level == scheme.trial_level:
            target = band.levels[0]  # trial over: the first grade of the band
            decision = Decision(
                agent.agent_id, month, month + 1, level, target, "trial_end", "tenure_grade",
                _("{months} months in post: trial ends, {level} from {effective}").format(
                    months=band.min_months, effective=month + 1, level=target), ())
        elif band is not None and recent:
            average = (sum((scores[m].value for m in recent), Decimal(0)) / len(recent)
                       ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert rule.upper_grade_at_least is not None
            upper = average >= rule.upper_grade_at_least and len(band.levels) > 1
            target = band.levels[1] if upper else band.levels[0]
            if target != level and month != leave_month:
                kind = "promote" if order.index(target) > order.index(level) else "demote"
                if target == scheme.entry_level and level == scheme.trial_level:
                    kind = "trial_end"
                decision = Decision(
                    agent.agent_id, month, month + 1, level, target, kind, "tenure_grade",
                    ngettext("{tenure} months in post (≥{required}), average of the last "
                             "{count} month {average} ({compare}{upper}): {level} from "
                             "{effective}",
                             "{tenure} months in post (≥{required}), average of the last "
                             "{count} months {average} ({compare}{upper}): {level} from "
                             "{effective}", len(recent)).format(
                        tenure=tenure, required=band.min_months, count=len(recent),
                        average=fmt_number(average), compare="≥" if upper else "<",
                        upper=fmt_number(rule.upper_grade_at_least), effective=month + 1,
                        level=target),
                    tuple(recent))
        states.append(MonthState(agent.agent_id, month, level,
                                 score.value if score else None, not in_trial, 0, 0,
                                 in_trial, decision, note, False, flags))
        if decision:
            level = decision.to_level
    return states, level
