"""What the rule kinds share besides the driver: how a number and a list of months are worded
in a note or a reason, and the scored months of a review window with their average."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from ..i18n import _
from ..labels import fmt_number
from ..records import Agent, Month, Score, month_range

CENT = Decimal("0.01")


def last_month(agent: Agent, through: Month) -> Month:
    """The last month to follow: `through`, or the leave month if earlier."""
    return min(through, Month.of(agent.leave_date)) if agent.leave_date else through


def listed(months: Iterable[Month]) -> str:
    """'2026-01, 2026-02' (a reason citing its months)."""
    return _(", ").join(str(m) for m in months)


def cited(scores: Mapping[Month, Score], months: Iterable[Month]) -> str:
    """'2026-01 112, 2026-02 110' (a reason citing its months and their scores)."""
    return _(", ").join(f"{m} {fmt_number(scores[m].value)}" for m in months)


def scored_in_window(scores: Mapping[Month, Score], month: Month, window: int,
                     trial_end: Month | None) -> list[Month]:
    """The scored months of the `window` months ending with `month`, trial months left out."""
    return [m for m in month_range(month + (1 - window), month)
            if m in scores and (trial_end is None or m > trial_end)]


def average(scores: Mapping[Month, Score], months: list[Month]) -> Decimal:
    """The months' average score, rounded half up to the cent (as a review states it)."""
    total = sum((scores[m].value for m in months), Decimal(0))
    return (total / len(months)).quantize(CENT, rounding=ROUND_HALF_UP)


EXAM_FAILED = "probation_exam_failed"


def exam_failures(floors: Mapping[str, Decimal], score: Score | None,
                  names: Mapping[str, str] | None = None) -> list[str] | None:
    """The probation exam taken in a month (004 试用考核: theory, practical, typing, product
    knowledge…): None when the month's score holds none of its parts, else the parts under
    their floors, worded with `names` (the metrics' names by key; a part left blank fails),
    [] for a pass."""
    if not floors or score is None:
        return None
    metrics = score.metrics
    if all(metrics.get(k) is None for k in floors):
        return None
    out = []
    for key, floor in floors.items():
        value = metrics.get(key)
        if value is None or value < floor:
            shown = (names or {}).get(key, key)
            out.append(f"{shown} {'—' if value is None else fmt_number(value)} < "
                       f"{fmt_number(floor)}")
    return out
