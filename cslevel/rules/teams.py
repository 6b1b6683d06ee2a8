"""Each score's place within the agent's team, for the rule kinds that rank (`RuleKind.ranked`):
worked out over every agent's scores before the rules run."""

from __future__ import annotations

from decimal import Decimal

from ..records import Agent, Month, Score


def with_team_ranks(
    scores: dict[str, dict[Month, Score]], agents: dict[str, Agent],
    review_months: list[int] | None = None, window: int = 1, *, leads_out: bool = False,
) -> dict[str, dict[Month, Score]]:
    """Each score with its place within the agent's team (1 = best; equal values share a
    place, as in 1, 2, 2, 4) and the number ranked. Monthly by default; with review
    months, the place on the average of the `window` months ending at each review month,
    set on that month's score. `leads_out`: the team's average leaves its team leads out
    (the assistant scheme's lead is paid by the average of the team's 客户助理, 004 "客服助理
    定级标准"; None when the team has nobody else)."""
    groups: dict[tuple[Month, str], list[tuple[str, Decimal]]] = {}
    for agent_id, months in scores.items():
        team = agents[agent_id].team if agent_id in agents else ""
        for month in months:
            if review_months is not None and month.month not in review_months:
                continue
            values = [months[m].value for m in (month + (-i) for i in range(window))
                      if m in months] if review_months is not None else [months[month].value]
            groups.setdefault((month, team), []).append(
                (agent_id, sum(values, Decimal(0)) / len(values)))
    out = {a: dict(months) for a, months in scores.items()}
    for (month, _), group in groups.items():
        ordered = sorted((value for _, value in group), reverse=True)
        average: Decimal | None = sum(ordered, Decimal(0)) / len(ordered)
        if leads_out:
            members = [value for agent_id, value in group
                       if not (agent_id in agents and agents[agent_id].team_lead)]
            average = sum(members, Decimal(0)) / len(members) if members else None
        for agent_id, value in group:
            out[agent_id][month] = out[agent_id][month]._replace(
                team_rank=ordered.index(value) + 1, team_size=len(group),
                team_average=average)
    return out
