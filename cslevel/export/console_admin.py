"""Console summaries (rich) and the --json documents of the commands around the months: run
and runs, lock and reopen, the adjustments, init, the templates (list, validate, new) and
inspect."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..i18n import N_, Labels, _, ngettext
from ..labels import RULE_KIND_LABEL
from .console import (
    _texts,
    adjustment_json,
    correction_json,
    print_adjustment_table,
    print_problems,
)

if TYPE_CHECKING:
    from pathlib import Path

    from ..inspect import Inspection
    from ..outcomes import (
        AdjustmentsResult,
        AdjustResult,
        LockResult,
        MonthsResult,
        RunResult,
        SignoffImportResult,
        StatusResult,
    )
    from ..records import Adjustment
    from ..scheme import Scheme


# --- cslevel run / runs -----------------------------------------------------------------
def run_json(result: RunResult) -> dict[str, Any]:
    return {
        "month": str(result.month),
        "pay_month": str(result.pay_month),
        "status": result.status,
        "changed": result.status == "done",
        "key": result.key,
        "previous_run": result.previous_run,
        "inputs": [{"file": str(p), "sha256": h} for p, h in result.inputs],
        "template_hash": result.template_hash,
        "outputs": [{"file": str(p), "sha256": h} for p, h in result.outputs],
        "rewritten": [str(p) for p in result.rewritten],
        "changes": result.changes,
        "agents": result.agents,
        "moves": result.moves,
        "paid": result.paid,
        "payroll_total": None if result.payroll_total is None else str(result.payroll_total),
        "problems": [p.as_dict() for p in result.problems],
    }


_RUN_STATUS = Labels({"done": N_("Done"), "unchanged": N_("Unchanged"),
                      "dry_run": N_("Dry run (nothing written)")})


def print_run(console: Console, result: RunResult) -> None:
    head = _RUN_STATUS[result.status]
    console.print(Text(f"{result.month} {head}", style="bold"))
    for line in result.changes:
        console.print(Text(f"  · {line}"), soft_wrap=True)
    if result.status != "unchanged":
        total = "—" if result.payroll_total is None else f"{result.payroll_total:,.2f}"
        console.print(Text("  " + _(
            "Scored: {agents}; moves: {moves}; payroll {pay_month}: {paid} paid, total {total}"
        ).format(agents=result.agents, moves=result.moves, pay_month=result.pay_month,
                 paid=result.paid, total=total)))
    for path, _sha in result.outputs:
        console.print(Text("  → ") + Text(str(path), style="bold"), soft_wrap=True)
    if result.rewritten:
        console.print(Text("  " + _("Later months' files written again (they changed):")))
        for path in result.rewritten:
            console.print(Text("  ↻ ") + Text(str(path), style="bold"), soft_wrap=True)
    print_problems(console, result.problems)


def months_json(result: MonthsResult) -> dict[str, Any]:
    """`run --from --json`: the range, what landed and what not, and `months`: each month's
    `run --json` document (status done/unchanged), or its status (skipped, failed, not_run)
    with the reason and the problems."""
    months = []
    for item in result.months:
        if item.run is not None:
            months.append(run_json(item.run))
        else:
            months.append({"month": str(item.month), "status": item.status,
                           "changed": False, "reason": item.reason,
                           "problems": [p.as_dict() for p in item.problems]})
    failed = [p for item in result.months for p in item.problems]
    return {"ok": result.exit_code == 0, "from": str(result.first), "to": str(result.last),
            "landed": [str(m) for m in result.landed()],
            "not_landed": [str(m) for m in result.not_landed()],
            "months": months, "problems": [p.as_dict() for p in failed]}


def print_months(console: Console, result: MonthsResult) -> None:
    """Each month as `cslevel run` prints it (a skipped, failed or not-run month on one line,
    a failed month's problems after it), then one summary line."""
    for item in result.months:
        if item.run is not None:
            print_run(console, item.run)
        elif item.status == "skipped":
            console.print(Text(_("{month} skipped: {reason}").format(
                month=item.month, reason=item.reason), style="dim"), soft_wrap=True)
        elif item.status == "failed":
            console.print(Text(_("{month} failed: nothing of this month was written").format(
                month=item.month), style="bold red"), soft_wrap=True)
            print_problems(console, item.problems)
        else:
            console.print(Text(_("{month} not run (an earlier month failed)").format(
                month=item.month)), soft_wrap=True)
    landed, missing = result.landed(), result.not_landed()
    console.print(Text(_("Months {first}–{last}: {landed} run, {skipped} skipped, {missing} "
                         "not run").format(
        first=result.first, last=result.last, landed=len(landed),
        skipped=sum(1 for m in result.months if m.status == "skipped"),
        missing=len(missing)), style="bold"), soft_wrap=True)
    if missing:
        console.print(Text("  " + _("Fix the problems of {month}, then: cslevel run --from "
                                    "{month} --to {last}").format(month=missing[0],
                                                                  last=result.last)),
                      soft_wrap=True)


def print_runs(console: Console, records: list[dict[str, Any]]) -> None:
    table = Table(title=_("Runs"), title_justify="left")
    for col in ("#", _("When (UTC)"), _("User"), _("Version"), _("Command"), _("Month"),
                _("Details")):
        table.add_column(col, overflow="fold")
    for run in records:
        details = run["details"]
        month = details.get("month") or details.get("as_of") or ", ".join(
            details.get("months", [])) or ""
        if run["command"] == "run":
            what = _("; ").join(details.get("changes", []))[:120]
        else:
            what = ", ".join(f"{k}={v}" for k, v in details.items()
                             if k in ("files", "moves", "lines", "reason", "window"))[:120]
        table.add_row(str(run["id"]), run["started_at"], *_texts(run["user"]), run["version"],
                      run["command"], month, Text(what))
    console.print(table)
    if not records:
        console.print(Text(_("No runs recorded yet.")))


def runs_json(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"runs": records}


# --- cslevel lock / reopen, init --------------------------------------------------------
def lock_json(result: LockResult) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "month": str(result.month), "action": result.action,
        "locked": result.action == "lock", "already": result.already, "at": result.at,
        "user": result.user, "reason": result.reason}
    if result.action == "lock" and not result.already:
        # the payroll recorded as paid (null: its pay month was paid before)
        doc["paid"] = None if result.paid_total is None else {
            "month": str(result.paid_month), "lines": result.paid_lines,
            "total": str(result.paid_total),
            "settled": [{"agent_id": c.agent_id, "month": str(c.month),
                         "difference": str(c.difference)} for c in result.settled]}
        doc["pay_month"] = None if result.paid_month is None else str(result.paid_month)
    return doc


