"""Templates, the `attendance:` section: the monthly totals of the attendance workbook (each
item's unit, and so the values it may take), the attendance score (start, deductions per
unit, floor) and the flags raised above a total.

Input: the section's YAML values. Output: a validated `Attendance` (or pydantic's errors,
naming the field).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from ..i18n import _
from ..limits import FIGURE_LIMIT
from .fields import Bounds, Count, Figure, _Model

AttendanceUnit = Literal["days", "times", "hours", "minutes", "number"]
# an attendance item's unit when the template gives none, from the words of its name
_UNIT_WORDS: list[tuple[str, AttendanceUnit]] = [
    ("分钟", "minutes"), ("小时", "hours"), ("天", "days"), ("日", "days"), ("次", "times")]
TIMES_A_MONTH = 100  # our default: at most this many late arrivals (…) in a month


class AttendanceItem(_Model):
    """A monthly total of the attendance workbook. Its `unit` gives the values it may take
    (unless `bounds` says otherwise): days 0 to the days of the row's month; times 0–100;
    hours and minutes 0 to the month's; number 0 or more. Without a unit, the name says it:
    …分钟 minutes, …小时 hours, …天/日 days, …次 times, else number. `sum_of`: headers of
    columns that add up to the item when the workbook has no column of its own (an app's
    上班缺卡次数 + 下班缺卡次数 for 缺卡次数)."""

    key: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    unit: AttendanceUnit | None = None
    bounds: Bounds | None = None  # (a days item stays within its month as well)
    sum_of: list[str] = Field(default_factory=list)

    @property
    def measure(self) -> AttendanceUnit:
        """The unit given, or the one the name says."""
        if self.unit is not None:
            return self.unit
        return next((unit for word, unit in _UNIT_WORDS if word in self.name), "number")

    def limits(self, days_in_month: int) -> tuple[Decimal, Decimal]:
        """The values the item may take in a month of `days_in_month` days."""
        unit = self.measure
        per_month = {"days": days_in_month, "hours": 24 * days_in_month,
                     "minutes": 1440 * days_in_month, "times": TIMES_A_MONTH}.get(unit)
        if self.bounds is not None:
            low, high = self.bounds
            return (low, min(high, Decimal(days_in_month)) if unit == "days" else high)
        return (Decimal(0), Decimal(FIGURE_LIMIT if per_month is None else per_month))


class AttendanceFlag(_Model):
    item: str
    above: Figure = Decimal(0)
    flag: str


class AttendanceScore(_Model):
    """考勤 score: start, minus points per unit of each item, never below floor."""

    start: Figure = Decimal(100)
    deductions: dict[str, Count] = Field(default_factory=dict)
    floor: Figure = Decimal(0)

    @model_validator(mode="after")
    def _floor_under_start(self) -> AttendanceScore:
        if self.floor > self.start:
            raise ValueError(_("floor {floor} is above start {start}").format(
                floor=self.floor, start=self.start))
        return self


class Attendance(_Model):
    items: list[AttendanceItem] = Field(default_factory=list)
    score: AttendanceScore | None = None
    flags: list[AttendanceFlag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_items(self) -> Attendance:
        keys = [i.key for i in self.items]
        used = list(self.score.deductions if self.score else []) + [f.item for f in self.flags]
        for key in used:
            if key not in keys:
                raise ValueError(_("unknown attendance item {item}; allowed: {keys}")
                                 .format(item=repr(key), keys=keys))
        return self
