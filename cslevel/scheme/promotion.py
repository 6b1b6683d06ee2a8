"""Templates, the `promotion:` section: which rule kind moves agents up and down, and its
numbers (windows, thresholds, bands, tiers, tenure bands, the assistant scheme's quarterly
standards, the probation exam, the team ranking).

Input: the section's YAML values. Output: a validated `Promotion` (or pydantic's errors,
naming the field).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..i18n import _
from .fields import Count, Figure, _Model


class Band(_Model):
    """One band of a window average: the first band (from the top) whose bound the average
    meets decides the move. `above` is exclusive, `at_least` inclusive; the last band has
    neither and takes every lower average."""

    above: Figure | None = None
    at_least: Figure | None = None
    move: int = Field(ge=-1, le=1)
    probation: bool = False

    @model_validator(mode="after")
    def _one_bound(self) -> Band:
        if self.above is not None and self.at_least is not None:
            raise ValueError(_("give either above (exclusive) or at_least (inclusive), not both"))
        return self

    @property
    def bound(self) -> Decimal | None:
        return self.above if self.above is not None else self.at_least

    def holds(self, average: Decimal) -> bool:
        if self.above is not None:
            return average > self.above
        if self.at_least is not None:
            return average >= self.at_least
        return True


# The rule kinds a template may name (`promotion.rule`): the names the rule kinds register
# under in cslevel/rules (a test checks that the two agree). A plain list, so that the
# templates need not import the rules, which use the templates.
RULE_KINDS = ("streak", "window_average", "score_bands", "tier_floors", "tenure_grade",
              "rank_streak", "quarterly_standard")


class Promotion(_Model):
    rule: str = "streak"
    window: int = Field(3, ge=1, le=24)
    # streak rule
    up_threshold: Decimal = Field(Decimal(110), ge=0, le=1000)
    down_threshold: Decimal = Field(Decimal(110), ge=0, le=1000)
    floor_level: str | None = None
    missing_month: Literal["break", "skip"] = "break"
    block_column: bool = True
    # window_average rule: reviews at the close of these calendar months, on the average
    # of the scored months of the window ending there ([] = rolling: every `window` months
    # from the agent's first regular month)
    review_months: list[int] = Field(default_factory=lambda: [3, 6, 9, 12])
    bands: list[Band] = Field(default_factory=list)
    probation_months: int = Field(1, ge=0, le=12)
    probation_fail_below: Figure | None = None  # a probation month under this: flag
    # score_bands rule: the month's score puts the agent in a level (lower bound inclusive)
    grade_bands: list[GradeBand] = Field(default_factory=list)
    ungraded_level: str | None = None  # below every band: this level, and a flag
    # tier_floors rule: the highest tier whose floors all hold, `window` months in a row
    tiers: list[TierFloors] = Field(default_factory=list)
    # tenure_grade rule: months in post open a band; the window average picks its grade
    tenure_bands: list[TenureBand] = Field(default_factory=list)
    upper_grade_at_least: Figure | None = None
    # probation exam (new hires): every listed metric at or above its floor to pass; a failed
    # exam is flagged `probation_exam_failed` (extend the trial or dismiss: a person decides)
    # and keeps the agent in trial
    exam_floors: dict[str, Figure] = Field(default_factory=dict)
    # a passed exam ends the trial in pay: the level in force from the month after the pass
    # (004 通过者…转正，次月薪资调整为正式岗位薪资; grade: 转正, paid as G1, until the first
    # tenure gate; None: the trial ends at the gate only, as before)
    exam_passed_level: str | None = None
    # tenure_grade: experience before joining (a roster column, months) counts as months in
    # post (004 C/B/A 从业经验)
    # yearly review instead of monthly moves (004 C/B/A; our default, 85 / 60 at the close
    # of December): the year's average at or above `yearly_up_at_least`, with the tenure of
    # the next band, is one band up; under `yearly_down_below`, one band down
    yearly_review_month: int | None = Field(None, ge=1, le=12)
    yearly_up_at_least: Figure | None = None
    yearly_down_below: Figure | None = None
    # rank_streak rule: top `rank_top` of the team `window` months in a row (a lower place
    # resets the count), at least `min_tenure_months` in post, and `clean_metric` at 0 in
    # each of the last `clean_months` months (e.g. no customer complaint)
    # quarterly_standard rule (assistant scheme): standards by level, highest first, granted
    # after `grant_in_a_row` quarters in a row or `grant_cumulative` quarters in all
    standards: list[Standard] = Field(default_factory=list)
    grant_in_a_row: int = Field(2, ge=1, le=12)
    grant_cumulative: int = Field(5, ge=1, le=40)
    deduction_metrics: list[str] = Field(default_factory=list)
    quarter_deductions_above: Figure | None = None  # elimination flag
    year_deductions_above: Figure | None = None  # elimination flag
    bottom_places: int = Field(3, ge=1, le=100)  # bottom of the team ranking…
    bottom_quarters: int = Field(3, ge=1, le=4)  # …in this many quarters of a year: flag
    bottom_levels: list[str] = Field(default_factory=list)  # levels the bottom rule applies to
    best_member_metric: str | None = None  # 最佳队员 (1 = yes) per quarter
    exemption_quarters: int = Field(3, ge=1, le=4)
    exemption_levels: list[str] = Field(default_factory=list)
    # the lowest quarterly average among the agents holding the same standard level (two or
    # more of them, not all equal) is flagged `demotion_review` at that quarter end
    worst_of_level_review: bool = False
    # when a 一级/二级 is judged for a demotion review ("standard no longer met", "worst of
    # the level"): "quarters" — the standard met in fewer quarters of the year than
    # grant_in_a_row, counted at the year's last review, and the worst at every quarter end
    # on the quarter's average; "year" — both once a year, at the close of the year's last
    # review month (考核年度), on the year's data: the year's average score against the
    # standard's average, the year's sums per quarter against its limits and floors, and
    # the lowest yearly average of the level (004 "客服助理定级标准")
    year_review: Literal["quarters", "year"] = "quarters"
    rank_top: int = Field(3, ge=1, le=100)
    min_tenure_months: int = Field(0, ge=0, le=600)
    clean_metric: str | None = None
    clean_months: int = Field(3, ge=1, le=24)
    # …and named 优秀员工 (`excellent_metric` at 1, or the month listed in the roster's
    # `columns.excellent`) at least once in the last `excellent_months` months (004
    # 最近三个月有被评过优秀员工的; neither the metric nor the roster column: not required)
    excellent_metric: str | None = None
    excellent_months: int = Field(3, ge=1, le=24)

    @field_validator("review_months")
    @classmethod
    def _calendar_months(cls, value: list[int]) -> list[int]:
        for month in value:
            if not 1 <= month <= 12:
                raise ValueError(_("review month {month} must be 1..12").format(month=month))
        return sorted(set(value))

    @model_validator(mode="after")
    def _bands_ordered(self) -> Promotion:
        if self.rule == "window_average":
            if not self.bands:
                raise ValueError(_("window_average needs bands"))
            bounds = [b.bound for b in self.bands[:-1]]
            if any(b is None for b in bounds) or self.bands[-1].bound is not None:
                raise ValueError(_("every band but the last needs a bound (above or at_least); "
                                   "the last band takes every lower average and has none"))
            if any(lo >= hi for hi, lo in pairwise(bounds)):  # type: ignore[operator]
                raise ValueError(_("band bounds must go down from the top band: {bounds}")
                                 .format(bounds=bounds))
        if self.rule == "score_bands":
            lows = [b.at_least for b in self.grade_bands]
            if not lows or self.ungraded_level is None:
                raise ValueError(_("score_bands needs grade_bands and ungraded_level"))
            if lows != sorted(lows) or len(set(lows)) != len(lows):
                raise ValueError(_("grade bands must go up without overlaps: {lows}")
                                 .format(lows=lows))
        yearly = (self.yearly_review_month, self.yearly_up_at_least, self.yearly_down_below)
        if any(v is not None for v in yearly) and any(v is None for v in yearly):
            raise ValueError(_("a yearly review needs yearly_review_month, yearly_up_at_least "
                               "and yearly_down_below"))
        return self

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in RULE_KINDS:
            raise ValueError(_("unknown rule {rule}; allowed: {rules}").format(
                rule=repr(value), rules=", ".join(sorted(RULE_KINDS))))
        return value


class GradeBand(_Model):
    """A band of the points scheme: from `at_least` points (inclusive), `level` — if the
    agent also has, on each hard item named in `minimums`, at least that many of the item's
    points as read from the profile workbook (before profile.scale); else the agent stays
    at the highest band whose minimums they meet (硬性定级指标, DOMAIN.md Scheme 4)."""

    at_least: Figure
    level: str
    minimums: dict[str, Count] = Field(default_factory=dict)


class TierFloors(_Model):
    """The bar of one tier: a floor on every listed metric at once (a ceiling for
    lower-is-better metrics), so that no single gamed metric earns a tier."""

    level: str
    floors: dict[str, Figure] = Field(default_factory=dict)


class TenureBand(_Model):
    """A band of grades open from `min_months` in post; performance picks the grade."""

    min_months: int = Field(ge=0, le=600)
    levels: list[str] = Field(min_length=1, max_length=2)  # lower grade, upper grade


class Standard(_Model):
    """What a quarter must show for a level (assistant scheme): an average score, sums of
    metrics under a limit (deductions) and sums at or above a floor (follow-ups, reports)."""

    level: str
    average_at_least: Figure
    below: dict[str, Figure] = Field(default_factory=dict)
    at_least: dict[str, Figure] = Field(default_factory=dict)
