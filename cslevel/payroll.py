"""Payroll stage: level in force -> pay line. Money is Decimal, half-up at the fen; each
component is rounded first and the total is the sum of the rounded components.

The level paid in month M is the level in force in M (decisions at the close of M-1 take
effect in M). Performance pay and attendance deductions use the figures of the template's
`pay.figures` month: by default the month before (assessed at its close, paid with the next
month's salary), or the paid month itself.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .i18n import _, ngettext
from .labels import DECISION_LABEL, fmt_number
from .records import Agent, Decision, Month, PayInputsRow, PayLine
from .scheme import Scheme

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | float | str) -> Decimal:
    """Any amount -> Decimal at the fen, half-up. Floats go through str (2.675 -> 2.68)."""
    if type(value) is Decimal:  # (most amounts: no copy first)
        return value.quantize(FEN, rounding=ROUND_HALF_UP)
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _amount(value: Decimal) -> str:
    return f"{money(value):,.2f}"


@functools.lru_cache(maxsize=512)
def last_day(month: Month) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


# per scheme, by its id (each entry holds its scheme and levels, so the id stays theirs): each
# level's day pay for the attendance deduction and the attendance items' names, which the
# payroll would otherwise work out again for each of thousands of agents
_DEDUCTION_TABLES: dict[int, tuple[Scheme, list[Any], dict[str, Decimal], dict[str, str]]] = {}


def _deduction_tables(scheme: Scheme) -> tuple[dict[str, Decimal], dict[str, str]]:
    """(day pay by level, attendance item name by key) for the scheme's deduction rule."""
    entry = _DEDUCTION_TABLES.get(id(scheme))
    if entry is None or entry[0] is not scheme or entry[1] is not scheme.levels:
        rule = scheme.pay.attendance_deduction
        assert rule is not None
        day_pay = {level.name: sum((Decimal(level.pay[c]) for c in rule.daily_pay_of),
                                   Decimal(0)) / rule.days_per_month
                   for level in scheme.levels if all(c in level.pay for c in rule.daily_pay_of)}
        entry = (scheme, scheme.levels, day_pay,
                 {i.key: i.name for i in scheme.attendance.items})
        _DEDUCTION_TABLES[id(scheme)] = entry
    return entry[2], entry[3]


# per scheme, by its id (as above): each level's pay components as Decimals, exactly and at
# the fen; thousands of agents share a handful of levels
_LEVEL_PAY: dict[int, tuple[Scheme, list[Any], dict[str, tuple[dict[str, Decimal],
                                                               dict[str, Decimal]]]]] = {}


