"""The manager's report (`cslevel report`) on the console and as its --json document: a short
summary (months, the file written, the flagged teams), the full figures in JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.text import Text

from ..i18n import _
from ..outcomes import ReportResult, ScoreSpread
from .console import print_problems
from .report_html import calibration_rule, flag_text


def _spread_json(s: ScoreSpread) -> dict[str, Any]:
    return {"team": s.team, "agents": s.agents, "scores": s.scores, "min": str(s.minimum),
            "q1": str(s.q1), "median": str(s.median), "q3": str(s.q3), "max": str(s.maximum),
            "at_top": s.at_top, "paid": s.paid, "far": s.far, "all_top": s.all_top}


def report_json(result: ReportResult) -> dict[str, Any]:
    zero = Decimal("0.00")
    return {
        "from": str(result.first), "to": str(result.last), "team": result.team,
        "scheme": result.scheme.scheme, "levels": result.levels,
        "top_levels": result.top_levels,
        "months": [
            {"month": str(mv.month), "headcount": mv.headcount,
             "levels": {lv: counts.get(lv, 0) for lv in result.levels},
             "pay": {lv: str(pay.get(lv, zero)) for lv in result.levels},
             "pay_total": str(sum(pay.values(), zero)),
             "promotions": mv.promotions, "demotions": mv.demotions,
             "promotion_rate": str(mv.promotion_rate), "demotion_rate": str(mv.demotion_rate)}
            for mv, counts, pay in zip(result.moves, result.counts, result.pay, strict=True)],
        "movers": [{"agent_id": m.agent_id, "name": m.name, "team": m.team,
                    "promotions": m.promotions, "demotions": m.demotions,
                    "from": m.level_from, "to": m.level_to} for m in result.movers],
        "calibration": {
            "rule": calibration_rule(result), "far_factor": str(result.far_factor),
            "centre": _spread_json(result.centre) if result.centre else None,
            "teams": [_spread_json(s) for s in result.teams]},
        "problems": [p.as_dict() for p in result.problems],
        "outputs": [str(p) for p in result.outputs],
    }


def print_report(console: Console, result: ReportResult) -> None:
    scope = result.team if result.team is not None else _("whole centre")
    console.print(Text(_("Report {first} to {last} ({scope}): {path}").format(
        first=result.first, last=result.last, scope=scope,
        path=", ".join(str(p) for p in result.outputs))), soft_wrap=True)
    flagged = [s for s in result.teams if s.far or s.all_top]
    if flagged:
        console.print(Text(_("Teams flagged for calibration ({count}):").format(
            count=len(flagged)), style="bold"), soft_wrap=True)
        for s in flagged:
            console.print(Text(f"  {s.team}: {flag_text(s)}"), soft_wrap=True)
    console.print(Text(calibration_rule(result)), soft_wrap=True)
    print_problems(console, result.problems, _("Warnings"))
