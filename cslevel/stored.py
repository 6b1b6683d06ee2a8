"""The history's rows as plain values, made without the database layer (SCORE_COLUMNS,
score_rows_stored, figures_json): now in cslevel/store/codec.py, which loads no SQLAlchemy
either. This module names them for the callers that import them from here
(cslevel/read/prefetch.py), until those import them from `cslevel.store.codec`."""

from __future__ import annotations

from .store.codec import SCORE_COLUMNS, figures_json, score_rows_stored

__all__ = ["SCORE_COLUMNS", "figures_json", "score_rows_stored"]
