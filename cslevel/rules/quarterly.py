"""The quarterly-standard rule (assistant scheme, 004 "客服助理定级标准").

At each quarter end the quarter's figures are checked against each level's standard
(average score, deductions under their limits, follow-ups and accepted case reports at
their floors). A level is granted after meeting its standard `grant_in_a_row` quarters in
a row or `grant_cumulative` quarters in all (our default: more than 4, so 5); it takes
effect the month after. Everything a person must decide is a flag, never a move:
`elimination` (bottom of the team in 3 quarters of a year as 三级, quarterly deductions
over 40, yearly deductions over 150), `exemption` (best team member 3 quarters of a year,
二级 and above) and `demotion_review` (a 一级/二级 whose year no longer meets its standard, or,
with `worst_of_level_review`, whose quarterly average is the lowest among the agents holding
the same level at that quarter end; with `year_review: year` both are judged once a year, at
the close of the year's last review month, on the year's data: 考核年度绩效数据) and, for a
team lead
(领班, marked in the roster), `lead_removal` (the lead is below the lead's minimum level, or
the team was unqualified — under the lowest management-pay band — 3 quarters in a row; the
team's average leaves the lead out, `with_team_ranks(leads_out=True)`).

The state: each standard's quarters met in a row and in all; the year's deductions so far and
its quarter marks (bottom of the team, best member, own standard met, quarters reviewed);
the lead's team's unqualified quarters in a row. A month without a score is seen here (the
quarter's figures are the scored months'); trial months are not counted.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from ..i18n import _, ngettext
from ..records import Month, Score, month_range
from .common import fmt_number
from .driver import Derived, RuleKind, State, Step, Trial, Who, move

if TYPE_CHECKING:
    from ..scheme import Promotion, Scheme, Standard, TeamLeadPay

ELIMINATION = "elimination"
EXEMPTION = "exemption"
DEMOTION_REVIEW = "demotion_review"
LEAD_REMOVAL = "lead_removal"


def _sum(scores: list[Score], key: str) -> Decimal:
    return sum((s.metrics.get(key, Decimal(0)) for s in scores), Decimal(0))


def meets(standard: Standard, quarter: list[Score],
          names: dict[str, str], quarters: int = 1) -> tuple[bool, str]:
    """Whether a quarter's scores meet a standard, and what falls short (each metric by the
    name the template gives it, not its key). `quarters` > 1: the scores of that many
    quarters (a year's), their sums taken per quarter."""
    average = sum((s.value for s in quarter), Decimal(0)) / len(quarter)

    def total(key: str) -> Decimal:
        found = _sum(quarter, key)
        return found if quarters == 1 else found / quarters

    def shown(value: Decimal) -> str:
        return fmt_number(value if quarters == 1 else value.quantize(Decimal("0.01")))

    short = []
    if average < standard.average_at_least:
        short.append(_("average {average} < {standard}").format(
            average=fmt_number(average.quantize(Decimal("0.01"))),
            standard=fmt_number(standard.average_at_least)))
    for key, limit in standard.below.items():
        if (found := total(key)) >= limit:
            short.append(f"{names.get(key, key)} {shown(found)} ≥ {fmt_number(limit)}")
    for key, floor in standard.at_least.items():
        if (found := total(key)) < floor:
            short.append(f"{names.get(key, key)} {shown(found)} < {fmt_number(floor)}")
    return not short, _(", ").join(short)


class Quarterly(NamedTuple):
    window: int
    rule: Promotion
    order: list[str]
    graded: set[str]  # the levels a standard grants
    year_end: int  # the last review month of the year: the yearly judgements
    lead: TeamLeadPay | None  # the team lead's pay rule
    line: Decimal | None  # under the lowest management-pay band: the team unqualified
    names: dict[str, str]  # each metric's name in the template, by key (what a person reads)


def prepare(scheme: Scheme, window: int) -> Quarterly:
    rule, lead = scheme.promotion, scheme.pay.team_lead
    return Quarterly(window, rule, scheme.level_names, {s.level for s in rule.standards},
                     max(rule.review_months, default=0), lead,
                     min(b.at_least for b in lead.bands) if lead is not None else None,
                     {m.key: m.name for m in scheme.score.metrics})


NO_MARKS = (0, 0, 0, 0)  # this year's quarters: bottom of the team, best member, own standard
# met, reviewed


def step(quarterly: Quarterly, who: Who, level: str, state: State, month: Month,
         score: Score | None) -> Step:
    rule = quarterly.rule
    _up, _down, in_a_row, in_all, year, deducted, marks, unqualified = state
    if month.year != year:  # a new year: its deductions and marks start from zero
        year, deducted, marks = month.year, Decimal(0), NO_MARKS
    decision = None
    flags: list[str] = []
    notes: list[str] = []
    if score is not None and rule.deduction_metrics:
        deducted = deducted + sum((_sum([score], k) for k in rule.deduction_metrics), Decimal(0))
    if month.month in rule.review_months:
        scores, trial_end = who.scores, who.trial_end
        quarter = [scores[m] for m in month_range(month + (1 - quarterly.window), month)
                   if m in scores and (trial_end is None or m > trial_end)]
        bottom, best, own, quarters = marks
        if quarter:
            quarters += 1
            in_a_row, in_all = dict(in_a_row), dict(in_all)
            granted = None
            for standard in rule.standards:  # highest first
                ok, short = meets(standard, quarter, quarterly.names)
                in_a_row[standard.level] = in_a_row.get(standard.level, 0) + 1 if ok else 0
                in_all[standard.level] = in_all.get(standard.level, 0) + (1 if ok else 0)
                if standard.level == level and ok:
                    own += 1
                if not ok:
                    notes.append(_("below the {level} standard: {short}").format(
                        level=standard.level, short=short))
                if granted is None and (in_a_row[standard.level] >= rule.grant_in_a_row
                                        or in_all[standard.level] >= rule.grant_cumulative):
                    granted = standard.level
            order = quarterly.order
            if granted and order.index(granted) > order.index(level):
                decision = move(
                    who, month, level, granted, "promote", "quarterly_standard",
                    _("the {level} standard met {row} quarters in a row or {total} in all: "
                      "{level} from {effective}"), tuple(s.month for s in quarter),
                    row=in_a_row[granted], total=in_all[granted])
            deductions = sum((_sum(quarter, k) for k in rule.deduction_metrics), Decimal(0))
            if (rule.quarter_deductions_above is not None
                    and deductions > rule.quarter_deductions_above):
                flags.append(ELIMINATION)
                notes.append(_("deductions this quarter {deductions} > {limit}").format(
                    deductions=fmt_number(deductions),
                    limit=fmt_number(rule.quarter_deductions_above)))
            review = scores.get(month)
            if (review is not None and review.team_rank is not None
                    and review.team_size is not None
                    and review.team_rank > review.team_size - rule.bottom_places):
                bottom += 1
                if level in rule.bottom_levels and bottom == rule.bottom_quarters:
                    flags.append(ELIMINATION)
                    notes.append(ngettext(
                        "in the bottom {places} of the team in {count} quarter this year",
                        "in the bottom {places} of the team in {count} quarters this year",
                        bottom).format(count=bottom, places=rule.bottom_places))
            if rule.best_member_metric and _sum(quarter, rule.best_member_metric) > 0:
                best += 1
                if level in rule.exemption_levels and best == rule.exemption_quarters:
                    flags.append(EXEMPTION)
                    notes.append(ngettext(
                        "best team member in {count} quarter this year: one elimination or "
                        "transfer may be waived",
                        "best team member in {count} quarters this year: one elimination or "
                        "transfer may be waived", best).format(count=best))
        marks = (bottom, best, own, quarters)
        lead, line = quarterly.lead, quarterly.line
        if lead is not None and line is not None and who.agent.team_lead:
            review = who.scores.get(month)
            if review is not None and review.team_average is not None:
                unqualified = unqualified + 1 if review.team_average < line else 0
            order = quarterly.order
            low = lead.min_level is not None and order.index(level) < order.index(
                lead.min_level)
            if low or unqualified >= 3:
                flags.append(LEAD_REMOVAL)
                notes.append(
                    _("team lead at level {level}, below {min_level}").format(
                        level=level, min_level=lead.min_level) if low else
                    ngettext("the team's average below {line} {count} quarter in a row: "
                             "unqualified",
                             "the team's average below {line} {count} quarters in a row: "
                             "unqualified", unqualified).format(
                        count=unqualified, line=fmt_number(line)))
        if (rule.year_deductions_above is not None and deducted > rule.year_deductions_above
                and ELIMINATION not in flags):
            flags.append(ELIMINATION)
            notes.append(_("deductions this year {deductions} > {limit}").format(
                deductions=fmt_number(deducted), limit=fmt_number(rule.year_deductions_above)))
        if (month.month == quarterly.year_end and level in quarterly.graded
                and rule.year_review == "year"):
            year_scores = [scores[m] for m in month_range(Month(month.year, 1), month)
                           if m in scores and (trial_end is None or m > trial_end)]
            standard = next(s for s in rule.standards if s.level == level)
            ok, short = (meets(standard, year_scores, quarterly.names, quarters)
                         if year_scores else (True, ""))
            if not ok:
                flags.append(DEMOTION_REVIEW)
                notes.append(ngettext(
                    "the year's data ({count} quarter, sums per quarter) no longer meet the "
                    "{level} standard: {short}: demotion review",
                    "the year's data ({count} quarters, sums per quarter) no longer meet the "
                    "{level} standard: {short}: demotion review", quarters).format(
                    count=quarters, level=level, short=short))
        elif month.month == quarterly.year_end and level in quarterly.graded and own < min(
                rule.grant_in_a_row, quarters or 1):
            flags.append(DEMOTION_REVIEW)
            notes.append(ngettext(
                "the {level} standard met in only {count} quarter this year: demotion review",
                "the {level} standard met in only {count} quarters this year: demotion "
                "review", own).format(count=own, level=level))
    return ((0, 0, in_a_row, in_all, year, deducted, marks, unqualified), decision,
            _("; ").join(notes), tuple(dict.fromkeys(flags)), False)


def worst_of_level(derived: Derived, scheme: Scheme, window: int) -> Derived:
    """At each quarter end, flag `demotion_review` on the agents whose quarterly average is
    the lowest among everyone holding the same standard level then (company-wide; at least
    two agents at the level, and not all of them equal: then nobody is the worst). With
    `year_review: year`, only at the year's last review month, on the year's average."""
    rule = scheme.promotion
    if not rule.worst_of_level_review:
        return derived
    graded = {s.level for s in rule.standards}
    yearly = rule.year_review == "year"
    year_end = max(rule.review_months, default=0)
    groups: dict[tuple[Month, str], list[tuple[str, int, Decimal]]] = {}
    for agent_id, (_agent, states, _level) in derived.items():
        by_month = {s.month: s for s in states}
        for index, state in enumerate(states):
            if (state.month.month not in rule.review_months or state.in_trial
                    or state.level not in graded or (yearly and state.month.month != year_end)):
                continue
            first = Month(state.month.year, 1) if yearly else state.month + (1 - window)
            values = [s.score for m in month_range(first, state.month)
                      if (s := by_month.get(m)) is not None and s.score is not None
                      and not s.in_trial]
            if values:
                average = sum(values, Decimal(0)) / len(values)
                groups.setdefault((state.month, state.level), []).append(
                    (agent_id, index, average))
    out = {agent_id: (agent, list(states), level)
           for agent_id, (agent, states, level) in derived.items()}
    for (month, level), group in sorted(groups.items()):
        lowest = min(average for _a, _i, average in group)
        if len(group) < 2 or all(average == lowest for _a, _i, average in group):
            continue
        for agent_id, index, average in group:
            if average != lowest:
                continue
            states = out[agent_id][1]
            state = states[index]
            note = (_("yearly average {average}, the lowest of the {count} agents at "
                      "{level}: demotion review") if yearly else
                    _("quarterly average {average}, the lowest of the {count} agents at "
                      "{level}: demotion review")).format(
                average=fmt_number(average.quantize(Decimal("0.01"))), count=len(group),
                level=level)
            states[index] = dataclasses.replace(
                state, flags=tuple(dict.fromkeys((*state.flags, DEMOTION_REVIEW))),
                note=_("; ").join(n for n in (state.note, note) if n))
    return out


KIND = RuleKind(
    step, prepare, trial=Trial(""), missing=None,
    initial=(0, 0, {}, {}, None, Decimal(0), NO_MARKS, 0), ranked=True, metrics=True,
    cohort=worst_of_level)
