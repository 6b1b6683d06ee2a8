"""Templates, the `pay:` section: the pay components every level lists (or a pay table
workbook gives), and what the template adds — performance pay scaled by the score,
seniority pay, the supervisor allowance, the team lead's management pay, attendance
deductions — and whose figures a payroll month uses.

Input: the section's YAML values. Output: a validated `Pay` (or pydantic's errors, naming
the field).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..i18n import _
from ..limits import FIGURE_LIMIT
from .fields import Figure, Money, _Model


class SupervisorAllowance(_Model):
    """Post allowance of supervisors (客服主管), by tier, untouched by their own level."""

    name: str = "主管津贴"
    column: list[str] = Field(default_factory=lambda: ["主管津贴档", "主管档位", "主管津贴等级"])
    tiers: dict[str, Money]


class LeadBand(_Model):
    at_least: Figure
    amount: Money


class TeamLeadPay(_Model):
    """Management pay of a team lead (领班), by the team's average over the last review
    window, paid only to a lead at `min_level` or above who filed at least one process
    improvement (`improvement_metric`) in that window."""

    name: str = "管理津贴"
    column: list[str] = Field(default_factory=lambda: ["领班", "是否领班", "Team Lead"])
    bands: list[LeadBand] = Field(min_length=1)
    min_level: str | None = None
    improvement_metric: str | None = None


class PerformancePay(_Model):
    """岗位绩效工资: the level's amount scaled by the score of the figures month:
    amount × score / full_at, at most `cap` times the amount, nothing under `zero_below`."""

    component: str
    full_at: Decimal = Field(Decimal(100), gt=0, le=FIGURE_LIMIT)
    cap: Decimal = Field(Decimal("1.2"), ge=0, le=10)
    zero_below: Figure | None = None


class SeniorityPay(_Model):
    """工龄补贴: `per_year` for each full year of service at the end of the paid month,
    at most `cap`."""

    name: str = "工龄补贴"
    per_year: Money
    cap: Money | None = None


class AttendanceDeduction(_Model):
    """考勤扣款 from the attendance totals of the figures month: `days` of a day's pay per
    unit of an item (a day's pay = the `daily_pay_of` components / `days_per_month`), plus
    fixed `amounts` per unit. Never more than the components it is a daily rate of."""

    name: str = "考勤扣款"
    daily_pay_of: list[str] = Field(default_factory=list)
    days_per_month: Decimal = Field(Decimal("21.75"), gt=0, le=31)
    days: dict[str, Annotated[Decimal, Field(ge=0, le=31)]] = Field(default_factory=dict)
    amounts: dict[str, Money] = Field(default_factory=dict)


class Pay(_Model):
    components: list[str] = Field(min_length=1)
    currency: str = "CNY"
    # whose figures a payroll month uses for performance pay and attendance deductions:
    # "previous" = the month before (assessed at its close, paid the next month; our
    # default), "same" = the paid month itself (it must be scored first)
    figures: Literal["previous", "same"] = "previous"
    # a new hire's first month and a leaver's last month: "full" pay (default) or "pro_rata"
    # by calendar days
    joiners: Literal["full", "pro_rata"] = "full"
    leavers: Literal["full", "pro_rata"] = "full"
    performance: PerformancePay | None = None
    seniority: SeniorityPay | None = None
    supervisor_allowance: SupervisorAllowance | None = None
    team_lead: TeamLeadPay | None = None
    attendance_deduction: AttendanceDeduction | None = None
    # the components a trial month pays (star: trial agents get the 试用客服员 basic pay
    # only, 只享受"试用客服员"基本薪酬, 004): the level's other components and every allowance
    # the template adds are 0 in a trial month; the attendance deduction still applies.
    # None: a trial month pays everything the trial level lists
    trial_components: list[str] | None = None
    # a workbook with one row per level and one column per component (path relative to the
    # template file), for companies that keep pay in Excel; the levels then list no pay
    table: str | None = None
    table_sheet: str | None = None  # default: the first visible sheet

    @property
    def all_components(self) -> list[str]:
        """The level's components plus the allowances the template adds, then deductions."""
        extra = [x.name for x in (self.seniority, self.supervisor_allowance, self.team_lead,
                                  self.attendance_deduction) if x is not None]
        return [*self.components, *extra]

    @model_validator(mode="after")
    def _known_components(self) -> Pay:
        names = self.all_components
        if len(set(names)) != len(names):
            raise ValueError(_("pay component names must differ: {names}").format(names=names))
        if self.performance is not None and self.performance.component not in self.components:
            raise ValueError(_("pay.performance.component {component} is not a pay component; "
                               "allowed: {components}").format(
                component=repr(self.performance.component), components=self.components))
        if self.trial_components is not None:
            unknown = [c for c in self.trial_components if c not in self.components]
            if unknown:
                raise ValueError(_("pay.trial_components: unknown components {unknown}; "
                                   "allowed: {components}").format(
                    unknown=unknown, components=self.components))
        deduction = self.attendance_deduction
        if deduction is not None:
            unknown = [c for c in deduction.daily_pay_of if c not in self.components]
            if unknown:
                raise ValueError(_("pay.attendance_deduction.daily_pay_of: unknown components "
                                   "{unknown}; allowed: {components}").format(
                    unknown=unknown, components=self.components))
            if deduction.days and not deduction.daily_pay_of:
                raise ValueError(_("pay.attendance_deduction: `days` needs `daily_pay_of` (the "
                                   "components a day's pay is worked out from)"))
        return self
