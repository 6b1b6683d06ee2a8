"""The adjustments (调整): a score or a level set by hand, with a reason (adjust score, level),
the ones in force (adjust list), and undoing one (adjust undo)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..records import Month
from .apps import adjust_app
from .report import DbOption, JsonOption, _month, _report

AgentArgument = Annotated[str, typer.Argument(help="Agent id (工号), e.g. 0007.",
                                              show_default=False)]
ReasonOption = Annotated[str, typer.Option(
    "--reason", help="Why (an upheld appeal, a placement…); kept with the adjustment.",
    show_default=False)]
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who decided it. Default: the user logged in.", show_default=False)]


@adjust_app.command("score")
def adjust_score(
    agent_id: AgentArgument,
    month: Annotated[str, typer.Option("--month", help="The scored month (YYYY-MM).",
                                       show_default=False)],
    to: Annotated[str, typer.Option("--to", help="The score the rules use for that month.",
                                    show_default=False)],
    reason: ReasonOption,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set the score the rules use for an agent's month (an upheld appeal, a recount).

    The imported score stays stored and is shown beside it (cslevel history).

    \b
    Example:
      cslevel adjust score 0007 --month 2026-03 --to 110 --reason "申诉成立 appeal upheld"
    """
    from ..export import console_admin
    from ..pipeline import adjust_score as adjust

    chosen = _month(month) or Month(1, 1)
    _report(lambda: adjust(agent_id.strip(), chosen, to, reason, by=by, db=db),
            console_admin.adjust_json, console_admin.print_adjust, as_json)


@adjust_app.command("level")
def adjust_level(
    agent_id: AgentArgument,
    from_month: Annotated[str, typer.Option(
        "--from", help="The first month at that level (YYYY-MM).", show_default=False)],
    to: Annotated[str, typer.Option("--to", help="The level, e.g. 四星.", show_default=False)],
    reason: ReasonOption,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set the level in force from a month (a placement, an overturned decision).

    The streaks start again from that month, as after a move.

    \b
    Example:
      cslevel adjust level 0007 --from 2026-04 --to 四星 --reason "特别优秀 placement"
    """
    from ..export import console_admin
    from ..pipeline import adjust_level as adjust

    chosen = _month(from_month) or Month(1, 1)
    _report(lambda: adjust(agent_id.strip(), chosen, to, reason, by=by, db=db),
            console_admin.adjust_json, console_admin.print_adjust, as_json)


@adjust_app.command("list")
def adjust_list(
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent's.",
                                              show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the adjustments in force (writes nothing).

    \b
    Example:
      cslevel adjust list --agent 0007
    """
    from ..export import console_admin
    from ..pipeline import adjustments

    chosen = agent.strip() if agent is not None else None
    _report(lambda: adjustments(chosen, db=db), console_admin.adjustments_json,
            console_admin.print_adjustments, as_json, written=False)


@adjust_app.command("undo")
def adjust_undo(
    adjustment_id: Annotated[int, typer.Argument(help="The adjustment's number (adjust list).",
                                                 show_default=False)],
    reason: ReasonOption,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Undo an adjustment, with a reason; it stays in the history as undone.

    \b
    Example:
      cslevel adjust undo 3 --reason "录入错误 entered by mistake"
    """
    from ..export import console_admin
    from ..pipeline import undo_adjustment

    _report(lambda: undo_adjustment(adjustment_id, reason, by=by, db=db),
            console_admin.adjust_json, console_admin.print_adjust, as_json)
