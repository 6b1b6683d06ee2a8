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
                missing = [m.key for m in self.metrics if m.target is None]
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


class Step(_Model):
    at_least: Figure
    points: Count


class ProfileItem(_Model):
    """A hard item of the points scheme, from the profile workbook: a text value looked up
    in `values`, a number put on `steps` (the highest step reached), or `per_unit` points
    per unit up to `max`."""

    key: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    values: dict[str, Count] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)
    per_unit: Count | None = None
    max: Count | None = None

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
    """How one monthly figure is made from raw rows (one row per call or ticket)."""

    key: str
    how: Literal["mean", "sum", "count", "share"]
    column: list[str] = Field(default_factory=list)  # aliases of the raw column (not for count)
    values: list[str] = Field(default_factory=list)  # share: cell values that count as yes
    at_least: Figure | None = None  # share: numeric cells at or above this count as yes
    unit: Literal["number", "seconds"] = "number"

    @model_validator(mode="after")
    def _complete(self) -> AggregateMetric:
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