def _level_pay(scheme: Scheme, level: str) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(the level's components as given, the same at the fen)."""
    entry = _LEVEL_PAY.get(id(scheme))
    if entry is None or entry[0] is not scheme or entry[1] is not scheme.levels:
        entry = _LEVEL_PAY[id(scheme)] = (scheme, scheme.levels, {})
    amounts = entry[2].get(level)
    if amounts is None:
        table = scheme.level(level).pay
        exact = {name: Decimal(table[name]) for name in scheme.pay.components}
        amounts = entry[2][level] = (exact, {k: money(v) for k, v in exact.items()})
    return amounts


@dataclass(slots=True)  # not frozen: one is made per agent and pay month, frozen init is slow
class PayInputs:
    """Everything one agent's pay in one month depends on, gathered by the pipeline."""

    agent: Agent
    month: Month
    level: str
    figures_month: Month
    score: Decimal | None = None  # the figures month's score (None: none, or trial)
    attendance: dict[str, Decimal] | None = None  # the figures month's attendance totals
    lead_pay: tuple[Decimal, str] | None = None  # worked out by the caller (team windows)
    entered: PayInputsRow | None = None  # the agent's row of the pay-inputs workbook
    rank: tuple[int, int] | None = None  # KPI rank of the figures month in the centre, of how many
    management: tuple[Decimal, str] | None = None  # management bonus, worked out by the caller


def worked_share(agent: Agent, month: Month, scheme: Scheme) -> tuple[int, int] | None:
    """(days paid, days in the month) for a joiner's first or a leaver's last month when the
    template pays them pro rata; None when the month is paid in full."""
    first, last = _bounds(month)
    start, end = first, last
    if scheme.pay.joiners == "pro_rata" and agent.hire_date and first < agent.hire_date <= last:
        start = agent.hire_date
    if scheme.pay.leavers == "pro_rata" and agent.leave_date and first <= agent.leave_date < last:
        end = agent.leave_date
    if (start, end) == (first, last):
        return None
    return max((end - start).days + 1, 0), last.day


@functools.lru_cache(maxsize=512)
def _bounds(month: Month) -> tuple[date, date]:
    return month.first_day(), last_day(month)


def service_years(hire: date, on: date) -> int:
    """Full years of service from `hire` to `on`."""
    return max(on.year - hire.year - ((on.month, on.day) < (hire.month, hire.day)), 0)


# a level's components at the fen for a (level, score), their sum, and the sum of the
# components a day's pay is worked out from (the attendance deduction's ceiling)
LevelPart = tuple[dict[str, Decimal], Decimal, Decimal]


class SharedParts:
    """Parts of pay lines that many agents share, worked out once per scheme for the lines
    whose note is not wanted (`explain=False`: a month only compared with, a report, a
    what-if) whole months' simple lines: the level's components with the performance pay
    for a (level, score), the seniority pay for the years of service, the attendance deduction for a (level, the rule's figures, ceiling), the
    zeros of the pay-inputs items for an agent without a row. The same functions work them
    out as for an explained line; tests/test_pay_parts.py checks every key against them."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme, self.levels_of = scheme, scheme.levels
        self.levels: dict[tuple[str, Decimal | None], LevelPart] = {}
        self.deductions: dict[tuple[str, tuple[Decimal | None, ...], Decimal], Decimal] = {}
        self.seniority: dict[int, Decimal] = {}  # years -> the seniority pay, at the fen
        # whether a joiner's or leaver's month may be paid in part (worked_share)
        self.pro_rata = "pro_rata" in (scheme.pay.joiners, scheme.pay.leavers)
        self._trial: dict[str, list[str] | None] = {}
        rule = scheme.pay.attendance_deduction
        self.deduction_keys = (*rule.days, *rule.amounts) if rule is not None else ()
        pay = scheme.pay
        # the components a whole month's simple line has at 0 (no lead pay, no bonus)
        self.extra_zeros = [rule.name for rule in (pay.team_lead, pay.rank_bonus,
                                                    pay.management_bonus) if rule is not None]
        spec = scheme.pay.inputs
        self.no_inputs: dict[str, Decimal] = {} if spec is None else {
            name: ZERO for name in (*(k.name for k in spec.overtime),
                                    *(i.name for i in spec.benefits),
                                    *((spec.one_off.name,) if spec.one_off else ()),
                                    *(i.name for i in spec.deductions))}

    def level_part(self, components: dict[str, Decimal]) -> LevelPart:
        """The level's components with their sum and the day-pay components' sum."""
        rule = self.scheme.pay.attendance_deduction
        return (components, sum(components.values(), ZERO),
                sum((components[c] for c in rule.daily_pay_of), ZERO) if rule else ZERO)

    def trial_only(self, level: str) -> list[str] | None:
        """The components a trial month at `level` pays (None: not a trial level, or a
        trial paying all of them)."""
        try:
            return self._trial[level]
        except KeyError:
            pay = self.scheme.pay
            only = self._trial[level] = (pay.trial_components if pay.trial_components
                                         is not None and self.scheme.level(level).trial
                                         else None)
            return only


# per scheme, by its id (each entry holds its scheme and levels, so the id stays theirs)
_SHARED_PARTS: dict[int, SharedParts] = {}
_PARTS_KEPT = 64_000  # entries of one scheme's parts: past this they are dropped and begun again
_SCHEMES_KEPT = 16  # schemes whose parts are kept at once


def shared_parts(scheme: Scheme) -> SharedParts:
    parts = _SHARED_PARTS.get(id(scheme))
    if (parts is None or parts.scheme is not scheme or parts.levels_of is not scheme.levels
            or len(parts.levels) > _PARTS_KEPT):
        if len(_SHARED_PARTS) >= _SCHEMES_KEPT:  # (a long process loading many templates)
            _SHARED_PARTS.clear()
        parts = _SHARED_PARTS[id(scheme)] = SharedParts(scheme)
    return parts


def pay_line(inputs: PayInputs, scheme: Scheme, explain: bool = True) -> PayLine:
    """The level's components (performance pay scaled by the score), seniority pay, the
    supervisor allowance (by the agent's tier, whatever the level), the team lead's
    management pay, pro rata for a joiner's or leaver's month if the template says so, and
    the attendance deduction last. With `explain=False` the line's note (how it was worked
    out) is left empty: for a month that is only compared with; a whole month's simple line
    is then put together from the parts many agents share (`_quick_line`, `SharedParts`)."""
    if not explain and _simple(inputs):
        quick = _quick_line(inputs, scheme)
        if quick is not None:
            return quick
    agent, month, pay = inputs.agent, inputs.month, scheme.pay
    notes: list[str] = []
    share = worked_share(agent, month, scheme)
    # a trial month paying only some components (pay.trial_components): the others are 0
    trial_only = (pay.trial_components if pay.trial_components is not None
                  and scheme.level(inputs.level).trial else None)
    components = level_components(inputs, scheme, share, trial_only,
                                  notes if explain else None)

    def put(name: str, amount: Decimal) -> None:
        if share is not None:
            amount = amount * share[0] / share[1]
        components[name] = money(amount)

    if trial_only is not None and explain:
        notes.append(_("trial month: only {components} paid (trial pay only, 004)").format(
            components="+".join(trial_only)))
    if pay.seniority is not None:
        rule = pay.seniority
        if trial_only is not None:
            put(rule.name, ZERO)
        elif agent.hire_date is None:
            put(rule.name, ZERO)
            if explain:
                notes.append(_("no hire date: {component} is 0").format(component=rule.name))
        else:
            years = service_years(agent.hire_date, last_day(month))
            amount = rule.per_year * years
            if rule.cap is not None:
                amount = min(amount, rule.cap)
            put(rule.name, amount)
            if years and explain:
                notes.append(ngettext("{years} year of service", "{years} years of service",
                                      years).format(years=years))
    allowance = pay.supervisor_allowance
    if allowance is not None:
        tier = None if trial_only is not None else agent.supervisor_tier
        put(allowance.name, Decimal(allowance.tiers.get(tier, 0)) if tier else ZERO)
        if tier and explain:
            notes.append(_("{component} tier {tier}").format(component=allowance.name,
                                                               tier=tier))
    if pay.team_lead is not None:
        amount, why = (inputs.lead_pay if trial_only is None else None) or (ZERO, "")
        put(pay.team_lead.name, amount)
        if why and explain:
            notes.append(why)
    if share is not None and explain:
        notes.append(_("pro rata by calendar days {days}/{total}").format(
            days=share[0], total=share[1]))
    # (bonuses and the pay-inputs items are never pro rata: they are the month's own)
    if pay.rank_bonus is not None:
        amount, why = rank_bonus(inputs, scheme)
        components[pay.rank_bonus.name] = money(amount)
        if why and explain:
            notes.append(why)
    if pay.management_bonus is not None:
        amount, why = inputs.management or (ZERO, "")
        components[pay.management_bonus.name] = money(amount)
        if why and explain:
            notes.append(why)
    if pay.inputs is not None:
        notes += entered_items(inputs, scheme, _level_pay(scheme, inputs.level)[0],
                               components, explain)
    deduction = pay.attendance_deduction
    if deduction is not None:
        taken, why = _attendance_deduction(inputs, scheme, sum(
            (components[c] for c in deduction.daily_pay_of), ZERO), explain)
        if why:
            notes.append(why)
        components[deduction.name] = -taken
    total = sum(components.values(), ZERO)
    return PayLine(agent.agent_id, agent.name, agent.team, month, inputs.level, components,
                   total, _("; ").join(notes) if notes else "")


def _quick_line(inputs: PayInputs, scheme: Scheme) -> PayLine | None:
    """An unexplained line of a whole month's pay (no share of the month, no team-lead pay,
    rank or management bonus, no pay-inputs row: None otherwise) put together from the
    parts many agents share. The same amounts as the full path (`pay_line` below it);
    tests/test_pay_parts.py compares the two on every shipped template."""
    parts = shared_parts(scheme)
    quick = _quick_parts(inputs, scheme, parts)
    if quick is None:
        return None
    (shared, _total, _ceiling), seniority, allowance, taken = quick
    components = dict(shared)
    pay = scheme.pay
    if pay.seniority is not None:
        components[pay.seniority.name] = seniority
    if pay.supervisor_allowance is not None:
        components[pay.supervisor_allowance.name] = allowance
    for extra in parts.extra_zeros:
        components[extra] = ZERO
    if pay.inputs is not None:
        components.update(parts.no_inputs)
    if pay.attendance_deduction is not None:
        components[pay.attendance_deduction.name] = -taken
    agent = inputs.agent
    return PayLine(agent.agent_id, agent.name, agent.team, inputs.month, inputs.level,
                   components, sum(components.values(), ZERO))


def line_total(inputs: PayInputs, scheme: Scheme) -> Decimal:
    """`pay_line(inputs, scheme).total`, for a sum of many lines: a whole month's simple line
    (see `_quick_line`) from the shared parts' totals, no line made; any other by its line.
    tests/test_pay_parts.py compares it with the full path on every shipped template."""
    if _simple(inputs):
        quick = _quick_parts(inputs, scheme, shared_parts(scheme))
        if quick is not None:
            (_shared, total, _ceiling), seniority, allowance, taken = quick
            return total + seniority + allowance - taken
    return pay_line(inputs, scheme, explain=False).total


def _simple(inputs: PayInputs) -> bool:
    """No team-lead pay, rank or management bonus and no pay-inputs row (most lines)."""
    return (inputs.lead_pay is None and inputs.rank is None and inputs.management is None
            and inputs.entered is None)


def _quick_parts(inputs: PayInputs, scheme: Scheme, parts: SharedParts
                 ) -> tuple[LevelPart, Decimal, Decimal, Decimal] | None:
    """(the level's part, the seniority pay, the supervisor allowance, the attendance
    deduction) of a whole month's line (None for a joiner's or leaver's share of a month)."""
    agent, month = inputs.agent, inputs.month
    if parts.pro_rata and worked_share(agent, month, scheme) is not None:
        return None
    level = inputs.level
    trial_only = parts.trial_only(level)
    key = (level, inputs.score)
    shared = parts.levels.get(key)
    if shared is None:
        shared = parts.levels[key] = parts.level_part(
            level_components(inputs, scheme, None, trial_only, None))
    pay = scheme.pay
    seniority = allowance = taken = ZERO
    rule = pay.seniority
    hired = agent.hire_date
    if rule is not None and trial_only is None and hired is not None:
        end = last_day(month)  # (service_years, written out: once per agent and month)
        years = max(end.year - hired.year - ((end.month, end.day) < (hired.month, hired.day)),
                    0)
        found = parts.seniority.get(years)
        if found is None:
            amount = rule.per_year * years
            found = parts.seniority[years] = money(
                min(amount, rule.cap) if rule.cap is not None else amount)
        seniority = found
    tiers = pay.supervisor_allowance
    if tiers is not None and trial_only is None and agent.supervisor_tier:
        allowance = money(Decimal(tiers.tiers.get(agent.supervisor_tier, 0)))
    if pay.attendance_deduction is not None:
        taken = _shared_deduction(parts, inputs, shared[2])
    return shared, seniority, allowance, taken


