"""The KPI workbook's 岗位 against the post held (a template with tracks: the weighted
scheme's posts, DOMAIN.md scheme 2): once a `score` run's months are derived, each KPI row
whose 岗位 names one of the template's posts is compared with the post of the level the
agent holds that month (from the roster, a 当前级别 column, the history or a placement).

"A change of post is a placement by a person, with a reason, not a rule's move" (004
"客服部岗位级别说明"): a 岗位 that names another post is never taken as a move. When the two
posts are scored on different weights (技术支持 40/40/10/10 against the representatives'
20/20/25/25/10), the month's score was weighted for a post the agent does not hold: an
error, nothing is stored. When the weights are the same, the score stands: a warning. Both
say how to place the agent on the new post if the post really changed.

Input: the scheme, the derived months, the KPI rows' 岗位 and cells kept by the intake.
Output: problems."""

from __future__ import annotations

from ..i18n import _
from ..records import Month, Problem, Source
from ..templates import Scheme
from .derive import Derived, state_at


def post_problems(scheme: Scheme, derived: Derived,
                  posts: dict[Month, dict[str, tuple[str, Source]]]) -> list[Problem]:
    """One problem per KPI row whose 岗位 names a post other than the one held that month
    (in the order of the months, then of the rows); none without tracks."""
    if not scheme.tracks:
        return []
    problems: list[Problem] = []
    for month in sorted(posts):
        for agent_id, (written, cell) in posts[month].items():
            named = scheme.resolve_track(written)
            found = derived.get(agent_id)
            if named is None or found is None:
                continue  # not a post of the template (free text), or not derived
            state = state_at(found[1], month)
            held = scheme.track_of(state.level) if state is not None else None
            if held is None or held.name == named.name:
                continue  # in trial (on no post), or the same post
            scored_as = scheme.score.weights_for(written)
            differ = scored_as != scheme.score.weights_for(held.name)
            problems.append(Problem(
                (_("agent {agent}'s 岗位 is {post} here, but in {month} the agent holds "
                   "{level}, a level of {held}: the score is weighted for {post}, not for "
                   "{held}") if differ else
                 _("agent {agent}'s 岗位 is {post} here, but in {month} the agent holds "
                   "{level}, a level of {held} (both posts are scored on the same weights)")
                 ).format(agent=agent_id, post=written, month=month, level=state.level,
                          held=held.name),
                cell, "error" if differ else "warning",
                hint=_("If the post really changed, place the agent on the new post's ladder "
                       "from {month} (cslevel adjust level {agent} --from {month} --to LEVEL "
                       "--reason …) and run again; otherwise write {held} in this cell.").format(
                    agent=agent_id, month=month, held=held.name)))
    return problems
