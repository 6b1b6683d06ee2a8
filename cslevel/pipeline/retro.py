"""Retro pay (补发/扣回): what was paid stays paid; what a paid month owes now is carried by
the next payroll.

- Locking scored month M records the payroll of the pay month M is paid from — M+1 with
  `pay.figures: previous` (M's figures and the levels decided at its close are paid in
  M+1), M itself with `same` — in the ledger (cslevel.store.ledger), exactly as `payroll
  export` makes it, with the corrections it carries. A paid pay month's files are never
  written again.
- Scoring a month again (once reopened, if it was locked) marks every paid pay month paid
  from it or from a later month: what is due for those months is worked out anew
  (`payroll_of`, with the history as it is now) and compared, agent by agent, with what was
  paid. Each difference is a `Correction`: due minus paid, at the fen.
- A payroll of a month after every paid one carries them: one component 补发/扣回 per
  agent (the sum of its differences), a line of its own for an agent with nothing else
  paid that month. Locking the month that payroll is paid from records each correction as
  paid for the month it corrects (`settles`): that month then owes nothing more, until one
  of its months is scored again — and then only the new difference.

Only scoring marks a paid month: what the history holds as of now only (the roster's
supervisor tier, team and team-lead mark, the template, the review window, signed
sign-offs) changes the pay of the months after it, never a paid month's by itself.

Input: the history in the command's transaction. Output: corrections, payroll results that
carry them, ledger rows.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from ..i18n import _, ngettext
from ..labels import correction_component
from ..outcomes import PayrollResult
from ..payroll import money
from ..records import Correction, CslevelError, Month, PayLine, Problem, Severity
from ..store import History, Ledger, PaidPayroll
from ..templates import Scheme
from .derive import stored_scheme
from .pay import payroll_of

ZERO = Decimal("0.00")


def pay_month_of(scheme: Scheme, scored: Month) -> Month:
    """The pay month whose payroll the figures and the levels of scored month `scored` feed
    last: the month after it (pay.figures: previous) or itself (same)."""
    return scored if scheme.pay.figures == "same" else scored + 1


def template_fingerprint(history: History) -> str:
    """The stored template and pay table, as one hash (kept with a paid payroll)."""
    text = (history.setting("template") or "") + "\0" + (history.setting("pay_table") or "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def rescored(history: History, months: list[Month]) -> list[Problem]:
    """`months` were scored (again): the paid pay months they feed are worked out anew.
    Returns a warning naming them, if there are any."""
    marked = Ledger(history).rescored(min(months)) if months else []
    if not marked:
        return []
    return [Problem(
        ngettext("the payroll of {months} was paid: what it owes now is carried by the next "
                 "payroll ({component})",
                 "the payrolls of {months} were paid: what they owe now is carried by the next "
                 "payroll ({component})", len(marked)).format(
            months=_(", ").join(str(m) for m in marked), component=correction_component()),
        severity="warning", hint=_("See it with: cslevel payroll corrections"))]


def paid_payroll(history: History, month: Month) -> PaidPayroll | None:
    """The paid payroll of pay month `month`, if it was paid."""
    return Ledger(history).payrolls().get(month)


def not_written_again(paid: PaidPayroll, severity: Severity = "error") -> Problem:
    """Why the payroll of a paid pay month is not written (an error; a warning in `cslevel
    run`, which writes the month's other files)."""
    return Problem(
        _("the payroll of {month} was paid ({locked} locked on {date} by {user}): it is not "
          "written again; its corrections go into the next payroll").format(
            month=paid.pay_month, locked=paid.locked_month, date=paid.locked_at[:10],
            user=paid.user),
        severity=severity,
        hint=_("See what paid months owe now with: cslevel payroll corrections"))


def refuse_paid(history: History, month: Month) -> None:
    """A paid pay month's payroll is never written again (exit code 3)."""
    paid = paid_payroll(history, month)
    if paid is not None:
        raise CslevelError(not_written_again(paid), exit_code=3)


def pending(history: History) -> tuple[list[Correction], list[Problem], list[Month]]:
    """What paid pay months owe now: (the corrections, warnings, the paid months worked out
    anew). Only months marked since they were paid or last corrected are worked out."""
    ledger = Ledger(history)
    payrolls = ledger.payrolls()
    marked = [m for m, p in payrolls.items() if p.rescored]
    if not marked:
        return [], [], []
    paid = ledger.paid(marked)
    problems: list[Problem] = []
    fingerprint = template_fingerprint(history)
    changed = [m for m in marked if payrolls[m].template_hash not in ("", fingerprint)]
    if changed:
        problems.append(Problem(
            _("the template changed since {months} were paid: what they owe now is worked out "
              "with the template in force now").format(
                months=_(", ").join(str(m) for m in changed)), severity="warning"))
    rows: list[Correction] = []
    for month in marked:
        due_result = payroll_of(history, month)
        due = {line.agent_id: line for line in due_result.lines}
        had = paid.get(month, {})
        for agent_id in sorted(due.keys() | had.keys()):
            line, before = due.get(agent_id), had.get(agent_id)
            due_total = line.total if line is not None else ZERO
            paid_total = before.total if before is not None else ZERO
            due_level = line.level if line is not None else None
            paid_level = before.level if before is not None else None
            if due_total == paid_total and due_level == paid_level:
                continue
            due_parts = line.components if line is not None else {}
            paid_parts = before.components if before is not None else {}
            parts = {name: money(due_parts.get(name, ZERO) - paid_parts.get(name, ZERO))
                     for name in [*due_parts, *(n for n in paid_parts if n not in due_parts)]}
            agent = due_result.agents.get(agent_id)
            rows.append(Correction(
                agent_id, agent.name if agent else "", agent.team if agent else "", month,
                paid_level, due_level, paid_total, due_total, money(due_total - paid_total),
                {name: amount for name, amount in parts.items() if amount}))
    rows.sort(key=lambda c: (c.team, c.agent_id, c.month))
    return rows, problems, marked


def carried(history: History, month: Month) -> tuple[list[Correction], list[Problem],
                                                     list[Month]]:
    """The corrections the payroll of `month` carries: every pending one when `month` is
    after every paid pay month (as `pending`), none otherwise."""
    payrolls = Ledger(history).payrolls()
    if not payrolls or month <= max(payrolls):
        return [], [], []
    return pending(history)


def carry(result: PayrollResult, corrections: list[Correction]) -> None:
    """Add the corrections to the payroll: each agent's sum as the component 补发/扣回 of
    its line (a line of its own when it has nothing else paid that month)."""
    if not corrections:
        return
    name = correction_component()
    by_agent: dict[str, list[Correction]] = {}
    for c in corrections:
        by_agent.setdefault(c.agent_id, []).append(c)
    lines = []
    for line in result.lines:
        got = by_agent.pop(line.agent_id, None)
        lines.append(line if got is None else _with(line, got, name, result.previous_paid))
    gone = {line.agent_id: line for line in result.gone}
    zeros = dict.fromkeys(result.scheme.pay.all_components, ZERO)
    for agent_id, got in by_agent.items():
        before = gone.pop(agent_id, None)
        first = got[0]
        line = PayLine(agent_id, first.name, first.team, result.month, "", dict(zeros), ZERO,
                       "", "", before.previous_total if before else None,
                       before.reasons if before else ())
        lines.append(_with(line, got, name, result.previous_paid))
    result.lines = sorted(lines, key=lambda line: (line.team, line.agent_id))
    result.gone = [line for line in result.gone if line.agent_id in gone]
    result.corrections = corrections


def _with(line: PayLine, got: list[Correction], name: str, explain_change: bool) -> PayLine:
    amount = sum((c.difference for c in got), ZERO)
    why = _("{component} {amount} ({months})").format(
        component=name, amount=f"{amount:+,.2f}",
        months=_(", ").join(f"{c.month} {c.difference:+,.2f}" for c in got))
    reasons = (*line.reasons, why) if explain_change else line.reasons
    note = _("; ").join(part for part in (line.note, why) if part)
    return PayLine(line.agent_id, line.name, line.team, line.month, line.level,
                   {**line.components, name: amount}, line.total + amount, note,
                   _("; ").join(reasons), line.previous_total, reasons)


def record_paid(history: History, locked: Month
                ) -> tuple[Month, tuple[int, Decimal, list[Correction]] | None]:
    """Locking scored month `locked`: the payroll of the pay month it is paid from, with
    the corrections it carries, recorded as paid (and those corrections settled). Returns
    that pay month and (its lines, its total, the corrections settled); None for the second
    when the pay month was paid before (a month locked again after reopening: what was paid
    was paid; what it owes now is pending)."""
    scheme = stored_scheme(history)
    month = pay_month_of(scheme, locked)
    ledger = Ledger(history)
    if month in ledger.payrolls():
        return month, None
    result = payroll_of(history, month)
    settled, _problems, examined = carried(history, month)
    ledger.record(month, locked, result.lines, settled, template_fingerprint(history))
    ledger.settled_now(examined)
    total = sum((line.total for line in result.lines), ZERO) + sum(
        (c.difference for c in settled), ZERO)
    paid_ids = {line.agent_id for line in result.lines}
    lines = len(result.lines) + len({c.agent_id for c in settled} - paid_ids)
    return month, (lines, total, settled)