def level_components(inputs: PayInputs, scheme: Scheme, share: tuple[int, int] | None,
                     trial_only: list[str] | None, notes: list[str] | None
                     ) -> dict[str, Decimal]:
    """The level's own components of a pay line (the performance pay scaled by the figures
    month's score, pro rata by `share`, only `trial_only` in a trial month), at the fen; how
    they were worked out added to `notes` (None: not wanted). What they come to depends on
    the level, the score and the share alone (`SharedParts` keys them so)."""
    pay = scheme.pay
    exact, at_fen = _level_pay(scheme, inputs.level)
    components: dict[str, Decimal] = {}
    performance = pay.performance
    for name in pay.components:
        amount = exact[name]
        if trial_only is not None and name not in trial_only:
            components[name] = ZERO
            continue
        if share is None and not (performance is not None and name == performance.component):
            components[name] = at_fen[name]  # (what the share would make of it)
            continue
        if performance is not None and name == performance.component and amount:
            amount = _performance_pay(inputs, performance, name, amount, notes)
        if share is not None:
            amount = amount * share[0] / share[1]
        components[name] = money(amount)
    return components


def _performance_pay(inputs: PayInputs, performance: Any, name: str, amount: Decimal,
                     notes: list[str] | None) -> Decimal:
    """The performance component scaled by the figures month's score (standard without a
    score, none below the floor, capped), how in `notes` unless None."""
    score = inputs.score
    if score is None:
        if notes is not None:
            notes.append(_("no score for {month}: {component} paid at the standard "
                           "amount").format(month=inputs.figures_month, component=name))
        return amount
    if performance.zero_below is not None and score < performance.zero_below:
        if notes is not None:
            notes.append(_("{month} score {score} < {floor}: no {component}").format(
                month=inputs.figures_month, score=score, floor=performance.zero_below,
                component=name))
        return ZERO
    factor = min(max(score / performance.full_at, Decimal(0)), performance.cap)
    if notes is not None:
        values = {"component": name, "amount": _amount(amount), "month": inputs.figures_month,
                  "score": score, "full": performance.full_at}
        if factor == performance.cap and score / performance.full_at > performance.cap:
            notes.append(_("{component} = {amount} × {month} score {score}/{full} "
                           "(capped at ×{cap})").format(**values, cap=performance.cap))
        else:
            notes.append(_("{component} = {amount} × {month} score {score}/{full}"
                           ).format(**values))
    return amount * factor


