"""Console summaries (rich) and the --json documents of the month's results: score, promote,
payroll export, diff and corrections, an agent's history; and what every console summary uses (the
problems, {field} templates, cells from data, short reasons). The other commands' (run,
runs, lock, init, templates, inspect) are in console_admin."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..i18n import N_, Labels, _, language, ngettext
from ..labels import (
    DECISION_LABEL,
    FLAG_LABEL,
    RULE_KIND_LABEL,
    correction_component,
    decision_text,
)
from ..records import Adjustment, Correction, Decision, Month, Problem
from .payroll import changed, totals
from .results import progress_cells, progress_headers

if TYPE_CHECKING:
    from ..outcomes import (
        CorrectionsResult,
        HistoryResult,
        MonthResult,
        PayrollResult,
        PromoteResult,
        ScoreResult,
    )


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _decision_dict(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {"kind": decision.kind, "from": decision.from_level, "to": decision.to_level,
            "effective": str(decision.effective), "rule": decision.rule,
            "reason": decision.reason, "trigger_months": [str(m) for m in decision.trigger_months]}


# --- JSON ------------------------------------------------------------------------------
def _month_json(result: ScoreResult, month: MonthResult) -> dict[str, Any]:
    return {
        "month": str(month.month),
        "scheme": result.scheme.scheme,
        "files": month.files,
        "agents": [
            {"agent_id": r.agent.agent_id, "name": r.agent.name, "team": r.agent.team,
             "score": _num(r.score.value if r.score else None), "level": r.state.level,
             "in_trial": r.state.in_trial, "up_streak": r.state.up_streak,
             "down_streak": r.state.down_streak,
             "decision": r.state.decision.kind if r.state.decision else None,
             "pending_decision": _decision_dict(r.state.decision), "note": r.state.note,
             "probation": r.state.probation, "flags": list(r.state.flags),
             "attendance_score": _num(r.attendance.score) if r.attendance else None,
             "attendance_flags": list(r.attendance.flags) if r.attendance else []}
            for r in month.rows
        ],
    }


def score_json(result: ScoreResult) -> dict[str, Any]:
    months = [_month_json(result, m) for m in result.months]
    doc = dict(months[-1]) if months else {"month": None, "scheme": result.scheme.scheme,
                                           "agents": []}
    doc["months"] = months
    doc["problems"] = [p.as_dict() for p in result.problems]
    doc["outputs"] = [str(p) for p in result.outputs]
    return doc


def promote_json(result: PromoteResult) -> dict[str, Any]:
    return {
        "as_of": str(result.as_of),
        "scheme": result.scheme.scheme,
        "window": result.window,
        "moves": [
            {"agent_id": d.agent_id, "name": result.agents[d.agent_id].name, "from": d.from_level,
             "to": d.to_level, "kind": d.kind, "effective": str(d.effective), "rule": d.rule,
             "reason": d.reason, "trigger_months": [str(m) for m in d.trigger_months]}
            for d in result.moves
        ],
        "levels": [{"agent_id": a, "level": lv, "month": str(result.as_of + 1)}
                   for a, lv in sorted(result.levels.items())],
        "flags": [{"agent_id": a, "month": str(result.as_of), "flag": flag, "reason": note}
                  for a, flag, note in result.flags],
        "letters": [{"agent_id": x.agent_id, "name": result.agents[x.agent_id].name,
                     "letter": x.letter, "level": x.level, "month": str(x.month),
                     "trial_month": x.trial_month} for x in result.letters],
        "problems": [p.as_dict() for p in result.problems],
        "outputs": [str(p) for p in result.outputs],
    }


def payroll_json(result: PayrollResult) -> dict[str, Any]:
    comp_totals, grand = totals(result)
    return {
        "month": str(result.month),
        "scheme": result.scheme.scheme,
        "rows": [
            {"agent_id": ln.agent_id, "name": ln.name, "team": ln.team, "level": ln.level,
             "components": {k: str(v) for k, v in ln.components.items()}, "total": str(ln.total),
             "previous_total": None if ln.previous_total is None else str(ln.previous_total),
             "change": ln.change, "note": ln.note}
            for ln in result.lines
        ],
        "moves": [_move_json(d) for d in result.moves],
        "components_total": {k: str(v) for k, v in comp_totals.items()},
        "total": str(grand),
        "corrections": [correction_json(c) for c in result.corrections],
        "problems": [p.as_dict() for p in result.problems],
        "outputs": [str(p) for p in result.outputs],
    }


def correction_json(c: Correction) -> dict[str, Any]:
    return {"agent_id": c.agent_id, "month": str(c.month), "paid_level": c.paid_level,
            "due_level": c.due_level, "paid": str(c.paid), "due": str(c.due),
            "difference": str(c.difference)}


def corrections_json(result: CorrectionsResult) -> dict[str, Any]:
    return {"rows": [correction_json(c) for c in result.rows], "total": str(result.total),
            "problems": [p.as_dict() for p in result.problems]}


def print_corrections(console: Console, result: CorrectionsResult) -> None:
    """What paid months owe now: one row per agent and paid month, then the total."""
    if not result.rows:
        console.print(Text(_("No corrections pending: every paid month was paid what is due.")))
        print_problems(console, result.problems)
        return
    table = Table(title=_("Corrections of paid months ({component})").format(
        component=correction_component()), title_justify="left")
    for col, justify in ((_("Agent ID"), "left"), (_("Name"), "left"), (_("Team"), "left"),
                         (_("Paid month"), "left"), (_("Level paid"), "left"),
                         (_("Level due"), "left"), (_("Paid"), "right"), (_("Due"), "right"),
                         (_("Difference"), "right")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for c in result.rows:
        table.add_row(*_texts(c.agent_id, c.name, c.team, str(c.month), c.paid_level or "—",
                              c.due_level or "—"),
                      f"{c.paid:,.2f}", f"{c.due:,.2f}", f"{c.difference:+,.2f}")
    console.print(table)
    console.print(Text(_("Total: {total}; the next payroll carries it (cslevel payroll "
                         "export).").format(total=f"{result.total:+,.2f}")))
    print_problems(console, result.problems)


def _move_json(d: Decision) -> dict[str, Any]:
    return {"agent_id": d.agent_id, "kind": d.kind, "from": d.from_level, "to": d.to_level,
            "decided": str(d.decided), "effective": str(d.effective), "reason": d.reason}


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def payroll_diff_json(result: PayrollResult) -> dict[str, Any]:
    rows = changed(result)
    current = {ln.agent_id: ln for ln in result.lines}
    return {
        "month": str(result.month),
        "previous_month": str(result.month - 1),
        "compared": result.previous_paid,
        "changes": [
            {"agent_id": ln.agent_id, "name": ln.name, "team": ln.team,
             "level": ln.level if now is not None else None,
             "total_before": _amount(before), "total": _amount(now),
             "difference": str((now or Decimal("0.00")) - (before or Decimal("0.00"))),
             "components": ({k: str(v) for k, v in current[ln.agent_id].components.items()}
                            if now is not None else {}),
             "reasons": list(ln.reasons)}
            for ln, before, now in rows
        ],
        "unchanged": len(result.lines) - sum(1 for _ln, _before, now in rows if now is not None),
        "total_before": str(sum((ln.previous_total or Decimal("0.00") for ln in result.lines),
                                Decimal("0.00")) + sum((ln.previous_total or Decimal("0.00")
                                                        for ln in result.gone), Decimal("0.00"))),
        "total": str(totals(result)[1]),
        "moves": [_move_json(d) for d in result.moves],
        "problems": [p.as_dict() for p in result.problems],
    }


def print_payroll_diff(console: Console, result: PayrollResult) -> None:
    doc = payroll_diff_json(result)
    if not result.previous_paid:
        console.print(Text(_("no payroll for {month} to compare with").format(
            month=result.month - 1)))
    table = Table(title=_("Payroll changes: {month} against {previous}").format(
        month=result.month, previous=result.month - 1), title_justify="left")
    for col, justify in ((_("Agent ID"), "left"), (_("Name"), "left"), (_("Team"), "left"),
                         (_("Level"), "left"), (_("Last month's pay"), "right"),
                         (_("This month's pay"), "right"), (_("Difference"), "right"),
                         (_("Reason"), "left")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in doc["changes"]:
        table.add_row(*_texts(row["agent_id"], row["name"], row["team"], row["level"] or "—"),
                      _money(row["total_before"]), _money(row["total"]),
                      _money(row["difference"], signed=True), Text("\n".join(row["reasons"])))
    console.print(table)
    console.print(Text(ngettext("Unchanged: {count} agent; total {before} → {total}",
                                "Unchanged: {count} agents; total {before} → {total}",
                                doc["unchanged"]).format(
        count=doc["unchanged"], before=_money(doc["total_before"]), total=_money(doc["total"]))))
    print_problems(console, result.problems)


def _money(text: str | None, signed: bool = False) -> str:
    if text is None:
        return "—"
    value = Decimal(text)
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


def adjustment_json(a: Adjustment) -> dict[str, Any]:
    """An adjustment as the adjust commands give it (`adjust list`: a list of these)."""
    return {"id": a.id, "agent_id": a.agent_id, "month": str(a.month), "kind": a.kind,
            "value": a.value, "was": a.was, "reason": a.reason, "by": a.by, "at": a.at}


def history_json(result: HistoryResult) -> dict[str, Any]:
    doc = _history_json(result)
    if result.imported:  # a score adjusted: the imported one beside the one in use
        for month in doc["months"]:
            month["imported_score"] = _num(result.imported.get(Month.parse(month["month"])))
    if result.adjustments:  # every one of the agent's, undone ones with why
        doc["adjustments"] = [
            {**adjustment_json(a), "undone_at": a.undone_at, "undone_by": a.undone_by,
             "undo_reason": a.undo_reason} for a in result.adjustments]
    if result.signoffs:  # what signed sign-off lists said of the agent's moves
        for month, state in zip(doc["months"], result.states, strict=True):
            if state.decision is not None:
                got = result.signoffs.get(_move(state.decision))
                month["signoff"] = got.result if got is not None else "pending"
        doc["signoffs"] = [
            {"from": got.from_level, "to": got.to_level, "effective": str(got.effective),
             "result": got.result, "approver": got.approver, "note": got.note,
             "imported_at": got.at, "imported_by": got.user}
            for got in result.signoffs.values()]
    return doc


def _move(d: Decision) -> tuple[str, Month, str, str]:
    return (d.agent_id, d.effective, d.from_level, d.to_level)


def _history_json(result: HistoryResult) -> dict[str, Any]:
    return {
        "agent_id": result.agent.agent_id,
        "name": result.agent.name,
        "team": result.agent.team,
        "months": [
            {"month": str(s.month), "score": _num(s.score), "level": s.level,
             "counted": s.counted, "up_streak": s.up_streak, "down_streak": s.down_streak,
             "decision": s.decision.kind if s.decision else None,
             "reason": s.decision.reason if s.decision else s.note,
             "effective": str(s.decision.effective) if s.decision else None,
             "to": s.decision.to_level if s.decision else None,
             "probation": s.probation, "flags": list(s.flags),
             "confirmed": bool(s.decision and result.promoted_through
                               and s.month <= result.promoted_through)}
            for s in result.states
        ],
        "next_level": result.next_level,
        "left_on": result.agent.leave_date.isoformat() if result.agent.leave_date else None,
        "next_month": str(result.latest + 1),
    }


# --- console ---------------------------------------------------------------------------
_FIELD = re.compile(r"\{(\w+)\}")


def _fill(template: str, **values: object) -> Text:
    """A translated `template` as rich Text, each {field} replaced by its value: a Text value
    keeps its style (a path in bold, say), anything else is plain; nothing is read as markup,
    so a name or a path with [brackets] shows as it is."""
    out = Text()
    for i, part in enumerate(_FIELD.split(template)):
        if i % 2 == 0:
            out.append(part)
        else:
            value = values[part]
            out.append(value if isinstance(value, Text) else str(value))
    return out


def _bold(value: object) -> Text:
    return Text(str(value), style="bold")


def print_problems(console: Console, problems: list[Problem], title: str | None = None) -> None:
    """One line per problem, never hard-wrapped, so a path or a cell stays greppable.
    `title`: a translated heading; by default "Problems" in the language in force."""
    if not problems:
        return
    heading = _("{title} ({count}):").format(title=title or _("Problems"), count=len(problems))
    console.print(Text(heading, style="bold"), soft_wrap=True)
    for p in problems:
        mark = Text("✗ ", style="red") if p.severity == "error" else Text("! ", style="yellow")
        console.print(mark + Text(str(p)), soft_wrap=True)


def _texts(*values: str) -> list[Text]:
    """Cells from data (names, teams, reasons) shown as they are, never read as markup."""
    return [Text(v) for v in values]


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")


def _short(reason: str) -> str:
    """A reason for narrow console tables. Reasons are in one language (the catalog's):
    shown as they are. A bilingual one ("中文 / English", as histories written before the
    catalogs still hold): the half in the language in force. A reason is taken as bilingual
    only when the part before the first " / " has Chinese and the part after has Latin
    letters, so "112 / 110" or an English reason with a slash stays whole."""
    chinese, sep, english = reason.partition(" / ")
    if not (sep and _CJK.search(chinese) and _LATIN.search(english)):
        return reason
    return english if language() == "en" else chinese


def print_score(console: Console, result: ScoreResult) -> None:
    levels = result.scheme.level_names
    table = Table(title=Text(_("Level distribution — {scheme}").format(
        scheme=result.scheme.scheme)), title_justify="left")
    table.add_column(_("Month"))
    for level in levels:
        table.add_column(level, justify="right")
    for col in (_("Agents"), _("Promotions ↑"), _("Demotions ↓"), _("End of trial")):
        table.add_column(col, justify="right")
    for month in result.months:
        counts = Counter(r.state.level for r in month.rows)
        kinds = Counter(r.state.decision.kind for r in month.rows if r.state.decision)
        table.add_row(str(month.month), *[str(counts.get(lv, 0) or "·") for lv in levels],
                      str(len(month.rows)), str(kinds.get("promote", 0)),
                      str(kinds.get("demote", 0)), str(kinds.get("trial_end", 0)))
    console.print(table)
    latest = result.months[-1] if result.months else None
    moves = [r for r in latest.rows if r.state.decision] if latest else []
    if latest and moves:
        mt = Table(title=Text(_("Decisions at the close of {month} (confirm with "
                                "`cslevel promote`)").format(month=latest.month)),
                   title_justify="left")
        for col in (_("Agent ID"), _("Name"), _("Team"), _("Decision"), _("Grounds")):
            mt.add_column(col, overflow="fold")
        for r in moves:
            decision = r.state.decision
            assert decision is not None
            mt.add_row(*_texts(r.agent.agent_id, r.agent.name, r.agent.team,
                               decision_text(decision), _short(decision.reason)))
        console.print(mt)
    print_problems(console, result.problems)
    for path in result.outputs:
        console.print(_fill(_("Results workbook: {path}"), path=_bold(path)), soft_wrap=True)


def print_promote(console: Console, result: PromoteResult) -> None:
    rule = result.scheme.promotion.rule
    if rule == "streak":  # "N months in a row" is the streak rule's alone
        console.print(_fill(_("As of {as_of}, {window}-month rule; effective {effective}"),
                            as_of=_bold(result.as_of), window=result.window,
                            effective=result.as_of + 1))
    else:
        console.print(_fill(_("As of {as_of}, rule: {rule}; effective {effective}"),
                            as_of=_bold(result.as_of), rule=RULE_KIND_LABEL.get(rule, rule),
                            effective=result.as_of + 1))
    if not result.moves:
        console.print(Text(_("No moves this month.")))
    else:
        table = Table(title=_("Moves"), title_justify="left")
        for col in (_("Agent ID"), _("Name"), _("Decision"), _("From level"), _("To level"),
                    _("Effective month"), _("Trigger months"), _("Reason")):
            table.add_column(col, overflow="fold")
        separator = _(", ")
        for d in result.moves:
            table.add_row(*_texts(d.agent_id, result.agents[d.agent_id].name,
                                  DECISION_LABEL[d.kind], d.from_level, d.to_level,
                                  str(d.effective),
                                  separator.join(str(m) for m in d.trigger_months),
                                  _short(d.reason)))
        console.print(table)
    for agent_id, flag, note in result.flags:
        console.print(Text(f"⚑ {agent_id} {result.agents[agent_id].name}: "
                           f"{FLAG_LABEL.get(flag, flag)} — "
                           f"{_short(note)}", style="bold yellow"), soft_wrap=True)
    for letter in result.letters:
        console.print(Text(_("{agent} {name}: trial month {month} of {months}, signs the "
                             "{letter}").format(agent=letter.agent_id,
                                                name=result.agents[letter.agent_id].name,
                                                month=letter.trial_month,
                                                months=letter.trial_months,
                                                letter=letter.letter)), soft_wrap=True)
    counts = Counter(result.levels.values())
    dist = "  ".join(f"{lv} {counts[lv]}" for lv in result.scheme.level_names if counts.get(lv))
    console.print(Text(_("Levels in {month}: {levels}").format(month=result.as_of + 1,
                                                                 levels=dist)))
    print_problems(console, result.problems)
    for path in result.outputs:
        console.print(_fill(_("Sign-off workbook: {path}"), path=_bold(path)))


def print_payroll(console: Console, result: PayrollResult) -> None:
    _comp_totals, grand = totals(result)
    table = Table(title=_("Payroll {month}").format(month=result.month), title_justify="left")
    table.add_column(_("Level"))
    table.add_column(_("Agents"), justify="right")
    table.add_column(_("Total pay"), justify="right")
    by_level: dict[str, list[Decimal]] = {}
    for line in result.lines:
        by_level.setdefault(line.level, []).append(line.total)
    for level in result.scheme.level_names:
        if level in by_level:
            table.add_row(level, str(len(by_level[level])), f"{sum(by_level[level]):,.2f}")
    if "" in by_level:  # agents paid only corrections of paid months this month
        table.add_row(_("Corrections only"), str(len(by_level[""])),
                      f"{sum(by_level['']):,.2f}")
    table.add_row(_bold(_("Total")), str(len(result.lines)), _bold(f"{grand:,.2f}"))
    console.print(table)
    if result.corrections:
        carried = sum((c.difference for c in result.corrections), Decimal("0.00"))
        agents = len({c.agent_id for c in result.corrections})
        console.print(Text(ngettext(
            "Carries corrections of paid months ({component}) for {count} agent: {total}",
            "Carries corrections of paid months ({component}) for {count} agents: {total}",
            agents).format(component=correction_component(), count=agents,
                           total=f"{carried:+,.2f}")))
    print_problems(console, result.problems)
    for path in result.outputs:
        console.print(_fill(_("Payroll file: {path}"), path=_bold(path)))


def print_history(console: Console, result: HistoryResult) -> None:
    agent = result.agent
    table = Table(title=Text(f"{agent.agent_id} {agent.name} {agent.team}"),
                  title_justify="left")
    score_header = (_("Performance (%)") if result.scheme.score.scoring == "achievement"
                    else _("Score"))
    imported = result.imported
    for col in (_("Month"), score_header, *([_("Imported score")] if imported else []),
                _("Level this month"), *progress_headers(result.scheme), _("Decision"),
                _("Note")):
        table.add_column(col, overflow="fold")
    for s in result.states:
        shown = imported.get(s.month)
        table.add_row(str(s.month), "—" if s.score is None else f"{s.score}",
                      *(["—" if shown is None else f"{shown}"] if imported else []), s.level,
                      *[str(v) for v in progress_cells(result.scheme, s)],
                      *_texts(decision_text(s.decision),
                              _short(s.decision.reason if s.decision else s.note)))
    console.print(table)
    if result.next_level is None:
        console.print(Text(_("Left on {date}").format(date=agent.leave_date)))
    else:
        console.print(_fill(_("Level from {month}: {level}"), month=result.latest + 1,
                            level=_bold(result.next_level)))
    if result.adjustments:
        print_adjustment_table(console, result.adjustments, _("Adjustments"), undone=True)
    for got in result.signoffs.values():
        line = (_("Sign-off: {from_level} → {to_level} from {effective} approved by {approver}")
                if got.result == "approved" else
                _("Sign-off: {from_level} → {to_level} from {effective} refused by {approver}"))
        console.print(Text(line.format(
            from_level=got.from_level, to_level=got.to_level, effective=got.effective,
            approver=got.approver or "—") + (f" — {got.note}" if got.note else "")))


# translated when read, as DECISION_LABEL
ADJUSTMENT_KIND = Labels({"score": N_("score"), "level": N_("level")})


def print_adjustment_table(console: Console, adjustments: list[Adjustment], title: str,
                           undone: bool = False) -> None:
    """The adjustments, one row each (with `undone`: the undone ones marked, with why)."""
    table = Table(title=title, title_justify="left")
    for col in ("#", _("Agent ID"), _("Month"), _("Adjusted"), _("Was"), _("Set to"),
                _("Reason"), _("By"), _("When (UTC)"), *([_("Undone")] if undone else [])):
        table.add_column(col, overflow="fold")
    for a in adjustments:
        gone = (_("{at}, {user}: {reason}").format(at=a.undone_at, user=a.undone_by,
                                                   reason=a.undo_reason)
                if a.undone_at is not None else "")
        table.add_row(str(a.id), *_texts(a.agent_id, str(a.month), ADJUSTMENT_KIND[a.kind],
                                         a.was, a.value, a.reason, a.by, a.at),
                      *(_texts(gone) if undone else []))
    console.print(table)
