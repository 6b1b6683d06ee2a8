"""The promotion workbook: the moves decided at the close of a month, and the sign-off list
(晋升/降级申请表) with empty signature columns, as the procedure in DOMAIN.md asks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _
from ..labels import APPROVAL_CHOICES, DECISION_LABEL, RULE_LABEL, SIGNOFF_COLUMNS
from ..records import Agent, Decision, Month
from .rowstream import RowStream
from .xlsx import add_sheet, new_workbook, set_widths

if TYPE_CHECKING:
    from ..outcomes import LetterDue, PromoteResult
    from ..scheme import Application


def write_promotions(path: Path, result: PromoteResult) -> None:
    """Write the workbook to `path` (the pipeline stages it and renames it into place)."""
    book, fmt = new_workbook(path, _("cslevel moves {month}").format(month=result.as_of),
                             result.as_of, constant_memory=True)  # written row by row
    head = fmt["head"]
    text = fmt["wrap"]

    moves = add_sheet(book, _("Moves"))
    headers = [_("Agent ID"), _("Name"), _("Team"), _("Decision"), _("From level"),
               _("To level"), _("Effective month"), _("Rule"), _("Trigger months"), _("Reason")]
    moves.write_row(0, 0, headers, head)
    cells = RowStream(moves)
    for row_no, move in enumerate(result.moves, start=1):
        agent = result.agents[move.agent_id]
        values = [move.agent_id, agent.name, agent.team, DECISION_LABEL[move.kind],
                  move.from_level, move.to_level, str(move.effective), RULE_LABEL.get(move.rule, move.rule),
                  _(", ").join(str(m) for m in move.trigger_months), move.reason]
        for col, value in enumerate(values):
            cells.string(row_no, col, value, text)
    cells.end()
    moves.freeze_panes(1, 0)
    moves.autofilter(0, 0, max(len(result.moves), 1), len(headers) - 1)
    set_widths(moves, [8, 8, 8, 8, 8, 8, 8, 12, 18, 40])

    add_signoff_sheet(book, fmt, result.moves, result.agents, result.as_of, result.letters,
                      result.scheme.signoff.application)
    book.close()


def add_signoff_sheet(book: Any, fmt: dict[str, Any], moves: list[Decision],
                      agents: dict[str, Agent], decided: Month,
                      letters: Sequence[LetterDue] = (),
                      application: Application | None = None) -> None:
    """The sign-off list (晋升/降级申请表): one row per move, empty signature columns, and the
    approval (a drop-down), the approver and remarks, filled in by hand and read back by
    `cslevel signoff import`; then one row per trial agent's target-responsibility letter
    (目标责任书) due in `decided`, with the same signature columns and no level to move to
    (so `signoff import` passes over it). With the template's `signoff.application`, a column
    headed by its label, before the signatures, for the agent's own application (本人申请):
    empty on the rows of the promotions that need it, "not needed" on the others."""
    text = fmt["wrap"]
    title = book.add_format({"bold": True, "font_size": 14})
    sign = add_sheet(book, _("Sign-off list"), header_row=2)
    sign.write_string(0, 0, _("Sign-off list ({decided} review, in force from {effective})")
                      .format(decided=decided, effective=decided + 1), title)
    sign_headers = list(SIGNOFF_COLUMNS.values())
    applied = len(SIGNOFF_COLUMNS.msgids) if application is None else (
        list(SIGNOFF_COLUMNS.msgids).index("grounds") + 1)  # the application's column
    if application is not None:
        sign_headers.insert(applied, application.label)
    not_needed = _("not needed")
    sign.write_row(2, 0, sign_headers, fmt["head"])
    if not moves and not letters:
        sign.write_string(3, 0, _("no moves take effect"), text)
    cells = RowStream(sign)  # (the workbooks are written row by row: it is quicker)
    for row_no, move in enumerate(moves, start=3):
        agent = agents[move.agent_id]
        values = [move.agent_id, agent.name, agent.team, DECISION_LABEL[move.kind],
                  move.from_level, move.to_level, str(move.effective), move.reason]
        if application is not None and not application.needed(move):
            values.append(not_needed)
        for col, value in enumerate(values):
            cells.string(row_no, col, value, text)
        for col in range(len(values), len(sign_headers)):
            cells.blank(row_no, col, None, text)
        sign.set_row(row_no, 36)
    for row_no, letter in enumerate(letters, start=3 + len(moves)):
        agent = agents[letter.agent_id]
        values = [letter.agent_id, agent.name, agent.team, letter.letter, letter.level, "",
                  str(letter.month),
                  _("trial month {month} of {months}: the agent signs the {letter} (004)")
                  .format(month=letter.trial_month, months=letter.trial_months,
                          letter=letter.letter)]
        if application is not None:
            values.append(not_needed)
        for col, value in enumerate(values):
            if value:
                cells.string(row_no, col, value, text)
            else:
                cells.blank(row_no, col, None, text)
        for col in range(len(values), len(sign_headers)):
            cells.blank(row_no, col, None, text)
        sign.set_row(row_no, 36)
    cells.end()
    if moves:
        approval = len(sign_headers) - 3
        sign.data_validation(3, approval, 2 + len(moves), approval, {
            "validate": "list", "source": list(APPROVAL_CHOICES.values()),
            "error_title": SIGNOFF_COLUMNS["approval"],
            "error_message": _("Choose {approve} or {reject}, or leave it blank (pending).")
            .format(approve=APPROVAL_CHOICES["approved"], reject=APPROVAL_CHOICES["rejected"])})
    # the grounds wrap; the signature columns (and the application's) keep room for a hand
    widths = [8, 8, 8, 8, 8, 8, 8, 36, 12, 12, 12, 12, 10, 10, 20]
    set_widths(sign, widths[:applied] + [16] * (application is not None) + widths[applied:])