def hourly_rate(scheme: Scheme, exact: Mapping[str, Decimal]) -> Decimal:
    """The hourly rate overtime is paid at: the template's fixed amount, or the level's
    `of` components / days per month / hours per day (at the fen only if `round_rate`)."""
    spec = scheme.pay.inputs
    assert spec is not None and spec.hourly_rate is not None
    rule = spec.hourly_rate
    if rule.amount is not None:
        return Decimal(rule.amount)
    rate = sum((exact[c] for c in rule.of), Decimal(0)) / rule.days_per_month / (
        rule.hours_per_day)
    return money(rate) if rule.round_rate else rate


def entered_items(inputs: PayInputs, scheme: Scheme, exact: Mapping[str, Decimal],
                  components: dict[str, Decimal], explain: bool = True) -> list[str]:
    """The pay-inputs workbook's items put on the line: overtime (hours × hourly rate ×
    multiplier, each kind at the fen), benefits, the one-off amount, deductions (negative).
    Returns how each was worked out."""
    spec = scheme.pay.inputs
    assert spec is not None
    row = inputs.entered
    notes: list[str] = []
    rate = hourly_rate(scheme, exact) if spec.overtime else ZERO
    for kind in spec.overtime:
        hours = row.hours.get(kind.name) if row is not None else None
        components[kind.name] = money(hours * rate * kind.multiplier) if hours else ZERO
        if hours and explain:
            notes.append(_("{component} = {hours} h × hourly rate {rate} × {multiplier}").format(
                component=kind.name, hours=fmt_number(hours), rate=_rate(rate),
                multiplier=fmt_number(kind.multiplier)))
    for item in spec.benefits:
        components[item.name] = money(row.amounts.get(item.name, ZERO)) if row else ZERO
    if spec.one_off is not None:
        amount = row.one_off if row is not None and row.one_off is not None else ZERO
        components[spec.one_off.name] = money(amount)
        if amount and explain:
            assert row is not None
            notes.append(_("{component} {amount}: {reason}").format(
                component=spec.one_off.name, amount=f"{money(amount):+,.2f}",
                reason=row.reason))
    for item in spec.deductions:
        components[item.name] = -money(row.amounts.get(item.name, ZERO)) if row else ZERO
    return notes


