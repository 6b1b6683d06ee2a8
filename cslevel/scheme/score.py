"""Templates, how a month's score is made: the `score:` section (a ready score column, or
weighted metrics with their targets, directions, units and bounds, other weights for some
posts), the `aggregate:` section (monthly figures made from raw rows, one per call or
ticket) and the points scheme's `profile:` (hard items from the profile workbook).

Input: those sections' YAML values. Output: validated `ScoreRule`, `Aggregate` and
`Profile` models (or pydantic's errors, naming the field).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from ..i18n import _
from ..limits import FIGURE_LIMIT
from .fields import Bounds, Count, Figure, Weight, _Model
from .names import normalize_label


class Rater(_Model):
    """One rater's score of an item assessed by several (003: 自我评估、团队评估、上级评估),
    read from a column of its own: `column` (its names; none: the item's name followed or
    preceded by the rater's, e.g. 服务态度自评, 自评服务态度). Headers are compared without
    brackets (a bracket is a unit: 服务态度(自评) reads as 服务态度), so the rater's name is
    written beside the item's, not in brackets."""

    name: str
    weight: Decimal = Field(gt=0, le=1)
    column: list[str] = Field(default_factory=list)


class Metric(_Model):
    key: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    weight: Decimal = Field(ge=0, le=100)  # 0: used only by the roles that weight it
    target: Decimal | None = Field(None, gt=0, le=FIGURE_LIMIT)  # achievement scoring only
    direction: Literal["higher", "lower"] = "higher"
    unit: Literal["percent", "number", "seconds"] = "number"
    # the values a workbook may give (percent: as fractions, like `target`); none: 0–100 %
    # for a percent, 0–100 for an item scored in points, else 0 or more (ScoreRule.bounds_of)
    bounds: Bounds | None = None
    # how a percent column written without a % sign is read: auto (a header that says %,
    # e.g. 投诉率(%), means percent points; else see read._scaled_column), fraction (0.3 =
    # 30 %) or points (0.3 = 0.3 %)
    scale: Literal["auto", "fraction", "points"] = "auto"
    # several raters' scores of the item, one column each, combined with these weights
    # (adding up to 1): the item's value is Σ weight × the rater's score, exact (003)
    raters: list[Rater] = Field(default_factory=list)

    def rater_columns(self, rater: Rater) -> list[str]:
        """The names of `rater`'s column of this item."""
        if rater.column:
            return rater.column
        return [f"{self.name}{rater.name}", f"{rater.name}{self.name}"]

    @model_validator(mode="after")
    def _raters_add_up(self) -> Metric:
        if self.raters:
            names = [r.name for r in self.raters]
            if len(set(names)) != len(names):
                raise ValueError(_("{key}: rater names must differ: {names}").format(
                    key=self.key, names=names))
            seen: dict[str, str] = {normalize_label(self.name): self.name}
            for rater in self.raters:
                for column in self.rater_columns(rater):
                    label = normalize_label(column)
                    if label in seen and seen[label] != rater.name:
                        raise ValueError(_(
                            "{key}: the rater {rater}'s column {column} reads as {other} "
                            "(brackets, spaces and case are ignored); write the rater's name "
                            "beside the item's, e.g. {example}").format(
                                key=self.key, rater=rater.name, column=repr(column),
                                other=repr(seen[label]), example=f"{self.name}{rater.name}"))
                    seen[label] = rater.name
            total = sum((r.weight for r in self.raters), Decimal(0))
            if total != 1:
                raise ValueError(_("{key}: the raters' weights must add up to 1, they add up "
                                   "to {total}").format(key=self.key, total=total))
        return self


class RoleWeights(_Model):
    """Other weights for some posts (岗位) within the same scheme."""

    roles: list[str] = Field(min_length=1)
    weights: dict[str, Weight]


class ScoreRule(_Model):
    source: Literal["auto", "ready", "metrics"] = "auto"
    ready_column: list[str] = Field(default_factory=lambda: ["绩效分值", "考核得分"])
    # achievement: Σ weight × actual/target (capped), a % of target;
    # points: each metric is already scored 0–100, the score is Σ weight × points / 100
    scoring: Literal["achievement", "points"] = "achievement"
    cap: Decimal = Field(Decimal(150), gt=0, le=1000)
    decimals: int = Field(2, ge=0, le=4)
    missing: Literal["error", "not_scored"] = "error"
    metrics: list[Metric] = Field(default_factory=list)
    by_role: list[RoleWeights] = Field(default_factory=list)
    # points scheme: score = profile points + performance_factor × the month's score
    performance_factor: Decimal = Field(Decimal(1), gt=0, le=1)
    # the monthly scores a workbook may give, both ends included; none: 0–300 (% of target)
    # under achievement scoring, 0–100 under points scoring
    bounds: Bounds | None = None
    # the metric (key) that takes the month's attendance score (考勤, the template's
    # attendance.score) when an attendance workbook is given; the KPI workbook's column
    # otherwise, and for an agent the attendance workbook does not list. None: always the
    # KPI column
    attendance_metric: str | None = None

    @property
    def score_bounds(self) -> tuple[Decimal, Decimal]:
        if self.bounds is not None:
            return self.bounds
        return (Decimal(0), Decimal(300) if self.scoring == "achievement" else Decimal(100))

    def bounds_of(self, metric: Metric) -> tuple[Decimal, Decimal]:
        """The values a workbook may give for `metric` (see Metric.bounds)."""
        if metric.bounds is not None:
            return metric.bounds
        if metric.unit == "percent":
            return (Decimal(0), Decimal(1))
        if self.scoring == "points" and (metric.weight > 0 or any(
                role.weights.get(metric.key, 0) > 0 for role in self.by_role)):
            return (Decimal(0), Decimal(100))
        return (Decimal(0), Decimal(FIGURE_LIMIT))

    @model_validator(mode="after")
    def _weights_add_up(self) -> ScoreRule:
        if self.metrics:
            keys = [m.key for m in self.metrics]
            if len(set(keys)) != len(keys):
                raise ValueError(_("metric keys must be unique"))
            total = sum((m.weight for m in self.metrics), Decimal(0))
            # all weights 0: the metrics are only read beside a ready score (exam results,
            # complaint counts…), never scored
            if total != 100 and not (total == 0 and self.source != "metrics"):
                raise ValueError(_("metric weights must add up to 100, they add up to {total}")
                                 .format(total=total))
            for index, role in enumerate(self.by_role):
                unknown = [k for k in role.weights if k not in keys]
                if unknown:
                    raise ValueError(_("by_role[{index}]: unknown metrics {unknown}; "
                                       "allowed: {keys}").format(index=index, unknown=unknown,
                                                                 keys=keys))
                role_total = sum(role.weights.values(), Decimal(0))
                if role_total != 100:
                    raise ValueError(_("by_role[{index}] ({roles}): weights must add up to 100, "
                                       "they add up to {total}").format(
                        index=index, roles=", ".join(role.roles), total=role_total))
            if self.scoring == "achievement":
                # (a metric no post weights is only read, never scored: it needs no target)
                weighted = {m.key for m in self.metrics if m.weight > 0} | {
                    k for role in self.by_role for k, w in role.weights.items() if w > 0}
                missing = [m.key for m in self.metrics if m.target is None
                           and m.key in weighted]
                if missing:
                    raise ValueError(_("achievement scoring needs a target for {missing}")
                                     .format(missing=missing))
        if self.attendance_metric is not None and self.attendance_metric not in [
                m.key for m in self.metrics]:
            raise ValueError(_("attendance_metric {metric} is not a metric; allowed: {keys}")
                             .format(metric=repr(self.attendance_metric),
                                     keys=[m.key for m in self.metrics]))
        if self.source == "metrics" and not self.metrics:
            raise ValueError(_("source is 'metrics' but no metrics are listed"))
        return self

    def weights_for(self, role: str) -> dict[str, Decimal]:
        """Metric key -> weight for an agent in this post (only the weighted metrics)."""
        key = normalize_label(role) if role else ""
        for group in self.by_role:
            if any(normalize_label(r) == key for r in group.roles):
                return {k: w for k, w in group.weights.items() if w > 0}
        return {m.key: m.weight for m in self.metrics if m.weight > 0}


class Training(_Model):
    """Trainings a year (培训次数, 003: at least 2 sessions a year): the monthly figures of
    `metric` (a 培训次数 column of the KPI workbook, read as a metric no post weights) or of
    `attendance_item` (the attendance export's training days), one of the two, added up
    over the calendar year and checked once, at the close of `close_month`: an agent below
    `at_least` is flagged for a person (never moved). `no_figures`: an agent with no figure
    at all that year is `skip`ped (the workbooks do not track it; our default) or counted
    as 0 (`zero`)."""

    metric: str | None = None
    attendance_item: str | None = None
    at_least: Count = Decimal(2)
    close_month: int = Field(12, ge=1, le=12)
    no_figures: Literal["skip", "zero"] = "skip"

    @model_validator(mode="after")
    def _one_source(self) -> Training:
        if (self.metric is None) == (self.attendance_item is None):
            raise ValueError(_("training: give either metric (a KPI column) or "
                               "attendance_item (the attendance export's training days)"))
        return self


class Step(_Model):
    at_least: Figure
    points: Count


class ProfileItem(_Model):
    """A hard item of the points scheme, from the profile workbook: a text value looked up
    in `values`, a number put on `steps` (the highest step reached), or `per_unit` points
    per unit up to `max`. An item with `scored: false` only feeds the bands' minimums."""

    key: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    values: dict[str, Count] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)
    per_unit: Count | None = None
    max: Count | None = None
    # false: read and kept (a band's `minimums` may name it) but not added to the points,
    # e.g. the years of hotel or property service 五级/六级 need (DOMAIN.md, Scheme 4)
    scored: bool = True
    # false: the profile workbook may leave the column out (every agent then has 0 points
    # on the item, and the run says so)
    required: bool = True

    @model_validator(mode="after")
    def _one_way(self) -> ProfileItem:
        if not (self.values or self.steps or self.per_unit is not None):
            raise ValueError(_("{key}: give values, steps or per_unit").format(key=self.key))
        bounds = [s.at_least for s in self.steps]
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError(_("{key}: steps must go up: {bounds}").format(key=self.key,
                                                                          bounds=bounds))
        return self


