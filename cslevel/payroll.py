"""Payroll stage: level in force -> pay line. Money is Decimal, half-up at the fen; each
component is rounded first and the total is the sum of the rounded components."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .records import Agent, Month, PayLine
from .templates import Scheme

FEN = Decimal("0.01")


def money(value: Decimal | int | float | str) -> Decimal:
    """Any amount -> Decimal at the fen, half-up. Floats go through str (2.675 -> 2.68)."""
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def pay_line(agent: Agent, month: Month, level: str, scheme: Scheme,
             lead_pay: tuple[Decimal, str] | None = None) -> PayLine:
    """The level's components, then the supervisor allowance (by the agent's tier, whatever
    the level) and the team lead's management pay (worked out by the caller)."""
    table = scheme.level(level).pay
    components = {name: money(table[name]) for name in scheme.pay.components}
    notes = []
    allowance = scheme.pay.supervisor_allowance
    if allowance is not None:
        tier = agent.supervisor_tier
        components[allowance.name] = money(allowance.tiers.get(tier, 0) if tier else 0)
        if tier:
            notes.append(f"{allowance.name}{tier}")
    if scheme.pay.team_lead is not None:
        amount, why = lead_pay or (Decimal(0), "")
        components[scheme.pay.team_lead.name] = money(amount)
        if why:
            notes.append(why)
    total = sum(components.values(), Decimal("0.00"))
    return PayLine(agent.agent_id, agent.name, agent.team, month, level, components, total,
                   "；".join(notes))


def team_lead_pay(
    lead: Agent, level: str, scheme: Scheme, window_months: list[Month],
    team_scores: list[Decimal], lead_metrics: list[dict[str, Decimal]],
) -> tuple[Decimal, str]:
    """Management pay of a team lead for the review window just closed: by the team's
    average, only at `min_level` or above and with a process improvement filed."""
    rule = scheme.pay.team_lead
    assert rule is not None
    if not team_scores or not window_months:
        return Decimal(0), "领班：本期无团队成绩 / no team scores"
    period = f"{window_months[0]}–{window_months[-1]}"
    average = (sum(team_scores, Decimal(0)) / len(team_scores)).quantize(FEN, ROUND_HALF_UP)
    order = scheme.level_names
    if rule.min_level is not None and order.index(level) < order.index(rule.min_level):
        return Decimal(0), f"领班级别{level}低于{rule.min_level}，不发管理津贴（应撤销领班）"
    if rule.improvement_metric is not None and sum(
            (m.get(rule.improvement_metric, Decimal(0)) for m in lead_metrics), Decimal(0)) < 1:
        return Decimal(0), f"领班{period}未提交流程改进，不发管理津贴"
    band = next((b for b in sorted(rule.bands, key=lambda b: b.at_least, reverse=True)
                 if average >= b.at_least), None)
    if band is None:
        return Decimal(0), f"团队{period}平均 {average} 不合格，不发管理津贴"
    return band.amount, f"团队{period}平均 {average}，管理津贴 {money(band.amount)}"