def _rate(rate: Decimal) -> str:
    """An hourly rate as shown: at the fen when it is exact there, else to 4 places."""
    return _amount(rate) if rate == money(rate) else f"{rate:,.4f}"


def rank_places(scores: Mapping[str, Decimal], ties: str) -> dict[str, int]:
    """Each agent's place in the ranking by score, highest first. Equal scores share a place:
    the best of the tie (`higher`: 1, 2, 2, 4) or the worst (`lower`: 1, 3, 3, 4)."""
    ordered = sorted(scores.values(), reverse=True)
    first: dict[Decimal, int] = {}
    last: dict[Decimal, int] = {}
    for place, value in enumerate(ordered, start=1):
        first.setdefault(value, place)
        last[value] = place
    chosen = first if ties == "higher" else last
    return {agent: chosen[value] for agent, value in scores.items()}


def rank_bonus(inputs: PayInputs, scheme: Scheme) -> tuple[Decimal, str]:
    """The KPI-rank bonus of the agent's place in the figures month's ranking (none without a
    counted score)."""
    rule = scheme.pay.rank_bonus
    assert rule is not None
    if inputs.rank is None:
        return ZERO, ""
    place, count = inputs.rank
    tier = next((t for t in sorted(rule.tiers, key=lambda t: t.top) if place <= t.top), None)
    if tier is None:
        return ZERO, ""
    return Decimal(tier.amount), _("{month} KPI rank {place} of {count} (top {top}): "
                                   "{component} {amount}").format(
        month=inputs.figures_month, place=place, count=count, top=tier.top,
        component=rule.name, amount=_amount(tier.amount))


