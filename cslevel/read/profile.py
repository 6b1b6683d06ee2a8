"""Read stage, the profile workbook of the points scheme: file -> each agent's points for
the hard items (education, experience, posts covered, certificates…).

Input: the profile workbook's path and the template (`profile.items`: a text value looked
up, a number put on steps, or points per unit). Output: the points by agent, with the row
they came from, and every problem found.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from ..i18n import _
from ..records import Problem, Source
from ..scheme import Scheme, normalize_label
from . import values
from .common import _coerce, _id, _new_errors, _twice, spaced_ids
from .table import find_table
from .workbook import read_sheets


def read_profile(path: Path, scheme: Scheme
                 ) -> tuple[dict[str, tuple[dict[str, Decimal], Source]], list[Problem]]:
    """The profile workbook of the points scheme: each agent's hard-item points
    (education, experience, posts covered, certificates…) as the template's items say."""
    assert scheme.profile is not None
    items = scheme.profile.items
    fields = {"agent_id": scheme.columns.agent_id, "name": scheme.columns.name}
    fields.update({f"item:{i.key}": [i.name, *i.aliases] for i in items})
    table = find_table(read_sheets(path), fields,
                       ["agent_id", *[f"item:{i.key}" for i in items if i.required]],
                       _("profile workbook"))
    problems = list(table.problems)
    for item in items:
        if f"item:{item.key}" not in table.columns:
            problems.append(Problem(
                _("the profile workbook has no column {column}: every agent has 0 points "
                  "on it").format(column=item.name),
                table.source(table.header_index), severity="warning",
                hint=_("Add the column {column} (or one of {aliases}) if any agent has it.")
                .format(column=item.name, aliases=_(", ").join(item.aliases) or "—")))
    out: dict[str, tuple[dict[str, Decimal], Source]] = {}
    hint = _("Use one of the values the template lists.")
    for index, cells in table.rows:
        errors_before = len(problems)
        agent = _id(table, index, problems)
        points: dict[str, Decimal] = {}
        for item in items:
            got = _coerce(table, index, f"item:{item.key}", partial(_item_points, item),
                          problems, item.name, hint)
            points[item.key] = got if got is not None else Decimal(0)
        if agent is None or _new_errors(problems, errors_before):
            continue
        if agent in out:
            problems.append(_twice(agent, _("profile workbook"), out[agent][1],
                                   table.source(index)))
            continue
        out[agent] = (points, table.source(index))
    spaced_ids(table, problems)
    return out, problems


def _item_points(item: Any, raw: object) -> Decimal:
    text = values.clean_text(raw)
    for label, points in item.values.items():
        if normalize_label(label) == normalize_label(text):
            return Decimal(points)
    if item.steps or item.per_unit is not None:
        number = values.number(re.sub(r"[年个张项本]+$", "", text) if isinstance(raw, str)
                               else raw)[0]
        if number < 0:  # (years, certificates, posts: counts)
            raise ValueError(_("{text} cannot be negative").format(text=repr(text)))
        if item.per_unit is not None:
            found = number * item.per_unit
            return min(found, item.max) if item.max is not None else found
        reached = [s.points for s in item.steps if number >= s.at_least]
        return reached[-1] if reached else Decimal(0)
    raise ValueError(_("{text} is not one of {values}").format(
        text=repr(text), values=_(", ").join(item.values)))
