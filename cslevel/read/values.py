"""Cell value coercion: whatever Excel, WPS or a CSV export put in a cell -> typed value.

Every function takes the raw cell value and returns the typed value, or raises
`ValueError` with a short description; the table reader turns that into a Problem naming
the cell. Floats are converted through `str` so 2.675 stays 2.675.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..i18n import _
from ..limits import FIGURE_LIMIT, FIGURE_LIMIT_DECIMAL

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u3000]+")
# Minus signs people and programs type, and zero-width characters that web exports leave.
_ODD_CHARS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\uff0d": "-",
                          "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
                          "\ufeff": None})
# Excel's 1900 date system counts a 29 February 1900 that never was (serial 60), so serials
# from 61 on count from 1899-12-30 and those below from 1899-12-31 (serial 1 = 1900-01-01).
_EXCEL_EPOCH = date(1899, 12, 30)
_MAC_EPOCH = date(1904, 1, 1)  # serial 0 in the 1904 date system
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# (checked wherever a number is parsed, so that nothing larger is ever stored)
_LIMIT = FIGURE_LIMIT_DECIMAL
# Integers beyond this cannot be told apart from their neighbours as binary floats: an id
# typed as a number cell that long has already lost digits (Excel keeps 15).
_EXACT_FLOAT = 2 ** 53
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str)
                             and not _SPACES.sub("", value.translate(_ODD_CHARS)))


# Text that needs no cleaning: no spaces of any kind, no odd minus or zero-width characters.
_NOT_PLAIN = "\u00a0\u2007\u202f\u3000\u2212\u2012\u2013\uff0d\u200b\u200c\u200d\u2060\ufeff"
_PLAIN = re.compile(rf"[^\s{_NOT_PLAIN}]+")
_NO_SPACE_BUT_BREAKS = re.compile(r"[\S\n]*")  # (one loop over a character class: fast)


def is_plain_text(text: str) -> bool:
    """True when clean_text would return `text` unchanged (no spaces of any kind, no odd
    characters, already NFKC): the whole check runs in C."""
    return bool(_PLAIN.fullmatch(text)) and unicodedata.is_normalized("NFKC", text)


def all_plain_text(cells: Collection[object]) -> bool:
    """True when every cell is a `str` (exactly) for which is_plain_text is true, i.e. that
    is not blank and that clean_text and agent_id return unchanged: a whole column checked
    in a few C passes over its cells joined by line breaks. As many line breaks as joins
    means that no cell holds one (a line break typed in a cell is a space to clean); none
    at either end or next to another, that no cell is empty; then no other space, no odd
    character, and NFKC, for which a line break is a stable boundary (it composes with
    nothing): the joined text passes exactly when every cell does."""
    try:
        joined = "\n".join(cells)  # type: ignore[arg-type]  # TypeError: not all text
    except TypeError:
        return False
    return (joined.count("\n") == len(cells) - 1 and "\n\n" not in joined
            and joined[:1] not in ("", "\n") and joined[-1:] != "\n"
            and _NO_SPACE_BUT_BREAKS.fullmatch(joined) is not None
            and not any(map(joined.__contains__, _NOT_PLAIN))
            and unicodedata.is_normalized("NFKC", joined) and set(map(type, cells)) == {str})


def clean_text(value: object) -> str:
    """Text as a person would read it: NFKC (full-width -> half-width), trimmed."""
    if type(value) is str and is_plain_text(value):
        return value  # the common case, checked in C
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT:
        value = int(value)  # (a larger one keeps its exponent: 1e+308, not 309 digits)
    text = unicodedata.normalize("NFKC", str(value)).translate(_ODD_CHARS)
    return _SPACES.sub(" ", text).strip()


def agent_id(value: object) -> str:
    """Agent ids are text: '001' stays '001'; a numeric cell 7.0 becomes '7'. A number
    cell too long to be held exactly (beyond 2^53, such as 123456789012345678901234567890,
    which a float keeps as 1.2345678901234568e+29) is refused: its digits are already lost.
    Spaces are removed ('00 07' -> '0007'); the readers report ids that had one inside."""
    if type(value) is str and is_plain_text(value):
        return value  # the common case, checked in C
    if isinstance(value, bool):
        raise ValueError(_("an id cannot be TRUE/FALSE"))  # noqa: TRY004
    if isinstance(value, (date, time, timedelta)):
        raise ValueError(  # noqa: TRY004
            _("a date/time ({value}) is not an agent id").format(value=value))
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("{value} is not an agent id").format(value=repr(value)))
        if abs(value) >= _EXACT_FLOAT:
            raise ValueError(_("the number {value} is too long to be an id kept exactly (its "
                               "last digits are lost)").format(value=repr(value)))
        return str(int(value))
    text = clean_text(value).replace(" ", "")
    if not text:
        raise ValueError(_("empty agent id"))
    return text


def number(value: object) -> tuple[Decimal, bool]:
    """Cell -> (Decimal, had_percent_sign). Accepts full-width digits and punctuation
    (１，２３４．５), thousands separators in groups of three, U+2212 and other minus signs,
    spaces of any kind (non-breaking, ideographic) and a trailing % sign. A comma that is not
    a thousands separator (1,5) is refused rather than guessed."""
    if isinstance(value, bool):
        raise ValueError(_("TRUE/FALSE is not a number"))  # noqa: TRY004
    if isinstance(value, int):
        return figure(Decimal(value), value), False
    if isinstance(value, float):
        if not abs(value) <= FIGURE_LIMIT:  # (NaN compares false: refused here too)
            raise ValueError(_not_finite(value))
        return Decimal(str(value)), False
    if isinstance(value, (date, datetime, time, timedelta)):
        raise ValueError(  # noqa: TRY004
            _("a date/time where a number was expected ({value})").format(value=value))
    text = clean_text(value).replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise ValueError(_("{text} is not a number (write 1.5 or 1,500)").format(
                text=repr(clean_text(value))))
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValueError(_not_a_number(value))
    try:
        return figure(Decimal(text), value), percent
    except InvalidOperation:
        raise ValueError(_not_a_number(value)) from None


def _not_a_number(value: object) -> str:
    return _("{text} is not a number").format(text=repr(clean_text(value)))


def figure(found: Decimal, value: object) -> Decimal:
    """`found`, read from the cell `value`, if it is a finite number no larger than
    FIGURE_LIMIT; else ValueError naming the cell's text."""
    if found.is_finite() and found.copy_abs() <= _LIMIT:  # (abs() would round: Overflow)
        return found
    raise ValueError(_not_finite(value))