def management_bonus(manager: Agent, scheme: Scheme, month: Month,
                     team_scores: list[Decimal]) -> tuple[Decimal, str]:
    """管理奖金 of a manager by the team's average score of `month` (the manager not among
    `team_scores`): the amount of the highest band reached."""
    rule = scheme.pay.management_bonus
    assert rule is not None
    if not team_scores:
        return ZERO, _("{component}: no team scores for {month}").format(
            component=rule.name, month=month)
    average = (sum(team_scores, Decimal(0)) / len(team_scores)).quantize(FEN, ROUND_HALF_UP)
    band = next((b for b in sorted(rule.bands, key=lambda b: b.at_least, reverse=True)
                 if average >= b.at_least), None)
    if band is None:
        return ZERO, _("team {team} average {average} in {month}: no {component}").format(
            team=manager.team, average=average, month=month, component=rule.name)
    return Decimal(band.amount), _("team {team} average {average} in {month} (≥ {floor}): "
                                   "{component} {amount}").format(
        team=manager.team, average=average, month=month, floor=band.at_least,
        component=rule.name, amount=_amount(band.amount))


def _shared_deduction(parts: SharedParts, inputs: PayInputs, ceiling: Decimal) -> Decimal:
    """The attendance deduction of an unexplained line, by what it depends on: the level
    (its day pay), the rule's figures and the ceiling (the day-pay components paid)."""
    attendance = inputs.attendance
    if attendance is None:
        return ZERO
    key = (inputs.level, tuple(map(attendance.get, parts.deduction_keys)), ceiling)
    taken = parts.deductions.get(key)
    if taken is None:
        taken = parts.deductions[key] = _attendance_deduction(inputs, parts.scheme, ceiling,
                                                              False)[0]
    return taken


def _attendance_deduction(inputs: PayInputs, scheme: Scheme, ceiling: Decimal,
                          explain: bool = True) -> tuple[Decimal, str]:
    """(the deduction, how it was worked out: "" with `explain=False` or nothing deducted)."""
    rule = scheme.pay.attendance_deduction
    assert rule is not None
    if inputs.attendance is None:
        return ZERO, _("no attendance record for {month}: nothing deducted").format(
            month=inputs.figures_month) if explain else ""
    day_pays, names = _deduction_tables(scheme)
    day_pay = day_pays[inputs.level]
    parts: list[str] = []
    total = Decimal(0)
    for key, days in rule.days.items():
        units = inputs.attendance.get(key, Decimal(0))
        if units:
            total += units * days * day_pay
            if explain:
                parts.append(_("{item} {units} × {days} × daily pay {day_pay}").format(
                    item=names[key], units=fmt_number(units), days=fmt_number(days),
                    day_pay=_amount(day_pay)))
    for key, amount in rule.amounts.items():
        units = inputs.attendance.get(key, Decimal(0))
        if units:
            total += units * amount
            if explain:
                parts.append(f"{names[key]} {fmt_number(units)} × {_amount(amount)}")
    # never a bonus, whatever a history written before the attendance figures were checked
    # holds (−100 late arrivals: BAD_INPUTS 38)
    taken = max(money(total), ZERO)
    if rule.daily_pay_of and taken > ceiling:  # (the day-pay components paid, summed)
        if explain:
            parts.append(_("at most {components} {ceiling}").format(
                components="+".join(rule.daily_pay_of), ceiling=_amount(ceiling)))
        taken = ceiling
    if not explain:
        return taken, ""
    if not parts:
        return ZERO, ""
    listed = parts[0]
    for part in parts[1:]:
        listed = _("{before}, {after}").format(before=listed, after=part)
    return taken, _("{component} {amount} ({month}: {parts})").format(
        component=rule.name, amount=_amount(taken), month=inputs.figures_month, parts=listed)


