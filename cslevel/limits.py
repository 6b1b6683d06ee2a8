"""The largest figures cslevel accepts, from a workbook or a template (BAD_INPUTS 37–39).

A larger one is a typo or a broken export (1e308, a date serial typed into a count), and
once stored it would poison every later sum and payroll: it is refused where it enters,
naming the cell or the template field. The domain ranges of each figure (a rate 0–100 %,
days within the month, a score within the template's range…) are checked on top of these.
"""

from __future__ import annotations

from decimal import Decimal

# No figure of a KPI, attendance, roster, profile or pay workbook, and no number of a
# template, is larger than this in size: a billion (seconds in 31 years; yuan far beyond
# any pay).
FIGURE_LIMIT = 1_000_000_000

# No pay amount of a template or a pay table (a month's component, an allowance, a bonus,
# a deduction per unit) is larger than this, in yuan: DOMAIN.md's highest monthly range
# (总监, 80,000–150,000) several times over.
MONEY_CEILING = 1_000_000

FIGURE_LIMIT_DECIMAL = Decimal(FIGURE_LIMIT)
MONEY_CEILING_DECIMAL = Decimal(MONEY_CEILING)