class Profile(_Model):
    items: list[ProfileItem] = Field(min_length=1)
    # the hard items' points are multiplied by this before they are added: the shipped points
    # template leaves two of the source's five 0–5 items out, so it scales the other four by
    # 25/20 to keep 25 as their maximum (DOMAIN.md, Scheme 4)
    scale: Decimal = Field(Decimal(1), gt=0, le=100)


class AggregateMetric(_Model):
    """How one monthly figure is made from raw rows (one row per call or ticket). A count
    with a column and values counts the rows whose cell is one of the values (answered calls
    by 通话状态); a share with both values and at_least takes either (满意/非常满意 or a rating
    of 4 or 5); cells in `skip_values` (未评价) are left out like blanks; a mean with
    `skip_zero` leaves out zeros (the 00:00:00 talk time of an unanswered call)."""

    key: str
    how: Literal["mean", "sum", "count", "share"]
    # the figure's name in messages when the score does not list it (a reference figure)
    name: str | None = None
    column: list[str] = Field(default_factory=list)  # aliases of the raw column
    values: list[str] = Field(default_factory=list)  # share, count: cell values that count as yes
    at_least: Figure | None = None  # share: numeric cells at or above this count as yes
    skip_values: list[str] = Field(default_factory=list)  # cell values left out like blanks
    skip_zero: bool = False  # mean: zeros are left out like blanks
    unit: Literal["number", "seconds"] = "number"

    @model_validator(mode="after")
    def _complete(self) -> AggregateMetric:
        if self.how == "count" and self.column and not self.values:
            raise ValueError(_("{key}: 'count' of a column needs values (e.g. [已接听])")
                             .format(key=self.key))
        if self.how != "count" and not self.column:
            raise ValueError(_("{key}: '{how}' needs the raw column's names (column)")
                             .format(key=self.key, how=self.how))
        if self.how == "share" and not self.values and self.at_least is None:
            raise ValueError(_("{key}: 'share' needs values (e.g. [Y, 是]) or at_least")
                             .format(key=self.key))
        return self


class Aggregate(_Model):
    """Raw rows -> monthly figures per agent: used when a KPI file has a date column and
    several rows per agent."""

    date_column: list[str] = Field(min_length=1)
    agent_column: list[str] = Field(default_factory=list)  # extra names of the agent column
    ignore_agents: list[str] = Field(default_factory=list)  # pseudo-agents such as NO_SERVER
    metrics: list[AggregateMetric] = Field(min_length=1)