def _not_finite(value: object) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return _not_a_number(value)  # NaN, inf
    text = repr(value) if isinstance(value, float) else repr(clean_text(value))
    return _("{text} is too large to be a real figure (the limit is {limit})").format(
        text=text, limit=f"{FIGURE_LIMIT:,}")


def _exact_seconds(whole: int, microseconds: int) -> Decimal:
    """83 s and 500000 µs -> Decimal('83.5'), without a float in between. Rounded to the
    millisecond, Excel's precision, so a time read as 0:01:22.999999 is 83 seconds."""
    total = (Decimal(whole) + Decimal(microseconds).scaleb(-6)).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP)
    integral = total.to_integral_value()
    return integral if total == integral else total.normalize()


def seconds(value: object) -> Decimal:
    """Durations: 83, '83', '0:01:23', '1:23', '1分23秒', Excel time cells -> seconds (no
    more than FIGURE_LIMIT of them)."""
    if isinstance(value, timedelta):  # exact: no float in between
        return figure(_exact_seconds(value.days * 86400 + value.seconds, value.microseconds),
                      value)
    if isinstance(value, time):
        return _exact_seconds(value.hour * 3600 + value.minute * 60 + value.second,
                              value.microsecond)
    if isinstance(value, datetime):
        raise ValueError(  # noqa: TRY004
            _("a date ({value}) where a duration was expected").format(value=value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)[0]
    text = clean_text(value).replace(" ", "")
    match = re.fullmatch(r"(?:(\d+)小时)?(?:(\d+)分(?:钟)?)?(?:(\d+(?:\.\d+)?)秒)?", text)
    if text and match and any(match.groups()):
        h, m, s = (Decimal(g) if g else Decimal(0) for g in match.groups())
        return figure(h * 3600 + m * 60 + s, value)
    match = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?", text)
    if match:
        a, b, c = match.groups()
        if c is None:  # m:ss
            return figure(Decimal(a) * 60 + Decimal(b), value)
        return figure(Decimal(a) * 3600 + Decimal(b) * 60 + Decimal(c), value)
    return number(value)[0]


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
                   r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def parse_date(value: object, epoch1904: bool = False) -> date:
    """Excel serials (1900 or Mac 1904 date system), date/datetime cells, 2026/10/1,
    2026-10-01, 2026.10.1, 2026年10月1日, 20261001 (text or number), with or without a time."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and not -FIGURE_LIMIT <= value <= FIGURE_LIMIT:
            raise ValueError(_("{text} is not a date").format(text=repr(clean_text(value))))
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            return parse_date(str(int(value)))  # 20261001 typed as a number
        serial = float(value)
        if not (0 if epoch1904 else 1) <= serial < 2958466:
            raise ValueError(_("{text} is not a date").format(text=repr(clean_text(value))))
        if epoch1904:
            return _MAC_EPOCH + timedelta(days=int(serial))
        if int(serial) == 60:
            raise ValueError(_("serial 60 is 1900-02-29, which is not a real date"))
        base = _EXCEL_EPOCH if serial > 60 else _EXCEL_EPOCH + timedelta(days=1)
        return base + timedelta(days=int(serial))
    text = clean_text(value)
    match = _DATE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValueError(_("{text} is not a date (use 2026-10-01)").format(text=repr(text)))
    y, m, d = (int(g) for g in match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(_("{text} is not a real date").format(text=repr(text))) from None


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
    raise ValueError(_("{text} is not yes/no (use 是 or 否)").format(
        text=repr(clean_text(value))))