def print_lock(console: Console, result: LockResult) -> None:
    """A month locked (or already locked), or reopened."""
    if result.action == "reopen":
        line = _("{month} reopened ({at}, {user}): {reason}").format(
            month=result.month, at=result.at, user=result.user, reason=result.reason)
    elif result.already:
        line = _("{month} already locked ({at}, {user})").format(
            month=result.month, at=result.at[:10], user=result.user)
    else:
        line = _('{month} locked ({at}, {user}). Reopen with: cslevel reopen {month} '
                 '--reason "…"').format(month=result.month, at=result.at, user=result.user)
    console.print(Text(line))
    if result.action != "lock" or result.already or result.paid_month is None:
        return
    if result.paid_total is None:
        console.print(Text(_("The payroll of {month} was paid before and stays as paid; what it "
                             "owes now: cslevel payroll corrections").format(
            month=result.paid_month)))
        return
    console.print(Text(ngettext(
        "The payroll of {month} is recorded as paid: {count} line, total {total}.",
        "The payroll of {month} is recorded as paid: {count} lines, total {total}.",
        result.paid_lines).format(month=result.paid_month, count=result.paid_lines,
                                  total=f"{result.paid_total:,.2f}")))
    if result.settled:
        settled = sum((c.difference for c in result.settled), Decimal("0.00"))
        console.print(Text(ngettext(
            "It settles {count} correction of paid months: {total}.",
            "It settles {count} corrections of paid months: {total}.",
            len(result.settled)).format(count=len(result.settled), total=f"{settled:+,.2f}")))


# --- cslevel adjust ----------------------------------------------------------------------
def adjust_json(result: AdjustResult) -> dict[str, Any]:
    return adjustment_json(result.adjustment)


def adjustments_json(result: AdjustmentsResult) -> dict[str, Any]:
    return {"adjustments": [adjustment_json(a) for a in result.adjustments]}


def _what(a: Adjustment) -> str:
    if a.kind == "score":
        return _("score of {agent} in {month}: {was} → {value}").format(
            agent=a.agent_id, month=a.month, was=a.was, value=a.value)
    return _("level of {agent} from {month}: {was} → {value}").format(
        agent=a.agent_id, month=a.month, was=a.was, value=a.value)


