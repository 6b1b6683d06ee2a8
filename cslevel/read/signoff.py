"""Read stage, a signed sign-off list (晋升降级申请表) come back: the copy of the sheet cslevel
wrote, with its approval column (审批结果), approver (审批人) and remarks (备注) filled in by
hand, in Excel or WPS, in Chinese or English.

The sheet is found by its header row (the agent id and approval columns, in either
language); each move's row gives the agent, the move (from, to, effective month) and its
result: approved (同意, 批准, approve, Y…), rejected (不同意, 驳回, reject, N…) or pending
(blank). Anything else in the approval column is an error naming its cell.

Input: a path. Output: the signed rows (`SignedMove`), or a `CslevelError` listing every
problem with its file › sheet › cell.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Literal, NamedTuple

from ..i18n import LANGUAGES, _, translation
from ..labels import APPROVAL_CHOICES, SIGNOFF_COLUMNS
from ..records import CslevelError, Month, Problem, Source
from ..scheme import normalize_label
from .values import is_blank
from .workbook import Sheet, read_sheets

Result = Literal["approved", "rejected", "pending"]

# what a clerk writes in the approval column, as normalize_label folds it
_WORDS: dict[str, Result] = {
    **dict.fromkeys(["同意", "批准", "通过", "approve", "approved", "yes", "y", "ok", "是"],
                    "approved"),
    **dict.fromkeys(["不同意", "驳回", "拒绝", "不批准", "reject", "rejected", "no", "n", "否"],
                    "rejected"),
}
_NEEDED = ("agent_id", "from_level", "to_level", "effective", "approval")
_HEADER_ROWS = 10  # the header is near the top (the sheet cslevel writes has it on row 3)


class SignedMove(NamedTuple):
    """One move's row of a signed sign-off list."""

    source: Source  # the row
    agent_id: str
    from_level: str
    to_level: str
    effective: Month
    result: Result
    approver: str
    note: str
    result_source: Source  # the approval cell


def _labels(key: str) -> set[str]:
    """A column's header in every language, folded."""
    msgid = SIGNOFF_COLUMNS.msgids[key]
    return {normalize_label(translation(lang).gettext(msgid)) for lang in LANGUAGES}


def _words() -> dict[str, Result]:
    words = {normalize_label(w): r for w, r in _WORDS.items()}
    for result, msgid in APPROVAL_CHOICES.msgids.items():
        for lang in LANGUAGES:
            words[normalize_label(translation(lang).gettext(msgid))] = result  # type: ignore[assignment]
    return words


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(the header's row index, column index by key) of the sign-off list in `sheet`."""
    wanted = {key: _labels(key) for key in SIGNOFF_COLUMNS.msgids}
    for index, row in enumerate(sheet.rows[:_HEADER_ROWS]):
        found: dict[str, int] = {}
        for col, value in enumerate(row):
            if is_blank(value):
                continue
            label = normalize_label(value)
            for key, labels in wanted.items():
                if label in labels and key not in found:
                    found[key] = col
        if all(key in found for key in _NEEDED):
            return index, found
    return None


def _text(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _month(value: object) -> Month | None:
    if isinstance(value, datetime | date):
        return Month.of(value)
    try:
        return Month.parse(_text(value))
    except ValueError:
        return None


def read_signoff(path: Path) -> list[SignedMove]:
    """The moves of the signed sign-off list in the workbook at `path`, or CslevelError."""
    sheets = read_sheets(path)
    found = next(((sheet, head) for sheet in sheets if (head := _header(sheet)) is not None),
                 None)
    if found is None:
        raise CslevelError(Problem(
            _("no sign-off list in this workbook: no sheet has the columns {columns}").format(
                columns=_(", ").join(SIGNOFF_COLUMNS[k] for k in _NEEDED)),
            Source(path.name),
            hint=_("Give the signed copy of the sign-off list cslevel wrote (the moves or the "
                   "payroll workbook), with its header row kept.")))
    sheet, (head, columns) = found
    words = _words()
    moves: list[SignedMove] = []
    problems: list[Problem] = []
    for index in range(head + 1, len(sheet.rows)):
        row = sheet.rows[index]

        def cell(key: str, row: list[object] = row) -> object:
            col = columns.get(key)
            return row[col] if col is not None and col < len(row) else None

        agent_id = _text(cell("agent_id"))
        from_level, to_level = _text(cell("from_level")), _text(cell("to_level"))
        if not (agent_id and from_level and to_level):
            continue  # a blank row, or the line saying no move takes effect
        effective = _month(cell("effective"))
        if effective is None:
            problems.append(Problem(
                _("the effective month {value} is not a month").format(
                    value=repr(_text(cell("effective")))),
                sheet.source(index, columns["effective"]),
                hint=_("Keep the month as cslevel wrote it (YYYY-MM).")))
            continue
        said = _text(cell("approval"))
        result_source = sheet.source(index, columns["approval"])
        result: Result | None = "pending" if not said else words.get(normalize_label(said))
        if result is None:
            problems.append(Problem(
                _("the approval {value} is neither an approval nor a refusal").format(
                    value=repr(said)), result_source,
                hint=_("Write {approve} (or 批准, approve, Y) or {reject} (or 驳回, reject, N), "
                       "or leave it blank while the move waits.").format(
                    approve=APPROVAL_CHOICES["approved"], reject=APPROVAL_CHOICES["rejected"])))
            continue
        moves.append(SignedMove(sheet.source(index), agent_id, from_level, to_level, effective,
                                result, _text(cell("approver")), _text(cell("remarks")),
                                result_source))
    if problems:
        raise CslevelError(problems)
    return moves
