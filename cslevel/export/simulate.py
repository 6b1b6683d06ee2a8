"""The what-if outputs (`cslevel simulate`): the --json document, the console summary and the
workbook (a summary sheet, one sheet of the agents whose level in force would differ, one of
the moves gained and lost). Money is a string in JSON and a number cell in the workbook."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import N_, Labels, _, ngettext
from ..labels import DECISION_LABEL
from .rowstream import RowStream
from .xlsx import MONEY, add_sheet, new_workbook, set_widths

if TYPE_CHECKING:
    from rich.console import Console

    from ..outcomes import MoveChange, SimulateResult

# a move one template makes and the other not, as the outputs name it
CHANGE_LABEL = Labels({"gained": N_("gained"), "lost": N_("lost")})
SHOWN = 30  # changed agents listed on the console (all of them: --out, --json)


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _move_json(move: MoveChange) -> dict[str, Any]:
    d = move.decision
    return {"change": move.change, "agent_id": d.agent_id, "kind": d.kind,
            "from": d.from_level, "to": d.to_level, "decided": str(d.decided),
            "effective": str(d.effective), "reason": d.reason}


def simulate_json(result: SimulateResult) -> dict[str, Any]:
    return {
        "from": str(result.first),
        "to": str(result.last),
        "scheme": result.source,
        "scheme_id": result.scheme_new.scheme,
        "scheme_now": result.scheme_now.scheme,
        "window_now": result.window_now,
        "window_new": result.window_new,
        "levels_renamed": result.renamed,
        "months": [
            {"month": str(m.month), "cost_now": str(m.cost_now), "cost_new": str(m.cost_new),
             "difference": str(m.difference),
             "changed": [{"agent_id": c.agent_id, "level_now": c.level_now,
                          "level_new": c.level_new, "pay_now": _amount(c.pay_now),
                          "pay_new": _amount(c.pay_new)} for c in m.changed],
             "moves": [_move_json(move) for move in m.moves]}
            for m in result.months],
        "total_now": str(result.cost_now),
        "total_new": str(result.cost_new),
        "total_difference": str(result.total_difference),
        "problems": [p.as_dict() for p in result.problems],
    }


def _money(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


def print_simulation(console: Console, result: SimulateResult) -> None:
    """One row per pay month (cost both ways, agents changed, moves gained and lost), the
    totals, then the first changed agents."""
    from rich.table import Table
    from rich.text import Text

    from .console import print_problems

    console.print(Text(_("What if {new} instead of {now}, {first} to {last} (nothing was "
                         "written to the history)").format(
        new=result.source, now=result.scheme_now.scheme, first=result.first, last=result.last)))
    if result.renamed:
        console.print(Text(_("Levels matched by name: {pairs}").format(pairs=_(", ").join(
            f"{old} → {new}" for old, new in result.renamed.items()))))
    table = Table(title=_("Payroll cost by month"), title_justify="left")
    for col, justify in ((_("Month"), "left"), (_("Cost now"), "right"),
                         (_("Cost with the template"), "right"), (_("Difference"), "right"),
                         (_("Agents changed"), "right"), (_("Moves gained"), "right"),
                         (_("Moves lost"), "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for m in result.months:
        gained = sum(1 for move in m.moves if move.change == "gained")
        table.add_row(str(m.month), _money(m.cost_now), _money(m.cost_new),
                      _money(m.difference, signed=True), str(len(m.changed)), str(gained),
                      str(len(m.moves) - gained))
    table.add_row(_("Total"), _money(result.cost_now), _money(result.cost_new),
                  _money(result.total_difference, signed=True),
                  str(sum(len(m.changed) for m in result.months)),
                  str(sum(1 for m in result.months for x in m.moves if x.change == "gained")),
                  str(sum(1 for m in result.months for x in m.moves if x.change == "lost")))
    console.print(table)
    changed = [(m.month, c) for m in result.months for c in m.changed]
    if changed:
        agents = Table(title=_("Agents whose level in force would differ"),
                       title_justify="left")
        for col in (_("Month"), _("Agent ID"), _("Name"), _("Level now"),
                    _("Level with the template")):
            agents.add_column(col)
        for month, c in changed[:SHOWN]:
            agents.add_row(str(month), *(Text(v) for v in (c.agent_id, c.name,
                                                           c.level_now or "—",
                                                           c.level_new or "—")))
        console.print(agents)
        if len(changed) > SHOWN:
            console.print(Text(ngettext(
                "… and {count} more row; --out FILE.xlsx lists them all",
                "… and {count} more rows; --out FILE.xlsx lists them all",
                len(changed) - SHOWN).format(count=len(changed) - SHOWN)))
    else:
        console.print(Text(_("No agent's level in force would differ.")))
    for path in result.outputs:
        console.print(Text(_("Written: {path}").format(path=path)))
    print_problems(console, result.problems)


def write_simulation(path: Path, result: SimulateResult) -> None:
    """The what-if workbook: summary, changed agents, moves gained and lost."""
    book, fmt = new_workbook(path, _("cslevel what-if {first} to {last}").format(
        first=result.first, last=result.last), result.last, constant_memory=True)
    head, text = fmt["head"], fmt["wrap"]
    money = book.add_format({"num_format": MONEY})
    bold = book.add_format({"bold": True})
    bold_money = book.add_format({"bold": True, "num_format": MONEY})

    summary = add_sheet(book, _("Summary"), header_row=5)
    facts = [(_("Template now"), result.scheme_now.scheme),
             (_("Template simulated"), result.source),
             (_("Months"), _("{first} to {last}").format(first=result.first, last=result.last)),
             (_("Review window now / simulated"), f"{result.window_now} / {result.window_new}"),
             (_("Levels matched by name"), _(", ").join(
                 f"{old} → {new}" for old, new in result.renamed.items()) or "—")]
    for row, (label, value) in enumerate(facts):
        summary.write_string(row, 0, label, bold)
        summary.write_string(row, 1, value)
    headers = [_("Month"), _("Cost now"), _("Cost with the template"), _("Difference"),
               _("Agents changed"), _("Moves gained"), _("Moves lost")]
    summary.write_row(5, 0, headers, head)
    row = 6
    for m in result.months:
        gained = sum(1 for move in m.moves if move.change == "gained")
        summary.write_string(row, 0, str(m.month))
        for col, amount in enumerate((m.cost_now, m.cost_new, m.difference), start=1):
            summary.write_number(row, col, float(amount), money)
        for col, count in enumerate((len(m.changed), gained, len(m.moves) - gained), start=4):
            summary.write_number(row, col, count)
        row += 1
    summary.write_string(row, 0, _("Total"), bold)
    for col, amount in enumerate((result.cost_now, result.cost_new, result.total_difference),
                                 start=1):
        summary.write_number(row, col, float(amount), bold_money)
    set_widths(summary, [26, 16, 18, 14, 10, 10, 10])

    changed = add_sheet(book, _("Changed agents"))
    headers = [_("Month"), _("Agent ID"), _("Name"), _("Team"), _("Level now"),
               _("Level with the template"), _("Pay now"), _("Pay with the template"),
               _("Difference")]
    changed.write_row(0, 0, headers, head)
    cells = RowStream(changed)
    row = 1
    for m in result.months:
        for c in m.changed:
            for col, value in enumerate((str(m.month), c.agent_id, c.name, c.team,
                                         c.level_now or "—", c.level_new or "—")):
                cells.string(row, col, value)
            for col, paid in enumerate((c.pay_now, c.pay_new), start=6):
                if paid is None:
                    cells.blank(row, col)
                else:
                    cells.number(row, col, float(paid), money)
            cells.number(row, 8, float((c.pay_new or Decimal(0)) - (c.pay_now or Decimal(0))),
                         money)
            row += 1
    cells.end()
    changed.freeze_panes(1, 0)
    changed.autofilter(0, 0, max(row - 1, 1), len(headers) - 1)
    set_widths(changed, [9, 9, 9, 9, 8, 10, 11, 11, 11])

    moves = add_sheet(book, _("Moves gained and lost"))
    headers = [_("Effective month"), _("Change"), _("Agent ID"), _("Name"), _("Team"),
               _("Decision"), _("From level"), _("To level"), _("Decided at the close of"),
               _("Reason")]
    moves.write_row(0, 0, headers, head)
    cells = RowStream(moves)
    row = 1
    for m in result.months:
        for move in m.moves:
            d = move.decision
            for col, value in enumerate((str(m.month), CHANGE_LABEL[move.change], d.agent_id,
                                         move.name, move.team, DECISION_LABEL[d.kind],
                                         d.from_level, d.to_level, str(d.decided))):
                cells.string(row, col, value)
            cells.string(row, 9, d.reason, text)
            row += 1
    cells.end()
    moves.freeze_panes(1, 0)
    moves.autofilter(0, 0, max(row - 1, 1), len(headers) - 1)
    set_widths(moves, [9, 7, 9, 9, 9, 8, 8, 8, 10, 40])
    book.close()