def print_adjust(console: Console, result: AdjustResult) -> None:
    """An adjustment made or undone, and the agent's levels in force that it changed."""
    a = result.adjustment
    if result.action == "undo":
        console.print(Text(_("Adjustment #{id} undone ({by}, {at}): {reason}").format(
            id=a.id, by=a.undone_by, at=a.undone_at, reason=a.undo_reason)), soft_wrap=True)
        console.print(Text("  " + _("It had set the {what} ({by}, {at}): {reason}").format(
            what=_what(a), by=a.by, at=a.at, reason=a.reason)), soft_wrap=True)
    else:
        console.print(Text(_("Adjustment #{id}: {what} ({by}, {at}): {reason}").format(
            id=a.id, what=_what(a), by=a.by, at=a.at, reason=a.reason)), soft_wrap=True)
    if result.changes:
        console.print(Text(_("Level in force of {agent}:").format(agent=a.agent_id)))
        for month, before, after in result.changes:
            console.print(Text(f"  {month}: {before} → {after}"))
    else:
        console.print(Text(_("No level in force of {agent} changes.").format(
            agent=a.agent_id)))
    print_problems(console, result.problems)


def print_adjustments(console: Console, result: AdjustmentsResult) -> None:
    if not result.adjustments:
        console.print(Text(_("No adjustments in force.")))
        return
    print_adjustment_table(console, result.adjustments, _("Adjustments in force"))


def init_json(made: tuple[Path, list[Path]]) -> dict[str, Any]:
    folder, created = made
    return {"folder": str(folder), "created": [str(p) for p in created]}


def print_init(console: Console, made: tuple[Path, list[Path]]) -> None:
    folder, created = made
    for path in created:
        console.print(_("Created: {path}").format(path=path), soft_wrap=True, markup=False)
    console.print(_("Next: edit {settings}, put the month's workbooks in {input}, then run: "
                    "cslevel run").format(settings=folder / "cslevel.toml",
                                          input=folder / "input"),
                  soft_wrap=True, markup=False)


# --- cslevel templates ------------------------------------------------------------------
def _template_row(name: str, scheme: Scheme) -> dict[str, Any]:
    return {"name": name, "title": scheme.title, "levels": scheme.level_names,
            "rule": scheme.promotion.rule}  # (the key: --json is for programs)


def templates_json(schemes: list[tuple[str, Scheme]]) -> dict[str, Any]:
    return {"templates": [_template_row(name, scheme) for name, scheme in schemes]}


def print_templates(console: Console, schemes: list[tuple[str, Scheme]]) -> None:
    for row in templates_json(schemes)["templates"]:
        console.print(f"[bold]{row['name']}[/]  {row['title']}  "
                      f"({RULE_KIND_LABEL.get(row['rule'], row['rule'])}: {' → '.join(row['levels'])})",
                      soft_wrap=True)


def validated_json(checked: tuple[Path, Scheme]) -> dict[str, Any]:
    _path, scheme = checked
    return {"ok": True, "scheme": scheme.scheme, "levels": scheme.level_names,
            "warnings": _range_warnings(scheme)}


def _range_warnings(scheme: Scheme) -> list[str]:
    """The standard amounts outside the template's pay.ranges, each naming the ranges'
    source."""
    ranges = scheme.pay.ranges
    source = ranges.source if ranges is not None else ""
    return [_("{warning} (pay.ranges: {source})").format(warning=w, source=source)
            if source else w for w in scheme.pay_range_warnings()]


def print_validated(console: Console, checked: tuple[Path, Scheme]) -> None:
    path, scheme = checked
    count = len(scheme.levels)
    console.print(Text("✓ ", style="green") + Text(ngettext(
        "{path}: scheme {scheme}, {count} level, rule {rule}",
        "{path}: scheme {scheme}, {count} levels, rule {rule}", count).format(
            path=path, scheme=scheme.scheme, count=count,
            rule=RULE_KIND_LABEL.get(scheme.promotion.rule, scheme.promotion.rule))))
    for warning in _range_warnings(scheme):
        console.print(Text("! ", style="yellow") + Text(warning))


def print_new_template(console: Console, made: tuple[Path, str]) -> None:
    target, base = made
    console.print(Text("✓ ", style="green") + Text(_(
        "{path} (from {base}); edit it, then cslevel templates validate {path}").format(
            path=target, base=base)))


# --- cslevel inspect --------------------------------------------------------------------
def inspect_json(result: Inspection) -> dict[str, Any]:
    return {
        "file": result.file,
        "kind": result.kind,
        "mode": result.mode,
        "sheet": result.sheet,
        "header_row": result.header_row,
        "columns": result.columns,
        "column_letters": result.letters,
        "months": [str(m) for m in result.months],
        "agents": result.agents,
        "first_rows": [dict(zip(result.preview_headers, row)) for row in result.preview],
        "problems": [p.as_dict() for p in result.problems],
        # items another workbook gives (the 考勤 item: the attendance workbook)
        "from_attendance": result.supplied,
    }


# translated when read, as DECISION_LABEL
_KIND = Labels({"kpi": N_("KPI"), "attendance": N_("attendance"), "roster": N_("roster")})


