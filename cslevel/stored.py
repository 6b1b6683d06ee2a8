"""The history's rows as plain values, made without the database layer: a worker process
that scores a workbook makes them (cslevel/parallel.py) without loading SQLAlchemy, and
the history stores them (`History.add_score_rows`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .records import Month, Score

SCORE_COLUMNS = ("month", "agent_id", "score", "metrics", "source", "discipline_block",
                 "explanation")


def score_rows_stored(month: Month, month_scores: list[Score]) -> list[tuple[Any, ...]]:
    """One month's scores as the rows of the scores table (`SCORE_COLUMNS`): plain text and
    numbers."""
    key, dumps = str(month), figures_json
    return [(key, s.agent_id, str(s.value), dumps(s.metrics),
             str(s.source) if s.source else "", int(s.discipline_block), s.explanation)
            for s in month_scores]


_QUOTED: dict[str, str] = {}  # a figure's name as a JSON string


def figures_json(figures: Mapping[str, Any]) -> str:
    """`json.dumps({name: str(value), …})`, as stored for a score's metrics and an agent's
    attendance totals, without the encoder's cost per call (hundreds of thousands of rows
    in a backfill): each name is quoted once, and a Decimal's text needs no escaping."""
    if not figures:
        return "{}"
    quoted, parts = _QUOTED, []
    for name, value in figures.items():
        key = quoted.get(name)
        if key is None:
            key = quoted[name] = json.dumps(name)
        parts.append(f'{key}: "{value}"' if type(value) is Decimal
                     else f"{key}: {json.dumps(str(value))}")
    return "{" + ", ".join(parts) + "}"
