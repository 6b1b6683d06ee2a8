"""Labels and number forms shared by the exports, the payroll and the rules: what a decision
or a flag is called (in the language in force when read) and how a figure is written in an
explanation. Below every module that shows them, so that none has to import another's."""

from __future__ import annotations

from decimal import Decimal

from .i18n import N_, Labels, _
from .records import Decision

# translated when read: DECISION_LABEL["promote"] is 晋升 or Promotion, as the language is
DECISION_LABEL = Labels({"promote": N_("Promotion"), "demote": N_("Demotion"),
                         "trial_end": N_("End of trial")})
# what a rule decided by (a decision's `rule`), as the moves sheet shows it
RULE_LABEL = Labels({
    "streak_up": N_("months in a row on target"), "streak_down": N_("months in a row below target"),
    "trial_end": N_("end of trial"), "review_up": N_("review average above the line"),
    "review_down": N_("review average below the line"), "score_band": N_("score band"),
    "tier_up": N_("every floor of a higher tier"), "tier_down": N_("below the tier's floors"),
    "tenure_grade": N_("tenure and average"), "rank_streak": N_("top of the team in a row"),
    "quarterly_standard": N_("quarterly standard"),
    "probation_exam": N_("probation exam passed")})
# the template's rule kinds (promotion.rule), as `templates list` and `validate` say them
RULE_KIND_LABEL = Labels({
    "streak": N_("months in a row"), "window_average": N_("review on the window's average"),
    "score_bands": N_("score bands"), "tier_floors": N_("tier floors"),
    "tenure_grade": N_("tenure grades"), "rank_streak": N_("team ranking in a row"),
    "quarterly_standard": N_("quarterly standards")})
# the flags a rule raises for a person to decide (a month state's `flags`)
FLAG_LABEL = Labels({
    "dismissal_review": N_("dismissal review"), "elimination": N_("elimination list"),
    "exemption": N_("exemption from elimination"), "demotion_review": N_("demotion review"),
    "lead_removal": N_("removal from the lead role"), "not_graded": N_("not graded"),
    "probation_exam_failed": N_("probation exam failed"),
    "training_short": N_("too few trainings this year")})
# a problem's severity (records.Severity)
SEVERITY_LABEL = Labels({"error": N_("error"), "warning": N_("warning")})
# the sign-off list's columns (晋升降级申请表), written by the exports and found again in a
# signed copy by `cslevel signoff import` (in either language)
SIGNOFF_COLUMNS = Labels({
    "agent_id": N_("Agent ID"), "name": N_("Name"), "team": N_("Team"), "move": N_("Move"),
    "from_level": N_("From level"), "to_level": N_("To level"),
    "effective": N_("Effective month"), "grounds": N_("Grounds"),
    "agent_signature": N_("Agent's signature"),
    "supervisor_signature": N_("Supervisor's signature"), "hr_check": N_("HR check"),
    "finance": N_("Received by finance"), "approval": N_("Approval"),
    "approver": N_("Approver"), "remarks": N_("Remarks")})
# the approval column's drop-down (同意 / 不同意)
APPROVAL_CHOICES = Labels({"approved": N_("approve"), "rejected": N_("reject")})


def correction_component() -> str:
    """The pay component of a payroll that carries corrections of paid months: 补发/扣回."""
    return _("Back pay / recovery")


def decision_text(decision: Decision | None) -> str:
    """A decision as a cell shows it: 晋升 → 三星（2026-04起）."""
    if decision is None:
        return ""
    return _("{decision} → {level} (from {effective})").format(
        decision=DECISION_LABEL[decision.kind], level=decision.to_level,
        effective=decision.effective)


def fmt_number(value: Decimal) -> str:
    """110.00 -> '110', 109.90 -> '109.9' (for explanations)."""
    return format(value.normalize(), "f")
