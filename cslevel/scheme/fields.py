"""Templates, the numbers a template may hold and the base of every template model.

A model forbids unknown keys (a typo names the field path) and is frozen (a `Scheme` is
shared by the stages and cached). Every number is finite and within FIGURE_LIMIT; pay
amounts are 0 to MONEY_CEILING yuan; bounds are [low, high] with low ≤ high.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..i18n import _
from ..limits import FIGURE_LIMIT, MONEY_CEILING


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Every number of a template is finite (YAML .nan and .inf are refused by pydantic's
# Decimal) and no larger than FIGURE_LIMIT; pay amounts are 0 to MONEY_CEILING yuan
# (BAD_INPUTS 37, 39, 52): an absurd value is refused naming the template and the field.
Figure = Annotated[Decimal, Field(ge=-FIGURE_LIMIT, le=FIGURE_LIMIT)]
Count = Annotated[Decimal, Field(ge=0, le=FIGURE_LIMIT)]  # points, deductions per unit…
Money = Annotated[Decimal, Field(ge=0, le=MONEY_CEILING)]
Weight = Annotated[Decimal, Field(ge=0, le=100)]


def _ordered(bounds: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
    low, high = bounds
    if low > high:
        raise ValueError(_("the lower bound {low} is above the upper bound {high}").format(
            low=low, high=high))
    return bounds


# the values a figure read from a workbook may take, both ends included: [low, high]
Bounds = Annotated[tuple[Figure, Figure], AfterValidator(_ordered)]