def print_inspect(console: Console, result: Inspection) -> None:
    months = _(", ").join(str(m) for m in result.months) or "—"
    console.print(Text(ngettext(
        "{file}: {kind} ({mode}); sheet {sheet}, header row {header_row}; months {months}; "
        "{agents} agent",
        "{file}: {kind} ({mode}); sheet {sheet}, header row {header_row}; months {months}; "
        "{agents} agents", result.agents).format(
            file=result.file, kind=_KIND[result.kind], mode=result.mode,
            sheet=repr(result.sheet), header_row=result.header_row, months=months,
            agents=result.agents)), soft_wrap=True)
    table = Table(title=_("Columns"), title_justify="left")
    table.add_column(_("Column"))
    table.add_column(_("Header"))
    table.add_column(_("Field"))
    for label, fld in result.columns.items():
        table.add_row(result.letters[label], Text(label),
                      fld or Text(_("(not used)"), style="dim"))
    for name, key in result.supplied.items():
        table.add_row("—", Text(name), Text(_("{field} (from the attendance workbook)").format(
            field=f"metric:{key}")))
    console.print(table)
    if result.preview:
        preview = Table(title=_("First rows as read"), title_justify="left")
        for label in result.preview_headers:
            preview.add_column(label, overflow="fold")
        for row in result.preview:
            preview.add_row(*[Text(c) for c in row])
        console.print(preview)
    print_problems(console, result.problems)


def signoff_json(result: SignoffImportResult) -> dict[str, Any]:
    return {"file": result.file, "approved": result.count("approved"),
            "rejected": result.count("rejected"), "pending": result.count("pending"),
            "moves": [{"agent_id": m.agent_id, "from": m.from_level, "to": m.to_level,
                       "effective": str(m.effective), "result": m.result}
                      for m in result.moves],
            "problems": [p.as_dict() for p in result.problems]}


SIGNOFF_RESULT = Labels({"approved": N_("approved"), "rejected": N_("refused: does not take "
                                                                  "effect"),
                         "pending": N_("pending")})


def print_signoff(console: Console, result: SignoffImportResult) -> None:
    """What a signed sign-off list said of each move, then the counts."""
    for move in result.moves:
        console.print(Text(_("{agent}  {from_level} → {to_level} from {effective}: {result}")
                           .format(agent=move.agent_id, from_level=move.from_level,
                                   to_level=move.to_level, effective=move.effective,
                                   result=SIGNOFF_RESULT[move.result])))
    console.print(Text(_("{file}: {approved} approved, {rejected} refused, {pending} pending")
                       .format(file=result.file, approved=result.count("approved"),
                               rejected=result.count("rejected"),
                               pending=result.count("pending"))))
    print_problems(console, result.problems)


def status_json(result: StatusResult) -> dict[str, Any]:
    return {"stale": [{"month": str(s.month), "files": [str(p) for p in s.files],
                       "why": s.why, "locked": s.locked} for s in result.stale],
            "pending_signoff": [{"agent_id": d.agent_id, "from": d.from_level,
                                 "to": d.to_level, "effective": str(d.effective)}
                                for d in result.pending_signoff],
            "corrections": {"rows": [correction_json(c) for c in result.corrections],
                            "total": str(result.corrections_total)}}


def print_status(console: Console, result: StatusResult) -> None:
    """Months whose files are out of date, then the moves waiting for a signature."""
    if not result.stale:
        console.print(Text(_("Every month's files show what the history says.")))
    for stale in result.stale:
        what = (_("{month}: files out of date, kept as paid (locked): {why}") if stale.locked
                else _("{month}: files out of date ({why}); write them again: cslevel run "
                       "--month {month}"))
        console.print(Text(what.format(month=stale.month, why=stale.why)), soft_wrap=True)
    pending = result.pending_signoff
    if pending:
        console.print(Text(ngettext("{count} move waits for the signed sign-off list:",
                                    "{count} moves wait for the signed sign-off list:",
                                    len(pending)).format(count=len(pending))))
        for d in pending[:20]:
            console.print(Text(_("  {agent}  {from_level} → {to_level} from {effective}").format(
                agent=d.agent_id, from_level=d.from_level, to_level=d.to_level,
                effective=d.effective)))
        if len(pending) > 20:
            console.print(Text(_("  and {count} more").format(count=len(pending) - 20)))
    else:
        console.print(Text(_("No move waits for a signature.")))
    if result.corrections:
        console.print(Text(ngettext(
            "{count} correction of a paid month waits for the next payroll, total {total}: "
            "cslevel payroll corrections",
            "{count} corrections of paid months wait for the next payroll, total {total}: "
            "cslevel payroll corrections", len(result.corrections)).format(
            count=len(result.corrections), total=f"{result.corrections_total:,.2f}")))
    else:
        console.print(Text(_("No correction of a paid month is pending.")))
