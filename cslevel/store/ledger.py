"""History database, the ledger of what finance paid: the payroll of a pay month as it was
paid when the scored month it is paid from was locked (`paid_payrolls`, `paid_lines`), and
the corrections of paid months that a later payroll carried (rows of `paid_lines` whose
`settles` names that payroll's pay month).

What was paid for a pay month, per agent, is the sum of its rows: the line as paid plus
every correction settled since. So a month corrected once and fixed again later owes only
the new difference.

Input: a `History` (its connection, in the command's transaction). Output: the paid months
and amounts as records; rows written in that transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from ..records import Correction, Month, PayLine
from .codec import now, os_user
from .history import History
from .schema import paid_lines, paid_payrolls

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaidPayroll:
    """A pay month whose payroll was paid: the scored month whose lock paid it, when and by
    whom, the template's hash then, and whether a month it is paid from was scored again
    since it was paid (or last corrected)."""

    pay_month: Month
    locked_month: Month
    locked_at: str
    user: str
    template_hash: str
    rescored: bool


@dataclass(frozen=True)
class Paid:
    """What one agent was paid for one pay month, all its rows summed: the level paid (the
    newest row's; None when nothing is due any more and that was settled), the components
    and the total."""

    level: str | None
    components: dict[str, Decimal]
    total: Decimal


def _amounts(components: dict[str, Decimal]) -> str:
    return json.dumps({k: str(v) for k, v in components.items()}, ensure_ascii=False)


class Ledger:
    """The paid payrolls of the history, inside its transaction."""

    def __init__(self, history: History):
        self.history = history
        self.conn = history.conn

    def payrolls(self) -> dict[Month, PaidPayroll]:
        """Every paid pay month, oldest first."""
        rows = self.conn.execute(select(paid_payrolls).order_by(
            *self.history._order(paid_payrolls.c.pay_month))).mappings()
        return {Month.parse(r["pay_month"]): PaidPayroll(
            Month.parse(r["pay_month"]), Month.parse(r["locked_month"]), r["locked_at"],
            r["locked_by"], r["template_hash"], bool(r["rescored"])) for r in rows}

    def record(self, pay_month: Month, locked_month: Month, lines: Iterable[PayLine],
               settled: Iterable[Correction], template_hash: str) -> tuple[str, str]:
        """Record the payroll of `pay_month` as paid: its own lines (without the corrections
        it carried), and each correction it carried as paid for the month it corrects."""
        stamp, user = now(), os_user()
        self.conn.execute(insert(paid_payrolls).values(
            pay_month=str(pay_month), locked_month=str(locked_month), locked_at=stamp,
            locked_by=user, template_hash=template_hash, rescored=0))
        key = str(pay_month)
        rows: list[tuple[Any, ...]] = [
            (key, ln.agent_id, ln.name, ln.team, ln.level, _amounts(ln.components),
             str(ln.total), None, stamp, user) for ln in lines]
        rows += [(str(c.month), c.agent_id, c.name, c.team, c.due_level,
                  _amounts(c.components), str(c.difference), key, stamp, user)
                 for c in settled]
        self.history._insert_many(paid_lines, (
            "pay_month", "agent_id", "name", "team", "level", "components", "total",
            "settles", "locked_at", "locked_by"), rows)
        return stamp, user

    def settled_now(self, months: Iterable[Month]) -> None:
        """`months` were worked out anew and owe nothing: not to be worked out again until
        one of their months is scored again."""
        keys = sorted({str(m) for m in months})
        if keys:
            self.conn.execute(update(paid_payrolls).where(
                paid_payrolls.c.pay_month.in_(keys)).values(rescored=0))

    def rescored(self, first: Month) -> list[Month]:
        """Months from `first` on were scored again: every pay month paid from one of them
        (or from a later month, whose levels they feed) is to be worked out anew. Returns
        those pay months."""
        marked = [Month.parse(r[0]) for r in self.conn.execute(
            select(paid_payrolls.c.pay_month).where(
                paid_payrolls.c.locked_month >= str(first)).order_by(
                *self.history._order(paid_payrolls.c.pay_month)))]
        if marked:
            self.conn.execute(update(paid_payrolls).where(
                paid_payrolls.c.locked_month >= str(first)).values(rescored=1))
        return marked

    def paid(self, months: Iterable[Month]) -> dict[Month, dict[str, Paid]]:
        """What each agent was paid for each of `months`, every row of it summed."""
        keys = sorted({str(m) for m in months})
        out: dict[Month, dict[str, Paid]] = {}
        if not keys:
            return out
        marks = ", ".join("?" * len(keys))
        rows = self.history._fetch(
            "SELECT pay_month, agent_id, level, components, total FROM paid_lines "
            f"WHERE pay_month IN ({marks}) ORDER BY id", *keys)
        for label, agent_id, level, components, total in rows:
            month = Month.parse(label)
            by_agent = out.setdefault(month, {})
            before = by_agent.get(agent_id)
            amounts = {k: Decimal(v) for k, v in json.loads(components).items()}
            if before is not None:
                summed = dict(before.components)
                for name, amount in amounts.items():
                    summed[name] = summed.get(name, ZERO) + amount
                amounts = summed
            by_agent[agent_id] = Paid(level, amounts,
                                      Decimal(total) + (before.total if before else ZERO))
        return out
