"""The promotion workbook: the moves decided at the close of a month, and the sign-off list
(晋升/降级申请表) with empty signature columns, as the procedure in DOMAIN.md asks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import Agent, Decision, Month

from .results import DECISION_LABEL
from .xlsx import new_workbook

if TYPE_CHECKING:
    from ..pipeline import PromoteResult


def write_promotions(path: Path, result: PromoteResult) -> None:
    """Write the workbook to `path` (the pipeline stages it and renames it into place)."""
    book, fmt = new_workbook(path, f"cslevel 晋降级 {result.as_of}", result.as_of)
    head = fmt["head"]
    text = fmt["wrap"]

    moves = book.add_worksheet("晋降级名单")
    headers = ["工号", "姓名", "组别", "决定", "原级别", "新级别", "生效月份", "规则",
               "触发月份", "原因"]
    moves.write_row(0, 0, headers, head)
    for row_no, move in enumerate(result.moves, start=1):
        agent = result.agents[move.agent_id]
        cells = [move.agent_id, agent.name, agent.team, DECISION_LABEL[move.kind],
                 move.from_level, move.to_level, str(move.effective), move.rule,
                 "、".join(str(m) for m in move.trigger_months), move.reason]
        for col, value in enumerate(cells):
            moves.write_string(row_no, col, value, text)
    moves.freeze_panes(1, 0)
    moves.autofilter(0, 0, max(len(result.moves), 1), len(headers) - 1)
    for col, width in enumerate([10, 10, 10, 10, 10, 10, 10, 12, 24, 70]):
        moves.set_column(col, col, width)

    add_signoff_sheet(book, fmt, result.moves, result.agents, result.as_of)
    book.close()


def add_signoff_sheet(book: Any, fmt: dict[str, Any], moves: list[Decision],
                      agents: dict[str, Agent], decided: Month) -> None:
    """The sign-off list (晋升/降级申请表): one row per move, empty signature columns."""
    text = fmt["wrap"]
    title = book.add_format({"bold": True, "font_size": 14})
    sign = book.add_worksheet("晋升降级申请表")
    sign.write_string(0, 0, f"晋升/降级申请表（{decided} 考核，{decided + 1} 起执行）", title)
    sign_headers = ["工号", "姓名", "组别", "申请类型", "原级别", "新级别", "生效月份", "依据",
                    "本人签字", "主管签字", "人事审核", "财务签收"]
    sign.write_row(2, 0, sign_headers, fmt["head"])
    if not moves:
        sign.write_string(3, 0, "本月无晋升、降级或转正 / no moves take effect", text)
    for row_no, move in enumerate(moves, start=3):
        agent = agents[move.agent_id]
        cells = [move.agent_id, agent.name, agent.team, DECISION_LABEL[move.kind],
                 move.from_level, move.to_level, str(move.effective), move.reason]
        for col, value in enumerate(cells):
            sign.write_string(row_no, col, value, text)
        for col in range(len(cells), len(sign_headers)):
            sign.write_blank(row_no, col, None, text)
        sign.set_row(row_no, 36)
    for col, width in enumerate([10, 10, 10, 10, 10, 10, 10, 50, 12, 12, 12, 12]):
        sign.set_column(col, col, width)
    sign.set_landscape()
    sign.fit_to_pages(1, 0)
