"""Read stage, the pay-inputs workbook (薪酬录入表) of a pay month: file -> one `PayInputsRow`
per agent: overtime hours by kind, personal deductions (六险一金), benefits (午餐补助, 部门活动
经费) and a one-off amount with its reason, as the template's `pay.inputs` names them.

Input: the workbook's path and the template. Output: the rows and every problem found, each
naming its cell: hours below 0 or above a month's hours, text in a number cell, a negative
benefit or deduction, a one-off amount without a reason, an agent twice. Whether each agent
is known is the pipeline's to check (it holds the history).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from ..i18n import _
from ..labels import fmt_number
from ..limits import MONEY_CEILING_DECIMAL
from ..records import PayInputsRow, Problem, Source
from ..scheme import Scheme
from . import values
from .common import _coerce, _id, _new_errors, duplicates, spaced_ids
from .table import find_table
from .workbook import read_sheets

# the most overtime hours one month can hold (31 days of 24 hours): more is a typo
MONTH_HOURS = Decimal(31 * 24)


def pay_inputs_fields(scheme: Scheme) -> dict[str, list[str]]:
    spec = scheme.pay.inputs
    assert spec is not None
    fields = {"agent_id": scheme.columns.agent_id, "name": scheme.columns.name}
    for kind in spec.overtime:
        fields[f"hours:{kind.name}"] = kind.column
    for item in [*spec.benefits, *spec.deductions]:
        fields[f"amount:{item.name}"] = item.column
    if spec.one_off is not None:
        fields["one_off"] = spec.one_off.column
        fields["reason"] = spec.one_off.reason_column
    return fields


def _plain_number(raw: object) -> Decimal:
    found, percent = values.number(raw)
    if percent:
        raise ValueError(_("{text} is a percentage, not an amount or hours").format(
            text=repr(values.clean_text(raw))))
    return found


def _hours(raw: object) -> Decimal:
    hours = _plain_number(raw)
    if hours < 0:
        raise ValueError(_("{hours} hours is negative").format(hours=fmt_number(hours)))
    if hours > MONTH_HOURS:
        raise ValueError(_("{hours} hours is more than a month has ({limit})").format(
            hours=fmt_number(hours), limit=MONTH_HOURS))
    return hours


def _amount(raw: object) -> Decimal:
    amount = _plain_number(raw)
    if amount < 0:
        raise ValueError(_("{amount} is negative").format(amount=fmt_number(amount)))
    if amount > MONEY_CEILING_DECIMAL:
        raise ValueError(_("{amount} is more than {limit} yuan").format(
            amount=fmt_number(amount), limit=MONEY_CEILING_DECIMAL))
    return amount


def _signed_amount(raw: object) -> Decimal:
    amount = _plain_number(raw)
    if amount.copy_abs() > MONEY_CEILING_DECIMAL:
        raise ValueError(_("{amount} is more than {limit} yuan").format(
            amount=fmt_number(amount), limit=MONEY_CEILING_DECIMAL))
    return amount


def read_pay_inputs(path: Path, scheme: Scheme) -> tuple[list[PayInputsRow], list[Problem]]:
    """The pay-inputs workbook: one row per agent (工号 + item columns)."""
    spec = scheme.pay.inputs
    if spec is None:
        raise ValueError("the template has no pay.inputs")  # (the pipeline checks first)
    fields = pay_inputs_fields(scheme)
    table = find_table(read_sheets(path), fields, ["agent_id"], _("pay-inputs workbook"))
    problems = list(table.problems)
    if not any(f in table.columns for f in fields if f not in ("agent_id", "name", "reason")):
        problems.append(Problem(
            _("no pay-input column found"), table.source(table.header_index),
            hint=_("Name the columns as the template's pay.inputs does: {columns}.").format(
                columns=_(", ").join(aliases[0] for f, aliases in fields.items()
                                     if f not in ("agent_id", "name")))))
    hours_what, amount_what = _("overtime hours"), _("amount")
    hours_hint = _("Give the hours worked as a number of 0 or more, e.g. 7.5.")
    amount_hint = _("Give the amount in yuan as a number of 0 or more, e.g. 350.00.")
    one_off_hint = _("Give the amount in yuan, e.g. 500 or -200.")
    out: list[PayInputsRow] = []
    ids: list[tuple[str, Source]] = []  # every row's id, rows in error too: all said at once
    for index, cells in table.rows:
        before = len(problems)
        agent = _id(table, index, problems)
        if agent is not None:
            ids.append((agent, table.source(index, "agent_id")))

        def read(fld: str, fn: Callable[[object], Decimal], what: str, hint: str,
                 index: int = index) -> Decimal | None:
            if fld not in table.columns:
                return None
            return _coerce(table, index, fld, fn, problems, what, hint)

        hours = {k.name: h for k in spec.overtime
                 if (h := read(f"hours:{k.name}", _hours, hours_what, hours_hint)) is not None}
        amounts = {i.name: a for i in [*spec.benefits, *spec.deductions]
                   if (a := read(f"amount:{i.name}", _amount, amount_what, amount_hint))
                   is not None}
        one_off = reason = None
        if spec.one_off is not None:
            one_off = read("one_off", _signed_amount, _("one-off amount"), one_off_hint)
            reason = values.clean_text(table.cell(cells, "reason")) if "reason" in (
                table.columns) else ""
            if one_off is not None and one_off != 0 and not reason:
                problems.append(Problem(
                    _("one-off amount {amount} has no reason").format(
                        amount=fmt_number(one_off)),
                    table.source(index, "reason" if "reason" in table.columns else "one_off"),
                    hint=_("Write why it is paid or taken off in the {column} column.").format(
                        column=spec.one_off.reason_column[0])))
            elif reason and one_off is None and not _new_errors(problems, before):
                problems.append(Problem(
                    _("a reason without a one-off amount"), table.source(
                        index, "one_off" if "one_off" in table.columns else "reason"),
                    hint=_("Fill in the amount, or clear the reason.")))
        if agent is None or _new_errors(problems, before):
            continue
        out.append(PayInputsRow(agent, table.source(index, "agent_id"), hours, amounts, one_off,
                                reason or ""))
    spaced_ids(table, problems)
    problems += duplicates(ids, _("pay-inputs workbook"))
    return out, problems
