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


def pay_line(agent: Agent, month: Month, level: str, scheme: Scheme) -> PayLine:
    table = scheme.level(level).pay
    components = {name: money(table[name]) for name in scheme.pay.components}
    total = sum(components.values(), Decimal("0.00"))
    return PayLine(agent.agent_id, agent.name, agent.team, month, level, components, total)
