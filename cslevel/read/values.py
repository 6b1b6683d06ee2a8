"""Cell value coercion: whatever Excel, WPS or a CSV export put in a cell -> typed value.

Every function takes the raw cell value and returns the typed value, or raises
`ValueError` with a short description; the table reader turns that into a Problem naming
the cell. Floats are converted through `str` so 2.675 stays 2.675.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u3000]+")
_MINUSES = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\uff0d": "-"})
_EXCEL_EPOCH = date(1899, 12, 30)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not _SPACES.sub("", value))


def clean_text(value: object) -> str:
    """Text as a person would read it: NFKC (full-width -> half-width), trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).translate(_MINUSES)
    return _SPACES.sub(" ", text).strip()


def agent_id(value: object) -> str:
    """Agent ids are text: '001' stays '001'; a numeric cell 7.0 becomes '7'."""
    if isinstance(value, bool):
        raise ValueError("an id cannot be TRUE/FALSE")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r} is not an agent id")
        return str(int(value))
    text = clean_text(value).replace(" ", "")
    if not text:
        raise ValueError("empty agent id")
    return text


def number(value: object) -> tuple[Decimal, bool]:
    """Cell -> (Decimal, had_percent_sign). Accepts full-width digits, thousands separators,
    U+2212 minus, non-breaking spaces and a trailing % sign."""
    if isinstance(value, bool):
        raise ValueError("TRUE/FALSE is not a number")
    if isinstance(value, int):
        return Decimal(value), False
    if isinstance(value, float):
        return Decimal(str(value)), False
    if isinstance(value, (date, datetime, time, timedelta)):
        raise ValueError(f"a date/time where a number was expected ({value})")
    text = clean_text(value).replace(" ", "").replace(",", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{clean_text(value)!r} is not a number") from None
    if not result.is_finite():
        raise ValueError(f"{clean_text(value)!r} is not a number")
    return result, percent


def seconds(value: object) -> Decimal:
    """Durations: 83, '83', '0:01:23', '1:23', '1分23秒', Excel time cells -> seconds."""
    if isinstance(value, timedelta):
        return Decimal(str(value.total_seconds()))
    if isinstance(value, time):
        return Decimal(value.hour * 3600 + value.minute * 60 + value.second)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    text = clean_text(value).replace(" ", "")
    match = re.fullmatch(r"(?:(\d+)小时)?(?:(\d+)分(?:钟)?)?(?:(\d+(?:\.\d+)?)秒)?", text)
    if text and match and any(match.groups()):
        h, m, s = (Decimal(g) if g else Decimal(0) for g in match.groups())
        return h * 3600 + m * 60 + s
    match = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?", text)
    if match:
        a, b, c = match.groups()
        if c is None:  # m:ss
            return Decimal(a) * 60 + Decimal(b)
        return Decimal(a) * 3600 + Decimal(b) * 60 + Decimal(c)
    result, _ = number(value)
    return result


def parse_date(value: object, epoch1904: bool = False) -> date:
    """Excel serials, datetime cells, 2026/10/1, 2026-10-01, 2026年10月1日, 20261001."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        serial = float(value)
        if not 1 <= serial < 2958466:
            raise ValueError(f"{value!r} is not a date")
        base = date(1904, 1, 1) if epoch1904 else _EXCEL_EPOCH
        return base + timedelta(days=int(serial))
    text = clean_text(value).replace(" ", "")
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?",
                         text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValueError(f"{clean_text(value)!r} is not a date (use 2026-10-01)")
    y, m, d = (int(g) for g in match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"{clean_text(value)!r} is not a real date") from None


_TRUE = {"是", "y", "yes", "true", "1", "有", "√", "✓", "x"}
_FALSE = {"否", "n", "no", "false", "0", "无", ""}


def flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{clean_text(value)!r} is not yes/no (use 是 or 否)")