def change_reasons(
    before: PayLine | None, after: PayLine | None, decision: Decision | None,
    agent: Agent, scheme: Scheme, placed: int | None = None,
) -> list[str]:
    """Why `after` differs from `before` (the same agent's previous month), in words.
    `placed`: the adjustment that set the level in force this month, if one did."""
    if after is None:
        return [_("left on {date}: no pay this month").format(date=agent.leave_date)
                if agent.leave_date else _("not on this month's payroll")]
    if before is None:
        return [_("first pay (hired {date})").format(date=agent.hire_date)
                if agent.hire_date else _("first pay")]
    reasons: list[str] = []
    if decision is not None and decision.effective == after.month:
        reasons.append(_("{decision} {from_level}→{to_level} ({decided} review)").format(
            decision=DECISION_LABEL[decision.kind], from_level=decision.from_level,
            to_level=decision.to_level, decided=decision.decided))
    elif before.level != after.level and placed is not None:
        reasons.append(_("level {from_level}→{to_level} (adjustment #{id})").format(
            from_level=before.level, to_level=after.level, id=placed))
    elif before.level != after.level:
        reasons.append(_("level {from_level}→{to_level}").format(
            from_level=before.level, to_level=after.level))
    explained = set(scheme.pay.components) if reasons else set()
    pay = scheme.pay
    for name in scheme.pay.all_components:
        old, new = before.components.get(name, ZERO), after.components.get(name, ZERO)
        if old == new or name in explained:
            continue
        what = f"{name} {_amount(old)}→{_amount(new)}"
        if pay.performance is not None and name == pay.performance.component:
            what = _("{change} (performance changed)").format(change=what)
        elif pay.supervisor_allowance is not None and name == pay.supervisor_allowance.name:
            what = _("{change} (supervisor allowance tier changed)").format(change=what)
        elif pay.team_lead is not None and name == pay.team_lead.name:
            what = _("{change} (team lead's management pay by the team's quarterly average)"
                     ).format(change=what)
        elif pay.seniority is not None and name == pay.seniority.name:
            what = _("{change} (longer service)").format(change=what)
        elif pay.attendance_deduction is not None and name == pay.attendance_deduction.name:
            what = _("{change} (attendance changed)").format(change=what)
        elif pay.rank_bonus is not None and name == pay.rank_bonus.name:
            what = _("{change} (KPI rank changed)").format(change=what)
        elif pay.management_bonus is not None and name == pay.management_bonus.name:
            what = _("{change} (team results changed)").format(change=what)
        elif pay.inputs is not None and name in pay.inputs.names:
            what = _("{change} (pay-inputs workbook)").format(change=what)
        reasons.append(what)
    if agent.leave_date and Month.of(agent.leave_date) == after.month:
        reasons.append(_("leaves this month ({date})").format(date=agent.leave_date))
    return reasons


def team_lead_pay(
    lead: Agent, level: str, scheme: Scheme, window_months: list[Month],
    team_scores: list[Decimal], lead_metrics: list[Mapping[str, Decimal]],
) -> tuple[Decimal, str]:
    """Management pay of a team lead for the review window just closed: by the team's
    average, only at `min_level` or above and with a process improvement filed."""
    rule = scheme.pay.team_lead
    assert rule is not None
    if not team_scores or not window_months:
        return Decimal(0), _("team lead: no team scores this period")
    period = f"{window_months[0]}–{window_months[-1]}"
    average = (sum(team_scores, Decimal(0)) / len(team_scores)).quantize(FEN, ROUND_HALF_UP)
    order = scheme.level_names
    if rule.min_level is not None and order.index(level) < order.index(rule.min_level):
        return Decimal(0), _("team lead at level {level}, below {min_level}: no management "
                             "pay (the lead should be removed)").format(
            level=level, min_level=rule.min_level)
    if rule.improvement_metric is not None and sum(
            (m.get(rule.improvement_metric, Decimal(0)) for m in lead_metrics), Decimal(0)) < 1:
        return Decimal(0), _("team lead filed no process improvement in {period}: no "
                             "management pay").format(period=period)
    band = next((b for b in sorted(rule.bands, key=lambda b: b.at_least, reverse=True)
                 if average >= b.at_least), None)
    if band is None:
        return Decimal(0), _("team average {average} in {period}, unqualified: no management "
                             "pay").format(period=period, average=average)
    return band.amount, _("team average {average} in {period}: management pay {amount}"
                          ).format(period=period, average=average, amount=money(band.amount))
