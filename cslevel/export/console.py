"""Console summaries (rich) and the --json documents of each command."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..records import Decision, Problem
from .payroll import changed, totals
from .results import DECISION_LABEL, decision_text, progress_cells, progress_headers

if TYPE_CHECKING:
    from ..inspect import Inspection
    from ..monthly import RunResult
    from ..pipeline import (
        HistoryResult,
        LockResult,
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
        "problems": [p.as_dict() for p in result.problems],
        "outputs": [str(p) for p in result.outputs],
    }


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
             "reasons": [r for r in ln.change.split("；") if r]}
            for ln, before, now in rows
        ],
        "unchanged": len(result.lines) - sum(1 for _, _, now in rows if now is not None),
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
        console.print(f"{result.month - 1} 无工资记录可比 / no payroll for {result.month - 1} "
                      "to compare with")
    table = Table(title=f"{result.month} 与 {result.month - 1} 工资对比 Payroll changes",
                  title_justify="left")
    for col, justify in (("工号", "left"), ("姓名", "left"), ("组别", "left"), ("级别", "left"),
                         ("上月应发", "right"), ("本月应发", "right"), ("差额", "right"),
                         ("原因 Why", "left")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in doc["changes"]:
        table.add_row(*_texts(row["agent_id"], row["name"], row["team"], row["level"] or "—"),
                      _money(row["total_before"]), _money(row["total"]),
                      _money(row["difference"], signed=True), Text("\n".join(row["reasons"])))
    console.print(table)
    console.print(f"未变 Unchanged: {doc['unchanged']} 人；合计 Total {_money(doc['total_before'])}"
                  f" → {_money(doc['total'])}")
    print_problems(console, result.problems)


def _money(text: str | None, signed: bool = False) -> str:
    if text is None:
        return "—"
    value = Decimal(text)
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


def lock_json(result: LockResult) -> dict[str, Any]:
    return {"month": str(result.month), "action": result.action,
            "locked": result.action == "lock", "already": result.already, "at": result.at,
            "user": result.user, "reason": result.reason}


def history_json(result: HistoryResult) -> dict[str, Any]:
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
def print_problems(console: Console, problems: list[Problem], title: str = "问题 Problems") -> None:
    """One line per problem, never hard-wrapped, so a path or a cell stays greppable."""
    if not problems:
        return
    console.print(Text(f"{title} ({len(problems)}):", style="bold"), soft_wrap=True)
    for p in problems:
        mark = Text("✗ ", style="red") if p.severity == "error" else Text("! ", style="yellow")
        console.print(mark + Text(str(p)), soft_wrap=True)


def _texts(*values: str) -> list[Text]:
    """Cells from data (names, teams, reasons) shown as they are, never read as markup."""
    return [Text(v) for v in values]


def _short(reason: str) -> str:
    """The Chinese half of a bilingual reason, for narrow console tables."""
    return reason.split(" / ")[0]


def print_score(console: Console, result: ScoreResult) -> None:
    levels = result.scheme.level_names
    table = Table(title=f"级别分布 Level distribution — {result.scheme.scheme}",
                  title_justify="left")
    table.add_column("月份 Month")
    for level in levels:
        table.add_column(level, justify="right")
    for col in ("人数", "晋升↑", "降级↓", "试用期满"):
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
        mt = Table(title=f"{latest.month} 月末决定 Decisions at the close of {latest.month} "
                         "(confirm with `cslevel promote`)", title_justify="left")
        for col in ("工号", "姓名", "组别", "决定", "依据"):
            mt.add_column(col, overflow="fold")
        for r in moves:
            decision = r.state.decision
            assert decision is not None
            mt.add_row(*_texts(r.agent.agent_id, r.agent.name, r.agent.team,
                               decision_text(decision), _short(decision.reason)))
        console.print(mt)
    print_problems(console, result.problems)
    for path in result.outputs:
        console.print(Text("结果表 Results workbook: ") + Text(str(path), style="bold"),
                      soft_wrap=True)


def print_promote(console: Console, result: PromoteResult) -> None:
    console.print(f"考核截至 As of [bold]{result.as_of}[/], 连续 {result.window} 个月规则；"
                  f"生效 effective {result.as_of + 1}")
    if not result.moves:
        console.print("本月没有晋降级 No moves this month.")
    else:
        table = Table(title="晋降级 Moves", title_justify="left")
        for col in ("工号", "姓名", "决定", "原级别", "新级别", "生效", "触发月份", "原因"):
            table.add_column(col, overflow="fold")
        for d in result.moves:
            table.add_row(*_texts(d.agent_id, result.agents[d.agent_id].name,
                                  DECISION_LABEL[d.kind], d.from_level, d.to_level,
                                  str(d.effective), "、".join(str(m) for m in d.trigger_months),
                                  _short(d.reason)))
        console.print(table)
    for agent_id, flag, note in result.flags:
        console.print(Text(f"⚑ {agent_id} {result.agents[agent_id].name}: {flag} — "
                           f"{_short(note)}", style="bold yellow"), soft_wrap=True)
    counts = Counter(result.levels.values())
    dist = "  ".join(f"{lv} {counts[lv]}" for lv in result.scheme.level_names if counts.get(lv))
    console.print(f"{result.as_of + 1} 级别分布 Levels: {dist}")
    print_problems(console, result.problems)
    for path in result.outputs:
        console.print(Text("晋降级名单 Sign-off workbook: ") + Text(str(path), style="bold"))


def print_payroll(console: Console, result: PayrollResult) -> None:
    comp_totals, grand = totals(result)
    table = Table(title=f"{result.month} 工资 Payroll", title_justify="left")
    table.add_column("级别 Level")
    table.add_column("人数", justify="right")
    table.add_column("应发合计 Total", justify="right")
    by_level: dict[str, list[Decimal]] = {}
    for line in result.lines:
        by_level.setdefault(line.level, []).append(line.total)
    for level in result.scheme.level_names:
        if level in by_level:
            table.add_row(level, str(len(by_level[level])), f"{sum(by_level[level]):,.2f}")
    table.add_row("[bold]合计[/]", str(len(result.lines)), f"[bold]{grand:,.2f}[/]")
    console.print(table)
    print_problems(console, result.problems)
    for path in result.outputs:
        console.print(Text("工资表 Payroll file: ") + Text(str(path), style="bold"))


def print_history(console: Console, result: HistoryResult) -> None:
    agent = result.agent
    table = Table(title=Text(f"{agent.agent_id} {agent.name} {agent.team}"),
                  title_justify="left")
    for col in ("月份", "绩效分值", "本月级别", *progress_headers(result.scheme), "决定", "说明"):
        table.add_column(col, overflow="fold")
    for s in result.states:
        table.add_row(str(s.month), "—" if s.score is None else f"{s.score}", s.level,
                      *[str(v) for v in progress_cells(result.scheme, s)],
                      *_texts(decision_text(s.decision),
                              _short(s.decision.reason if s.decision else s.note)))
    console.print(table)
    if result.next_level is None:
        console.print(f"{agent.leave_date} 离职 Left on {agent.leave_date}")
    else:
        console.print(f"{result.latest + 1} 起级别 Level from {result.latest + 1}: "
                      f"[bold]{result.next_level}[/]")


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
    }


_KIND = {"kpi": "绩效表 KPI", "attendance": "考勤表 attendance", "roster": "花名册 roster"}


def print_inspect(console: Console, result: Inspection) -> None:
    months = ", ".join(str(m) for m in result.months) or "—"
    console.print(Text(
        f"{result.file}: {_KIND[result.kind]} ({result.mode}); sheet {result.sheet!r}, "
        f"header row {result.header_row}; months {months}; {result.agents} agents"),
        soft_wrap=True)
    table = Table(title="列 Columns", title_justify="left")
    table.add_column("列")
    table.add_column("表头 Header")
    table.add_column("字段 Field")
    for label, fld in result.columns.items():
        table.add_row(result.letters[label], Text(label), fld or "[dim](not used)[/]")
    console.print(table)
    if result.preview:
        preview = Table(title="前几行 First rows as read", title_justify="left")
        for label in result.preview_headers:
            preview.add_column(label, overflow="fold")
        for row in result.preview:
            preview.add_row(*[Text(c) for c in row])
        console.print(preview)
    print_problems(console, result.problems)


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
        "changes": result.changes,
        "agents": result.agents,
        "moves": result.moves,
        "paid": result.paid,
        "payroll_total": None if result.payroll_total is None else str(result.payroll_total),
        "problems": [p.as_dict() for p in result.problems],
    }


def print_run(console: Console, result: RunResult) -> None:
    head = {"done": "完成 Done", "unchanged": "无变化 Unchanged",
            "dry_run": "试运行 Dry run (nothing written)"}[result.status]
    console.print(Text(f"{result.month} {head}", style="bold"))
    for line in result.changes:
        console.print(Text(f"  · {line}"), soft_wrap=True)
    if result.status != "unchanged":
        total = "—" if result.payroll_total is None else f"{result.payroll_total:,.2f}"
        console.print(Text(f"  评分 Scored: {result.agents} 人；晋降级 Moves: {result.moves}；"
                           f"{result.pay_month} 工资 Payroll: {result.paid} 人，{total}"))
    for path, _ in result.outputs:
        console.print(Text("  → ") + Text(str(path), style="bold"), soft_wrap=True)
    print_problems(console, result.problems)


def print_runs(console: Console, records: list[dict[str, Any]]) -> None:
    table = Table(title="运行记录 Runs", title_justify="left")
    for col in ("#", "时间 When (UTC)", "用户 User", "版本", "命令 Command", "月份", "说明 What"):
        table.add_column(col, overflow="fold")
    for run in records:
        details = run["details"]
        month = details.get("month") or details.get("as_of") or ", ".join(
            details.get("months", [])) or ""
        if run["command"] == "run":
            what = "；".join(details.get("changes", []))[:120]
        else:
            what = ", ".join(f"{k}={v}" for k, v in details.items()
                             if k in ("files", "moves", "lines", "reason", "window"))[:120]
        table.add_row(str(run["id"]), run["started_at"], *_texts(run["user"]), run["version"],
                      run["command"], month, Text(what))
    console.print(table)
    if not records:
        console.print("还没有运行记录 No runs recorded yet.")
