"""History database, the values as stored: a score's and an agent's figures as JSON text of
exact Decimals (`figures_json`), a month's scores as the rows of the scores table
(`score_rows_stored`), trigger months as a JSON list, time stamps (UTC, ISO) and the OS
user, and a score's metrics parsed from their JSON only when a rule reads them.

Nothing here loads the database layer (nor does importing this module: `cslevel.store`
imports its other modules when their names are first used): a worker process that scores a
workbook makes the rows of the scores table with it (cslevel/parallel.py) without
loading SQLAlchemy, and the history stores them (`History.add_score_rows`).

Input: Decimals, months, mappings, scores. Output: the texts and rows the tables hold, and
back.
"""
from __future__ import annotations

import getpass
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..records import Month, Score

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


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _month_list(months: tuple[Month, ...]) -> str:
    """Months as the JSON list json.dumps makes of their texts ('["2026-01", "2026-02"]'),
    without its encoder: tens of thousands of decisions are compared with the stored ones."""
    return '["' + '", "'.join(map(str, months)) + '"]' if months else "[]"


class _Figures:
    """Stored figures ({"key": "1.5", …} JSON) as Decimals, each distinct text made a Decimal
    once: a month's thousands of rows repeat the same few values."""

    def __init__(self) -> None:
        self._seen: dict[str, Decimal] = {}
        # each distinct text parsed once (a month's attendance repeats a few hundred texts);
        # every caller gets a dict of its own
        self._texts: dict[str, tuple[tuple[str, Decimal], ...]] = {}

    def parse(self, text: str) -> dict[str, Decimal]:
        items = self._texts.get(text)
        if items is None:
            seen = self._seen
            items = self._texts[text] = tuple(
                (k, seen[v] if v in seen else seen.setdefault(v, Decimal(v)))
                for k, v in json.loads(text).items())
        return dict(items)


class LazyMetrics(Mapping[str, Decimal]):
    """A score's stored metrics, parsed from their JSON text on first use (most rules never
    look at them, and a history holds hundreds of thousands)."""

    __slots__ = ("_data", "_text")

    def __init__(self, text: str):
        self._text = text
        self._data: dict[str, Decimal] | None = None

    def _load(self) -> dict[str, Decimal]:
        if self._data is None:
            self._data = {k: Decimal(v) for k, v in json.loads(self._text).items()}
        return self._data

    def __getitem__(self, key: str) -> Decimal:
        return self._load()[key]

    def one(self, key: str) -> Decimal | None:
        """One metric, without keeping the others parsed (a year's figures of every agent
        read once: the parsed mappings would stay in memory with the scores)."""
        if self._data is not None:
            return self._data.get(key)
        raw = json.loads(self._text).get(key)
        return None if raw is None else Decimal(raw)

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return repr(self._load())


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on some service accounts
        return "unknown"
