"""Templates, the `pay:` section: the pay components every level lists (or a pay table
workbook gives), and what the template adds — performance pay scaled by the score,
seniority pay, the supervisor allowance, the team lead's management pay, attendance
deductions, the pay-inputs workbook's items (overtime, 六险一金, benefits, one-off amounts),
the KPI-rank bonus, the management bonus — whose figures a payroll month uses, and the
ranges the template's amounts should sit in.

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


class HourlyRate(_Model):
    """The hourly rate overtime is paid at: a fixed `amount`, or the `of` components of the
    level (standard amounts) / `days_per_month` / `hours_per_day` (our default: 基本工资 /
    21.75 / 8, the legal average of paid days). `round_rate`: round the rate to the fen
    before multiplying (our default: no, only each overtime amount is rounded)."""

    amount: Money | None = None
    of: list[str] = Field(default_factory=list)
    days_per_month: Decimal = Field(Decimal("21.75"), gt=0, le=31)
    hours_per_day: Decimal = Field(Decimal(8), gt=0, le=24)
    round_rate: bool = False

    @model_validator(mode="after")
    def _one_way(self) -> HourlyRate:
        if (self.amount is None) == (not self.of):
            raise ValueError(_("give either amount (a fixed hourly rate) or of (the components "
                               "it is worked out from), not both or neither"))
        return self


class OvertimeKind(_Model):
    """One kind of overtime (加班): hours read from `column` × the hourly rate ×
    `multiplier` (the legal ones: 1.5 working days, 2 rest days, 3 public holidays)."""

    name: str
    column: list[str] = Field(min_length=1)
    multiplier: Decimal = Field(gt=0, le=10)


class InputItem(_Model):
    """An amount of the pay-inputs workbook paid as it is (a benefit) or taken off (a
    deduction), in its own payroll column `name`, read from `column`."""

    name: str
    column: list[str] = Field(min_length=1)


class OneOff(_Model):
    """One-off amounts per agent (一次性款项), with the reason in `reason_column`: positive
    paid, negative taken off. A reason is required for every amount."""

    name: str = "一次性款项"
    column: list[str] = Field(default_factory=lambda: ["一次性金额", "一次性款项", "其他金额"])
    reason_column: list[str] = Field(default_factory=lambda: ["一次性事由", "事由", "原因",
                                                              "备注"])


class PayInputsSpec(_Model):
    """The per-agent pay-inputs workbook of a pay month (工号 + item columns): overtime by
    kind, personal deductions (六险一金), benefits (午餐补助, 部门活动经费), one-off amounts."""

    hourly_rate: HourlyRate | None = None
    overtime: list[OvertimeKind] = Field(default_factory=list)
    deductions: list[InputItem] = Field(default_factory=list)
    benefits: list[InputItem] = Field(default_factory=list)
    one_off: OneOff | None = None

    @property
    def names(self) -> list[str]:
        """The payroll columns these items add, in order: overtime, benefits, one-off,
        deductions."""
        one_off = [self.one_off.name] if self.one_off is not None else []
        return [*(k.name for k in self.overtime), *(b.name for b in self.benefits), *one_off,
                *(d.name for d in self.deductions)]

    @model_validator(mode="after")
    def _rate_for_overtime(self) -> PayInputsSpec:
        if self.overtime and self.hourly_rate is None:
            raise ValueError(_("pay.inputs.overtime needs pay.inputs.hourly_rate"))
        return self


class RankTier(_Model):
    top: int = Field(ge=1, le=100_000)
    amount: Money


class RankBonus(_Model):
    """A bonus for the top of the figures month's KPI ranking within the centre (排名靠前…
    奖金奖励): rank r earns the amount of the first tier with r ≤ top. Agents with equal
    scores share a rank: `ties: higher` (our default) gives each the best place of the tie
    (1, 2, 2, 4: both get the higher tier at a cut-off); `lower` the worst (1, 3, 3, 4)."""

    name: str = "排名奖金"
    tiers: list[RankTier] = Field(min_length=1)
    ties: Literal["higher", "lower"] = "higher"


class ManagementBonus(_Model):
    """管理奖金 for managers by their team's results: the average score of the figures month
    of the manager's team (the manager not counted) earns the amount of the highest band it
    reaches. `who`: supervisors (a supervisor-allowance tier on the roster; our default),
    team_leads (the roster's team-lead mark) or levels (the agents at one of `levels`, e.g.
    a management track's 组长, 主管, 经理)."""

    name: str = "管理奖金"
    who: Literal["supervisors", "team_leads", "levels"] = "supervisors"
    levels: list[str] = Field(default_factory=list)
    bands: list[LeadBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_for_levels(self) -> ManagementBonus:
        if (self.who == "levels") != bool(self.levels):
            raise ValueError(_("pay.management_bonus: give levels exactly when who is levels"))
        return self


class PayRanges(_Model):
    """The ranges the template's standard amounts should sit in, and where they come from:
    per component (any level), and per level for the monthly total of its components.
    `templates validate` warns of an amount outside them; nothing is refused."""

    source: str = ""
    components: dict[str, tuple[Money, Money]] = Field(default_factory=dict)
    totals: dict[str, tuple[Money, Money]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> PayRanges:
        for key, (low, high) in [*self.components.items(), *self.totals.items()]:
            if low > high:
                raise ValueError(_("pay.ranges {key}: the lower bound {low} is above the upper "
                                   "bound {high}").format(key=key, low=low, high=high))
        return self


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
    inputs: PayInputsSpec | None = None
    rank_bonus: RankBonus | None = None
    management_bonus: ManagementBonus | None = None
    ranges: PayRanges | None = None
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
        """The level's components plus the allowances and bonuses the template adds, the
        pay-inputs workbook's items, then the attendance deduction."""
        extra = [x.name for x in (self.seniority, self.supervisor_allowance, self.team_lead,
                                  self.rank_bonus, self.management_bonus) if x is not None]
        inputs = self.inputs.names if self.inputs is not None else []
        deduction = [self.attendance_deduction.name] if self.attendance_deduction else []
        return [*self.components, *extra, *inputs, *deduction]

    @model_validator(mode="after")
    def _known_components(self) -> Pay:
        names = self.all_components
        if len(set(names)) != len(names):
            raise ValueError(_("pay component names must differ: {names}").format(names=names))
        if self.performance is not None and self.performance.component not in self.components:
            raise ValueError(_("pay.performance.component {component} is not a pay component; "
                               "allowed: {components}").format(
                component=repr(self.performance.component), components=self.components))
        rate = self.inputs.hourly_rate if self.inputs is not None else None
        if rate is not None:
            unknown = [c for c in rate.of if c not in self.components]
            if unknown:
                raise ValueError(_("pay.inputs.hourly_rate.of: unknown components {unknown}; "
                                   "allowed: {components}").format(
                    unknown=unknown, components=self.components))
        management = self.management_bonus
        if management is not None and management.who != "levels" and (
                (management.who == "supervisors" and self.supervisor_allowance is None)
                or (management.who == "team_leads" and self.team_lead is None)):
            raise ValueError(_("pay.management_bonus.who: {who} needs {section} (the roster "
                               "column that says who they are)").format(
                who=management.who, section="pay.supervisor_allowance"
                if management.who == "supervisors" else "pay.team_lead"))
        if self.ranges is not None:
            unknown = [c for c in self.ranges.components if c not in self.components]
            if unknown:
                raise ValueError(_("pay.ranges.components: unknown components {unknown}; "
                                   "allowed: {components}").format(
                    unknown=unknown, components=self.components))
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
