"""The tier-floors rule (tier scheme 段位, 002): a tier is earned on several metrics at once,
each with its own floor (or ceiling for lower-is-better metrics), so gaming one metric
(刷段位) earns nothing. Each scored month the agent qualifies for the highest tier whose
floors all hold; `window` months in a row qualifying above the current tier move the agent
one tier up, `window` months in a row qualifying below it one tier down, from the next
month. A month without a score breaks both counts.

The state: the months in a row qualifying above the current tier, and below it."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from ..i18n import N_, _
from ..records import Month, Score
from .common import fmt_number, listed
from .driver import Missing, RuleKind, State, Step, Trial, Who, move

if TYPE_CHECKING:
    from ..scheme import Metric, Scheme, TierFloors


def qualifying_tier(score: Score, scheme: Scheme) -> tuple[int, str]:
    """(index of the highest tier whose floors all hold, why the next tier was missed)."""
    return _qualifying(score, scheme.promotion.tiers, {m.key: m for m in scheme.score.metrics})


def _qualifying(score: Score, tiers: list[TierFloors], metrics: dict[str, Metric],
                ) -> tuple[int, str]:
    best, missed = 0, ""
    for index, tier in enumerate(tiers):
        failed = []
        for key, bar in tier.floors.items():
            value = score.metrics.get(key)
            lower = metrics[key].direction == "lower"
            if value is None or (value > bar if lower else value < bar):
                shown = "—" if value is None else fmt_number(Decimal(value))
                failed.append(f"{metrics[key].name} {shown} {'>' if lower else '<'} "
                              f"{fmt_number(bar)}")
        if failed:
            missed = _("below {level}: {failed}").format(level=tier.level,
                                                          failed=_(", ").join(failed))
            break
        best = index
    return best, missed


class Tiers(NamedTuple):
    window: int
    tiers: list[TierFloors]
    metrics: dict[str, Metric]  # by key
    ladder: list[str]
    position: dict[str, int]


def prepare(scheme: Scheme, window: int) -> Tiers:
    ladder = scheme.regular_levels
    return Tiers(window, scheme.promotion.tiers, {m.key: m for m in scheme.score.metrics},
                 ladder, {level: i for i, level in reversed(list(enumerate(ladder)))})


RESTART: State = (0, 0, (), ())


def step(rule: Tiers, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    assert score is not None  # (months without a score are the driver's)
    current = rule.position.get(level)
    if current is None:  # (the trial level: not a tier)
        return RESTART, None, _("no score: counts restart"), (), False
    reached, missed = _qualifying(score, rule.tiers, rule.metrics)
    up = (*state[2], month) if reached > current else ()
    down = (*state[3], month) if reached < current else ()
    window, ladder = rule.window, rule.ladder
    decision = None
    if len(up) >= window and current + 1 < len(ladder):
        decision = move(
            who, month, level, ladder[current + 1], "promote", "tier_up",
            _("{window} months in a row at every floor of a higher tier ({months}): up to "
              "{level} from {effective}"), up[-window:], window=window,
            months=listed(up[-window:]))
    elif len(down) >= window and current > 0:
        decision = move(
            who, month, level, ladder[current - 1], "demote", "tier_down",
            _("{window} months in a row below the tier's floors ({missed}): down to {level} "
              "from {effective}"), down[-window:], window=window, missed=missed)
    return (len(up), len(down), up, down), decision, missed, (), False


KIND = RuleKind(
    step, prepare, trial=Trial(N_("trial month")),
    missing=Missing(N_("no score: counts restart"), True), initial=RESTART,
    restart_after_move=True, left_note=N_("left on {date}"), metrics=True)
